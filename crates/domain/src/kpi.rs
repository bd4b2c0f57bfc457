//! KPI rules: where a value stands against its bands (floor, target,
//! stretch), the status that follows, and the forecast at the deadline
//! from the trend so far (Theil–Sen: the median of pairwise slopes, which
//! one odd day cannot tilt).

use crate::analysis::median;
use crate::metric::{Direction, achievement};

/// A KPI's bands for one period. Without a floor, the floor is 90% of
/// the target in the metric's direction (a tenth worse).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bands {
    pub floor: Option<f64>,
    pub target: f64,
    pub stretch: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    OnTrack,
    AtRisk,
    OffTrack,
    NoData,
}

impl Status {
    pub fn code(self) -> &'static str {
        match self {
            Status::OnTrack => "on_track",
            Status::AtRisk => "at_risk",
            Status::OffTrack => "off_track",
            Status::NoData => "no_data",
        }
    }
}

/// Where a value stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Below,
    Between,
    Met,
    Stretch,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BandsError {
    #[error("the floor must be worse than the target ({0})")]
    Floor(&'static str),
    #[error("the stretch must be better than the target ({0})")]
    Stretch(&'static str),
    #[error("the {0} must be a finite number")]
    NotFinite(&'static str),
}

impl Bands {
    /// Checks the bands' order for the metric's direction.
    pub fn check(self, direction: Direction) -> Result<Bands, BandsError> {
        for (name, v) in [
            ("target", Some(self.target)),
            ("floor", self.floor),
            ("stretch", self.stretch),
        ] {
            if v.is_some_and(|v| !v.is_finite()) {
                return Err(BandsError::NotFinite(name));
            }
        }
        let hint = match direction {
            Direction::Higher => "higher is better",
            Direction::Lower => "lower is better",
        };
        let worse = |a: f64, b: f64| match direction {
            Direction::Higher => a < b,
            Direction::Lower => a > b,
        };
        if self.floor.is_some_and(|f| !worse(f, self.target)) {
            return Err(BandsError::Floor(hint));
        }
        if self.stretch.is_some_and(|s| !worse(self.target, s)) {
            return Err(BandsError::Stretch(hint));
        }
        Ok(self)
    }

    pub fn floor_or_default(self, direction: Direction) -> f64 {
        self.floor.unwrap_or(match direction {
            Direction::Higher => self.target * 0.9,
            Direction::Lower => self.target / 0.9,
        })
    }

    pub fn level(self, value: f64, direction: Direction) -> Level {
        let at_least = |v: f64, bound: f64| match direction {
            Direction::Higher => v >= bound,
            Direction::Lower => v <= bound,
        };
        if self.stretch.is_some_and(|s| at_least(value, s)) {
            Level::Stretch
        } else if at_least(value, self.target) {
            Level::Met
        } else if at_least(value, self.floor_or_default(direction)) {
            Level::Between
        } else {
            Level::Below
        }
    }

    /// Achievement of the target, capped (see [`achievement`]).
    pub fn achievement(self, value: Option<f64>, direction: Direction, cap: f64) -> Option<f64> {
        achievement(value, Some(self.target), direction, cap)
    }
}

/// The status: from the value once the period is over; while it runs,
/// from the forecast at the deadline when there is one, else the value.
pub fn status(
    value: Option<f64>,
    forecast: Option<&Forecast>,
    bands: Bands,
    direction: Direction,
) -> Status {
    let judged = forecast.map(|f| f.value).or(value);
    match judged.map(|v| bands.level(v, direction)) {
        None => Status::NoData,
        Some(Level::Met | Level::Stretch) => Status::OnTrack,
        Some(Level::Between) => Status::AtRisk,
        Some(Level::Below) => Status::OffTrack,
    }
}

/// A straight line `y = intercept + slope · x`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Line {
    pub slope: f64,
    pub intercept: f64,
}

impl Line {
    pub fn at(self, x: f64) -> f64 {
        self.intercept + self.slope * x
    }
}

/// Theil–Sen: the median slope over all pairs of points with different x,
/// and the median intercept for it. Needs two distinct x values.
pub fn theil_sen(points: &[(f64, f64)]) -> Option<Line> {
    let mut slopes = Vec::with_capacity(points.len() * points.len() / 2);
    for (i, (x1, y1)) in points.iter().enumerate() {
        for (x2, y2) in &points[i + 1..] {
            if x2 != x1 {
                slopes.push((y2 - y1) / (x2 - x1));
            }
        }
    }
    let slope = median(&mut slopes)?;
    let mut intercepts: Vec<f64> = points.iter().map(|(x, y)| y - slope * x).collect();
    let intercept = median(&mut intercepts)?;
    Some(Line { slope, intercept })
}

/// A forecast with an approximate 95% interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Forecast {
    pub value: f64,
    pub low: f64,
    pub high: f64,
}

/// The value at `x` from the trend of `points`, with an interval from the
/// residuals' spread (1.4826 · MAD, a robust standard deviation) widened
/// for the distance from the data, as for a least-squares prediction.
/// At least three points are needed.
pub fn forecast(points: &[(f64, f64)], x: f64) -> Option<Forecast> {
    if points.len() < 3 {
        return None;
    }
    let line = theil_sen(points)?;
    let mut residuals: Vec<f64> = points.iter().map(|(px, py)| py - line.at(*px)).collect();
    let centre = median(&mut residuals)?;
    let mut deviations: Vec<f64> = residuals.iter().map(|r| (r - centre).abs()).collect();
    let sigma = 1.4826 * median(&mut deviations)?;
    #[allow(clippy::cast_precision_loss)]
    let n = points.len() as f64;
    let mean_x = points.iter().map(|p| p.0).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - mean_x).powi(2)).sum();
    let spread = sigma * (1.0 + 1.0 / n + (x - mean_x).powi(2) / sxx).sqrt();
    let value = line.at(x);
    Some(Forecast {
        value,
        low: value - 1.96 * spread,
        high: value + 1.96 * spread,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use Direction::{Higher, Lower};

    #[test]
    fn levels_and_status_follow_the_direction() {
        let sales = Bands {
            floor: Some(80.0),
            target: 100.0,
            stretch: Some(120.0),
        };
        assert_eq!(sales.level(125.0, Higher), Level::Stretch);
        assert_eq!(sales.level(100.0, Higher), Level::Met);
        assert_eq!(sales.level(85.0, Higher), Level::Between);
        assert_eq!(sales.level(79.0, Higher), Level::Below);
        // CAC: lower is better; a floor of 2,000 and a target of 1,500.
        let cac = Bands {
            floor: Some(2000.0),
            target: 1500.0,
            stretch: None,
        };
        assert_eq!(cac.level(1400.0, Lower), Level::Met);
        assert_eq!(cac.level(1750.0, Lower), Level::Between);
        assert_eq!(cac.level(2100.0, Lower), Level::Below);
        assert_eq!(status(Some(1750.0), None, cac, Lower), Status::AtRisk);
        assert_eq!(status(None, None, cac, Lower), Status::NoData);
        // While the period runs, the forecast decides.
        let f = Forecast {
            value: 1450.0,
            low: 1300.0,
            high: 1600.0,
        };
        assert_eq!(status(Some(1900.0), Some(&f), cac, Lower), Status::OnTrack);
        // The default floor is a tenth worse than the target.
        let plain = Bands {
            floor: None,
            target: 100.0,
            stretch: None,
        };
        assert_eq!(plain.level(90.0, Higher), Level::Between);
        assert_eq!(plain.level(89.9, Higher), Level::Below);
        assert_eq!(plain.floor_or_default(Lower), 100.0 / 0.9);
    }

    #[test]
    fn bands_out_of_order_are_refused_with_the_reason() {
        let b = Bands {
            floor: Some(120.0),
            target: 100.0,
            stretch: None,
        };
        assert_eq!(
            b.check(Higher).unwrap_err().to_string(),
            "the floor must be worse than the target (higher is better)"
        );
        assert!(b.check(Lower).is_ok());
        let b = Bands {
            floor: None,
            target: 100.0,
            stretch: Some(110.0),
        };
        assert_eq!(
            b.check(Lower).unwrap_err().to_string(),
            "the stretch must be better than the target (lower is better)"
        );
        let b = Bands {
            floor: None,
            target: f64::NAN,
            stretch: None,
        };
        assert_eq!(
            b.check(Higher).unwrap_err().to_string(),
            "the target must be a finite number"
        );
    }

    #[test]
    fn theil_sen_ignores_an_outlier_that_bends_least_squares() {
        let mut points: Vec<(f64, f64)> = (0..10)
            .map(|x| (f64::from(x), 2.0 * f64::from(x) + 1.0))
            .collect();
        points[7].1 = 100.0;
        let line = theil_sen(&points).unwrap();
        assert_eq!((line.slope, line.intercept), (2.0, 1.0));
        assert_eq!(theil_sen(&[(1.0, 1.0), (1.0, 2.0)]), None);
    }

    #[test]
    fn a_forecast_extends_the_trend_with_an_interval_that_widens_with_distance() {
        // Cumulative sales: 10 a day with a little noise.
        let points: Vec<(f64, f64)> = (1..=10)
            .map(|d| {
                (
                    f64::from(d),
                    10.0 * f64::from(d) + if d % 2 == 0 { 1.0 } else { -1.0 },
                )
            })
            .collect();
        let near = forecast(&points, 11.0).unwrap();
        let far = forecast(&points, 30.0).unwrap();
        assert_eq!(far.value.round(), 300.0);
        assert!(far.low < far.value && far.value < far.high);
        assert!(far.high - far.low > near.high - near.low);
        assert_eq!(forecast(&points[..2], 30.0), None);
        // A perfect line has no spread.
        let exact: Vec<(f64, f64)> = (0..5).map(|d| (f64::from(d), 3.0 * f64::from(d))).collect();
        assert_eq!(
            forecast(&exact, 10.0),
            Some(Forecast {
                value: 30.0,
                low: 30.0,
                high: 30.0
            })
        );
    }
}
