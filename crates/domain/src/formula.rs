//! Metric formulas: arithmetic (`+ - * /`, parentheses, numbers) over names
//! of base measures and other metrics. Parsed once, checked (unknown names,
//! cycles, dimensions), then evaluated on a scope's summed measures — which
//! is what makes every ratio a ratio of sums.
//!
//! Division by zero, and any operation on a missing value, gives no value
//! (`None`), never NaN, infinity or 0.

use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Number(f64),
    Name(String),
    Neg(Box<Expr>),
    Binary(Op, Box<Expr>, Box<Expr>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Add,
    Sub,
    Mul,
    Div,
}

impl Op {
    fn symbol(self) -> char {
        match self {
            Op::Add => '+',
            Op::Sub => '-',
            Op::Mul => '*',
            Op::Div => '/',
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormulaError {
    #[error("the formula is empty")]
    Empty,
    #[error("unexpected '{found}' at character {at}")]
    Unexpected { found: String, at: usize },
    #[error("the formula ends too early: expected {expected}")]
    EndsEarly { expected: &'static str },
    #[error("'{name}' is not a measure or metric{}", suggestion.as_ref().map(|s| format!(" (did you mean '{s}'?)")).unwrap_or_default())]
    UnknownName {
        name: String,
        suggestion: Option<String>,
    },
    #[error("'{0}' refers to itself through {1}")]
    Cycle(String, String),
    #[error(
        "cannot {verb} {left} ({left_dim}) and {right} ({right_dim}): they measure different things"
    )]
    Mismatch {
        verb: &'static str,
        left: String,
        left_dim: String,
        right: String,
        right_dim: String,
    },
    #[error("the formula gives {found}, which cannot be shown as {unit}")]
    WrongUnit { found: String, unit: &'static str },
    #[error("the formula is longer than {0} characters")]
    TooLong(usize),
}

pub const MAX_FORMULA_CHARS: usize = 500;

impl Expr {
    /// Parses a formula such as `(conversion_value - spend) / spend`.
    pub fn parse(text: &str) -> Result<Expr, FormulaError> {
        if text.chars().count() > MAX_FORMULA_CHARS {
            return Err(FormulaError::TooLong(MAX_FORMULA_CHARS));
        }
        let tokens = tokenize(text)?;
        if tokens.is_empty() {
            return Err(FormulaError::Empty);
        }
        let mut parser = Parser { tokens, pos: 0 };
        let expr = parser.sum(0)?;
        if let Some((token, at)) = parser.tokens.get(parser.pos) {
            return Err(FormulaError::Unexpected {
                found: token.to_string(),
                at: *at,
            });
        }
        Ok(expr)
    }

    /// Every name the formula uses, in order of appearance.
    pub fn names(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.collect_names(&mut out);
        out
    }

    fn collect_names<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Expr::Number(_) => {}
            Expr::Name(n) => out.push(n),
            Expr::Neg(e) => e.collect_names(out),
            Expr::Binary(_, l, r) => {
                l.collect_names(out);
                r.collect_names(out);
            }
        }
    }

    /// The value, given the value of each name. `None` propagates; a zero
    /// divisor gives `None`.
    pub fn eval(&self, value_of: &dyn Fn(&str) -> Option<f64>) -> Option<f64> {
        let v = match self {
            Expr::Number(n) => Some(*n),
            Expr::Name(n) => value_of(n),
            Expr::Neg(e) => e.eval(value_of).map(|v| -v),
            Expr::Binary(op, l, r) => {
                let (l, r) = (l.eval(value_of)?, r.eval(value_of)?);
                match op {
                    Op::Add => Some(l + r),
                    Op::Sub => Some(l - r),
                    Op::Mul => Some(l * r),
                    Op::Div if r == 0.0 => None,
                    Op::Div => Some(l / r),
                }
            }
        }?;
        v.is_finite().then_some(v)
    }

    /// For a formula that is a quotient at its top, the numerator and the
    /// denominator (what the API shows beside a ratio's value).
    pub fn fraction(&self) -> Option<(&Expr, &Expr)> {
        match self {
            Expr::Binary(Op::Div, l, r) => Some((l, r)),
            _ => None,
        }
    }

    /// The dimension of the result, given the dimension of each name.
    pub fn dimension(
        &self,
        dimension_of: &dyn Fn(&str) -> crate::measure::Dimension,
    ) -> Result<crate::measure::Dimension, FormulaError> {
        use crate::measure::Dimension;
        match self {
            Expr::Number(_) => Ok(Dimension::NONE),
            Expr::Name(n) => Ok(dimension_of(n)),
            Expr::Neg(e) => e.dimension(dimension_of),
            Expr::Binary(op, l, r) => {
                let (ld, rd) = (l.dimension(dimension_of)?, r.dimension(dimension_of)?);
                match op {
                    Op::Mul => Ok(ld.times(rd)),
                    Op::Div => Ok(ld.per(rd)),
                    Op::Add | Op::Sub if ld == rd => Ok(ld),
                    Op::Add | Op::Sub => Err(FormulaError::Mismatch {
                        verb: if *op == Op::Add { "add" } else { "subtract" },
                        left: l.to_string(),
                        left_dim: ld.to_string(),
                        right: r.to_string(),
                        right_dim: rd.to_string(),
                    }),
                }
            }
        }
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Number(n) => write!(f, "{n}"),
            Expr::Name(n) => f.write_str(n),
            Expr::Neg(e) => write!(f, "-{e}"),
            Expr::Binary(op, l, r) => {
                let wrap = |e: &Expr, f: &mut fmt::Formatter<'_>| match e {
                    Expr::Binary(..) => write!(f, "({e})"),
                    _ => write!(f, "{e}"),
                };
                wrap(l, f)?;
                write!(f, " {} ", op.symbol())?;
                wrap(r, f)
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Number(f64),
    Name(String),
    Op(Op),
    Open,
    Close,
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Token::Number(n) => write!(f, "{n}"),
            Token::Name(n) => f.write_str(n),
            Token::Op(op) => write!(f, "{}", op.symbol()),
            Token::Open => f.write_str("("),
            Token::Close => f.write_str(")"),
        }
    }
}

