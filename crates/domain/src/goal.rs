//! Goals: the SMART check, the status workflow, direction-aware progress
//! of a measured goal, the weighted roll-up of children into their parent,
//! the pace status against the time gone, and the guard against cycles in
//! the goal tree.

use crate::kpi::Status;
use crate::period::Day;

/// Where a goal stands in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GoalStatus {
    /// Being written (or proposed by an employee); may fail SMART.
    Draft,
    /// Agreed and worked on; passed SMART when activated.
    Active,
    Done,
    Cancelled,
}

impl GoalStatus {
    pub const ALL: [GoalStatus; 4] = [
        GoalStatus::Draft,
        GoalStatus::Active,
        GoalStatus::Done,
        GoalStatus::Cancelled,
    ];

    pub fn code(self) -> &'static str {
        match self {
            GoalStatus::Draft => "draft",
            GoalStatus::Active => "active",
            GoalStatus::Done => "done",
            GoalStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(code: &str) -> Option<GoalStatus> {
        GoalStatus::ALL
            .into_iter()
            .find(|s| s.code() == code.trim())
    }

    /// The statuses a goal may move to. An active goal may go back to
    /// draft to be reworked; a finished one stays finished.
    pub fn next(self) -> &'static [GoalStatus] {
        match self {
            GoalStatus::Draft => &[GoalStatus::Active, GoalStatus::Cancelled],
            GoalStatus::Active => &[GoalStatus::Done, GoalStatus::Draft, GoalStatus::Cancelled],
            GoalStatus::Done | GoalStatus::Cancelled => &[],
        }
    }

    pub fn check_move(self, to: GoalStatus) -> Result<(), String> {
        check_move(self.code(), to.code(), self.next().iter().map(|s| s.code()))
    }

    /// Whether the goal counts in its parent's roll-up.
    pub fn counts(self) -> bool {
        matches!(self, GoalStatus::Active | GoalStatus::Done)
    }
}

/// The shared wording of a refused move in a workflow.
pub(crate) fn check_move<'a>(
    from: &str,
    to: &str,
    allowed: impl Iterator<Item = &'a str>,
) -> Result<(), String> {
    let allowed: Vec<&str> = allowed.collect();
    if allowed.contains(&to) {
        Ok(())
    } else if allowed.is_empty() {
        Err(format!("it is {from} and cannot change any more"))
    } else {
        Err(format!(
            "cannot go from {from} to {to}; allowed: {}",
            allowed.join(", ")
        ))
    }
}

/// What the SMART check looks at.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SmartInput<'a> {
    pub title: &'a str,
    pub description: &'a str,
    /// The metric that measures it, or, for a goal counted by hand, the
    /// unit it is counted in ("partner agreements").
    pub metric_code: Option<&'a str>,
    pub unit: Option<&'a str>,
    pub baseline: Option<f64>,
    pub target: Option<f64>,
    pub budget_minor: Option<i64>,
    pub people: Option<i64>,
    pub hours: Option<f64>,
    pub has_parent: bool,
    /// Whether sub-goals (not cancelled) measure it instead of a measure
    /// of its own.
    pub has_children: bool,
    pub business_goal: Option<&'a str>,
    pub start: Option<Day>,
    pub deadline: Option<Day>,
}

/// One thing the goal lacks, under the letter it fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    Title,
    Description,
    Measure,
    Baseline,
    Target,
    TargetEqualsBaseline,
    Resources,
    Parent,
    Start,
    Deadline,
    DeadlineBeforeStart,
}

impl Missing {
    pub fn letter(self) -> char {
        match self {
            Missing::Title | Missing::Description => 'S',
            Missing::Measure
            | Missing::Baseline
            | Missing::Target
            | Missing::TargetEqualsBaseline => 'M',
            Missing::Resources => 'A',
            Missing::Parent => 'R',
            Missing::Start | Missing::Deadline | Missing::DeadlineBeforeStart => 'T',
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Missing::Title => "title",
            Missing::Description => "description",
            Missing::Measure => "measure",
            Missing::Baseline => "baseline",
            Missing::Target => "target",
            Missing::TargetEqualsBaseline => "target_equals_baseline",
            Missing::Resources => "resources",
            Missing::Parent => "parent",
            Missing::Start => "start",
            Missing::Deadline => "deadline",
            Missing::DeadlineBeforeStart => "deadline_before_start",
        }
    }

