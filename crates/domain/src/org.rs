//! The organisation tree: teams nest under teams, each team may have a
//! manager. A manager is responsible for the teams they lead and every team
//! below them.

use std::collections::{BTreeSet, HashMap};

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
}
