//! The Goodman-Bacon (2021) decomposition of static TWFE, "Difference-in-differences with
//! variation in treatment timing", *J. Econometrics* 225(2): 254–277: on a balanced panel
//! the TWFE coefficient β is a weighted average of every simple 2×2 difference-in-differences
//! between two timing groups, with weights that are positive and sum to one:
//!
//! - **treated vs never treated** (cohort k against the never-treated places U), over every
//!   period: k's change from before adoption to after, less U's;
//! - **earlier vs later** (cohort k against a later cohort l that has not adopted yet), over
//!   the periods before l adopts: k's change from before k adopts to between k and l, less
//!   l's;
//! - **later vs earlier** (cohort l against the earlier cohort k, already treated), over the
//!   periods from k's adoption on: l's change from between k and l to after l adopts, less
//!   k's. Its control group is itself treated, so a change in k's effect over time biases
//!   it: this is the comparison the newer estimators leave out.
//!
//! Weights (Goodman-Bacon's eq. 10–11), with `n_k` the share of places in cohort k, `D̄_k` the
//! share of periods it is treated, `n_kl = n_k/(n_k + n_l)` and `V̂_D` the variance of the
//! treatment dummy after removing place and period means:
//!
//! - `s_kU = (n_k + n_U)² n_kU(1 − n_kU) D̄_k(1 − D̄_k) / V̂_D`
//! - `s_kl^k = ((n_k + n_l)(1 − D̄_l))² n_kl(1 − n_kl) (D̄_k − D̄_l)/(1 − D̄_l) · (1 − D̄_k)/(1 − D̄_l) / V̂_D`
//! - `s_kl^l = ((n_k + n_l) D̄_k)² n_kl(1 − n_kl) D̄_l/D̄_k · (D̄_k − D̄_l)/D̄_k / V̂_D`
//!
//! The weights sum to one and `Σ s·β̂ = β̂_TWFE` exactly; both are checked in the tests
//! against the regression of [`super::twfe`].

use super::{DidError, Estimator, Panel};

/// Which two timing groups a 2×2 comparison sets against each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Comparison {
    TreatedVsNever,
    EarlierVsLater,
    LaterVsEarlier,
}

impl Comparison {
    pub const ALL: [Comparison; 3] = [
        Comparison::TreatedVsNever,
        Comparison::EarlierVsLater,
        Comparison::LaterVsEarlier,
    ];

    /// The key in `bacon.csv`.
    pub fn key(self) -> &'static str {
        match self {
            Comparison::TreatedVsNever => "treated_vs_never",
            Comparison::EarlierVsLater => "earlier_vs_later",
            Comparison::LaterVsEarlier => "later_vs_earlier",
        }
    }
}

/// One 2×2 comparison: the cohort whose change is the "treatment" change, the comparison
/// cohort (None: never treated), the 2×2 estimate and its weight in β.
#[derive(Debug, Clone, PartialEq)]
pub struct TwoByTwo {
    pub comparison: Comparison,
    pub treated: i64,
    pub control: Option<i64>,
    pub estimate: f64,
    pub weight: f64,
}

/// The decomposition: every comparison, and β itself from the same panel.
#[derive(Debug, Clone, PartialEq)]
pub struct Decomposition {
    pub twfe: f64,
    pub parts: Vec<TwoByTwo>,
}

impl Decomposition {
    /// The weight and weighted mean estimate of one kind of comparison (NaN mean when the
    /// panel has none of that kind).
    pub fn by_comparison(&self, comparison: Comparison) -> (f64, f64) {
        let (w, wx) = self
            .parts
            .iter()
            .filter(|p| p.comparison == comparison)
            .fold((0.0, 0.0), |(w, wx), p| {
                (w + p.weight, wx + p.weight * p.estimate)
            });
        (w, if w > 0.0 { wx / w } else { f64::NAN })
    }
}

/// The mean outcome of the places in `group` over period indices `periods`.
fn mean(panel: &Panel, group: &[usize], periods: std::ops::Range<usize>) -> f64 {
    let cells = (group.len() * periods.len()) as f64;
    group
        .iter()
        .map(|&p| periods.clone().map(|t| panel.y(p, t)).sum::<f64>())
        .sum::<f64>()
        / cells
}

