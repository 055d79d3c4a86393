//! Small-cell suppression of the figures members share (indicator sets).
//!
//! The figures of one indicator form a cube: members × categories × periods, with every
//! margin (a member's total, a category's total, a period's total, the totals over all
//! periods, the grand total). Every cell of the cube, margins included, is published, so the
//! suppression is decided over the cube as a whole: a small cell must not be recovered from
//! any published table, nor from the difference of two (a year's total less three quarters
//! gives the fourth).
//!
//! 1. **Primary suppression**: every cell below the threshold is withheld (shown as "< 5").
//! 2. **Complementary suppression**, until nothing changes:
//!    - in every line (a total and its parts along one dimension) where a withheld part sits
//!      beside a published total, the withheld parts together must be at least the threshold
//!      and no withheld small part may be pinned to one value by the line alone (knowing that
//!      small cells are below the threshold and the others are not);
//!    - a line with exactly one withheld cell gives it away: another is withheld;
//!    - no withheld small cell may be determined by the published cells through the linear
//!      system of all lines together (checked exactly, over a prime field).
//!
//!    Each time, the smallest published part of an offending line is withheld (its total when
//!    no part is left).
//!
//! What an attacker may still learn is an interval, never a small cell's value; intervals
//! narrowed by several lines at once (linear programming over the bounds) are not bounded
//! beyond that.

use std::collections::{BTreeMap, HashMap, HashSet};

/// A coordinate of the cube: an index per dimension, `None` for the dimension's total.
pub type Coord = [Option<usize>; 3];

/// How a published cell reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    /// Shown as is.
    Shown(u64),
    /// Below the threshold: withheld ("< 5").
    Small,
    /// Withheld so that a small cell cannot be recovered from it ("n.d.").
    Protecting,
}

/// The base figures of a cube (absent cells were not reported) and its sizes.
#[derive(Debug, Clone, Default)]
pub struct Cube {
    pub sizes: [usize; 3],
    pub base: HashMap<[usize; 3], u64>,
}

/// A line of the cube: a total and its present parts along one dimension.
#[derive(Debug, Clone)]
pub struct Line {
    pub total: Coord,
    pub parts: Vec<Coord>,
}

impl Cube {
    /// Every present cell (margins included) and its value.
    pub fn cells(&self) -> HashMap<Coord, u64> {
        let mut cells: HashMap<Coord, u64> = HashMap::new();
        for (at, value) in &self.base {
            for mask in 0..8u8 {
                let coord: Coord = std::array::from_fn(|d| (mask & (1 << d) == 0).then_some(at[d]));
                *cells.entry(coord).or_default() += value;
            }
        }
        cells
    }

    /// Every line with at least one part: along each dimension, for every coordinate of the
    /// other two (totals included).
    pub fn lines(&self, cells: &HashMap<Coord, u64>) -> Vec<Line> {
        let mut lines: BTreeMap<(usize, Coord), Vec<Coord>> = BTreeMap::new();
        for coord in cells.keys() {
            for d in 0..3 {
                if coord[d].is_some() {
                    let mut total = *coord;
                    total[d] = None;
                    lines.entry((d, total)).or_default().push(*coord);
                }
            }
        }
        lines
            .into_iter()
            .map(|((_, total), mut parts)| {
                parts.sort();
                Line { total, parts }
            })
            .collect()
    }
}

/// Decides which cells of `cube` are shown, given the threshold `t` (cells below it are
/// small).
pub fn suppress(cube: &Cube, t: u64) -> HashMap<Coord, Cell> {
    let cells = cube.cells();
    let lines = cube.lines(&cells);
    let small: HashSet<Coord> = cells
        .iter()
        .filter(|(_, v)| **v < t)
        .map(|(c, _)| *c)
        .collect();
    let mut withheld: HashSet<Coord> = small.clone();
    loop {
        let mut offending = lines
            .iter()
            .find(|line| line_gives_away(line, &cells, &small, &withheld, t));
        if offending.is_none() {
            let open = |l: &&Line| {
                l.parts
                    .iter()
                    .chain([&l.total])
                    .any(|x| !withheld.contains(x))
            };
            let determined: Vec<Coord> = determined_cells(&lines, &withheld)
                .into_iter()
                .filter(|c| small.contains(c))
                .collect();
            offending = determined.iter().find_map(|c| {
                lines
                    .iter()
                    .filter(open)
                    .find(|l| l.total == *c || l.parts.contains(c))
            });
            if offending.is_none() && !determined.is_empty() {
                // Every line through the small cell is withheld already, yet the others
                // determine it: withhold more where published and withheld cells meet, the
                // smallest first.
                offending = lines
                    .iter()
                    .filter(open)
                    .filter(|l| {
                        l.parts
                            .iter()
                            .chain([&l.total])
                            .any(|x| withheld.contains(x))
                    })
                    .min_by_key(|l| {
                        l.parts
                            .iter()
                            .chain([&l.total])
                            .filter(|x| !withheld.contains(*x))
                            .map(|x| cells[x])
                            .min()
                    });
            }
        }
        let Some(line) = offending else { break };
        let next = line
            .parts
            .iter()
            .filter(|c| !withheld.contains(*c))
            .min_by_key(|c| (cells[*c], **c))
            .copied()
            .or_else(|| (!withheld.contains(&line.total)).then_some(line.total));
        match next {
            Some(c) => {
                withheld.insert(c);
            }
            // Everything in the line is withheld already: nothing more can be done there.
            None => break,
        }
    }
    cells
        .iter()
        .map(|(c, v)| {
            let cell = if small.contains(c) {
                Cell::Small
            } else if withheld.contains(c) {
                Cell::Protecting
            } else {
                Cell::Shown(*v)
            };
            (*c, cell)
        })
        .collect()
}

