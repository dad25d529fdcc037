//! A panel of places over consecutive periods, with each place's adoption cohort and,
//! optionally, covariates.
//!
//! Balance is required unless asked otherwise, not repaired: the regression estimators
//! exploit it (the two-way within-transformation is exact only on a balanced panel, and
//! Callaway–Sant'Anna's panel estimator follows each place from its base period), and
//! silently dropping places would change what is estimated. So [`Panel::new`] refuses a
//! panel with a missing or repeated (place, period), listing every missing one (up to
//! [`MAX_MISSING_LISTED`], with the true count), a non-finite outcome, a place with two
//! cohorts, gaps between periods, or a place treated from the first period on (it has no
//! period before adoption; R's `did` drops such places with a warning). A cohort after the
//! last period is treated as never treated within the panel, as `did` does.
//!
//! [`Panel::build`] also takes covariates (one value per covariate on every row; they may
//! vary over time, and each estimator says which period's value it uses) and can accept an
//! unbalanced panel (R `did`'s `allow_unbalanced_panel`): missing (place, period) cells are
//! then kept as not observed (NaN), and only the estimators that handle them run on it
//! (Callaway–Sant'Anna; the others refuse with [`crate::did::DidError::Unbalanced`]).

use std::collections::BTreeMap;

/// How many missing (place, period) cells [`PanelError::Missing`] names; the rest are counted.
pub const MAX_MISSING_LISTED: usize = 20;

/// One observation: a place in a period. `cohort` is the first period the place is treated
/// (None: never treated); it must be the same on every row of a place.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Row {
    pub place: u32,
    pub time: i64,
    pub cohort: Option<i64>,
    pub y: f64,
}

/// Why rows do not make a balanced panel; each names the place and period.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PanelError {
    #[error("the panel has no rows")]
    Empty,
    #[error("the panel has one period ({time}); a difference needs at least two")]
    OnePeriod { time: i64 },
    #[error("place {place}, period {time}: the outcome {value} is not a finite number")]
    NotFinite { place: u32, time: i64, value: f64 },
    #[error("place {place}, period {time}: appears twice")]
    Duplicate { place: u32, time: i64 },
    #[error(
        "{total} place-periods are missing (the panel must be balanced: every place in every \
         period, unless unbalanced panels are allowed): {}{}",
        missing.iter().map(|(p, t)| format!("place {p} period {t}")).collect::<Vec<_>>().join(", "),
        if *total > missing.len() { format!(", and {} more", total - missing.len()) } else { String::new() }
    )]
    Missing {
        /// The first [`MAX_MISSING_LISTED`] missing cells, by place then period.
        missing: Vec<(u32, i64)>,
        /// How many are missing in all.
        total: usize,
    },
    #[error("place {place}, period {time}: covariate {name} is {value}, not a finite number")]
    CovariateNotFinite {
        place: u32,
        time: i64,
        name: String,
        value: f64,
    },
    #[error("place {place}: two cohorts, {first} and {second}; a place adopts once")]
    TwoCohorts {
        place: u32,
        first: String,
        second: String,
    },
    #[error(
        "periods {before} and {after} are not consecutive; periods must be consecutive \
         integers (if periods are skipped on purpose, renumber the periods and the cohorts \
         together, so that each cohort still names its first treated period)"
    )]
    Gap { before: i64, after: i64 },
    #[error(
        "place {place}: cohort {cohort} is at or before the first period {first}, so it has no \
         period before adoption; drop the place or start the panel earlier"
    )]
    AlwaysTreated { place: u32, cohort: i64, first: i64 },
}

/// A panel: `places × times` outcomes, place-major (NaN: not observed, only in a panel built
/// as unbalanced), and `places × times × covariates` covariate values in the same order.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    places: Vec<u32>,
    times: Vec<i64>,
    cohorts: Vec<Option<i64>>,
    y: Vec<f64>,
    covariates: Vec<String>,
    x: Vec<f64>,
    balanced: bool,
}

fn cohort_text(c: Option<i64>) -> String {
    c.map_or_else(|| "never".to_string(), |c| c.to_string())
}