    /// What to do about it, in English (the UI translates by code).
    pub fn message(self) -> &'static str {
        match self {
            Missing::Title => "give the goal a title of at least two words",
            Missing::Description => "describe what exactly is to change",
            Missing::Measure => {
                "choose the metric that measures it (or a unit you will count), or add sub-goals"
            }
            Missing::Baseline => "give the baseline: the value now",
            Missing::Target => "give the target value",
            Missing::TargetEqualsBaseline => "the target equals the baseline: nothing would change",
            Missing::Resources => "give the resources: a budget, people or hours",
            Missing::Parent => "link it to a parent goal or name the business goal it serves",
            Missing::Start => "give the start date",
            Missing::Deadline => "give the deadline",
            Missing::DeadlineBeforeStart => "the deadline must come after the start",
        }
    }
}

/// The SMART letters and what is missing for those that fail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Smart {
    pub specific: bool,
    pub measurable: bool,
    pub achievable: bool,
    pub relevant: bool,
    pub time_bound: bool,
    pub missing: Vec<Missing>,
}

impl Smart {
    pub fn passes(&self) -> bool {
        self.missing.is_empty()
    }

    /// The letters in order with whether each passes.
    pub fn letters(&self) -> [(char, bool); 5] {
        [
            ('S', self.specific),
            ('M', self.measurable),
            ('A', self.achievable),
            ('R', self.relevant),
            ('T', self.time_bound),
        ]
    }
}

fn filled(text: Option<&str>) -> bool {
    text.is_some_and(|t| !t.trim().is_empty())
}

/// Checks a goal against the five letters. Specific: a title of two words
/// or more and a description. Measurable: a metric (or a counted unit)
/// with a baseline and a different target, or else sub-goals that measure
/// it. Achievable: at least one
/// resource (the baseline it also needs is asked for under Measurable, so
/// a missing one is reported once). Relevant: a parent goal or a named business goal.
/// Time-bound: a start and a later deadline.
pub fn smart(g: &SmartInput<'_>) -> Smart {
    let mut missing = Vec::new();
    if g.title.split_whitespace().count() < 2 {
        missing.push(Missing::Title);
    }
    if g.description.trim().is_empty() {
        missing.push(Missing::Description);
    }
    let own_measure = filled(g.metric_code) || filled(g.unit);
    // A goal without a measure of its own is measured by its sub-goals
    // (from 0 to 100% done) once it has some.
    if own_measure || !g.has_children {
        if !own_measure {
            missing.push(Missing::Measure);
        }
        let finite = |v: Option<f64>| v.filter(|x| x.is_finite());
        match (finite(g.baseline), finite(g.target)) {
            (None, None) => missing.extend([Missing::Baseline, Missing::Target]),
            (None, Some(_)) => missing.push(Missing::Baseline),
            (Some(_), None) => missing.push(Missing::Target),
            (Some(b), Some(t)) if b == t => missing.push(Missing::TargetEqualsBaseline),
            (Some(_), Some(_)) => {}
        }
    }
    let has_resources = g.budget_minor.is_some_and(|b| b > 0)
        || g.people.is_some_and(|p| p > 0)
        || g.hours.is_some_and(|h| h.is_finite() && h > 0.0);
    if !has_resources {
        missing.push(Missing::Resources);
    }
    if !g.has_parent && !filled(g.business_goal) {
        missing.push(Missing::Parent);
    }
    match (g.start, g.deadline) {
        (None, None) => missing.extend([Missing::Start, Missing::Deadline]),
        (None, Some(_)) => missing.push(Missing::Start),
        (Some(_), None) => missing.push(Missing::Deadline),
        (Some(s), Some(d)) if d <= s => missing.push(Missing::DeadlineBeforeStart),
        (Some(_), Some(_)) => {}
    }
    let fails = |letter: char| missing.iter().any(|m| m.letter() == letter);
    Smart {
        specific: !fails('S'),
        measurable: !fails('M'),
        achievable: !fails('A'),
        relevant: !fails('R'),
        time_bound: !fails('T'),
        missing,
    }
}

