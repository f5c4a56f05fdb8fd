//! Contingency-table tests: G² (`disCI`, `binCI`) and Pearson χ² (`chisq`).
//!
//! A table is counted in one of three ways, whichever is cheapest: popcounts of intersected
//! row bitsets (small tables), a histogram pass over the rows (medium tables), or sorted keys
//! (tables too large to hold densely). All give identical statistics.

use std::collections::HashMap;

use anyhow::{Result, bail};

use super::{Outcome, Scratch};
use crate::data::discretize;
use crate::stats::chi2_sf;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Statistic {
    G2,
    G2Binary,
    PearsonChi2,
}

/// Category codes, narrow when every column has at most 256 levels (the common case, and
/// four times less memory traffic in the counting loop).
#[derive(Debug)]
enum Codes {
    Narrow(Vec<Vec<u8>>),
    Wide(Vec<Vec<u32>>),
}

/// Dense count tables up to this many cells beyond `4n`; larger tables are counted by sorting.
const DENSE_EXTRA_CELLS: usize = 1 << 16;

/// Contingency-table test over category codes.
#[derive(Debug)]
pub struct Contingency {
    stat: Statistic,
    n: usize,
    codes: Codes,
    cards: Vec<u32>,
    /// `k ln k` for `k = 0..=n`, so G² needs no logarithm per cell.
    nlogn: Vec<f64>,
    bits: Option<Bitsets>,
}

/// One bitset over the rows per (variable, state). A cell count is then the popcount of an
/// intersection, which beats a pass over the rows when the table is small: 10,000 rows are 157
/// words, and typical tables have tens of cells.
#[derive(Debug)]
struct Bitsets {
    words: usize,
    /// Index of the first state set of each variable.
    first: Vec<usize>,
    data: Vec<u64>,
}

/// Largest total size of the bitsets (bytes); beyond it only the row-counting paths are used.
const BITSET_BUDGET: usize = 256 << 20;

/// Cost of the row-counting path per row, in bitset word steps (AND + popcount of 64 rows).
/// Measured on ALARM-like data: about 1.8 ns per row whatever |S| (the histogram update
/// dominates) against about 1 ns per word step.
const ROW_IN_WORD_STEPS: f64 = 1.8;

impl Bitsets {
    fn new(codes: &[Vec<u32>], cards: &[u32], n: usize) -> Option<Self> {
        let words = n.div_ceil(64);
        let total: usize = cards.iter().map(|&c| c as usize).sum();
        if total.checked_mul(words)?.checked_mul(8)? > BITSET_BUDGET {
            return None;
        }
        let mut first = Vec::with_capacity(cards.len());
        let mut data = vec![0u64; total * words];
        let mut next = 0;
        for (col, &card) in codes.iter().zip(cards) {
            first.push(next);
            for (r, &code) in col.iter().enumerate() {
                data[(next + code as usize) * words + r / 64] |= 1 << (r % 64);
            }
            next += card as usize;
        }
        Some(Self { words, first, data })
    }

    fn set(&self, var: usize, state: usize) -> &[u64] {
        let start = (self.first[var] + state) * self.words;
        &self.data[start..start + self.words]
    }
}

fn popcount(a: &[u64]) -> u32 {
    a.iter().map(|v| v.count_ones()).sum()
}

fn and_count(a: &[u64], b: &[u64]) -> u32 {
    a.iter().zip(b).map(|(p, q)| (p & q).count_ones()).sum()
}

/// Sums over the strata of one test: the G² terms Σ k ln k, Pearson χ², degrees of freedom.
#[derive(Debug, Default)]
struct Tally {
    g2_terms: f64,
    chi2: f64,
    df: f64,
}

