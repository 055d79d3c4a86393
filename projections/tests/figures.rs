//! Small-cell suppression as a property: for random figures (many small, some not reported),
//! no published table of an indicator (per member, per category, the totals, over each period
//! and over all of them, and so their differences) gives a small cell away. Checked here by
//! means of our own: exact rational elimination over the same lines, and each line's bounds
//! worked out by enumeration.

use std::collections::{HashMap, HashSet};

use num_rational::BigRational;
use num_traits::{One, Zero};
use projections::figures::{suppress, Cell, Coord, Cube, Line};
use proptest::prelude::*;

/// The withheld cells the published ones determine, by Gauss-Jordan over the rationals.
fn determined(lines: &[Line], withheld: &HashSet<Coord>) -> HashSet<Coord> {
    let unknowns: Vec<Coord> = withheld.iter().copied().collect();
    let n = unknowns.len();
    let at = |c: &Coord| unknowns.iter().position(|u| u == c);
    let mut rows: Vec<Vec<BigRational>> = vec![];
    for line in lines {
        let mut row = vec![BigRational::zero(); n];
        if let Some(i) = at(&line.total) {
            row[i] += BigRational::one();
        }
        for part in &line.parts {
            if let Some(i) = at(part) {
                row[i] -= BigRational::one();
            }
        }
        if row.iter().any(|x| !x.is_zero()) {
            rows.push(row);
        }
    }
    let mut r = 0;
    let mut pivots = vec![];
    for col in 0..n {
        let Some(found) = (r..rows.len()).find(|&i| !rows[i][col].is_zero()) else {
            continue;
        };
        rows.swap(r, found);
        let pivot = rows[r][col].clone();
        for x in rows[r].iter_mut() {
            *x = x.clone() / pivot.clone();
        }
        let pivot_row = rows[r].clone();
        for (i, row) in rows.iter_mut().enumerate() {
            if i != r && !row[col].is_zero() {
                let factor = row[col].clone();
                for (x, p) in row.iter_mut().zip(&pivot_row) {
                    *x = x.clone() - factor.clone() * p.clone();
                }
            }
        }
        pivots.push((r, col));
        r += 1;
    }
    pivots
        .into_iter()
        .filter(|(row, col)| (0..n).all(|c| c == *col || rows[*row][c].is_zero()))
        .map(|(_, col)| unknowns[col])
        .collect()
}

fn cube_strategy() -> impl Strategy<Value = Cube> {
    (1usize..=5, 1usize..=4, 1usize..=4).prop_flat_map(|(m, c, p)| {
        let cells = m * c * p;
        proptest::collection::vec(
            prop_oneof![
                3 => 0u64..5,
                2 => 5u64..15,
                1 => 15u64..200,
                1 => Just(u64::MAX),
            ],
            cells,
        )
        .prop_map(move |values| {
            let mut cube = Cube {
                sizes: [m, c, p],
                base: HashMap::new(),
            };
            let mut i = 0;
            for a in 0..m {
                for b in 0..c {
                    for d in 0..p {
                        // u64::MAX stands for "not reported".
                        if values[i] != u64::MAX {
                            cube.base.insert([a, b, d], values[i]);
                        }
                        i += 1;
                    }
                }
            }
            cube
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn no_published_table_gives_a_small_cell_away(cube in cube_strategy(), t in 3u64..=6) {
        let published = suppress(&cube, t);
        let cells = cube.cells();
        prop_assert_eq!(published.len(), cells.len());
        // Every cell below the threshold is withheld as small; nothing shown is below it.
        for (coord, cell) in &published {
            match cell {
                Cell::Shown(v) => {
                    prop_assert!(*v >= t, "{coord:?} shown with {v}");
                    prop_assert_eq!(*v, cells[coord]);
                }
                Cell::Small => prop_assert!(cells[coord] < t),
                Cell::Protecting => prop_assert!(cells[coord] >= t),
            }
        }
        let withheld: HashSet<Coord> = published
            .iter()
            .filter(|(_, c)| !matches!(c, Cell::Shown(_)))
            .map(|(c, _)| *c)
            .collect();
        let small: HashSet<Coord> = published
            .iter()
            .filter(|(_, c)| matches!(c, Cell::Small))
            .map(|(c, _)| *c)
            .collect();
        let lines = cube.lines(&cells);
        // No small cell is determined by every published cell together (totals, margins and
        // their differences across periods are all among the lines).
        let found = determined(&lines, &withheld);
        for c in &small {
            prop_assert!(!found.contains(c), "small cell {:?} = {} is determined", c, cells[c]);
        }
        // No line alone pins a small cell to one value, knowing small cells are below t and
        // the protecting ones are not.
        for line in &lines {
            if withheld.contains(&line.total) {
                continue;
            }
            let hidden: Vec<&Coord> = line.parts.iter().filter(|c| withheld.contains(*c)).collect();
            let sum: u64 = hidden.iter().map(|c| cells[*c]).sum();
            for x in hidden.iter().filter(|c| small.contains(**c)) {
                let others: Vec<&&Coord> = hidden.iter().filter(|c| *c != x).collect();
                let feasible = (0..t).filter(|v| {
                    let rest = sum as i64 - *v as i64;
                    let low: i64 = others.iter().map(|c| if small.contains(**c) { 0 } else { t as i64 }).sum();
                    let unbounded = others.iter().any(|c| !small.contains(**c));
                    let high: i64 = others.iter().map(|c| if small.contains(**c) { t as i64 - 1 } else { 0 }).sum();
                    rest >= low && (unbounded || rest <= high)
                }).count();
                prop_assert!(feasible >= 2, "small cell {:?} = {} pinned by line {:?}", x, cells[*x], line.total);
            }
        }
    }
}

/// The worked example of the documentation: a year in two halves, two members, one small
/// cell; its row, its column and the year's totals would each give it away alone.
#[test]
fn a_small_cell_is_protected_in_its_row_column_and_across_periods() {
    let mut cube = Cube {
        sizes: [2, 2, 2],
        base: HashMap::new(),
    };
    for (at, v) in [
        ([0, 0, 0], 3),
        ([0, 1, 0], 20),
        ([1, 0, 0], 12),
        ([1, 1, 0], 30),
        ([0, 0, 1], 9),
        ([0, 1, 1], 25),
        ([1, 0, 1], 14),
        ([1, 1, 1], 40),
    ] {
        cube.base.insert(at, v);
    }
    let published = suppress(&cube, 5);
    assert_eq!(published[&[Some(0), Some(0), Some(0)]], Cell::Small);
    let withheld = published
        .values()
        .filter(|c| !matches!(c, Cell::Shown(_)))
        .count();
    assert!(withheld >= 4, "only {withheld} cells withheld");
    let cells = cube.cells();
    let lines = cube.lines(&cells);
    let hidden: HashSet<Coord> = published
        .iter()
        .filter(|(_, c)| !matches!(c, Cell::Shown(_)))
        .map(|(c, _)| *c)
        .collect();
    assert!(!determined(&lines, &hidden).contains(&[Some(0), Some(0), Some(0)]));
    // Without complementary suppression the cell is recovered from its row's total.
    let only_small: HashSet<Coord> = [[Some(0), Some(0), Some(0)]].into();
    assert!(determined(&lines, &only_small).contains(&[Some(0), Some(0), Some(0)]));
}