/// Tokens with the (1-based) character where each starts.
fn tokenize(text: &str) -> Result<Vec<(Token, usize)>, FormulaError> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let at = i + 1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let token = match c {
            '+' => Token::Op(Op::Add),
            '-' | '−' => Token::Op(Op::Sub),
            '*' | '×' => Token::Op(Op::Mul),
            '/' => Token::Op(Op::Div),
            '(' => Token::Open,
            ')' => Token::Close,
            d if d.is_ascii_digit() || d == '.' => {
                let start = i;
                while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                    i += 1;
                }
                let s: String = chars[start..i].iter().collect();
                let n = s.parse::<f64>().map_err(|_| FormulaError::Unexpected {
                    found: s.clone(),
                    at,
                })?;
                out.push((Token::Number(n), at));
                continue;
            }
            a if a.is_ascii_alphabetic() || a == '_' => {
                let start = i;
                while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                let s: String = chars[start..i].iter().collect();
                out.push((Token::Name(s.to_ascii_lowercase()), at));
                continue;
            }
            other => {
                return Err(FormulaError::Unexpected {
                    found: other.to_string(),
                    at,
                });
            }
        };
        out.push((token, at));
        i += 1;
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<(Token, usize)>,
    pos: usize,
}

/// Nesting deeper than this is refused (no formula needs it, and it keeps
/// the recursive parser far from the stack's end).
const MAX_DEPTH: usize = 32;