impl Panel {
    /// Builds a balanced panel without covariates from rows in any order; see the module for
    /// what is refused.
    pub fn new(rows: Vec<Row>) -> Result<Panel, PanelError> {
        Panel::build(rows, Vec::new(), Vec::new(), false)
    }

    /// Builds the panel from rows in any order with covariates `names` (`values[i]` holds row
    /// i's values, one per name; empty when there are no covariates). With
    /// `allow_unbalanced`, missing (place, period) cells are kept as not observed instead of
    /// refused.
    pub fn build(
        rows: Vec<Row>,
        names: Vec<String>,
        values: Vec<Vec<f64>>,
        allow_unbalanced: bool,
    ) -> Result<Panel, PanelError> {
        let k = names.len();
        assert!(
            k == 0 || values.len() == rows.len(),
            "one covariate row per panel row"
        );
        if rows.is_empty() {
            return Err(PanelError::Empty);
        }
        let mut times: Vec<i64> = rows.iter().map(|r| r.time).collect();
        times.sort_unstable();
        times.dedup();
        for w in times.windows(2) {
            if w[1] != w[0] + 1 {
                return Err(PanelError::Gap {
                    before: w[0],
                    after: w[1],
                });
            }
        }
        if times.len() < 2 {
            return Err(PanelError::OnePeriod { time: times[0] });
        }
        let first = times[0];
        let last = *times.last().expect("not empty");
        let n_times = times.len();
        // Place → (cohort, outcomes by period index, covariates by period index).
        type Slots = (Option<i64>, Vec<Option<f64>>, Vec<f64>);
        let mut by_place: BTreeMap<u32, Slots> = BTreeMap::new();
        for (i, r) in rows.iter().enumerate() {
            if !r.y.is_finite() {
                return Err(PanelError::NotFinite {
                    place: r.place,
                    time: r.time,
                    value: r.y,
                });
            }
            let entry = by_place
                .entry(r.place)
                .or_insert_with(|| (r.cohort, vec![None; n_times], vec![f64::NAN; n_times * k]));
            if entry.0 != r.cohort {
                return Err(PanelError::TwoCohorts {
                    place: r.place,
                    first: cohort_text(entry.0),
                    second: cohort_text(r.cohort),
                });
            }
            let ti = (r.time - first) as usize;
            let slot = &mut entry.1[ti];
            if slot.is_some() {
                return Err(PanelError::Duplicate {
                    place: r.place,
                    time: r.time,
                });
            }
            *slot = Some(r.y);
            for (j, name) in names.iter().enumerate() {
                let v = values[i][j];
                if !v.is_finite() {
                    return Err(PanelError::CovariateNotFinite {
                        place: r.place,
                        time: r.time,
                        name: name.clone(),
                        value: v,
                    });
                }
                entry.2[ti * k + j] = v;
            }
        }
        let mut panel = Panel {
            places: Vec::with_capacity(by_place.len()),
            times: times.clone(),
            cohorts: Vec::with_capacity(by_place.len()),
            y: Vec::with_capacity(by_place.len() * n_times),
            covariates: names,
            x: Vec::with_capacity(by_place.len() * n_times * k),
            balanced: true,
        };
        let mut missing = Vec::new();
        let mut total = 0;
        for (place, (cohort, ys, xs)) in by_place {
            if let Some(c) = cohort.filter(|&c| c <= first) {
                return Err(PanelError::AlwaysTreated {
                    place,
                    cohort: c,
                    first,
                });
            }
            panel.places.push(place);
            panel.cohorts.push(cohort.filter(|&c| c <= last));
            for (ti, y) in ys.into_iter().enumerate() {
                if y.is_none() {
                    total += 1;
                    if missing.len() < MAX_MISSING_LISTED {
                        missing.push((place, times[ti]));
                    }
                }
                panel.y.push(y.unwrap_or(f64::NAN));
            }
            panel.x.extend(xs);
        }
        if total > 0 {
            if !allow_unbalanced {
                return Err(PanelError::Missing { missing, total });
            }
            panel.balanced = false;
        }
        Ok(panel)
    }

    /// Whether every place is observed in every period.
    pub fn is_balanced(&self) -> bool {
        self.balanced
    }

