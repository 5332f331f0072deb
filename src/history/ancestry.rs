//! Merge bases from the commits a history read has listed, without
//! asking libgit2: a merge's base is where its sides parted, which the
//! history needs for every merge (only a file both sides changed since
//! can hold anything of the merge's own). libgit2 walks the commit graph
//! anew for each of them, reading commits from the object database; in a
//! repository merged through pull requests (thousands of merges, each
//! side of one reaching back to where its branch started) that was most
//! of a first build's time. Here the parents are already known, and the
//! commits are numbered in topological order, so the walk is a heap of
//! numbers over a map.

use git2::Oid;
use std::collections::{BinaryHeap, HashMap};

/// The commits listed so far, by place in topological order (parents
/// before children), each with its parents' places: the walk indexes
/// vectors, where hashing ids for every step was a fiftieth of a build.
#[derive(Default)]
pub(super) struct Ancestry {
    place: HashMap<Oid, usize>,
    ids: Vec<Oid>,
    /// Each commit's parents; None for a parent not listed.
    parents: Vec<Vec<Option<usize>>>,
}

impl Ancestry {
    /// Adds a commit whose parents were all added before it (or are not
    /// listed at all: then a walk reaching them gives up).
    pub(super) fn add(&mut self, id: Oid, parents: Vec<Oid>) {
        if self.place.contains_key(&id) {
            return;
        }
        let parents = parents.iter().map(|p| self.place.get(p).copied()).collect();
        self.place.insert(id, self.ids.len());
        self.ids.push(id);
        self.parents.push(parents);
    }

    /// The best common ancestor of `a` and `b`: Some(Some(base)), or
    /// Some(None) when they have none; None when the walk reaches a
    /// commit that was not listed (history read before, a shallow
    /// clone's edge), where the caller asks git instead.
    ///
    /// The commits are visited newest first in topological order, each
    /// marked with the sides it is reachable from; every descendant of a
    /// commit comes before it, so its marks are complete when it is
    /// visited, and the first commit reachable from both sides has no
    /// common ancestor below it: it is a best one. Where there are
    /// several (criss-cross merges) this is the one latest in the order.
    pub(super) fn merge_base(&self, a: Oid, b: Oid) -> Option<Option<Oid>> {
        const ONE: u8 = 1;
        const TWO: u8 = 2;
        if a == b {
            return Some(Some(a));
        }
        let (pa, pb) = (*self.place.get(&a)?, *self.place.get(&b)?);
        // Marks by distance below the later side, grown as the walk goes
        // down: as long as the walk, not as the history.
        let top = pa.max(pb);
        let mut marks: Vec<u8> = vec![0; top - pa.min(pb) + 1];
        marks[top - pa] = ONE;
        marks[top - pb] |= TWO;
        let mut heap = BinaryHeap::from([pa, pb]);
        while let Some(at) = heap.pop() {
            let mark = marks[top - at];
            if mark == ONE | TWO {
                return Some(Some(self.ids[at]));
            }
            for parent in &self.parents[at] {
                let p = (*parent)?;
                let i = top - p;
                if i >= marks.len() {
                    marks.resize(i + 1, 0);
                }
                if marks[i] | mark != marks[i] {
                    marks[i] |= mark;
                    heap.push(p);
                }
            }
        }
        Some(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oid(n: u8) -> Oid {
        Oid::from_bytes(&[n; 20]).expect("oid")
    }

    /// 1 ← 2 ← 3 ← 5 (merge of 3 and 4), 2 ← 4; 6 on 4; 7 outside.
    fn graph() -> Ancestry {
        let mut g = Ancestry::default();
        g.add(oid(1), vec![]);
        g.add(oid(2), vec![oid(1)]);
        g.add(oid(3), vec![oid(2)]);
        g.add(oid(4), vec![oid(2)]);
        g.add(oid(5), vec![oid(3), oid(4)]);
        g.add(oid(6), vec![oid(4)]);
        g.add(oid(8), vec![oid(9)]);
        g
    }

    #[test]
    fn the_base_is_where_the_sides_parted() {
        let g = graph();
        assert_eq!(g.merge_base(oid(3), oid(4)), Some(Some(oid(2))));
        // A side that merged the other before: the other is the base.
        assert_eq!(g.merge_base(oid(5), oid(6)), Some(Some(oid(4))));
        assert_eq!(g.merge_base(oid(6), oid(5)), Some(Some(oid(4))));
        assert_eq!(g.merge_base(oid(5), oid(2)), Some(Some(oid(2))));
        assert_eq!(g.merge_base(oid(3), oid(3)), Some(Some(oid(3))));
    }

    #[test]
    fn a_walk_out_of_the_listed_commits_gives_up() {
        let g = graph();
        // 8's parent 9 was never listed: git must answer.
        assert_eq!(g.merge_base(oid(8), oid(3)), None);
        assert_eq!(g.merge_base(oid(7), oid(3)), None);
    }

    #[test]
    fn unrelated_histories_have_no_base() {
        let mut g = graph();
        g.add(oid(10), vec![]);
        assert_eq!(g.merge_base(oid(10), oid(3)), Some(None));
    }
}
