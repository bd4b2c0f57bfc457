//! The analysis reports write themselves from: what drove a change in a
//! derived metric (each factor's contribution, adding up to the change), a
//! two-proportion test before a change in a rate is called real, a trend
//! with the confidence interval of its slope, and anomalies in a daily
//! series against a weekly-seasonal, robust baseline.
//! Pure functions over numbers; the report layer turns them into words.

use crate::period::Day;

/// A factor of a product and its values before and after; `exponent` is 1
/// for a factor that multiplies, −1 for one that divides (CPC in ROAS =
/// CR × AOV / CPC).
#[derive(Debug, Clone, PartialEq)]
pub struct Factor {
    pub name: String,
    pub before: f64,
    pub after: f64,
    pub exponent: i32,
}

/// One factor's share of a change.
#[derive(Debug, Clone, PartialEq)]
pub struct Contribution {
    pub name: String,
    /// In the metric's own unit; all contributions add up to the change.
    pub amount: f64,
}

/// The value of a product of factors.
pub fn product(factors: &[Factor], after: bool) -> f64 {
    factors
        .iter()
        .map(|f| {
            let x = if after { f.after } else { f.before };
            x.powi(f.exponent)
        })
        .product()
}

/// The logarithmic mean of two positive numbers (their own value when
/// equal).
fn log_mean(a: f64, b: f64) -> f64 {
    if (a - b).abs() <= f64::EPSILON * a.abs().max(b.abs()) {
        a
    } else {
        (a - b) / (a.ln() - b.ln())
    }
}

/// Splits the change of a product of factors (revenue = sessions × CR ×
/// AOV) into each factor's contribution, adding up exactly to the change.
///
/// With every value positive this is the log-mean Divisia index (LMDI-I):
/// the change is L(Y₁, Y₀) × ln(Y₁/Y₀), and ln(Y₁/Y₀) is the sum of each
/// factor's ln(x₁/x₀)·exponent, so each factor takes L × its term, with
/// no residual and no dependence on the order of the factors. With a zero
/// anywhere (a log is undefined) the factors are changed one at a time in
/// the order given, each taking the change it makes (a chain that still
/// adds up exactly). None when there are no factors or a value is not a
/// finite number, or a divisor is zero.
pub fn decompose(factors: &[Factor]) -> Option<Vec<Contribution>> {
    if factors.is_empty()
        || factors
            .iter()
            .any(|f| !f.before.is_finite() || !f.after.is_finite())
        || factors
            .iter()
            .any(|f| f.exponent < 0 && (f.before == 0.0 || f.after == 0.0))
    {
        return None;
    }
    let (y0, y1) = (product(factors, false), product(factors, true));
    if factors.iter().all(|f| f.before > 0.0 && f.after > 0.0) {
        let l = log_mean(y1, y0);
        return Some(
            factors
                .iter()
                .map(|f| Contribution {
                    name: f.name.clone(),
                    amount: l * f64::from(f.exponent) * (f.after / f.before).ln(),
                })
                .collect(),
        );
    }
    // One factor at a time: the values so far are the new ones for the
    // factors already changed.
    let mut current: Vec<f64> = factors.iter().map(|f| f.before).collect();
    let value = |xs: &[f64]| -> f64 {
        xs.iter()
            .zip(factors)
            .map(|(x, f)| x.powi(f.exponent))
            .product()
    };
    let mut out = Vec::with_capacity(factors.len());
    for (i, f) in factors.iter().enumerate() {
        let before = value(&current);
        current[i] = f.after;
        out.push(Contribution {
            name: f.name.clone(),
            amount: value(&current) - before,
        });
    }
    Some(out)
}

/// A two-proportion z-test of whether a rate changed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProportionTest {
    /// The rates before and after.
    pub before: f64,
    pub after: f64,
    /// (after − before) over the pooled standard error.
    pub z: f64,
    /// Two-sided.
    pub p_value: f64,
}

impl ProportionTest {
    /// Whether the change is significant at the level (0.05 usually).
    pub fn significant(&self, level: f64) -> bool {
        self.p_value < level
    }
}