    /// Whether place index `p` is observed in period index `t` (always, when balanced).
    pub fn observed(&self, p: usize, t: usize) -> bool {
        !self.y(p, t).is_nan()
    }

    /// The covariates' names (empty: none).
    pub fn covariates(&self) -> &[String] {
        &self.covariates
    }

    /// The covariates of place index `p` in period index `t`, in the order of
    /// [`Panel::covariates`] (NaN where the place is not observed).
    pub fn x(&self, p: usize, t: usize) -> &[f64] {
        let k = self.covariates.len();
        let at = (p * self.times.len() + t) * k;
        &self.x[at..at + k]
    }

    /// The places' ids, ascending; place index `p` is `places()[p]`.
    pub fn places(&self) -> &[u32] {
        &self.places
    }

    /// The periods, consecutive and ascending.
    pub fn times(&self) -> &[i64] {
        &self.times
    }

    pub fn n_places(&self) -> usize {
        self.places.len()
    }

    pub fn n_times(&self) -> usize {
        self.times.len()
    }

    /// The cohort of place index `p` (None: never treated within the panel).
    pub fn cohort(&self, p: usize) -> Option<i64> {
        self.cohorts[p]
    }

    pub fn cohorts(&self) -> &[Option<i64>] {
        &self.cohorts
    }

    /// The outcome of place index `p` in period index `t` (NaN: not observed).
    pub fn y(&self, p: usize, t: usize) -> f64 {
        self.y[p * self.times.len() + t]
    }

    /// The outcomes, place-major (place index × period index).
    pub fn outcomes(&self) -> &[f64] {
        &self.y
    }

    /// The treated cohorts, ascending, each with its number of places.
    pub fn cohort_sizes(&self) -> Vec<(i64, usize)> {
        let mut sizes: BTreeMap<i64, usize> = BTreeMap::new();
        for c in self.cohorts.iter().flatten() {
            *sizes.entry(*c).or_default() += 1;
        }
        sizes.into_iter().collect()
    }

    /// Whether any place is never treated within the panel.
    pub fn has_never_treated(&self) -> bool {
        self.cohorts.iter().any(Option::is_none)
    }

    /// Whether place index `p` is treated in period `time`.
    pub fn treated(&self, p: usize, time: i64) -> bool {
        self.cohorts[p].is_some_and(|c| time >= c)
    }

    /// The panel cut to the periods before `cutoff`; cohorts from `cutoff` on become never
    /// treated. What `did` does with the not-yet-treated comparison when no place is never
    /// treated, and Sun–Abraham with the last-treated cohort as control: that cohort serves
    /// as never treated over the periods before it adopts.
    pub(crate) fn before(&self, cutoff: i64) -> Panel {
        self.cut(cutoff, cutoff)
    }

