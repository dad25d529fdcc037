//! Two-way fixed effects: the static regression and the event study, as an applied
//! researcher runs them with fixest (`feols(y ~ D | place + time, cluster = ~place)`) or
//! pyfixest, whose conventions these follow (CR1 clustered by place with fixest's default
//! small-sample correction, intervals from Student's t with G − 1 degrees of freedom; see
//! [`super::ols`]).
//!
//! Under staggered adoption with effects that change over time, the static β is a weighted
//! average of the cohort × period effects with weights that can be negative, because places
//! treated earlier serve as controls for places treated later (Goodman-Bacon 2021, *J.
//! Econometrics* 225(2); de Chaisemartin & D'Haultfœuille 2020, *AER* 110(9)); the event
//! study's coefficients are contaminated by effects at other event times in the same way
//! (Sun & Abraham 2021). Both are here as the baseline the literature argues against.
//!
//! Event study: `Y = α_place + λ_time + Σ_e β_e·1{time − cohort = e}` over treated places,
//! event time −1 the reference; leads at or before −L and lags at or after K are binned into
//! one dummy each (L = `leads`, K = `lags`), so `EventTime(−L)` is the effect at −L or
//! earlier and `EventTime(K)` at K or later. Never-treated places have every dummy 0.
//! Overall: the plain average of β_0 … β_K.

use super::estimand::{self, Cell};
use super::ols::{self, Fit};
use super::{DidError, Estimate, Estimator, Options, Panel, Target, t_quantile};

fn check(panel: &Panel, estimator: Estimator) -> Result<(), DidError> {
    super::check_regression_panel(panel, estimator)?;
    if panel.n_places() < 2 {
        return Err(DidError::TooFewPlaces {
            estimator,
            places: panel.n_places(),
        });
    }
    if panel.cohort_sizes().is_empty() {
        return Err(DidError::NoTreated { estimator });
    }
    Ok(())
}

/// The number of places in cohort `g` (0 if none).
pub(crate) fn size_of(sizes: &[(i64, usize)], g: i64) -> f64 {
    sizes.iter().find(|s| s.0 == g).map_or(0, |s| s.1) as f64
}

/// An estimate from a fitted combination, with its t interval.
pub(crate) fn from_fit(
    estimator: Estimator,
    target: Target,
    (value, se): (f64, f64),
    fit: &Fit,
    level: f64,
    estimand: Vec<Cell>,
) -> Estimate {
    let half = t_quantile(level, fit.df) * se;
    Estimate {
        estimator,
        target,
        value,
        se,
        ci: (value - half, value + half),
        band: None,
        control: None,
        estimand,
    }
}

/// The static TWFE regression `Y = α_place + λ_time + β·D`, D = 1 from a place's cohort on.
pub fn twfe(panel: &Panel, opts: &Options) -> Result<Vec<Estimate>, DidError> {
    let estimator = Estimator::Twfe;
    check(panel, estimator)?;
    let times = panel.times();
    let cells: Vec<Option<usize>> = (0..panel.n_places())
        .flat_map(|p| times.iter().map(move |&t| panel.treated(p, t).then_some(0)))
        .collect();
    let fit = ols::fit(panel, &cells, 1);
    if !fit.kept(0) {
        // D is a combination of the fixed effects: every place adopts at once.
        return Err(DidError::NoComparison { estimator });
    }
    // Its estimand is stated as the ATT over every treated place-period, the policy's effect
    // on the treated; β's own implicit weights differ from these (they can be negative when
    // effects change over time), which is what the scoring is meant to show.
    let sizes = panel.cohort_sizes();
    let treated = sizes
        .iter()
        .flat_map(|&(g, _)| times.iter().filter(move |&&t| t >= g).map(move |&t| (g, t)));
    Ok(vec![from_fit(
        estimator,
        Target::Overall,
        fit.combine(&[1.0]),
        &fit,
        opts.level,
        estimand::by_cohort_size(treated, |g| size_of(&sizes, g)),
    )])
}

/// The TWFE event study with binned ends (see the module): one estimate per event time in
/// [−leads, lags] except −1, then [`Target::Overall`].
pub fn twfe_event_study(panel: &Panel, opts: &Options) -> Result<Vec<Estimate>, DidError> {
    let estimator = Estimator::TwfeEventStudy;
    check(panel, estimator)?;
    opts.check()?;
    let (low, high) = (-(opts.leads as i64), opts.lags as i64);
    let bin = |e: i64| e.clamp(low, high);
    // Event times that occur in the panel, as dummies (−1 is the reference).
    let mut events: Vec<i64> = Vec::new();
    for p in 0..panel.n_places() {
        if let Some(c) = panel.cohort(p) {
            for &t in panel.times() {
                let e = bin(t - c);
                if e != -1 && !events.contains(&e) {
                    events.push(e);
                }
            }
        }
    }
    events.sort_unstable();
    let column = |e: i64| events.binary_search(&e).ok();
    let cells: Vec<Option<usize>> = (0..panel.n_places())
        .flat_map(|p| {
            panel
                .times()
                .iter()
                .map(move |&t| panel.cohort(p).and_then(|c| column(bin(t - c))))
        })
        .collect();
    let fit = ols::fit(panel, &cells, events.len());
    let sizes = panel.cohort_sizes();
    // A coefficient's estimand: every treated cohort's cells in its bin, by cohort size.
    let in_bin = |e: i64| {
        let cells = sizes.iter().flat_map(move |&(g, _)| {
            panel
                .times()
                .iter()
                .filter(move |&&t| bin(t - g) == e)
                .map(move |&t| (g, t))
        });
        estimand::by_cohort_size(cells, |g| size_of(&sizes, g))
    };
    let mut out = Vec::new();
    let mut overall = vec![0.0; events.len()];
    let mut post_estimands = Vec::new();
    for (j, &e) in events.iter().enumerate() {
        if !fit.kept(j) {
            continue;
        }
        let mut w = vec![0.0; events.len()];
        w[j] = 1.0;
        let cells = in_bin(e);
        if e >= 0 {
            overall[j] = 1.0;
            post_estimands.push(cells.clone());
        }
        out.push(from_fit(
            estimator,
            Target::EventTime(e),
            fit.combine(&w),
            &fit,
            opts.level,
            cells,
        ));
    }
    let post = overall.iter().filter(|&&w| w > 0.0).count();
    if post == 0 {
        return Err(DidError::NoComparison { estimator });
    }
    for w in &mut overall {
        *w /= post as f64;
    }
    out.push(from_fit(
        estimator,
        Target::Overall,
        fit.combine(&overall),
        &fit,
        opts.level,
        estimand::mix(post_estimands.iter().map(|c| (c.as_slice(), 1.0))),
    ));
    Ok(out)
}
