//! Who to notice: top performers (sustained over-achievement) and people
//! who need support (sustained off-track KPIs, a falling trend, low
//! quality), each flag with the numbers that raised it.

/// What the rules look at for one person, oldest month first.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// Weighted KPI achievement per month (1.0 = on target); `None` for a
    /// month without an achievement (no KPI, or no value yet).
    pub monthly_achievement: Vec<Option<f64>>,
    /// Average quality rating (1–5) over the months, with how many tasks.
    pub quality: Option<(f64, u32)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagKind {
    TopPerformer,
    NeedsSupport,
}

impl FlagKind {
    pub fn code(self) -> &'static str {
        match self {
            FlagKind::TopPerformer => "top_performer",
            FlagKind::NeedsSupport => "needs_support",
        }
    }
}

/// Why a flag was raised: a rule and the numbers behind it.
#[derive(Debug, Clone, PartialEq)]
pub enum Reason {
    /// Achievement at or above the bar every month.
    SustainedOverAchievement(Vec<f64>),
    /// Achievement below the bar every month.
    SustainedOffTrack(Vec<f64>),
    /// Achievement falling every month and now below target.
    FallingTrend(Vec<f64>),
    /// Average quality below the bar over enough rated tasks.
    LowQuality { average: f64, tasks: u32 },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Flag {
    pub kind: FlagKind,
    pub reasons: Vec<Reason>,
}

/// The bars the rules use.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rules {
    /// Months looked at (all must qualify).
    pub months: usize,
    pub top_at_least: f64,
    pub off_track_below: f64,
    pub quality_below: f64,
    pub quality_min_tasks: u32,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            months: 3,
            top_at_least: 1.1,
            off_track_below: 0.9,
            quality_below: 3.0,
            quality_min_tasks: 3,
        }
    }
}

/// The flags a record raises. Months without an achievement break a
/// "sustained" run: nothing is assumed about them.
pub fn flags(record: &Record, rules: Rules) -> Vec<Flag> {
    let last: Vec<Option<f64>> = record
        .monthly_achievement
        .iter()
        .rev()
        .take(rules.months)
        .rev()
        .copied()
        .collect();
    let complete: Option<Vec<f64>> = (last.len() == rules.months && rules.months > 0)
        .then(|| last.iter().copied().collect::<Option<Vec<f64>>>())
        .flatten();
    let mut out = Vec::new();
    if let Some(values) = &complete
        && values.iter().all(|a| *a >= rules.top_at_least)
    {
        out.push(Flag {
            kind: FlagKind::TopPerformer,
            reasons: vec![Reason::SustainedOverAchievement(values.clone())],
        });
    }
    let mut support = Vec::new();
    if let Some(values) = &complete {
        if values.iter().all(|a| *a < rules.off_track_below) {
            support.push(Reason::SustainedOffTrack(values.clone()));
        } else if values.windows(2).all(|w| w[1] < w[0]) && values.last().is_some_and(|a| *a < 1.0)
        {
            support.push(Reason::FallingTrend(values.clone()));
        }
    }
    if let Some((average, tasks)) = record.quality
        && tasks >= rules.quality_min_tasks
        && average < rules.quality_below
    {
        support.push(Reason::LowQuality { average, tasks });
    }
    if !support.is_empty() {
        out.push(Flag {
            kind: FlagKind::NeedsSupport,
            reasons: support,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(months: &[Option<f64>], quality: Option<(f64, u32)>) -> Record {
        Record {
            monthly_achievement: months.to_vec(),
            quality,
        }
    }

    #[test]
    fn sustained_over_achievement_makes_a_top_performer() {
        let r = record(&[Some(0.5), Some(1.2), Some(1.15), Some(1.3)], None);
        assert_eq!(
            flags(&r, Rules::default()),
            [Flag {
                kind: FlagKind::TopPerformer,
                reasons: vec![Reason::SustainedOverAchievement(vec![1.2, 1.15, 1.3])]
            }]
        );
        // One month under the bar, or without a value, breaks the run.
        assert!(
            flags(
                &record(&[Some(1.2), Some(1.05), Some(1.3)], None),
                Rules::default()
            )
            .is_empty()
        );
        assert!(
            flags(
                &record(&[Some(1.2), None, Some(1.3)], None),
                Rules::default()
            )
            .is_empty()
        );
        assert!(flags(&record(&[Some(1.2), Some(1.3)], None), Rules::default()).is_empty());
    }

    #[test]
    fn off_track_falling_or_low_quality_people_need_support_and_say_why() {
        let off = flags(
            &record(&[Some(0.8), Some(0.85), Some(0.7)], None),
            Rules::default(),
        );
        assert_eq!(off[0].kind, FlagKind::NeedsSupport);
        assert_eq!(
            off[0].reasons,
            [Reason::SustainedOffTrack(vec![0.8, 0.85, 0.7])]
        );
        let falling = flags(
            &record(&[Some(1.2), Some(1.0), Some(0.95)], None),
            Rules::default(),
        );
        assert_eq!(
            falling[0].reasons,
            [Reason::FallingTrend(vec![1.2, 1.0, 0.95])]
        );
        // Falling but still above target is not a worry.
        assert!(
            flags(
                &record(&[Some(1.4), Some(1.3), Some(1.05)], None),
                Rules::default()
            )
            .is_empty()
        );
        let quality = flags(&record(&[], Some((2.5, 4))), Rules::default());
        assert_eq!(
            quality[0].reasons,
            [Reason::LowQuality {
                average: 2.5,
                tasks: 4
            }]
        );
        // Two rated tasks are too few to judge.
        assert!(flags(&record(&[], Some((1.0, 2))), Rules::default()).is_empty());
    }
}