impl Tally {
    /// Adds one stratum's `cx × cy` table of counts (row-major). `nx`, `ny` are scratch.
    fn add_stratum(
        &mut self,
        table: &[u32],
        cy: usize,
        nlogn: &[f64],
        pearson: bool,
        nx: &mut Vec<u32>,
        ny: &mut Vec<u32>,
    ) {
        nx.clear();
        ny.clear();
        ny.resize(cy, 0);
        let mut cell_terms = 0.0;
        for row in table.chunks_exact(cy) {
            let mut sum = 0;
            for (j, &o) in row.iter().enumerate() {
                sum += o;
                ny[j] += o;
                cell_terms += nlogn[o as usize];
            }
            nx.push(sum);
        }
        let ns: u32 = nx.iter().sum();
        if ns == 0 {
            return; // an absent configuration of S contributes nothing
        }
        let nx_terms: f64 = nx.iter().map(|&c| nlogn[c as usize]).sum();
        let ny_terms: f64 = ny.iter().map(|&c| nlogn[c as usize]).sum();
        // Σ O ln(O/E) with E = N_xs N_ys / N_s, expanded so that only k ln k terms remain.
        self.g2_terms += cell_terms - nx_terms - ny_terms + nlogn[ns as usize];
        // causal-learn's df: levels of X (Y) absent from the stratum do not count.
        let dx = nx.iter().filter(|&&c| c > 0).count() as f64;
        let dy = ny.iter().filter(|&&c| c > 0).count() as f64;
        self.df += (dx - 1.0) * (dy - 1.0);
        if pearson {
            // Σ (O-E)²/E over cells with E > 0 equals Σ_{O>0} O²/E − N_s.
            let mut sum = 0.0;
            for (i, row) in table.chunks_exact(cy).enumerate() {
                for (j, &o) in row.iter().enumerate() {
                    if o > 0 {
                        let e = nx[i] as f64 * ny[j] as f64 / ns as f64;
                        sum += (o as f64) * (o as f64) / e;
                    }
                }
            }
            self.chi2 += sum - ns as f64;
        }
    }
}

impl Contingency {
    pub fn n_vars(&self) -> usize {
        self.cards.len()
    }

    pub fn n_rows(&self) -> usize {
        self.n
    }

    pub(super) fn new(stat: Statistic, columns: &[Vec<f64>]) -> Result<Self> {
        let n = columns.first().map_or(0, Vec::len);
        let (codes, cards) = discretize(columns);
        if stat == Statistic::G2Binary
            && let Some(i) = cards.iter().position(|&c| c > 2)
        {
            bail!("binCI needs binary data, but column {} has {} distinct values", i + 1, cards[i]);
        }
        let bits = Bitsets::new(&codes, &cards, n);
        let codes = if cards.iter().all(|&c| c <= 256) {
            Codes::Narrow(codes.into_iter().map(|c| c.into_iter().map(|v| v as u8).collect()).collect())
        } else {
            Codes::Wide(codes)
        };
        let nlogn = (0..=n).map(|k| if k == 0 { 0.0 } else { k as f64 * (k as f64).ln() }).collect();
        Ok(Self { stat, n, codes, cards, nlogn, bits })
    }

    pub(super) fn test(&self, x: usize, y: usize, s: &[usize], scratch: &mut Scratch) -> Outcome {
        if self.n == 0 {
            return Outcome { p_value: 1.0, effect: 0.0 }; // no rows, no evidence
        }
        let n = self.n as f64;
        let tally = match (&self.bits, &self.codes) {
            (Some(bits), _) if self.prefer_bitsets(bits, x, y, s) => {
                self.tally_bitsets(bits, x, y, s, scratch)
            }
            (_, Codes::Narrow(c)) => self.tally(c, x, y, s, scratch),
            (_, Codes::Wide(c)) => self.tally(c, x, y, s, scratch),
        };
        let g2 = (2.0 * tally.g2_terms).max(0.0);
        match self.stat {
            Statistic::G2 => Outcome {
                p_value: if tally.df == 0.0 { 1.0 } else { chi2_sf(g2, tally.df) },
                effect: g2 / (2.0 * n),
            },
            Statistic::G2Binary => {
                // pcalg gSquareBin: df = 2^|S|, and p = 1 when n < 10 df (too few rows).
                let df = 2f64.powi(s.len() as i32);
                let p_value = if n < 10.0 * df { 1.0 } else { chi2_sf(g2, df) };
                Outcome { p_value, effect: g2 / (2.0 * n) }
            }
            Statistic::PearsonChi2 => {
                let chi2 = tally.chi2.max(0.0);
                Outcome {
                    p_value: if tally.df == 0.0 { 1.0 } else { chi2_sf(chi2, tally.df) },
                    effect: chi2 / n,
                }
            }
        }
    }

    /// Cost model: the bitset path does at most `words × (strata built + cells)` word steps
    /// (fewer when configurations are empty), the row path one histogram update per row.
    fn prefer_bitsets(&self, bits: &Bitsets, x: usize, y: usize, s: &[usize]) -> bool {
        let mut strata = 1.0;
        let mut built = 0.0;
        for &v in s {
            strata *= self.cards[v] as f64;
            built += strata;
        }
        let cells = strata * self.cards[x] as f64 * self.cards[y] as f64;
        let bit_steps = bits.words as f64 * (built + cells);
        bit_steps < self.n as f64 * ROW_IN_WORD_STEPS
    }