/// Whether the line alone gives a withheld small cell away (or leaves one withheld cell
/// beside a published total), with something left in it to withhold.
pub fn line_gives_away(
    line: &Line,
    cells: &HashMap<Coord, u64>,
    small: &HashSet<Coord>,
    withheld: &HashSet<Coord>,
    t: u64,
) -> bool {
    let members: Vec<&Coord> = line.parts.iter().chain([&line.total]).collect();
    let hidden = members.iter().filter(|c| withheld.contains(**c)).count();
    if hidden == members.len() {
        return false;
    }
    if hidden == 1 {
        return true;
    }
    if withheld.contains(&line.total) {
        return false;
    }
    let hidden_parts: Vec<&Coord> = line
        .parts
        .iter()
        .filter(|c| withheld.contains(*c))
        .collect();
    let small_parts = hidden_parts.iter().filter(|c| small.contains(**c)).count() as u64;
    if small_parts == 0 {
        return false;
    }
    let sum: u64 = hidden_parts.iter().map(|c| cells[*c]).sum();
    if sum < t {
        return true;
    }
    // What the line says of one small part, knowing the others are below t and the
    // protecting ones at least t.
    let protecting = hidden_parts.len() as u64 - small_parts;
    let low = if protecting > 0 {
        0
    } else {
        sum.saturating_sub((t - 1) * (small_parts - 1))
    };
    let high = (t - 1).min(sum.saturating_sub(t * protecting));
    high <= low
}

const P: u128 = (1 << 61) - 1;

fn inverse(a: u128) -> u128 {
    // Fermat: a^(P-2) mod P.
    let (mut base, mut exp, mut acc) = (a % P, P - 2, 1u128);
    while exp > 0 {
        if exp & 1 == 1 {
            acc = acc * base % P;
        }
        base = base * base % P;
        exp >>= 1;
    }
    acc
}

/// The withheld cells whose value the published cells determine through the lines (each line
/// says total = sum of parts): exactly those whose row of the reduced system has no other
/// unknown. Exact arithmetic modulo a 61-bit prime.
pub fn determined_cells(lines: &[Line], withheld: &HashSet<Coord>) -> Vec<Coord> {
    let mut unknowns: Vec<Coord> = withheld.iter().copied().collect();
    unknowns.sort();
    let index: HashMap<Coord, usize> = unknowns.iter().enumerate().map(|(i, c)| (*c, i)).collect();
    let n = unknowns.len();
    let mut rows: Vec<Vec<u128>> = Vec::new();
    for line in lines {
        let mut row = vec![0u128; n];
        let mut any = false;
        if let Some(&i) = index.get(&line.total) {
            row[i] = 1;
            any = true;
        }
        for part in &line.parts {
            if let Some(&i) = index.get(part) {
                row[i] = (row[i] + P - 1) % P;
                any = true;
            }
        }
        if any {
            rows.push(row);
        }
    }
    // Reduced row echelon form.
    let mut pivot_row = 0;
    let mut pivots = Vec::new();
    for col in 0..n {
        let Some(found) = (pivot_row..rows.len()).find(|&r| rows[r][col] != 0) else {
            continue;
        };
        rows.swap(pivot_row, found);
        let inv = inverse(rows[pivot_row][col]);
        for x in rows[pivot_row].iter_mut() {
            *x = *x * inv % P;
        }
        let pivot = rows[pivot_row].clone();
        for (r, row) in rows.iter_mut().enumerate() {
            if r != pivot_row && row[col] != 0 {
                let factor = row[col];
                for (x, p) in row.iter_mut().zip(&pivot) {
                    *x = (*x + P - factor * p % P) % P;
                }
            }
        }
        pivots.push((pivot_row, col));
        pivot_row += 1;
        if pivot_row == rows.len() {
            break;
        }
    }
    pivots
        .into_iter()
        .filter(|(r, col)| {
            rows[*r]
                .iter()
                .enumerate()
                .all(|(c, x)| c == *col || *x == 0)
        })
        .map(|(_, col)| unknowns[col])
        .collect()
}