/// How far a measured goal has come from its baseline toward its target,
/// 0 to 1, whichever way the target lies: reducing CAC from 2,000 to 1,500
/// is half done at 1,750. Going the wrong way is 0; passing the target is 1.
pub fn measured_progress(baseline: f64, target: f64, current: f64) -> Option<f64> {
    let span = target - baseline;
    if span == 0.0 || !span.is_finite() || !current.is_finite() {
        return None;
    }
    Some(((current - baseline) / span).clamp(0.0, 1.0))
}

/// A child goal as its parent's roll-up sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Child {
    pub weight: f64,
    pub status: GoalStatus,
    /// None when nothing is known yet (no data, no tasks, no updates).
    pub progress: Option<f64>,
}

/// A parent's progress from its children.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RollUp {
    pub progress: f64,
    /// Children that count (active or done).
    pub counted: usize,
    /// Of those, children without any progress yet, counted as 0.
    pub empty: usize,
    /// Drafts and cancelled children, left out.
    pub left_out: usize,
}

/// The weighted mean of the children's progress. Drafts and cancelled
/// goals are left out and the other weights renormalised; a child with no
/// progress yet counts as 0 (nothing is done), and says so. None when no
/// child counts.
pub fn roll_up(children: &[Child]) -> Option<RollUp> {
    let mut weight = 0.0;
    let mut sum = 0.0;
    let (mut counted, mut empty, mut left_out) = (0, 0, 0);
    for c in children {
        if !c.status.counts() || c.weight.is_nan() || c.weight <= 0.0 {
            left_out += 1;
            continue;
        }
        counted += 1;
        weight += c.weight;
        match c.progress {
            Some(p) => sum += c.weight * p.clamp(0.0, 1.0),
            None => empty += 1,
        }
    }
    (counted > 0 && weight > 0.0).then(|| RollUp {
        progress: sum / weight,
        counted,
        empty,
        left_out,
    })
}

/// Whether progress keeps pace with the time gone: on track within 10
/// points of the elapsed share, at risk within 25, else off track. Before
/// the start everything is on track; a done goal is on track; an unmet
/// goal at or past its deadline is off track.
pub fn pace(
    status: GoalStatus,
    progress: Option<f64>,
    start: Day,
    deadline: Day,
    today: Day,
) -> Status {
    if status == GoalStatus::Done {
        return Status::OnTrack;
    }
    let Some(progress) = progress else {
        return Status::NoData;
    };
    if progress < 1.0 && today >= deadline {
        return Status::OffTrack;
    }
    let length = start.days_until(deadline).max(1) as f64;
    let elapsed = (start.days_until(today) as f64 / length).clamp(0.0, 1.0);
    let behind = elapsed - progress;
    if progress >= 1.0 || behind <= 0.10 {
        Status::OnTrack
    } else if behind <= 0.25 {
        Status::AtRisk
    } else {
        Status::OffTrack
    }
}

