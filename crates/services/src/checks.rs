//! Checks of input that several use cases share.

use crate::FieldProblem;

/// A budget in major units with its currency, checked: a positive amount
/// below 10^13 in minor units, and a three-letter currency code whenever
/// the amount is above zero (upper-cased). Problems are named `budget` and
/// `currency`.
pub(crate) fn budget(
    amount: Option<f64>,
    currency: Option<&str>,
    problems: &mut Vec<FieldProblem>,
) -> (Option<i64>, Option<String>) {
    let minor = match amount {
        None => None,
        #[allow(clippy::cast_possible_truncation)]
        Some(b) if b.is_finite() && (0.0..1e13).contains(&b) => Some((b * 100.0).round() as i64),
        Some(_) => {
            problems.push(FieldProblem::new(
                "budget",
                "give the budget as a positive amount",
            ));
            None
        }
    };
    let currency = currency
        .map(|c| c.trim().to_ascii_uppercase())
        .filter(|c| !c.is_empty());
    if minor.is_some_and(|b| b > 0)
        && !currency
            .as_deref()
            .is_some_and(|c| c.len() == 3 && c.chars().all(|x| x.is_ascii_uppercase()))
    {
        problems.push(FieldProblem::new(
            "currency",
            "give the budget's currency code (such as RUB)",
        ));
    }
    (minor, currency)
}
