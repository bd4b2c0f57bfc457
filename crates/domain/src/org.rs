//! The organisation tree: teams nest under teams, each team may have a
//! manager. A manager is responsible for the teams they lead and every team
//! below them.

use std::collections::{BTreeSet, HashMap};

use crate::period::Day;

/// One team as the tree needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TeamNode {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub manager_id: Option<i64>,
}

#[derive(Debug, Clone, Default)]
pub struct TeamTree {
    children: HashMap<i64, Vec<i64>>,
    nodes: HashMap<i64, TeamNode>,
}

impl TeamTree {
    pub fn new(nodes: impl IntoIterator<Item = TeamNode>) -> Self {
        let mut tree = TeamTree::default();
        for node in nodes {
            if let Some(parent) = node.parent_id {
                tree.children.entry(parent).or_default().push(node.id);
            }
            tree.nodes.insert(node.id, node);
        }
        tree
    }

    pub fn contains(&self, id: i64) -> bool {
        self.nodes.contains_key(&id)
    }

    /// The team and all teams below it. A cycle in stored data cannot make
    /// this loop: each team is visited once.
    pub fn subtree(&self, root: i64) -> BTreeSet<i64> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![root];
        while let Some(id) = stack.pop() {
            if !self.nodes.contains_key(&id) || !seen.insert(id) {
                continue;
            }
            stack.extend(self.children.get(&id).into_iter().flatten().copied());
        }
        seen
    }

    /// Every team the employee leads, directly or through a team below one
    /// they lead.
    pub fn managed_by(&self, employee_id: i64) -> BTreeSet<i64> {
        self.nodes
            .values()
            .filter(|n| n.manager_id == Some(employee_id))
            .flat_map(|n| self.subtree(n.id))
            .collect()
    }

    /// The team and the teams above it, nearest first. A cycle in stored
    /// data cannot make this loop: each team is visited once.
    pub fn ancestors(&self, team: i64) -> Vec<i64> {
        let mut path = Vec::new();
        let mut at = Some(team);
        while let Some(id) = at {
            if !self.nodes.contains_key(&id) || path.contains(&id) {
                break;
            }
            path.push(id);
            at = self.nodes.get(&id).and_then(|n| n.parent_id);
        }
        path
    }

    /// Whether making `parent` the parent of `team` would close a loop.
    pub fn would_cycle(&self, team: i64, parent: i64) -> bool {
        self.subtree(team).contains(&parent)
    }
}

/// One stretch of a person's time in a team: the days [from, until), `None`
/// for "since the start" and "still".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Membership {
    pub employee_id: i64,
    pub from: Option<Day>,
    pub until: Option<Day>,
}

/// A piece of the calendar, [from, until), and who was in the team through
/// all of it. Pieces do not overlap, so a fact dated in one of them counts
/// once, for the people of that piece.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub from: Option<Day>,
    pub until: Option<Day>,
    pub employee_ids: Vec<i64>,
}