/// Whether making `parent` the parent of `goal` would close a loop: the
/// goal itself, or any goal below it, cannot become its parent.
/// `parent_of` gives each goal's current parent.
pub fn makes_cycle(goal: i64, parent: i64, parent_of: impl Fn(i64) -> Option<i64>) -> bool {
    let mut at = Some(parent);
    // Stored data without loops ends at a root; a bound guards the rest.
    for _ in 0..10_000 {
        match at {
            None => return false,
            Some(id) if id == goal => return true,
            Some(id) => at = parent_of(id),
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn day(s: &str) -> Day {
        Day::parse(s).unwrap()
    }

    fn full<'a>() -> SmartInput<'a> {
        SmartInput {
            title: "Increase sales by 10% next quarter",
            description: "Online revenue from 10.0 to 11.0 million rubles",
            metric_code: Some("order_revenue"),
            unit: None,
            baseline: Some(10_000_000.0),
            target: Some(11_000_000.0),
            budget_minor: Some(50_000_000),
            people: None,
            hours: None,
            has_parent: true,
            has_children: false,
            business_goal: None,
            start: Some(day("2027-01-01")),
            deadline: Some(day("2027-04-01")),
        }
    }

    fn letters(s: &Smart) -> String {
        s.letters()
            .iter()
            .filter(|(_, ok)| !ok)
            .map(|(l, _)| *l)
            .collect()
    }

    #[test]
    fn a_full_goal_passes_and_a_bare_title_fails_m_and_t() {
        let s = smart(&full());
        assert!(s.passes());
        assert_eq!(letters(&s), "");

        let bare = SmartInput {
            title: "Increase sales",
            description: "Sell more than last year",
            budget_minor: Some(1),
            has_parent: true,
            ..SmartInput::default()
        };
        let s = smart(&bare);
        assert_eq!(letters(&s), "MT");
        assert_eq!(
            s.missing,
            vec![
                Missing::Measure,
                Missing::Baseline,
                Missing::Target,
                Missing::Start,
                Missing::Deadline
            ]
        );
    }

    #[test]
    fn each_letter_fails_on_its_own() {
        let s = smart(&SmartInput {
            title: "Sales",
            ..full()
        });
        assert_eq!((letters(&s), s.missing), ("S".into(), vec![Missing::Title]));
        let s = smart(&SmartInput {
            description: "  ",
            ..full()
        });
        assert_eq!(
            (letters(&s), s.missing),
            ("S".into(), vec![Missing::Description])
        );
        let s = smart(&SmartInput {
            metric_code: None,
            ..full()
        });
        assert_eq!(
            (letters(&s), s.missing),
            ("M".into(), vec![Missing::Measure])
        );
        // Sub-goals measure a goal without a measure of its own.
        let s = smart(&SmartInput {
            metric_code: None,
            baseline: None,
            target: None,
            has_children: true,
            ..full()
        });
        assert!(s.passes());
        // A counted unit measures as well as a metric.
        let s = smart(&SmartInput {
            metric_code: None,
            unit: Some("partner agreements"),
            ..full()
        });
        assert!(s.passes());
        let s = smart(&SmartInput {
            target: Some(10_000_000.0),
            ..full()
        });
        assert_eq!(
            (letters(&s), s.missing),
            ("M".into(), vec![Missing::TargetEqualsBaseline])
        );
        let s = smart(&SmartInput {
            target: Some(f64::NAN),
            ..full()
        });
        assert_eq!(
            (letters(&s), s.missing),
            ("M".into(), vec![Missing::Target])
        );
        let s = smart(&SmartInput {
            budget_minor: Some(0),
            hours: Some(-3.0),
            ..full()
        });
        assert_eq!(
            (letters(&s), s.missing),
            ("A".into(), vec![Missing::Resources])
        );
        let s = smart(&SmartInput {
            budget_minor: None,
            people: Some(2),
            ..full()
        });
        assert!(s.passes());
        let s = smart(&SmartInput {
            has_parent: false,
            ..full()
        });
        assert_eq!(
            (letters(&s), s.missing),
            ("R".into(), vec![Missing::Parent])
        );
        let s = smart(&SmartInput {
            has_parent: false,
            business_goal: Some("Grow the share of online sales"),
            ..full()
        });
        assert!(s.passes());
        let s = smart(&SmartInput {
            deadline: Some(day("2027-01-01")),
            ..full()
        });
        assert_eq!(
            (letters(&s), s.missing),
            ("T".into(), vec![Missing::DeadlineBeforeStart])
        );
        let s = smart(&SmartInput {
            start: None,
            ..full()
        });
        assert_eq!((letters(&s), s.missing), ("T".into(), vec![Missing::Start]));
    }

    #[test]
    fn progress_follows_the_direction_of_the_target() {
        // Reducing CAC from 2,000 to 1,500: half done at 1,750.
        assert_eq!(measured_progress(2000.0, 1500.0, 1750.0), Some(0.5));
        assert_eq!(measured_progress(2000.0, 1500.0, 2100.0), Some(0.0));
        assert_eq!(measured_progress(2000.0, 1500.0, 1400.0), Some(1.0));
        // Growing revenue from 10 to 11: 10.25 is a quarter.
        assert_eq!(measured_progress(10.0, 11.0, 10.25), Some(0.25));
        assert_eq!(measured_progress(5.0, 5.0, 6.0), None);
        assert_eq!(measured_progress(5.0, 6.0, f64::NAN), None);
    }

    #[test]
    fn roll_up_weighs_children_leaves_out_drafts_and_cancelled_and_counts_empty_as_zero() {
        let child = |weight, status, progress| Child {
            weight,
            status,
            progress,
        };
        let r = roll_up(&[
            child(2.0, GoalStatus::Active, Some(0.5)),
            child(1.0, GoalStatus::Done, Some(1.0)),
            child(1.0, GoalStatus::Active, None),
            child(5.0, GoalStatus::Cancelled, Some(0.0)),
            child(3.0, GoalStatus::Draft, Some(1.0)),
        ])
        .unwrap();
        // (2×0.5 + 1×1 + 1×0) / 4
        assert_eq!(r.progress, 0.5);
        assert_eq!((r.counted, r.empty, r.left_out), (3, 1, 2));
        assert_eq!(
            roll_up(&[child(1.0, GoalStatus::Cancelled, Some(1.0))]),
            None
        );
        assert_eq!(roll_up(&[]), None);
    }

    #[test]
    fn pace_compares_progress_with_the_time_gone() {
        let (s, d) = (day("2027-01-01"), day("2027-01-11"));
        let active = GoalStatus::Active;
        // Half the time gone.
        let mid = day("2027-01-06");
        assert_eq!(pace(active, Some(0.45), s, d, mid), Status::OnTrack);
        assert_eq!(pace(active, Some(0.30), s, d, mid), Status::AtRisk);
        assert_eq!(pace(active, Some(0.20), s, d, mid), Status::OffTrack);
        assert_eq!(pace(active, None, s, d, mid), Status::NoData);
        assert_eq!(
            pace(active, Some(0.0), s, d, day("2026-12-01")),
            Status::OnTrack
        );
        assert_eq!(
            pace(active, Some(0.9), s, d, day("2027-02-01")),
            Status::OffTrack
        );
        assert_eq!(
            pace(GoalStatus::Done, Some(0.2), s, d, mid),
            Status::OnTrack
        );
    }

    #[test]
    fn a_goal_cannot_sit_below_itself() {
        // 1 ← 2 ← 3 (3's parent is 2, 2's parent is 1).
        let parents: HashMap<i64, i64> = [(2, 1), (3, 2)].into();
        let parent_of = |id| parents.get(&id).copied();
        assert!(makes_cycle(1, 3, parent_of));
        assert!(makes_cycle(2, 2, parent_of));
        assert!(!makes_cycle(3, 1, parent_of));
        assert!(!makes_cycle(4, 3, parent_of));
    }

    #[test]
    fn status_moves() {
        use GoalStatus::*;
        assert_eq!(Draft.check_move(Active), Ok(()));
        assert_eq!(Active.check_move(Draft), Ok(()));
        assert_eq!(
            Draft.check_move(Done),
            Err("cannot go from draft to done; allowed: active, cancelled".into())
        );
        assert_eq!(
            Done.check_move(Active),
            Err("it is done and cannot change any more".into())
        );
        for s in GoalStatus::ALL {
            assert_eq!(GoalStatus::parse(s.code()), Some(s));
        }
    }
}