    /// Counts through bitset intersections: the non-empty strata of `S` are built one variable
    /// at a time, then each cell is a popcount; the last Y level is obtained by subtraction.
    fn tally_bitsets(&self, bits: &Bitsets, x: usize, y: usize, s: &[usize], scr: &mut Scratch) -> Tally {
        let w = bits.words;
        let (cx, cy) = (self.cards[x] as usize, self.cards[y] as usize);
        scr.sets.clear();
        let mut strata = 1;
        if let Some((&first, rest)) = s.split_first() {
            strata = 0;
            for a in 0..self.cards[first] as usize {
                let set = bits.set(first, a);
                if set.iter().any(|&v| v != 0) {
                    scr.sets.extend_from_slice(set);
                    strata += 1;
                }
            }
            for &v in rest {
                scr.sets_next.clear();
                strata = 0;
                for t in scr.sets.chunks_exact(w) {
                    for a in 0..self.cards[v] as usize {
                        let start = scr.sets_next.len();
                        scr.sets_next.extend(t.iter().zip(bits.set(v, a)).map(|(p, q)| p & q));
                        if scr.sets_next[start..].iter().all(|&z| z == 0) {
                            scr.sets_next.truncate(start); // empty configuration: pruned
                        } else {
                            strata += 1;
                        }
                    }
                }
                std::mem::swap(&mut scr.sets, &mut scr.sets_next);
            }
        }
        let pearson = self.stat == Statistic::PearsonChi2;
        let mut tally = Tally::default();
        scr.counts.clear();
        scr.counts.resize(cx * cy, 0);
        for k in 0..strata {
            for i in 0..cx {
                let bx = bits.set(x, i);
                scr.rows.clear();
                if s.is_empty() {
                    scr.rows.extend_from_slice(bx);
                } else {
                    scr.rows.extend(scr.sets[k * w..(k + 1) * w].iter().zip(bx).map(|(p, q)| p & q));
                }
                let row = &mut scr.counts[i * cy..(i + 1) * cy];
                let mut rest = popcount(&scr.rows);
                if rest == 0 {
                    row.fill(0);
                    continue;
                }
                for (j, cell) in row.iter_mut().enumerate().take(cy - 1) {
                    *cell = and_count(&scr.rows, bits.set(y, j));
                    rest -= *cell;
                }
                row[cy - 1] = rest;
            }
            tally.add_stratum(&scr.counts, cy, &self.nlogn, pearson, &mut scr.nx, &mut scr.ny);
        }
        tally
    }

    fn tally<T: Copy + Into<u32>>(
        &self,
        cols: &[Vec<T>],
        x: usize,
        y: usize,
        s: &[usize],
        scr: &mut Scratch,
    ) -> Tally {
        let (cx, cy) = (self.cards[x] as usize, self.cards[y] as usize);
        let strata = self.strata(cols, s, scr);
        let dense_limit = 4 * self.n + DENSE_EXTRA_CELLS;
        match strata.checked_mul(cx * cy) {
            Some(cells) if cells <= dense_limit => {
                self.tally_dense(&cols[x], &cols[y], strata, cx, cy, cells, scr)
            }
            _ => {
                let strata = compress(&mut scr.ids, strata, &mut scr.remap, &mut scr.map);
                let cells = strata.saturating_mul(cx * cy);
                if cells <= dense_limit {
                    self.tally_dense(&cols[x], &cols[y], strata, cx, cy, cells, scr)
                } else {
                    self.tally_sorted(&cols[x], &cols[y], scr)
                }
            }
        }
    }