    /// The panel cut to the periods before `cutoff`, with cohorts from `never_from` on
    /// becoming never treated (`did` with anticipation K cuts at the last cohort − K but
    /// keeps the cohorts before the last as treated).
    pub(crate) fn cut(&self, cutoff: i64, never_from: i64) -> Panel {
        let keep = self.times.iter().take_while(|&&t| t < cutoff).count();
        let n = self.times.len();
        let k = self.covariates.len();
        let y: Vec<f64> = (0..self.places.len())
            .flat_map(|p| self.y[p * n..p * n + keep].iter().copied())
            .collect();
        Panel {
            places: self.places.clone(),
            times: self.times[..keep].to_vec(),
            cohorts: self
                .cohorts
                .iter()
                .map(|c| c.filter(|&c| c < never_from))
                .collect(),
            balanced: !y.iter().any(|v| v.is_nan()),
            y,
            covariates: self.covariates.clone(),
            x: (0..self.places.len())
                .flat_map(|p| self.x[p * n * k..(p * n + keep) * k].iter().copied())
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(place: u32, time: i64, cohort: Option<i64>, y: f64) -> Row {
        Row {
            place,
            time,
            cohort,
            y,
        }
    }

    fn square(places: u32, times: i64) -> Vec<Row> {
        (0..places)
            .flat_map(|p| {
                (1..=times).map(move |t| row(p, t, (p == 0).then_some(2), p as f64 + t as f64))
            })
            .collect()
    }

    #[test]
    fn a_balanced_panel_is_read_in_any_order() {
        let mut rows = square(3, 4);
        rows.reverse();
        let panel = Panel::new(rows).unwrap();
        assert_eq!(panel.places(), &[0, 1, 2]);
        assert_eq!(panel.times(), &[1, 2, 3, 4]);
        assert_eq!(panel.y(2, 1), 4.0);
        assert_eq!(panel.cohort_sizes(), vec![(2, 1)]);
        assert!(panel.treated(0, 2) && !panel.treated(0, 1) && !panel.treated(1, 4));
    }

    #[test]
    fn each_flaw_is_refused_naming_place_and_period() {
        let mut rows = square(3, 4);
        rows.remove(5);
        assert_eq!(
            Panel::new(rows).unwrap_err(),
            PanelError::Missing {
                missing: vec![(1, 2)],
                total: 1
            }
        );
        let mut rows = square(3, 4);
        rows.push(row(2, 3, None, 1.0));
        assert_eq!(
            Panel::new(rows).unwrap_err(),
            PanelError::Duplicate { place: 2, time: 3 }
        );
        let mut rows = square(3, 4);
        rows[6].y = f64::NAN;
        let e = Panel::new(rows).unwrap_err();
        assert!(e.to_string().starts_with("place 1, period 3:"), "{e}");
        let mut rows = square(3, 4);
        rows[1].cohort = Some(3);
        assert!(matches!(
            Panel::new(rows).unwrap_err(),
            PanelError::TwoCohorts { place: 0, .. }
        ));
        let rows: Vec<Row> = [1, 2, 4].iter().map(|&t| row(0, t, None, 0.0)).collect();
        assert_eq!(
            Panel::new(rows).unwrap_err(),
            PanelError::Gap {
                before: 2,
                after: 4
            }
        );
        let mut rows = square(3, 4);
        for r in rows.iter_mut().filter(|r| r.place == 0) {
            r.cohort = Some(1);
        }
        assert!(matches!(
            Panel::new(rows).unwrap_err(),
            PanelError::AlwaysTreated { place: 0, .. }
        ));
    }

    #[test]
    fn every_missing_cell_is_counted_and_the_first_ones_named_or_kept_when_allowed() {
        // 30 places over 4 periods, all but place 0 missing period 3: 29 missing, 20 named.
        let rows: Vec<Row> = square(30, 4)
            .into_iter()
            .filter(|r| r.time != 3 || r.place == 0)
            .collect();
        let Err(PanelError::Missing { missing, total }) = Panel::new(rows.clone()) else {
            panic!("refused")
        };
        assert_eq!(total, 29);
        assert_eq!(missing.len(), MAX_MISSING_LISTED);
        assert_eq!(missing[..2], [(1, 3), (2, 3)]);
        let e = Panel::new(rows.clone()).unwrap_err().to_string();
        assert!(e.ends_with(", and 9 more"), "{e}");
        let values: Vec<Vec<f64>> = rows.iter().map(|r| vec![r.time as f64]).collect();
        let panel = Panel::build(rows, vec!["z".into()], values, true).unwrap();
        assert!(!panel.is_balanced());
        assert!(panel.observed(4, 1) && !panel.observed(4, 2));
        assert!(panel.y(4, 2).is_nan());
        assert_eq!(panel.x(4, 3), &[4.0]);
        // Cutting before period 3 leaves a balanced panel.
        assert!(panel.before(3).is_balanced());
    }

    #[test]
    fn a_cohort_after_the_panel_is_never_treated_and_before_cuts() {
        let mut rows = square(3, 4);
        for r in rows.iter_mut().filter(|r| r.place == 1) {
            r.cohort = Some(9);
        }
        let panel = Panel::new(rows).unwrap();
        assert_eq!(panel.cohort(1), None);
        let cut = panel.before(2);
        assert_eq!(cut.times(), &[1]);
        assert_eq!(cut.cohort(0), None);
        assert_eq!(cut.y(2, 0), 3.0);
    }
}
