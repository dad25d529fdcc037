//! What an estimate estimates: its *estimand*, as a weighted average of the cohort × period
//! effects ATT(g,t), over the very cells and with the very weights the estimator uses on
//! the panel it was given.
//!
//! Every estimator here is, in the population, a linear combination of ATT(g,t) cells (TWFE's
//! static β included, only with weights that are not the ones below: see [`super::twfe`]).
//! Writing the target as cells makes its truth one sum wherever the cells' true effects are
//! known (`crate::experiment`, where the world without adoption is simulated too), and makes
//! plain which cells an estimator could not use: with not-yet-treated controls and every place
//! adopting, Callaway–Sant'Anna has nothing to compare the last cohort with, so its estimand
//! leaves out every cell from the last adoption on, while the policy's effect (every treated
//! cell) does not.
//!
//! A cell's effect is the mean over the cohort's places in that period, so a cell weight
//! proportional to the cohort's size weights every treated place-period alike.

use std::collections::BTreeMap;

/// One (cohort, period) cell of an estimand with its weight. Weights of an estimand sum
/// to 1; a pre-adoption cell (time < group) stands for the placebo effect there.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cell {
    pub group: i64,
    pub time: i64,
    pub weight: f64,
}

/// An estimand from (group, time) → weight, merged and normalised to sum to 1, in (group,
/// time) order. Empty if every weight is 0.
pub fn normalised(weights: impl IntoIterator<Item = ((i64, i64), f64)>) -> Vec<Cell> {
    let mut merged: BTreeMap<(i64, i64), f64> = BTreeMap::new();
    for (cell, w) in weights {
        *merged.entry(cell).or_insert(0.0) += w;
    }
    let total: f64 = merged.values().sum();
    if total == 0.0 {
        return Vec::new();
    }
    merged
        .into_iter()
        .filter(|(_, w)| *w != 0.0)
        .map(|((group, time), w)| Cell {
            group,
            time,
            weight: w / total,
        })
        .collect()
}

/// The cells (group, time) weighted by their cohort's size (`size(group)`): every
/// place-period in them counts alike.
pub fn by_cohort_size(
    cells: impl IntoIterator<Item = (i64, i64)>,
    size: impl Fn(i64) -> f64,
) -> Vec<Cell> {
    normalised(cells.into_iter().map(|(g, t)| ((g, t), size(g))))
}

/// The estimand of Σ_k w_k·estimate_k / Σ_k w_k, from the estimands of its parts.
pub fn mix<'a>(parts: impl IntoIterator<Item = (&'a [Cell], f64)>) -> Vec<Cell> {
    normalised(
        parts
            .into_iter()
            .flat_map(|(cells, w)| cells.iter().map(move |c| ((c.group, c.time), c.weight * w))),
    )
}

/// The estimand's value when the cells' effects are `effect(group, time)`: Σ w·ATT(g,t).
/// NaN for an empty estimand (or where a cell's effect is NaN).
pub fn value(cells: &[Cell], effect: impl Fn(i64, i64) -> f64) -> f64 {
    if cells.is_empty() {
        return f64::NAN;
    }
    cells
        .iter()
        .map(|c| c.weight * effect(c.group, c.time))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_are_merged_normalised_and_ordered() {
        let e = normalised([((2, 5), 1.0), ((1, 3), 2.0), ((2, 5), 1.0), ((3, 3), 0.0)]);
        assert_eq!(
            e,
            vec![
                Cell {
                    group: 1,
                    time: 3,
                    weight: 0.5
                },
                Cell {
                    group: 2,
                    time: 5,
                    weight: 0.5
                },
            ]
        );
        assert!(normalised([((1, 1), 0.0)]).is_empty());
    }

    #[test]
    fn a_mix_of_estimands_is_the_estimand_of_the_mix() {
        let a = by_cohort_size([(1, 1), (2, 2)], |g| g as f64); // 1/3, 2/3
        let b = normalised([((1, 1), 1.0)]);
        let m = mix([(a.as_slice(), 1.0), (b.as_slice(), 1.0)]);
        let effect = |g: i64, t: i64| (10 * g + t) as f64;
        let direct = (value(&a, effect) + value(&b, effect)) / 2.0;
        assert!((value(&m, effect) - direct).abs() < 1e-12);
        assert!(value(&[], effect).is_nan());
    }
}
