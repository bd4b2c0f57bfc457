//! Charts as SVG, the same drawing for the HTML page (where each mark's
//! `<title>` is its tooltip) and the PDF (where the text stays text).

use std::fmt::Write;

const FONT: &str = "DejaVu Sans, Arial, Helvetica, sans-serif";
const BLUE: &str = "#2f6fb0";
const RED: &str = "#c0392b";
const GREEN: &str = "#2e8b57";
const GREY: &str = "#8a96a3";
const INK: &str = "#22303c";
const WIDTH: f64 = 640.0;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A label cut to fit a column of `chars` characters.
fn fit(s: &str, chars: usize) -> String {
    if s.chars().count() <= chars {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(chars.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

fn open(height: f64, title: &str) -> String {
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" font-family="{FONT}" font-size="11" role="img" aria-label="{}"><rect width="{WIDTH}" height="{height}" fill="white"/>"#,
        esc(title)
    )
}

/// One bar: its label, value, the value as written, and its tooltip.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub text: String,
    pub tooltip: String,
}

/// Horizontal bars from a zero line; negative values go left, in red.
pub fn bars(title: &str, items: &[Bar]) -> String {
    let row = 22.0;
    let top = 8.0;
    let height = top * 2.0 + row * items.len().max(1) as f64;
    let (label_w, text_w) = (215.0, 80.0);
    let plot = WIDTH - label_w - text_w - 10.0;
    let max = items.iter().map(|b| b.value).fold(0.0_f64, f64::max);
    let min = items.iter().map(|b| b.value).fold(0.0_f64, f64::min);
    let span = (max - min).max(f64::EPSILON);
    let x = |v: f64| label_w + (v - min) / span * plot;
    let mut s = open(height, title);
    let zero = x(0.0);
    for (i, b) in items.iter().enumerate() {
        let y = top + row * i as f64;
        let (x0, x1) = if b.value >= 0.0 {
            (zero, x(b.value))
        } else {
            (x(b.value), zero)
        };
        let fill = if b.value < 0.0 { RED } else { BLUE };
        let _ = write!(
            s,
            r#"<g><title>{}</title><text x="{}" y="{}" text-anchor="end" fill="{INK}">{}</text><rect x="{x0:.1}" y="{}" width="{:.1}" height="{}" fill="{fill}"/><text x="{}" y="{}" fill="{INK}">{}</text></g>"#,
            esc(&b.tooltip),
            label_w - 6.0,
            y + 15.0,
            esc(&fit(&b.label, 34)),
            y + 4.0,
            (x1 - x0).max(0.5),
            row - 8.0,
            x(max) + 6.0,
            y + 15.0,
            esc(&b.text)
        );
    }
    let _ = write!(
        s,
        r#"<line x1="{zero:.1}" y1="{}" x2="{zero:.1}" y2="{}" stroke="{GREY}"/></svg>"#,
        top - 2.0,
        height - top + 2.0
    );
    s
}

/// A monthly line with its points' tooltips and, when given, the fitted
/// trend (intercept and slope per step) dashed.
pub fn line(
    title: &str,
    points: &[(String, Option<f64>, String)],
    trend: Option<(f64, f64)>,
) -> String {
    let height = 200.0;
    let (left, right, top, bottom) = (50.0, 16.0, 14.0, 30.0);
    let values: Vec<f64> = points.iter().filter_map(|p| p.1).collect();
    let mut s = open(height, title);
    if values.is_empty() {
        s.push_str("</svg>");
        return s;
    }
    let mut lo = values
        .iter()
        .copied()
        .fold(f64::INFINITY, f64::min)
        .min(0.0);
    let mut hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if let Some((a, b)) = trend {
        let end = a + b * (points.len().saturating_sub(1)) as f64;
        lo = lo.min(a).min(end);
        hi = hi.max(a).max(end);
    }
    if hi <= lo {
        hi = lo + 1.0;
    }
    let n = points.len().max(2) as f64 - 1.0;
    let x = |i: usize| left + (WIDTH - left - right) * i as f64 / n;
    let y = |v: f64| top + (height - top - bottom) * (1.0 - (v - lo) / (hi - lo));
    let _ = write!(
        s,
        r#"<line x1="{left}" y1="{:.1}" x2="{}" y2="{:.1}" stroke="{GREY}"/>"#,
        y(lo),
        WIDTH - right,
        y(lo)
    );
    let mut path = String::new();
    for (i, (_, v, _)) in points.iter().enumerate() {
        if let Some(v) = v {
            let cmd = if path.is_empty() { 'M' } else { 'L' };
            let _ = write!(path, "{cmd}{:.1},{:.1} ", x(i), y(*v));
        }
    }
    let _ = write!(
        s,
        r#"<path d="{}" fill="none" stroke="{BLUE}" stroke-width="2"/>"#,
        path.trim_end()
    );
    if let Some((a, b)) = trend {
        let last = points.len().saturating_sub(1);
        let _ = write!(
            s,
            r#"<line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="{GREEN}" stroke-dasharray="5 4" stroke-width="1.5"/>"#,
            x(0),
            y(a),
            x(last),
            y(a + b * last as f64)
        );
    }
    for (i, (label, v, text)) in points.iter().enumerate() {
        if let Some(v) = v {
            let _ = write!(
                s,
                r#"<g><title>{}: {}</title><circle cx="{:.1}" cy="{:.1}" r="3.5" fill="{BLUE}"/></g>"#,
                esc(label),
                esc(text),
                x(i),
                y(*v)
            );
        }
        if i % 2 == 0 || points.len() <= 8 {
            let _ = write!(
                s,
                r#"<text x="{:.1}" y="{}" text-anchor="middle" fill="{INK}" font-size="10">{}</text>"#,
                x(i),
                height - 10.0,
                esc(label)
            );
        }
    }
    // The top and bottom of the scale, as the values read.
    let (hi_text, lo_text) = (
        points
            .iter()
            .filter(|p| p.1 == Some(values.iter().copied().fold(f64::NEG_INFINITY, f64::max)))
            .map(|p| p.2.clone())
            .next()
            .unwrap_or_default(),
        String::new(),
    );
    let _ = write!(
        s,
        r#"<text x="4" y="{:.1}" fill="{GREY}" font-size="9">{}</text><text x="4" y="{:.1}" fill="{GREY}" font-size="9">{}</text></svg>"#,
        y(values.iter().copied().fold(f64::NEG_INFINITY, f64::max)) + 3.0,
        esc(&fit(&hi_text, 9)),
        y(lo) + 3.0,
        esc(&lo_text)
    );
    s
}

/// A step of a waterfall: a factor and the change it made.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub label: String,
    pub amount: f64,
    pub text: String,
}

