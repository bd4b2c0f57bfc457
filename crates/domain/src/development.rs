//! Development actions: what is planned for a person's growth (training,
//! mentoring, coaching, a stretch assignment), and the way their status may
//! move (planned → in progress → done, or cancelled while open).

/// What kind of action it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionKind {
    Training,
    Mentoring,
    Coaching,
    StretchAssignment,
    Other,
}

impl ActionKind {
    pub const ALL: [ActionKind; 5] = [
        ActionKind::Training,
        ActionKind::Mentoring,
        ActionKind::Coaching,
        ActionKind::StretchAssignment,
        ActionKind::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ActionKind::Training => "training",
            ActionKind::Mentoring => "mentoring",
            ActionKind::Coaching => "coaching",
            ActionKind::StretchAssignment => "stretch_assignment",
            ActionKind::Other => "other",
        }
    }

    pub fn parse(code: &str) -> Option<ActionKind> {
        ActionKind::ALL
            .into_iter()
            .find(|k| k.code() == code.trim())
    }
}

/// Where an action stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionStatus {
    Planned,
    InProgress,
    Done,
    Cancelled,
}

impl ActionStatus {
    pub const ALL: [ActionStatus; 4] = [
        ActionStatus::Planned,
        ActionStatus::InProgress,
        ActionStatus::Done,
        ActionStatus::Cancelled,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ActionStatus::Planned => "planned",
            ActionStatus::InProgress => "in_progress",
            ActionStatus::Done => "done",
            ActionStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(code: &str) -> Option<ActionStatus> {
        ActionStatus::ALL
            .into_iter()
            .find(|s| s.code() == code.trim())
    }

    pub fn is_open(self) -> bool {
        matches!(self, ActionStatus::Planned | ActionStatus::InProgress)
    }

    /// The statuses an action may move to from this one. A finished action
    /// (done or cancelled) stays as it is: a new need is a new action.
    pub fn next(self) -> &'static [ActionStatus] {
        match self {
            ActionStatus::Planned => &[
                ActionStatus::InProgress,
                ActionStatus::Done,
                ActionStatus::Cancelled,
            ],
            ActionStatus::InProgress => &[ActionStatus::Done, ActionStatus::Cancelled],
            ActionStatus::Done | ActionStatus::Cancelled => &[],
        }
    }

    /// Whether the move is allowed, or why not.
    pub fn check_move(self, to: ActionStatus) -> Result<(), String> {
        if self.next().contains(&to) {
            Ok(())
        } else if self.next().is_empty() {
            Err(format!(
                "the action is {} and cannot change any more; plan a new one",
                self.code()
            ))
        } else {
            Err(format!(
                "cannot go from {} to {}; allowed: {}",
                self.code(),
                to.code(),
                self.next()
                    .iter()
                    .map(|s| s.code())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_codes_are_refused() {
        for k in ActionKind::ALL {
            assert_eq!(ActionKind::parse(k.code()), Some(k));
        }
        for s in ActionStatus::ALL {
            assert_eq!(ActionStatus::parse(s.code()), Some(s));
        }
        assert_eq!(ActionKind::parse("holiday"), None);
        assert_eq!(ActionStatus::parse("paused"), None);
    }

    #[test]
    fn open_actions_move_forward_and_finished_ones_stay() {
        use ActionStatus::{Cancelled, Done, InProgress, Planned};
        assert_eq!(Planned.check_move(InProgress), Ok(()));
        assert_eq!(Planned.check_move(Done), Ok(()));
        assert_eq!(InProgress.check_move(Cancelled), Ok(()));
        assert_eq!(
            InProgress.check_move(Planned),
            Err("cannot go from in_progress to planned; allowed: done, cancelled".into())
        );
        assert_eq!(
            Done.check_move(InProgress),
            Err("the action is done and cannot change any more; plan a new one".into())
        );
        assert_eq!(
            Planned.check_move(Planned),
            Err("cannot go from planned to planned; allowed: in_progress, done, cancelled".into())
        );
        assert!(Planned.is_open() && InProgress.is_open());
        assert!(!Done.is_open() && !Cancelled.is_open());
    }
}
