//! Candidate adjustment sets for an intervention on a node (api.md §8.3): a port of the
//! "has new collider" check of pcalg's `idaFast`/`ida` local method.
//!
//! In a CPDAG, x's parents are its directed parents F plus any subset S of its undirected
//! neighbours B that could be oriented into x without creating a new v-structure. Each kept
//! `F ∪ S` is one possible parent set of x, i.e. one adjustment set.
//!
//! Sets are ordered F first, then S; F and B are in ascending node id (MPCSL iterates Python
//! sets, whose order for small integer ids is ascending), and the subsets of each size come in
//! lexicographic order of B, smallest size first.

use std::collections::{HashMap, HashSet};

/// The adjustment sets for `x` in the graph with these arcs (an undirected edge being two arcs).
///
/// At most `limit` sets are returned (`None`: all). Subsets that violate the pairwise rules are
/// pruned while they are generated, so the work is proportional to the number of candidate
/// cliques among x's undirected neighbours rather than 2^|B|; a `limit` still guards against a
/// large clique, whose every subset is a valid answer.
pub fn confounder_sets(
    arcs: impl IntoIterator<Item = (i64, i64)>,
    x: i64,
    limit: Option<usize>,
) -> Vec<Vec<i64>> {
    let arcs: HashSet<(i64, i64)> = arcs.into_iter().filter(|(a, b)| a != b).collect();
    let has = |a: i64, b: i64| arcs.contains(&(a, b));
    let adjacent = |a: i64, b: i64| has(a, b) || has(b, a);
    let limit = limit.unwrap_or(usize::MAX);
    if limit == 0 {
        return Vec::new();
    }

    let mut parents: Vec<i64> = arcs.iter().filter(|&&(_, b)| b == x).map(|&(a, _)| a).collect();
    parents.sort_unstable();
    let (undirected, directed): (Vec<i64>, Vec<i64>) = parents.into_iter().partition(|&p| has(x, p));

    // Rule 3 for a neighbour b left out of S (so oriented x → b): some n → b (one-way, n ≠ x)
    // with n not adjacent to x would make n → b ← x a new collider. One pass over the arcs.
    let position: HashMap<i64, usize> = undirected.iter().enumerate().map(|(i, &b)| (b, i)).collect();
    let mut creates_collider_when_excluded = vec![false; undirected.len()];
    for &(n, b) in &arcs {
        if let Some(&i) = position.get(&b)
            && n != x
            && !has(b, n)
            && !adjacent(n, x)
        {
            creates_collider_when_excluded[i] = true;
        }
    }

    // Rules 1 and 2 only involve members of S: with F non-empty, each member must be adjacent to
    // every member of F, and members must be pairwise adjacent. Filtering B by the first keeps
    // the lexicographic order of the surviving combinations.
    let eligible: Vec<usize> = (0..undirected.len())
        .filter(|&i| directed.is_empty() || directed.iter().all(|&f| adjacent(f, undirected[i])))
        .collect();
    let linked = |i: usize, j: usize| adjacent(undirected[i], undirected[j]);

    let mut sets = Vec::new();
    for k in 0..=undirected.len() {
        let more = for_each_clique(&eligible, k, &linked, &mut |combination| {
            // Rule 3 applies only when some neighbour is left out.
            let rule3 = combination.len() < undirected.len()
                && (0..undirected.len())
                    .any(|i| creates_collider_when_excluded[i] && !combination.contains(&i));
            if !rule3 {
                let mut set = directed.clone();
                set.extend(combination.iter().map(|&i| undirected[i]));
                sets.push(set);
            }
            sets.len() < limit
        });
        if !more {
            break;
        }
    }
    sets
}