/// Tests whether `x2` of `n2` differs from `x1` of `n1` (pooled standard
/// error, normal approximation). None when a group is empty, a count is
/// above its total, or every trial went the same way (no variance).
pub fn two_proportion_test(x1: f64, n1: f64, x2: f64, n2: f64) -> Option<ProportionTest> {
    if !(n1 > 0.0 && n2 > 0.0 && (0.0..=n1).contains(&x1) && (0.0..=n2).contains(&x2)) {
        return None;
    }
    let (p1, p2) = (x1 / n1, x2 / n2);
    let pooled = (x1 + x2) / (n1 + n2);
    let se = (pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2)).sqrt();
    if se <= 0.0 || !se.is_finite() {
        return None;
    }
    let z = (p2 - p1) / se;
    Some(ProportionTest {
        before: p1,
        after: p2,
        z,
        p_value: erfc(z.abs() / std::f64::consts::SQRT_2),
    })
}

/// The complementary error function, to about 1e-7 relative (Numerical
/// Recipes' Chebyshev fit): enough for a p-value.
pub fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let r = t
        * (-z * z - 1.265_512_23
            + t * (1.000_023_68
                + t * (0.374_091_96
                    + t * (0.096_784_18
                        + t * (-0.186_288_06
                            + t * (0.278_868_07
                                + t * (-1.135_203_98
                                    + t * (1.488_515_87
                                        + t * (-0.822_152_23 + t * 0.170_872_77)))))))))
            .exp();
    if x >= 0.0 { r } else { 2.0 - r }
}

/// A day that stands out from its weekly-seasonal baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct Anomaly {
    pub day: Day,
    pub value: f64,
    /// The median of the same weekday in the weeks before.
    pub expected: f64,
    /// (value − expected) over the spread (1.4826 × MAD of the residuals,
    /// at least √expected and 1): how many "standard deviations" out.
    pub score: f64,
}

/// The median of some values (sorting them in place); none of none.
pub fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    Some(if n % 2 == 1 {
        values[n / 2]
    } else {
        f64::midpoint(values[n / 2 - 1], values[n / 2])
    })
}

/// How many weeks back a day's baseline looks.
pub const BASELINE_WEEKS: usize = 4;
/// How far out (in robust standard deviations) a day must be to be flagged.
pub const ANOMALY_THRESHOLD: f64 = 3.5;

/// Days of a daily series (one value per consecutive day) that stand out:
/// each day's baseline is the median of the same weekday over the weeks
/// before (up to four, at least two), so weekly seasonality is no anomaly;
/// the spread is the median absolute deviation of all residuals, so a few
/// outliers cannot hide themselves by inflating it, but never below the
/// chance variation of a count (√expected, at least 1), since the series
/// are counts and amounts. Days with too little history are not judged.
pub fn anomalies(series: &[(Day, f64)]) -> Vec<Anomaly> {
    let mut residuals = Vec::new();
    let mut judged = Vec::new();
    for (i, (day, value)) in series.iter().enumerate() {
        let mut same_weekday: Vec<f64> = (1..=BASELINE_WEEKS)
            .filter_map(|w| i.checked_sub(7 * w).map(|j| series[j].1))
            .collect();
        if same_weekday.len() < 2 {
            continue;
        }
        let Some(expected) = median(&mut same_weekday) else {
            continue;
        };
        residuals.push(value - expected);
        judged.push((*day, *value, expected));
    }
    let mut abs: Vec<f64> = residuals.iter().map(|r| r.abs()).collect();
    let Some(mad) = median(&mut abs) else {
        return Vec::new();
    };
    let robust = 1.4826 * mad;
    judged
        .into_iter()
        .filter_map(|(day, value, expected)| {
            // Counts and amounts vary by chance at least as a Poisson count
            // would (√expected, and never less than 1): a day with one
            // order where the same weekday had none is no anomaly.
            let spread = robust.max(expected.abs().sqrt()).max(1.0);
            let score = (value - expected) / spread;
            (score.abs() > ANOMALY_THRESHOLD).then_some(Anomaly {
                day,
                value,
                expected,
                score,
            })
        })
        .collect()
}

/// A straight-line trend over equally spaced points with the 95%
/// confidence interval of its slope.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Trend {
    /// Change per step (per day for a daily series).
    pub slope: f64,
    /// The fitted value at the first point.
    pub intercept: f64,
    /// The slope's 95% confidence interval (Student's t with n − 2 degrees
    /// of freedom).
    pub slope_low: f64,
    pub slope_high: f64,
}