    /// Writes the stratum id of every row (the configuration of `s`) to `scr.ids` and returns
    /// the number of possible ids. Combinations are re-indexed densely whenever the id space
    /// would outgrow the table limit, so it never overflows.
    fn strata<T: Copy + Into<u32>>(&self, cols: &[Vec<T>], s: &[usize], scr: &mut Scratch) -> usize {
        let n = self.n;
        scr.ids.clear();
        scr.ids.resize(n, 0);
        let limit = 4 * n + DENSE_EXTRA_CELLS;
        let mut space = 1usize;
        for &v in s {
            let card = self.cards[v] as usize;
            let col = &cols[v];
            if space.saturating_mul(card) > limit {
                space = compress(&mut scr.ids, space, &mut scr.remap, &mut scr.map);
            }
            match space.checked_mul(card).filter(|&c| c <= u32::MAX as usize) {
                Some(new_space) => {
                    let card = card as u32;
                    for (id, &c) in scr.ids.iter_mut().zip(col) {
                        *id = *id * card + c.into();
                    }
                    space = new_space;
                }
                None => {
                    // Re-index the pairs (id, code) through a hash map.
                    scr.map.clear();
                    for (id, &c) in scr.ids.iter_mut().zip(col) {
                        let key = *id as u64 * card as u64 + c.into() as u64;
                        let next = scr.map.len() as u32;
                        *id = *scr.map.entry(key).or_insert(next);
                    }
                    space = scr.map.len();
                }
            }
        }
        space
    }

    #[allow(clippy::too_many_arguments)]
    fn tally_dense<T: Copy + Into<u32>>(
        &self,
        xs: &[T],
        ys: &[T],
        strata: usize,
        cx: usize,
        cy: usize,
        cells: usize,
        scr: &mut Scratch,
    ) -> Tally {
        // Rows are counted into LANES separate tables, then summed: consecutive rows often hit
        // the same cell, and one table would serialise on those read-modify-write chains.
        const LANES: usize = 4;
        scr.counts.clear();
        scr.counts.resize(cells * LANES, 0);
        let (cxu, cyu) = (cx as u32, cy as u32);
        let cell = |id: u32, xv: T, yv: T| ((id * cxu + xv.into()) * cyu + yv.into()) as usize;
        let ids = &scr.ids;
        let quads = ids.len() / LANES * LANES;
        {
            let (l0, rest) = scr.counts.split_at_mut(cells);
            let (l1, rest) = rest.split_at_mut(cells);
            let (l2, l3) = rest.split_at_mut(cells);
            for ((i, x), y) in
                ids[..quads].chunks_exact(LANES).zip(xs.chunks_exact(LANES)).zip(ys.chunks_exact(LANES))
            {
                l0[cell(i[0], x[0], y[0])] += 1;
                l1[cell(i[1], x[1], y[1])] += 1;
                l2[cell(i[2], x[2], y[2])] += 1;
                l3[cell(i[3], x[3], y[3])] += 1;
            }
            for r in quads..ids.len() {
                l0[cell(ids[r], xs[r], ys[r])] += 1;
            }
            for (c, v) in l0.iter_mut().enumerate() {
                *v += l1[c] + l2[c] + l3[c];
            }
        }
        scr.counts.truncate(cells);
        let mut tally = Tally::default();
        let pearson = self.stat == Statistic::PearsonChi2;
        for table in scr.counts.chunks_exact(cx * cy).take(strata) {
            tally.add_stratum(table, cy, &self.nlogn, pearson, &mut scr.nx, &mut scr.ny);
        }
        tally
    }