/// The Goodman-Bacon decomposition of static TWFE on `panel`.
pub fn bacon(panel: &Panel) -> Result<Decomposition, DidError> {
    let estimator = Estimator::Twfe;
    let (n, t_len) = (panel.n_places(), panel.n_times());
    if n < 2 {
        return Err(DidError::TooFewPlaces {
            estimator,
            places: n,
        });
    }
    let first = panel.times()[0];
    // Timing groups: each cohort's places and the index of its adoption period.
    let cohorts: Vec<(i64, usize, Vec<usize>)> = panel
        .cohort_sizes()
        .into_iter()
        .map(|(g, _)| {
            let places = (0..n).filter(|&p| panel.cohort(p) == Some(g)).collect();
            (g, (g - first) as usize, places)
        })
        .collect();
    if cohorts.is_empty() {
        return Err(DidError::NoTreated { estimator });
    }
    let never: Vec<usize> = (0..n).filter(|&p| panel.cohort(p).is_none()).collect();

    // β and V̂_D from the two-way demeaned dummy (exact on a balanced panel).
    let d: Vec<f64> = (0..n)
        .flat_map(|p| {
            panel
                .times()
                .iter()
                .map(move |&t| f64::from(u8::from(panel.treated(p, t))))
        })
        .collect();
    let period_mean: Vec<f64> = (0..t_len)
        .map(|t| (0..n).map(|p| d[p * t_len + t]).sum::<f64>() / n as f64)
        .collect();
    let grand = period_mean.iter().sum::<f64>() / t_len as f64;
    let (mut sxx, mut sxy) = (0.0, 0.0);
    for p in 0..n {
        let place_mean = d[p * t_len..(p + 1) * t_len].iter().sum::<f64>() / t_len as f64;
        for t in 0..t_len {
            let x = d[p * t_len + t] - place_mean - period_mean[t] + grand;
            sxx += x * x;
            sxy += x * panel.y(p, t);
        }
    }
    if sxx < 1e-12 {
        return Err(DidError::NoComparison { estimator });
    }
    let v_d = sxx / (n * t_len) as f64;

    let share = |places: &[usize]| places.len() as f64 / n as f64;
    let treated_share = |start: usize| (t_len - start) as f64 / t_len as f64;
    let mut parts = Vec::new();
    for (k, &(g, start, ref places)) in cohorts.iter().enumerate() {
        let (n_k, d_k) = (share(places), treated_share(start));
        if !never.is_empty() {
            let n_u = share(&never);
            let n_ku = n_k / (n_k + n_u);
            let change =
                |group: &[usize]| mean(panel, group, start..t_len) - mean(panel, group, 0..start);
            parts.push(TwoByTwo {
                comparison: Comparison::TreatedVsNever,
                treated: g,
                control: None,
                estimate: change(places) - change(&never),
                weight: (n_k + n_u).powi(2) * n_ku * (1.0 - n_ku) * d_k * (1.0 - d_k) / v_d,
            });
        }
        for &(h, later, ref others) in &cohorts[k + 1..] {
            let (n_l, d_l) = (share(others), treated_share(later));
            let n_kl = n_k / (n_k + n_l);
            let pair = n_kl * (1.0 - n_kl);
            // Earlier k against later l, before l adopts.
            let change =
                |group: &[usize]| mean(panel, group, start..later) - mean(panel, group, 0..start);
            parts.push(TwoByTwo {
                comparison: Comparison::EarlierVsLater,
                treated: g,
                control: Some(h),
                estimate: change(places) - change(others),
                weight: ((n_k + n_l) * (1.0 - d_l)).powi(2)
                    * pair
                    * ((d_k - d_l) / (1.0 - d_l))
                    * ((1.0 - d_k) / (1.0 - d_l))
                    / v_d,
            });
            // Later l against earlier k, from k's adoption on.
            let change = |group: &[usize]| {
                mean(panel, group, later..t_len) - mean(panel, group, start..later)
            };
            parts.push(TwoByTwo {
                comparison: Comparison::LaterVsEarlier,
                treated: h,
                control: Some(g),
                estimate: change(others) - change(places),
                weight: ((n_k + n_l) * d_k).powi(2) * pair * (d_l / d_k) * ((d_k - d_l) / d_k)
                    / v_d,
            });
        }
    }
    Ok(Decomposition {
        twfe: sxy / sxx,
        parts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::did::synth::{Design, Effect};
    use crate::did::{Options, Row, Target, twfe};

    #[test]
    fn weights_sum_to_one_and_average_to_twfe() {
        for (design, seed) in [
            (
                Design::staggered(Effect::Growing {
                    base: 0.5,
                    slope: 0.1,
                }),
                3,
            ),
            (Design::staggered(Effect::Constant(0.2)), 4),
            (
                Design {
                    never: 0,
                    ..Design::staggered(Effect::Growing {
                        base: 0.5,
                        slope: 0.1,
                    })
                },
                5,
            ),
        ] {
            let panel = design.panel(seed);
            let d = bacon(&panel).unwrap();
            let total: f64 = d.parts.iter().map(|p| p.weight).sum();
            assert!((total - 1.0).abs() < 1e-12, "weights sum to {total}");
            assert!(d.parts.iter().all(|p| p.weight > 0.0));
            let weighted: f64 = d.parts.iter().map(|p| p.weight * p.estimate).sum();
            let beta = twfe(&panel, &Options::default()).unwrap()[0].clone();
            assert_eq!(beta.target, Target::Overall);
            assert!(
                (weighted - beta.value).abs() < 1e-10,
                "{weighted} vs {}",
                beta.value
            );
            assert!((d.twfe - beta.value).abs() < 1e-10);
            let kinds = if design.never > 0 { 3 } else { 2 };
            let cohorts = design.cohorts.len();
            let pairs = cohorts * (cohorts - 1) / 2;
            assert_eq!(
                d.parts.len(),
                pairs * 2 + if kinds == 3 { cohorts } else { 0 }
            );
        }
    }

    #[test]
    fn each_two_by_two_is_the_difference_of_mean_changes() {
        // Three cohorts of one place over 5 periods: A adopts in 2, B in 4, C never.
        // Outcomes chosen so that every mean is easy to take by hand.
        let ys: [(u32, Option<i64>, [f64; 5]); 3] = [
            (0, Some(2), [1.0, 4.0, 6.0, 8.0, 9.0]),
            (1, Some(4), [2.0, 2.0, 3.0, 7.0, 9.0]),
            (2, None, [0.0, 1.0, 1.0, 2.0, 3.0]),
        ];
        let rows = ys
            .iter()
            .flat_map(|&(place, cohort, y)| {
                (0..5).map(move |k| Row {
                    place,
                    time: k as i64 + 1,
                    cohort,
                    y: y[k],
                })
            })
            .collect();
        let panel = Panel::new(rows).unwrap();
        let d = bacon(&panel).unwrap();
        let find = |c: Comparison, treated: i64| {
            d.parts
                .iter()
                .find(|p| p.comparison == c && p.treated == treated)
                .unwrap()
        };
        // A vs never: A's post mean (4+6+8+9)/4 = 6.75 less pre 1 → 5.75; C: (1+1+2+3)/4 = 1.75
        // less 0 → 1.75. Estimate 4.
        assert!((find(Comparison::TreatedVsNever, 2).estimate - 4.0).abs() < 1e-12);
        // B vs never: B post (7+9)/2 = 8 less pre (2+2+3)/3 = 7/3; C post 2.5 less 2/3.
        let b_u = (8.0 - 7.0 / 3.0) - (2.5 - 2.0 / 3.0);
        assert!((find(Comparison::TreatedVsNever, 4).estimate - b_u).abs() < 1e-12);
        // A vs B before B adopts (periods 1–3): A mid (4+6)/2 = 5 less 1 → 4; B mid 2.5 less 2
        // → 0.5. Estimate 3.5.
        let early = find(Comparison::EarlierVsLater, 2);
        assert_eq!(early.control, Some(4));
        assert!((early.estimate - 3.5).abs() < 1e-12);
        // B vs A from A's adoption (periods 2–5): B post 8 less mid 2.5 → 5.5; A post 8.5 less
        // mid 5 → 3.5. Estimate 2.
        let late = find(Comparison::LaterVsEarlier, 4);
        assert_eq!(late.control, Some(2));
        assert!((late.estimate - 2.0).abs() < 1e-12);
        // Shares 1/3 each; D̄_A = 4/5, D̄_B = 2/5. The weights' ratio s_AU : s_BU is
        // D̄(1 − D̄): 0.16 : 0.24.
        let (wa, wb) = (
            find(Comparison::TreatedVsNever, 2).weight,
            find(Comparison::TreatedVsNever, 4).weight,
        );
        assert!((wa / wb - 0.16 / 0.24).abs() < 1e-12);
        let total: f64 = d.parts.iter().map(|p| p.weight).sum();
        assert!((total - 1.0).abs() < 1e-12);
        let weighted: f64 = d.parts.iter().map(|p| p.weight * p.estimate).sum();
        assert!((weighted - d.twfe).abs() < 1e-12);
    }
}
