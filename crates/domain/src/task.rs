//! Tasks: their kinds, priorities in order, and the status workflow
//! (planned → in progress → review → done, or cancelled while open).

use crate::goal::check_move;
use crate::period::Day;

/// What a task is about (the seed's kinds of marketing work).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskKind {
    Strategy,
    Research,
    Campaign,
    Brand,
    Event,
    OnlinePresence,
    Analysis,
    Other,
}

impl TaskKind {
    pub const ALL: [TaskKind; 8] = [
        TaskKind::Strategy,
        TaskKind::Research,
        TaskKind::Campaign,
        TaskKind::Brand,
        TaskKind::Event,
        TaskKind::OnlinePresence,
        TaskKind::Analysis,
        TaskKind::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            TaskKind::Strategy => "strategy",
            TaskKind::Research => "research",
            TaskKind::Campaign => "campaign",
            TaskKind::Brand => "brand",
            TaskKind::Event => "event",
            TaskKind::OnlinePresence => "online_presence",
            TaskKind::Analysis => "analysis",
            TaskKind::Other => "other",
        }
    }

    pub fn parse(code: &str) -> Option<TaskKind> {
        TaskKind::ALL.into_iter().find(|k| k.code() == code.trim())
    }
}

/// How urgent a task is, most urgent first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Priority {
    Urgent,
    High,
    Normal,
    Low,
}

impl Priority {
    pub const ALL: [Priority; 4] = [
        Priority::Urgent,
        Priority::High,
        Priority::Normal,
        Priority::Low,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Priority::Urgent => "urgent",
            Priority::High => "high",
            Priority::Normal => "normal",
            Priority::Low => "low",
        }
    }

    pub fn parse(code: &str) -> Option<Priority> {
        Priority::ALL.into_iter().find(|p| p.code() == code.trim())
    }

    /// The place in the order (0 most urgent); trackers' own words
    /// (imported tasks) come after the known ones.
    pub fn rank(code: Option<&str>) -> u8 {
        code.and_then(Priority::parse).map_or(4, |p| p as u8)
    }
}

/// Where a task stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskStatus {
    Planned,
    InProgress,
    Review,
    Done,
    Cancelled,
}

impl TaskStatus {
    pub const ALL: [TaskStatus; 5] = [
        TaskStatus::Planned,
        TaskStatus::InProgress,
        TaskStatus::Review,
        TaskStatus::Done,
        TaskStatus::Cancelled,
    ];

    pub fn code(self) -> &'static str {
        match self {
            TaskStatus::Planned => "planned",
            TaskStatus::InProgress => "in_progress",
            TaskStatus::Review => "review",
            TaskStatus::Done => "done",
            TaskStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(code: &str) -> Option<TaskStatus> {
        TaskStatus::ALL
            .into_iter()
            .find(|s| s.code() == code.trim())
    }

    pub fn is_open(self) -> bool {
        !matches!(self, TaskStatus::Done | TaskStatus::Cancelled)
    }

    /// The statuses a task may move to. Work starts before it is reviewed
    /// or done; a review may send it back; review is a step a team may
    /// skip; a finished task stays finished.
    pub fn next(self) -> &'static [TaskStatus] {
        match self {
            TaskStatus::Planned => &[TaskStatus::InProgress, TaskStatus::Cancelled],
            TaskStatus::InProgress => {
                &[TaskStatus::Review, TaskStatus::Done, TaskStatus::Cancelled]
            }
            TaskStatus::Review => &[
                TaskStatus::Done,
                TaskStatus::InProgress,
                TaskStatus::Cancelled,
            ],
            TaskStatus::Done | TaskStatus::Cancelled => &[],
        }
    }

    pub fn check_move(self, to: TaskStatus) -> Result<(), String> {
        check_move(self.code(), to.code(), self.next().iter().map(|s| s.code()))
    }
}

/// Whether an open task is past its due date.
pub fn overdue(status: TaskStatus, due: Option<Day>, today: Day) -> bool {
    status.is_open() && due.is_some_and(|d| d < today)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workflow_allows_its_moves_and_names_the_allowed_ones_otherwise() {
        use TaskStatus::*;
        assert_eq!(Planned.check_move(InProgress), Ok(()));
        assert_eq!(InProgress.check_move(Review), Ok(()));
        assert_eq!(InProgress.check_move(Done), Ok(()));
        assert_eq!(Review.check_move(InProgress), Ok(()));
        assert_eq!(Review.check_move(Done), Ok(()));
        assert_eq!(
            Planned.check_move(Done),
            Err("cannot go from planned to done; allowed: in_progress, cancelled".into())
        );
        assert_eq!(
            Done.check_move(Review),
            Err("it is done and cannot change any more".into())
        );
        assert_eq!(
            Cancelled.check_move(Planned),
            Err("it is cancelled and cannot change any more".into())
        );
    }

    #[test]
    fn codes_round_trip_and_priorities_sort_most_urgent_first() {
        for k in TaskKind::ALL {
            assert_eq!(TaskKind::parse(k.code()), Some(k));
        }
        for s in TaskStatus::ALL {
            assert_eq!(TaskStatus::parse(s.code()), Some(s));
        }
        assert_eq!(TaskKind::parse("party"), None);
        assert_eq!(Priority::rank(Some("urgent")), 0);
        assert_eq!(Priority::rank(Some("low")), 3);
        assert_eq!(Priority::rank(Some("P1")), 4);
        assert_eq!(Priority::rank(None), 4);
        assert!(Priority::Urgent < Priority::Low);
    }

    #[test]
    fn only_open_tasks_past_their_due_day_are_overdue() {
        let d = |s| Day::parse(s).unwrap();
        let today = d("2027-03-10");
        assert!(overdue(
            TaskStatus::InProgress,
            Some(d("2027-03-09")),
            today
        ));
        assert!(!overdue(
            TaskStatus::InProgress,
            Some(d("2027-03-10")),
            today
        ));
        assert!(!overdue(TaskStatus::Done, Some(d("2027-03-01")), today));
        assert!(!overdue(TaskStatus::Planned, None, today));
    }
}