    /// Same statistics from sorted `(stratum, x, y)` keys, for tables too large to hold densely.
    fn tally_sorted<T: Copy + Into<u32>>(&self, xs: &[T], ys: &[T], scr: &mut Scratch) -> Tally {
        scr.triples.clear();
        scr.triples.extend(scr.ids.iter().zip(xs).zip(ys).map(|((&s, &x), &y)| (s, x.into(), y.into())));
        scr.triples.sort_unstable();
        scr.pairs.clear();
        scr.pairs.extend(scr.triples.iter().map(|&(s, _, y)| (s, y)));
        scr.pairs.sort_unstable();
        let count_y = |pairs: &[(u32, u32)], key: (u32, u32)| -> u32 {
            (pairs.partition_point(|p| *p <= key) - pairs.partition_point(|p| *p < key)) as u32
        };
        let (mut g2_terms, mut chi2, mut df) = (0.0, 0.0, 0.0);
        let t = &scr.triples;
        let mut i = 0;
        while i < t.len() {
            // One stratum: t[i..end].
            let s = t[i].0;
            let end = i + t[i..].partition_point(|v| v.0 == s);
            let ns = (end - i) as f64;
            let mut dx = 0.0;
            let mut chi_sum = 0.0;
            let mut j = i;
            while j < end {
                let xv = t[j].1;
                let xend = j + t[j..end].partition_point(|v| v.1 == xv);
                let nxs = (xend - j) as u32;
                g2_terms -= self.nlogn[nxs as usize];
                dx += 1.0;
                let mut k = j;
                while k < xend {
                    let yv = t[k].2;
                    let kend = k + t[k..xend].partition_point(|v| v.2 == yv);
                    let o = (kend - k) as u32;
                    g2_terms += self.nlogn[o as usize];
                    if self.stat == Statistic::PearsonChi2 {
                        let nys = count_y(&scr.pairs, (s, yv)) as f64;
                        chi_sum += (o as f64) * (o as f64) * ns / (nxs as f64 * nys);
                    }
                    k = kend;
                }
                j = xend;
            }
            // Y margins of this stratum from the (stratum, y) pairs.
            let lo = scr.pairs.partition_point(|p| p.0 < s);
            let hi = scr.pairs.partition_point(|p| p.0 <= s);
            let mut dy = 0.0;
            let mut k = lo;
            while k < hi {
                let yv = scr.pairs[k].1;
                let kend = k + scr.pairs[k..hi].partition_point(|p| p.1 == yv);
                g2_terms -= self.nlogn[kend - k];
                dy += 1.0;
                k = kend;
            }
            g2_terms += self.nlogn[end - i];
            df += (dx - 1.0) * (dy - 1.0);
            if self.stat == Statistic::PearsonChi2 {
                chi2 += chi_sum - ns;
            }
            i = end;
        }
        Tally { g2_terms, chi2, df }
    }
}