impl Parser {
    fn next(&mut self) -> Option<(Token, usize)> {
        let t = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos).map(|(t, _)| t)
    }

    fn sum(&mut self, depth: usize) -> Result<Expr, FormulaError> {
        let mut left = self.product(depth)?;
        while let Some(Token::Op(op @ (Op::Add | Op::Sub))) = self.peek().cloned() {
            self.pos += 1;
            let right = self.product(depth)?;
            left = Expr::Binary(op, Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn product(&mut self, depth: usize) -> Result<Expr, FormulaError> {
        let mut left = self.unary(depth)?;
        while let Some(Token::Op(op @ (Op::Mul | Op::Div))) = self.peek().cloned() {
            self.pos += 1;
            let right = self.unary(depth)?;
            left = Expr::Binary(op, Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self, depth: usize) -> Result<Expr, FormulaError> {
        match self.next() {
            None => Err(FormulaError::EndsEarly {
                expected: "a number, a name or '('",
            }),
            Some((Token::Op(Op::Sub), at)) => {
                if depth > MAX_DEPTH {
                    return Err(FormulaError::Unexpected {
                        found: "-".into(),
                        at,
                    });
                }
                Ok(Expr::Neg(Box::new(self.unary(depth + 1)?)))
            }
            Some((Token::Number(n), _)) => Ok(Expr::Number(n)),
            Some((Token::Name(n), _)) => Ok(Expr::Name(n)),
            Some((Token::Open, at)) => {
                if depth > MAX_DEPTH {
                    return Err(FormulaError::Unexpected {
                        found: "(".into(),
                        at,
                    });
                }
                let inner = self.sum(depth + 1)?;
                match self.next() {
                    Some((Token::Close, _)) => Ok(inner),
                    Some((t, at)) => Err(FormulaError::Unexpected {
                        found: t.to_string(),
                        at,
                    }),
                    None => Err(FormulaError::EndsEarly { expected: "')'" }),
                }
            }
            Some((t, at)) => Err(FormulaError::Unexpected {
                found: t.to_string(),
                at,
            }),
        }
    }
}

/// The closest known name within two edits, to suggest on a typo.
pub fn suggest<'a>(name: &str, known: impl IntoIterator<Item = &'a str>) -> Option<String> {
    known
        .into_iter()
        .map(|k| (edit_distance(name, k), k))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, k)| k.to_string())
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(row[j]).min(cur)
            };
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::Dimension;

    fn values(name: &str) -> Option<f64> {
        match name {
            "spend" => Some(200.0),
            "clicks" => Some(50.0),
            "conversion_value" => Some(500.0),
            "zero" => Some(0.0),
            _ => None,
        }
    }

    #[test]
    fn precedence_and_parentheses_are_those_of_arithmetic() {
        let e = Expr::parse("(conversion_value - spend) / spend").unwrap();
        assert_eq!(e.eval(&values), Some(1.5));
        let e = Expr::parse("1000 * spend / clicks").unwrap();
        assert_eq!(e.eval(&values), Some(4000.0));
        let e = Expr::parse("conversion_value - spend / clicks * 2").unwrap();
        assert_eq!(e.eval(&values), Some(492.0));
        let e = Expr::parse("-spend + 2.5").unwrap();
        assert_eq!(e.eval(&values), Some(-197.5));
        assert_eq!(
            Expr::parse("(conversion_value - spend) / spend")
                .unwrap()
                .to_string(),
            "(conversion_value - spend) / spend"
        );
    }

    #[test]
    fn a_zero_divisor_or_a_missing_value_gives_no_value() {
        assert_eq!(Expr::parse("spend / zero").unwrap().eval(&values), None);
        assert_eq!(Expr::parse("0 / zero").unwrap().eval(&values), None);
        assert_eq!(Expr::parse("spend + unknown").unwrap().eval(&values), None);
        assert_eq!(
            Expr::parse("zero / spend").unwrap().eval(&values),
            Some(0.0)
        );
    }

    #[test]
    fn broken_formulas_say_what_and_where() {
        assert_eq!(Expr::parse("  "), Err(FormulaError::Empty));
        assert_eq!(
            Expr::parse("spend / ").unwrap_err().to_string(),
            "the formula ends too early: expected a number, a name or '('"
        );
        assert_eq!(
            Expr::parse("(spend / clicks").unwrap_err().to_string(),
            "the formula ends too early: expected ')'"
        );
        assert_eq!(
            Expr::parse("spend ) clicks").unwrap_err().to_string(),
            "unexpected ')' at character 7"
        );
        assert_eq!(
            Expr::parse("spend % clicks").unwrap_err().to_string(),
            "unexpected '%' at character 7"
        );
        assert_eq!(
            Expr::parse("1.2.3 * spend").unwrap_err().to_string(),
            "unexpected '1.2.3' at character 1"
        );
        let deep = format!("{}spend{}", "(".repeat(40), ")".repeat(40));
        assert!(Expr::parse(&deep).is_err());
        assert!(Expr::parse(&"-".repeat(100)).is_err());
        assert_eq!(
            Expr::parse(&"a+".repeat(300)),
            Err(FormulaError::TooLong(MAX_FORMULA_CHARS))
        );
    }

    #[test]
    fn dimensions_refuse_adding_money_to_counts() {
        let dim = |n: &str| match n {
            "spend" => Dimension::MONEY,
            _ => Dimension::COUNT,
        };
        let e = Expr::parse("spend / clicks").unwrap();
        assert_eq!(
            e.dimension(&dim).unwrap(),
            Dimension::MONEY.per(Dimension::COUNT)
        );
        let e = Expr::parse("spend + clicks").unwrap();
        assert_eq!(
            e.dimension(&dim).unwrap_err().to_string(),
            "cannot add spend (money) and clicks (count): they measure different things"
        );
        assert_eq!(
            Expr::parse("clicks / impressions - 1")
                .unwrap()
                .dimension(&dim)
                .unwrap(),
            Dimension::NONE
        );
    }

    #[test]
    fn typos_get_a_suggestion() {
        assert_eq!(
            suggest("clics", ["clicks", "spend", "impressions"]),
            Some("clicks".to_string())
        );
        assert_eq!(suggest("revenue", ["clicks", "spend"]), None);
    }
}