impl Trend {
    /// Whether the interval excludes a flat line: a real rise or fall.
    pub fn real(&self) -> bool {
        self.slope_low > 0.0 || self.slope_high < 0.0
    }
}

/// Student's t for a two-sided 95% interval, by degrees of freedom (1–30;
/// the normal 1.96 beyond, where the difference is under 2%).
fn t95(df: usize) -> f64 {
    const T: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    T.get(df.wrapping_sub(1)).copied().unwrap_or(1.96)
}

/// Least squares over `values` at steps 0, 1, 2 …; None for fewer than
/// three points or a non-finite value.
pub fn trend(values: &[f64]) -> Option<Trend> {
    let n = values.len();
    if n < 3 || values.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let nf = n as f64;
    let mean_x = (nf - 1.0) / 2.0;
    let mean_y = values.iter().sum::<f64>() / nf;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (i, y) in values.iter().enumerate() {
        let dx = i as f64 - mean_x;
        sxy += dx * (y - mean_y);
        sxx += dx * dx;
    }
    let slope = sxy / sxx;
    let intercept = mean_y - slope * mean_x;
    let residuals: f64 = values
        .iter()
        .enumerate()
        .map(|(i, y)| (y - intercept - slope * i as f64).powi(2))
        .sum();
    let se = (residuals / (nf - 2.0) / sxx).sqrt();
    let half = t95(n - 2) * se;
    Some(Trend {
        slope,
        intercept,
        slope_low: slope - half,
        slope_high: slope + half,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(name: &str, before: f64, after: f64, exponent: i32) -> Factor {
        Factor {
            name: name.into(),
            before,
            after,
            exponent,
        }
    }

    fn total(c: &[Contribution]) -> f64 {
        c.iter().map(|c| c.amount).sum()
    }

    #[test]
    fn contributions_add_up_to_the_change_of_the_product() {
        // Revenue = sessions × CR × AOV: 10,000 × 2% × 1,500 = 300,000 before,
        // 12,000 × 1.8% × 1,600 = 345,600 after.
        let factors = [
            f("sessions", 10_000.0, 12_000.0, 1),
            f("conversion_rate", 0.02, 0.018, 1),
            f("aov", 1_500.0, 1_600.0, 1),
        ];
        let c = decompose(&factors).unwrap();
        assert!((total(&c) - 45_600.0).abs() < 1e-6, "{c:?}");
        // More sessions and a higher AOV pushed it up; the conversion rate down.
        assert!(c[0].amount > 0.0 && c[1].amount < 0.0 && c[2].amount > 0.0);
        // L(345,600, 300,000) × ln(1.2) for the sessions.
        let l = (345_600.0 - 300_000.0) / (345_600.0f64.ln() - 300_000.0f64.ln());
        assert!((c[0].amount - l * 1.2f64.ln()).abs() < 1e-6);
        // The order of the factors does not matter.
        let reversed: Vec<Factor> = factors.iter().rev().cloned().collect();
        let r = decompose(&reversed).unwrap();
        assert!((r[2].amount - c[0].amount).abs() < 1e-9);
    }

    #[test]
    fn a_divisor_counts_against_the_change_and_a_zero_falls_back_to_a_chain() {
        // ROAS = CR × AOV / CPC: CPC up from 20 to 25 lowers it.
        let roas = [
            f("conversion_rate", 0.05, 0.05, 1),
            f("aov", 2_000.0, 2_000.0, 1),
            f("cpc", 20.0, 25.0, -1),
        ];
        let c = decompose(&roas).unwrap();
        assert!((total(&c) - (4.0 - 5.0)).abs() < 1e-12);
        assert!((c[2].amount + 1.0).abs() < 1e-12, "all of it from CPC");
        assert_eq!(c[0].amount, 0.0);
        // Sessions from 0: no logarithm; one factor at a time, still exact.
        let chain = [f("sessions", 0.0, 100.0, 1), f("aov", 10.0, 12.0, 1)];
        let c = decompose(&chain).unwrap();
        assert_eq!((c[0].amount, c[1].amount), (1_000.0, 200.0));
        assert!(decompose(&[]).is_none());
        assert!(decompose(&[f("cpc", 0.0, 1.0, -1)]).is_none());
        assert!(decompose(&[f("x", f64::NAN, 1.0, 1)]).is_none());
    }

    #[test]
    fn the_two_proportion_test_matches_known_values() {
        // Reference values from the normal distribution (Python's math.erfc).
        for (x1, n1, x2, n2, z, p) in [
            (
                200.0,
                1000.0,
                250.0,
                1000.0,
                2.677_397_763_008_329,
                0.007_419_649_261_025_693,
            ),
            (
                50.0,
                1000.0,
                55.0,
                1000.0,
                0.501_286_195_932_464_4,
                0.616_169_718_867_479_5,
            ),
            (
                30.0,
                120.0,
                45.0,
                130.0,
                1.657_483_860_329_489_5,
                0.097_421_689_276_343_47,
            ),
        ] {
            let t = two_proportion_test(x1, n1, x2, n2).unwrap();
            assert!((t.z - z).abs() < 1e-9, "{t:?}");
            assert!((t.p_value - p).abs() < 1e-6, "{t:?} vs {p}");
        }
        let t = two_proportion_test(200.0, 1000.0, 250.0, 1000.0).unwrap();
        assert!(t.significant(0.05));
        let t = two_proportion_test(50.0, 1000.0, 55.0, 1000.0).unwrap();
        assert!(!t.significant(0.05), "5.0% → 5.5% on 1,000 each is noise");
        assert!(two_proportion_test(1.0, 0.0, 1.0, 10.0).is_none());
        assert!(two_proportion_test(11.0, 10.0, 1.0, 10.0).is_none());
        assert!(two_proportion_test(0.0, 10.0, 0.0, 10.0).is_none());
        assert!((erfc(0.0) - 1.0).abs() < 1e-7);
        assert!((erfc(-1.0) - 1.842_700_792_949_715).abs() < 1e-7);
    }

    #[test]
    fn a_trend_has_its_slopes_confidence_interval() {
        // Reference: numpy.polyfit and the slope's standard error, t(8) = 2.306.
        let y = [1.2, 2.9, 5.1, 7.0, 8.8, 11.2, 13.1, 14.8, 17.2, 19.0];
        let t = trend(&y).unwrap();
        assert!((t.slope - 1.996_969_696_969_696_6).abs() < 1e-12, "{t:?}");
        assert!((t.intercept - 1.043_636_363_636_364).abs() < 1e-12);
        assert!((t.slope_low - 1.954_844_824_085_264_5).abs() < 1e-4);
        assert!((t.slope_high - 2.039_094_569_854_128_7).abs() < 1e-4);
        assert!(t.real());
        // Noise around a flat line: the interval holds zero.
        let flat = trend(&[5.0, 6.0, 4.0, 5.5, 4.5, 5.0]).unwrap();
        assert!(!flat.real(), "{flat:?}");
        assert!(trend(&[1.0, 2.0]).is_none());
        assert!(trend(&[1.0, f64::NAN, 3.0]).is_none());
    }

    #[test]
    fn planted_anomalies_are_found_and_the_weekly_rhythm_is_not_one() {
        let start = Day::parse("2025-01-06").unwrap(); // a Monday
        // Weekdays ~1,000 with a little noise, weekends 400: eight weeks.
        // Noise of ±15 from a fixed xorshift, different every day.
        let mut state = 0x2545_f491_u64;
        let mut noise = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % 31) as f64 - 15.0
        };
        let mut series: Vec<(Day, f64)> = (0..56)
            .map(|i| {
                let weekend = i % 7 >= 5;
                let base = if weekend { 400.0 } else { 1_000.0 };
                (start.plus_days(i as i64), base + noise())
            })
            .collect();
        assert!(anomalies(&series).is_empty(), "weekends are no anomaly");
        // A broken tracking day (Wednesday, week 5) and a sale spike (Saturday, week 7).
        series[30].1 = 150.0;
        series[47].1 = 1_300.0;
        let found = anomalies(&series);
        let days: Vec<String> = found.iter().map(|a| a.day.to_string()).collect();
        assert_eq!(days, ["2025-02-05", "2025-02-22"], "{found:?}");
        assert!(found[0].score < -ANOMALY_THRESHOLD && found[1].score > ANOMALY_THRESHOLD);
        assert!(
            (found[0].expected - 1_000.0).abs() <= 15.0
                && (found[1].expected - 400.0).abs() <= 15.0
        );
        // Too short a history judges nothing.
        assert!(anomalies(&series[..13]).is_empty());
    }
}