/// Re-indexes `ids` (values below `space`) densely in order of first appearance; returns the
/// number of distinct ids.
fn compress(ids: &mut [u32], space: usize, remap: &mut Vec<u32>, map: &mut HashMap<u64, u32>) -> usize {
    if space <= (1 << 24) {
        remap.clear();
        remap.resize(space, u32::MAX);
        let mut next = 0u32;
        for id in ids.iter_mut() {
            let slot = &mut remap[*id as usize];
            if *slot == u32::MAX {
                *slot = next;
                next += 1;
            }
            *id = *slot;
        }
        next as usize
    } else {
        map.clear();
        for id in ids.iter_mut() {
            let next = map.len() as u32;
            *id = *map.entry(*id as u64).or_insert(next);
        }
        map.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ci::{CiTest, Scratch, TestKind};
    use crate::rng::SplitMix64;

    /// Reference G² written the direct way (Σ O ln(O/E) with causal-learn's df rule).
    fn g2_reference(data: &[Vec<u32>], cards: &[u32], x: usize, y: usize, s: &[usize]) -> (f64, f64) {
        let n = data[0].len();
        let mut strata: HashMap<Vec<u32>, Vec<usize>> = HashMap::new();
        (0..n).for_each(|r| strata.entry(s.iter().map(|&v| data[v][r]).collect()).or_default().push(r));
        let (cx, cy) = (cards[x] as usize, cards[y] as usize);
        let (mut g2, mut df) = (0.0, 0.0);
        for rows in strata.values() {
            let mut o = vec![vec![0.0; cy]; cx];
            for &r in rows {
                o[data[x][r] as usize][data[y][r] as usize] += 1.0;
            }
            let nx: Vec<f64> = o.iter().map(|r| r.iter().sum()).collect();
            let ny: Vec<f64> = (0..cy).map(|j| o.iter().map(|r| r[j]).sum()).collect();
            let ns = rows.len() as f64;
            for i in 0..cx {
                for j in 0..cy {
                    if o[i][j] > 0.0 {
                        g2 += 2.0 * o[i][j] * (o[i][j] * ns / (nx[i] * ny[j])).ln();
                    }
                }
            }
            let dx = nx.iter().filter(|&&v| v > 0.0).count() as f64;
            let dy = ny.iter().filter(|&&v| v > 0.0).count() as f64;
            df += (dx - 1.0) * (dy - 1.0);
        }
        (g2, df)
    }

    #[test]
    fn all_counting_paths_match_the_reference() {
        let mut rng = SplitMix64::new(11);
        let cards = [3u32, 4, 2, 5];
        let n = 500;
        let mut data: Vec<Vec<u32>> =
            cards.iter().map(|&c| (0..n).map(|_| rng.below(c as usize) as u32).collect()).collect();
        // Make y depend on x, and make one level of x absent in some strata.
        let [x, y, z, _] = &mut data[..] else { unreachable!() };
        for ((xv, yv), zv) in x.iter_mut().zip(y.iter_mut()).zip(z.iter()) {
            if rng.next_f64() < 0.6 {
                *yv = *xv;
            }
            if *zv == 1 && *xv == 2 {
                *xv = 0;
            }
        }
        let cols: Vec<Vec<f64>> = data.iter().map(|c| c.iter().map(|&v| v as f64).collect()).collect();
        for stat in [Statistic::G2, Statistic::PearsonChi2] {
            let test = Contingency::new(stat, &cols).unwrap();
            let Codes::Narrow(codes) = &test.codes else { panic!("narrow codes expected") };
            let bits = test.bits.as_ref().expect("bitsets for small data");
            for s in [&[][..], &[2], &[2, 3], &[3, 2]] {
                let (g2, df) = g2_reference(&data, &cards, 0, 1, s);
                let mut scr = Scratch::default();
                if stat == Statistic::G2 {
                    let out = test.test(0, 1, s, &mut scr);
                    assert!((out.p_value - chi2_sf(g2, df)).abs() < 1e-12, "S={s:?}");
                }
                // Every counting path on the same input.
                let strata = test.strata(codes, s, &mut scr);
                let strata = compress(&mut scr.ids, strata, &mut scr.remap, &mut scr.map);
                let dense = test.tally_dense(&codes[0], &codes[1], strata, 3, 4, strata * 12, &mut scr);
                test.strata(codes, s, &mut scr);
                let sorted = test.tally_sorted(&codes[0], &codes[1], &mut scr);
                let bitsets = test.tally_bitsets(bits, 0, 1, s, &mut scr);
                for (name, t) in [("dense", &dense), ("sorted", &sorted), ("bitsets", &bitsets)] {
                    assert!((2.0 * t.g2_terms - g2).abs() < 1e-9, "{name} G² with S={s:?}");
                    assert_eq!(t.df, df, "{name} df with S={s:?}");
                    assert!((t.chi2 - dense.chi2).abs() < 1e-9, "{name} chi² with S={s:?}");
                }
            }
        }
    }

    #[test]
    fn pearson_chi2_on_a_2x2_table() {
        // Table [[30, 10], [10, 30]]: chi² = 20, df = 1.
        let mut x = Vec::new();
        let mut y = Vec::new();
        for (a, b, k) in [(0, 0, 30), (0, 1, 10), (1, 0, 10), (1, 1, 30)] {
            for _ in 0..k {
                x.push(a as f64);
                y.push(b as f64);
            }
        }
        let t = CiTest::new(TestKind::ChiSq, &[x.clone(), y.clone()], 1).unwrap();
        let o = t.test(0, 1, &[], &mut Scratch::default());
        assert!((o.effect * 80.0 - 20.0).abs() < 1e-9);
        assert!((o.p_value - chi2_sf(20.0, 1.0)).abs() < 1e-15);
        // G² of the same table: 2 Σ O ln(O/E) with E = 20 everywhere.
        let g = CiTest::new(TestKind::DisCi, &[x, y], 1).unwrap();
        let o = g.test(0, 1, &[], &mut Scratch::default());
        let g2 = 2.0 * (60.0 * 1.5f64.ln() + 20.0 * 0.5f64.ln());
        assert!((o.effect * 160.0 - g2).abs() < 1e-9);
    }

    #[test]
    fn bin_ci_uses_pcalg_degrees_of_freedom() {
        let mut rng = SplitMix64::new(5);
        let cols: Vec<Vec<f64>> = (0..3).map(|_| (0..400).map(|_| rng.below(2) as f64).collect()).collect();
        let t = CiTest::new(TestKind::BinCi, &cols, 1).unwrap();
        let o = t.test(0, 1, &[2], &mut Scratch::default());
        let g2 = o.effect * 800.0;
        assert!((o.p_value - chi2_sf(g2, 2.0)).abs() < 1e-12);
        // Too few rows for df = 2^|S| → p = 1, as pcalg.
        let small: Vec<Vec<f64>> = cols.iter().map(|c| c[..15].to_vec()).collect();
        let t = CiTest::new(TestKind::BinCi, &small, 1).unwrap();
        assert_eq!(t.test(0, 1, &[2], &mut Scratch::default()).p_value, 1.0);
        assert!(CiTest::new(TestKind::BinCi, &[vec![0.0, 1.0, 2.0]], 1).is_err());
    }
}