/// Calls `visit` with every k-subset of `pool` (in lexicographic order) whose members are
/// pairwise `linked`, pruning as soon as a partial subset is not. Stops, returning false, when
/// `visit` returns false.
fn for_each_clique(
    pool: &[usize],
    k: usize,
    linked: &dyn Fn(usize, usize) -> bool,
    visit: &mut dyn FnMut(&[usize]) -> bool,
) -> bool {
    fn extend(
        pool: &[usize],
        k: usize,
        from: usize,
        chosen: &mut Vec<usize>,
        linked: &dyn Fn(usize, usize) -> bool,
        visit: &mut dyn FnMut(&[usize]) -> bool,
    ) -> bool {
        if chosen.len() == k {
            return visit(chosen);
        }
        let needed = k - chosen.len();
        for p in from..pool.len() {
            if pool.len() - p < needed {
                break;
            }
            let candidate = pool[p];
            if chosen.iter().all(|&c| linked(c, candidate)) {
                chosen.push(candidate);
                let more = extend(pool, k, p + 1, chosen, linked, visit);
                chosen.pop();
                if !more {
                    return false;
                }
            }
        }
        true
    }
    extend(pool, k, 0, &mut Vec::with_capacity(k), linked, visit)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The literal rules of §8.3 over all subsets, as MPCSL evaluates them.
    fn reference(arcs: &[(i64, i64)], x: i64) -> Vec<Vec<i64>> {
        let set: HashSet<(i64, i64)> = arcs.iter().copied().collect();
        let has = |a: i64, b: i64| set.contains(&(a, b));
        let adjacent = |a: i64, b: i64| has(a, b) || has(b, a);
        let mut p: Vec<i64> = arcs.iter().filter(|&&(a, b)| b == x && a != x).map(|&(a, _)| a).collect();
        p.sort_unstable();
        p.dedup();
        let b: Vec<i64> = p.iter().copied().filter(|&q| has(x, q)).collect();
        let f: Vec<i64> = p.iter().copied().filter(|&q| !has(x, q)).collect();
        let mut out = Vec::new();
        for k in 0..=b.len() {
            for mask in subsets_lexicographic(b.len(), k) {
                let s: Vec<i64> = mask.iter().map(|&i| b[i]).collect();
                let rule1 = !s.is_empty()
                    && !f.is_empty()
                    && f.iter().any(|&fi| s.iter().any(|&si| !adjacent(fi, si)));
                let rule2 = !rule1
                    && s.len() >= 2
                    && s.iter().enumerate().any(|(i, &a)| s[i + 1..].iter().any(|&c| !adjacent(a, c)));
                let rule3 = !rule1 && !rule2 && s.len() < b.len() && {
                    let e: Vec<i64> = b.iter().copied().filter(|q| !s.contains(q)).collect();
                    let d: Vec<i64> = e
                        .iter()
                        .flat_map(|&be| {
                            arcs.iter().filter(move |&&(n, t)| t == be && !has(be, n)).map(|&(n, _)| n)
                        })
                        .filter(|&n| n != x)
                        .collect();
                    d.iter().any(|&dn| !adjacent(dn, x))
                };
                if !(rule1 || rule2 || rule3) {
                    let mut kept = f.clone();
                    kept.extend(&s);
                    out.push(kept);
                }
            }
        }
        out
    }

    fn subsets_lexicographic(n: usize, k: usize) -> Vec<Vec<usize>> {
        fn go(n: usize, k: usize, from: usize, cur: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
            if cur.len() == k {
                out.push(cur.clone());
                return;
            }
            for i in from..n {
                cur.push(i);
                go(n, k, i + 1, cur, out);
                cur.pop();
            }
        }
        let mut out = Vec::new();
        go(n, k, 0, &mut Vec::new(), &mut out);
        out
    }

    #[test]
    fn spec_example() {
        // §8.3: n0 ↔ n2, n1 ↔ n2, n2 → n3, n4 → n2, n4 → n1; x = n2 gives [[n4], [n4, n1]].
        // P = {n0, n1, n4}, B = {n0, n1}, F = {n4}. S = {n0}: n4, n0 not adjacent (rule 1).
        // S = {n1}: n4 → n1 adjacent; left-out n0 has no one-way parent: kept. S = {n0, n1}:
        // rule 1 again.
        let arcs = [(0, 2), (2, 0), (1, 2), (2, 1), (2, 3), (4, 2), (4, 1)];
        assert_eq!(confounder_sets(arcs, 2, None), vec![vec![4], vec![4, 1]]);
        assert_eq!(reference(&arcs, 2), vec![vec![4], vec![4, 1]]);
        assert_eq!(confounder_sets(arcs, 2, Some(1)), vec![vec![4]]);
        assert!(confounder_sets(arcs, 2, Some(0)).is_empty());
    }

    #[test]
    fn directed_parents_only_and_isolated_nodes() {
        // Only directed parents: the single set F.
        assert_eq!(confounder_sets([(1, 3), (2, 3)], 3, None), vec![vec![1, 2]]);
        // No parents at all: one empty set.
        assert_eq!(confounder_sets([(1, 2)], 1, None), vec![Vec::<i64>::new()]);
        assert_eq!(confounder_sets([], 7, None), vec![Vec::<i64>::new()]);
    }

    #[test]
    fn rule_three_drops_sets_that_orient_into_a_collider() {
        // x=1 — b=2 with a one-way parent 3 → 2, and 3 not adjacent to x. Leaving 2 out of S
        // orients x → 2 ← 3, a new collider: the empty set is dropped, {2} is kept.
        let arcs = [(1, 2), (2, 1), (3, 2)];
        assert_eq!(confounder_sets(arcs, 1, None), vec![vec![2]]);
        assert_eq!(reference(&arcs, 1), vec![vec![2]]);
    }

    #[test]
    fn large_cliques_are_cut_off_by_the_limit() {
        // x = 0 with 40 undirected neighbours that are pairwise adjacent: every one of the 2^40
        // subsets is valid, so only the limit keeps this finite. Sizes come in order: {} first,
        // then the singletons in ascending id.
        let mut arcs = Vec::new();
        for a in 0..=40i64 {
            for b in a + 1..=40 {
                arcs.extend([(a, b), (b, a)]);
            }
        }
        let sets = confounder_sets(arcs, 0, Some(5));
        assert_eq!(sets, vec![vec![], vec![1], vec![2], vec![3], vec![4]]);
    }

    #[test]
    fn agrees_with_the_literal_rules_on_random_graphs() {
        let mut state = 0x1234_5678_9abc_def0u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for round in 0..400 {
            let n = 3 + (round % 6) as i64;
            let mut arcs = Vec::new();
            for a in 0..n {
                for b in a + 1..n {
                    match next() % 6 {
                        0 | 1 => arcs.push((a, b)),
                        2 => arcs.push((b, a)),
                        3 => arcs.extend([(a, b), (b, a)]),
                        _ => {}
                    }
                }
            }
            for x in 0..n {
                assert_eq!(
                    confounder_sets(arcs.iter().copied(), x, None),
                    reference(&arcs, x),
                    "arcs {arcs:?}, x {x}"
                );
            }
        }
    }
}