/// The calendar cut wherever someone joined or left, each piece with the
/// people in the team then (pieces without anyone are left out). A team
/// nobody ever left is one piece without bounds.
pub fn segments(memberships: &[Membership]) -> Vec<Segment> {
    let mut cuts: Vec<Day> = memberships
        .iter()
        .flat_map(|s| [s.from, s.until])
        .flatten()
        .collect();
    cuts.sort_unstable();
    cuts.dedup();
    let mut bounds: Vec<Option<Day>> = Vec::with_capacity(cuts.len() + 2);
    bounds.push(None);
    bounds.extend(cuts.into_iter().map(Some));
    bounds.push(None);
    let mut out: Vec<Segment> = Vec::new();
    for pair in bounds.windows(2) {
        let (from, until) = (pair[0], pair[1]);
        let covers = |s: &Membership| {
            // The piece lies inside the membership: it starts no earlier than the
            // membership and ends no later.
            let starts_after = match (s.from, from) {
                (None, _) => true,
                (Some(_), None) => false,
                (Some(a), Some(b)) => a <= b,
            };
            let ends_before = match (s.until, until) {
                (None, _) => true,
                (Some(_), None) => false,
                (Some(a), Some(b)) => b <= a,
            };
            starts_after && ends_before
        };
        let mut ids: Vec<i64> = memberships
            .iter()
            .filter(|s| covers(s))
            .map(|s| s.employee_id)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            continue;
        }
        // Neighbouring pieces with the same people are one piece.
        if let Some(last) = out.last_mut()
            && last.until == from
            && last.employee_ids == ids
        {
            last.until = until;
            continue;
        }
        out.push(Segment {
            from,
            until,
            employee_ids: ids,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(id: i64, parent_id: Option<i64>, manager_id: Option<i64>) -> TeamNode {
        TeamNode {
            id,
            parent_id,
            manager_id,
        }
    }

    fn tree() -> TeamTree {
        // 1 performance (led by 10) ─ 2 paid social (led by 20) ─ 4 tiktok (no lead)
        // 3 brand (led by 30)
        TeamTree::new([
            node(1, None, Some(10)),
            node(2, Some(1), Some(20)),
            node(3, None, Some(30)),
            node(4, Some(2), None),
        ])
    }

    #[test]
    fn ancestors_run_from_the_team_up_to_its_root() {
        let t = tree();
        assert_eq!(t.ancestors(4), vec![4, 2, 1]);
        assert_eq!(t.ancestors(3), vec![3]);
        assert_eq!(t.ancestors(99), Vec::<i64>::new());
    }

    #[test]
    fn a_manager_is_responsible_for_every_team_below_their_own() {
        let t = tree();
        assert_eq!(t.managed_by(10), BTreeSet::from([1, 2, 4]));
        assert_eq!(t.managed_by(20), BTreeSet::from([2, 4]));
        assert_eq!(t.managed_by(30), BTreeSet::from([3]));
        assert_eq!(t.managed_by(99), BTreeSet::new());
    }

    #[test]
    fn moving_a_team_under_its_own_descendant_is_a_cycle() {
        let t = tree();
        assert!(t.would_cycle(1, 4));
        assert!(t.would_cycle(2, 2));
        assert!(!t.would_cycle(3, 1));
    }

    #[test]
    fn a_cycle_in_stored_data_does_not_hang_the_walk() {
        let t = TeamTree::new([node(1, Some(2), Some(7)), node(2, Some(1), None)]);
        assert_eq!(t.managed_by(7), BTreeSet::from([1, 2]));
    }

    fn day(s: &str) -> Option<Day> {
        Some(Day::parse(s).unwrap())
    }

    fn membership(employee_id: i64, from: Option<Day>, until: Option<Day>) -> Membership {
        Membership {
            employee_id,
            from,
            until,
        }
    }

    #[test]
    fn a_team_nobody_left_is_one_piece_without_bounds() {
        let s = segments(&[membership(2, None, None), membership(1, None, None)]);
        assert_eq!(
            s,
            vec![Segment {
                from: None,
                until: None,
                employee_ids: vec![1, 2]
            }]
        );
        assert_eq!(segments(&[]), vec![]);
    }

    #[test]
    fn a_transfer_cuts_the_calendar_where_it_takes_effect() {
        // 1 stays; 2 left on 1 March; 3 joined on 1 March and left on 1 May.
        let s = segments(&[
            membership(1, None, None),
            membership(2, None, day("2026-03-01")),
            membership(3, day("2026-03-01"), day("2026-05-01")),
        ]);
        assert_eq!(
            s,
            vec![
                Segment {
                    from: None,
                    until: day("2026-03-01"),
                    employee_ids: vec![1, 2]
                },
                Segment {
                    from: day("2026-03-01"),
                    until: day("2026-05-01"),
                    employee_ids: vec![1, 3]
                },
                Segment {
                    from: day("2026-05-01"),
                    until: None,
                    employee_ids: vec![1]
                },
            ]
        );
    }

    #[test]
    fn gaps_are_left_out_and_a_return_is_a_new_piece() {
        let s = segments(&[
            membership(4, None, day("2026-02-01")),
            membership(4, day("2026-06-01"), None),
        ]);
        assert_eq!(
            s,
            vec![
                Segment {
                    from: None,
                    until: day("2026-02-01"),
                    employee_ids: vec![4]
                },
                Segment {
                    from: day("2026-06-01"),
                    until: None,
                    employee_ids: vec![4]
                },
            ]
        );
        // Back-to-back memberships of the same person merge into one piece.
        let s = segments(&[
            membership(4, None, day("2026-02-01")),
            membership(4, day("2026-02-01"), None),
        ]);
        assert_eq!(s.len(), 1);
        assert_eq!((s[0].from, s[0].until), (None, None));
    }
}