/// From a value before, through each factor's contribution, to the value
/// after: rises in green, falls in red, the ends in blue.
pub fn waterfall(title: &str, before: &Step, steps: &[Step], after: &Step) -> String {
    let height = 220.0;
    let (left, top, bottom) = (10.0, 24.0, 36.0);
    let columns = steps.len() + 2;
    let col = (WIDTH - 2.0 * left) / columns as f64;
    let mut level = before.amount;
    let mut lo = before.amount.min(after.amount).min(0.0);
    let mut hi = before.amount.max(after.amount);
    for st in steps {
        level += st.amount;
        lo = lo.min(level);
        hi = hi.max(level);
    }
    if hi <= lo {
        hi = lo + 1.0;
    }
    let y = |v: f64| top + (height - top - bottom) * (1.0 - (v - lo) / (hi - lo));
    let mut s = open(height, title);
    let draw = |s: &mut String, i: usize, from: f64, to: f64, fill: &str, step: &Step| {
        let x0 = left + col * i as f64 + col * 0.15;
        let (y0, y1) = (y(from.max(to)), y(from.min(to)));
        let _ = write!(
            s,
            r#"<g><title>{}: {}</title><rect x="{x0:.1}" y="{y0:.1}" width="{:.1}" height="{:.1}" fill="{fill}"/><text x="{:.1}" y="{:.1}" text-anchor="middle" fill="{INK}" font-size="10">{}</text><text x="{:.1}" y="{}" text-anchor="middle" fill="{INK}" font-size="10">{}</text></g>"#,
            esc(&step.label),
            esc(&step.text),
            col * 0.7,
            (y1 - y0).max(1.0),
            x0 + col * 0.35,
            y0 - 4.0,
            esc(&step.text),
            x0 + col * 0.35,
            height - 14.0,
            esc(&fit(&step.label, 16))
        );
    };
    draw(
        &mut s,
        0,
        lo.max(0.0).min(before.amount),
        before.amount,
        BLUE,
        before,
    );
    let mut level = before.amount;
    for (i, st) in steps.iter().enumerate() {
        let fill = if st.amount < 0.0 { RED } else { GREEN };
        draw(&mut s, i + 1, level, level + st.amount, fill, st);
        level += st.amount;
    }
    draw(
        &mut s,
        columns - 1,
        lo.max(0.0).min(after.amount),
        after.amount,
        BLUE,
        after,
    );
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_carry_their_tooltips_and_labels_are_escaped() {
        let svg = bars(
            "ROI",
            &[
                Bar {
                    label: "E-mail & CRM".into(),
                    value: 2.5,
                    text: "250%".into(),
                    tooltip: "E-mail & CRM: ROI 250%".into(),
                },
                Bar {
                    label: "Display".into(),
                    value: -0.4,
                    text: "−40%".into(),
                    tooltip: "Display: ROI −40%".into(),
                },
            ],
        );
        assert!(svg.contains("<title>E-mail &amp; CRM: ROI 250%</title>"));
        assert!(svg.contains(&format!(r#"fill="{RED}""#)));
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        let w = waterfall(
            "Revenue",
            &Step {
                label: "Before".into(),
                amount: 100.0,
                text: "100".into(),
            },
            &[
                Step {
                    label: "Sessions".into(),
                    amount: 30.0,
                    text: "+30".into(),
                },
                Step {
                    label: "AOV".into(),
                    amount: -10.0,
                    text: "−10".into(),
                },
            ],
            &Step {
                label: "After".into(),
                amount: 120.0,
                text: "120".into(),
            },
        );
        assert_eq!(w.matches("<rect").count(), 5);
        assert!(w.contains("<title>AOV: −10</title>"));
    }
}
