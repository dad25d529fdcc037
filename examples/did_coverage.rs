//! Coverage of the DiD estimators' confidence intervals over many seeded synthetic panels
//! (30 places, 40 periods, 4 cohorts of 6 and 6 never treated, AR(1) errors with ρ = 0.5):
//! how often each interval contains the true effect, and the bias and RMSE of each
//! estimator, for a constant effect and for an effect that grows with time since adoption.
//!
//! `cargo run --release --example did_coverage [PANELS]` (default 1000). Deterministic: the
//! same figures on any machine and thread count.

use rayon::prelude::*;

use cadre_sim::did::synth::{Design, Effect};
use cadre_sim::did::{Estimate, Estimator, Options, Target, estimate_all};

/// Per estimator: (sum of errors, sum of squared errors, intervals covering, count).
type Tally = [(f64, f64, usize, usize); 4];

fn tally(design: &Design, panels: u64, truth_of: &(dyn Fn(Estimator) -> f64 + Sync)) -> Tally {
    let opts = Options::default();
    (0..panels)
        .into_par_iter()
        .map(|seed| {
            let all = estimate_all(&design.panel(10_000 + seed), &opts)
                .unwrap()
                .estimates;
            let mut t: Tally = [(0.0, 0.0, 0, 0); 4];
            for (k, estimator) in Estimator::ALL.into_iter().enumerate() {
                let e: &Estimate = all
                    .iter()
                    .find(|e| e.estimator == estimator && e.target == Target::Overall)
                    .unwrap();
                let truth = truth_of(estimator);
                let err = e.value - truth;
                t[k] = (
                    err,
                    err * err,
                    usize::from(e.ci.0 <= truth && truth <= e.ci.1),
                    1,
                );
            }
            t
        })
        // Collected in seed order and summed in that order: the same figures on any number
        // of threads.
        .collect::<Vec<Tally>>()
        .into_iter()
        .fold([(0.0, 0.0, 0, 0); 4], |mut a, b| {
            for k in 0..4 {
                a[k].0 += b[k].0;
                a[k].1 += b[k].1;
                a[k].2 += b[k].2;
                a[k].3 += b[k].3;
            }
            a
        })
}

/// Coverage of Callaway–Sant'Anna's uniform band over all its event times (pre-periods'
/// truth 0), and the mean pointwise coverage of CS and SA event-time intervals.
fn event_time_coverage(design: &Design, panels: u64) -> (f64, f64, f64) {
    let opts = Options::default();
    let (band, cs, sa, n_cs, n_sa) = (0..panels)
        .into_par_iter()
        .map(|seed| {
            let all = estimate_all(&design.panel(10_000 + seed), &opts)
                .unwrap()
                .estimates;
            let (mut band_ok, mut cs, mut sa, mut n_cs, mut n_sa) =
                (true, 0usize, 0usize, 0usize, 0usize);
            for e in &all {
                let Target::EventTime(k) = e.target else {
                    continue;
                };
                let truth = design.true_event_effect(k).max(0.0) * f64::from(u8::from(k >= 0));
                let inside = e.ci.0 <= truth && truth <= e.ci.1;
                match e.estimator {
                    Estimator::CallawaySantAnna => {
                        let (lo, hi) = e.band.unwrap();
                        band_ok &= lo <= truth && truth <= hi;
                        cs += usize::from(inside);
                        n_cs += 1;
                    }
                    Estimator::SunAbraham => {
                        sa += usize::from(inside);
                        n_sa += 1;
                    }
                    _ => {}
                }
            }
            (usize::from(band_ok), cs, sa, n_cs, n_sa)
        })
        .collect::<Vec<_>>()
        .into_iter()
        .fold((0, 0, 0, 0, 0), |a, b| {
            (a.0 + b.0, a.1 + b.1, a.2 + b.2, a.3 + b.3, a.4 + b.4)
        });
    (
        band as f64 / panels as f64,
        cs as f64 / n_cs as f64,
        sa as f64 / n_sa as f64,
    )
}

fn main() {
    let panels: u64 = std::env::args()
        .nth(1)
        .map_or(1000, |a| a.parse().expect("PANELS is a number"));
    let started = std::time::Instant::now();
    for (name, effect) in [
        ("constant effect 0.5", Effect::Constant(0.5)),
        (
            "effect growing 0.2 + 0.05 per period since adoption",
            Effect::Growing {
                base: 0.2,
                slope: 0.05,
            },
        ),
    ] {
        let design = Design::staggered(effect);
        // What each estimator's overall effect estimates when it is right: the simple ATT
        // for TWFE and CS, the mean of the event-time effects over their post periods for
        // the event studies (TWFE's lags 0..10 with the last binned).
        let simple = {
            let (mut s, mut n) = (0.0, 0.0);
            for &(g, size) in &design.cohorts {
                for t in g..=design.periods {
                    s += size as f64 * design.effect.at(t - g);
                    n += size as f64;
                }
            }
            s / n
        };
        let dynamic = {
            let post: Vec<f64> = (0..design.periods)
                .map(|e| design.true_event_effect(e))
                .filter(|x| x.is_finite())
                .collect();
            post.iter().sum::<f64>() / post.len() as f64
        };
        let binned = {
            // Lags 0..9, then the bin "10 or more" averaged over its cells by cohort size.
            let mut sum: f64 = (0..10).map(|e| design.true_event_effect(e)).sum();
            let (mut s, mut n) = (0.0, 0.0);
            for &(g, size) in &design.cohorts {
                for t in (g + 10)..=design.periods {
                    s += size as f64 * design.effect.at(t - g);
                    n += size as f64;
                }
            }
            sum += s / n;
            sum / 11.0
        };
        let truth_of = |e: Estimator| match e {
            Estimator::Twfe | Estimator::CallawaySantAnna => simple,
            Estimator::TwfeEventStudy => binned,
            Estimator::SunAbraham => dynamic,
        };
        println!("\n{name}; {panels} panels (95% intervals, 999 bootstrap draws for CS)");
        println!(
            "{:<20} {:>8} {:>8} {:>8} {:>9}",
            "estimator", "truth", "bias", "RMSE", "coverage"
        );
        for (k, (sum, sq, covered, n)) in tally(&design, panels, &truth_of).iter().enumerate() {
            let estimator = Estimator::ALL[k];
            let n = *n as f64;
            println!(
                "{:<20} {:>8.4} {:>8.4} {:>8.4} {:>9.3}",
                estimator.name(),
                truth_of(estimator),
                sum / n,
                (sq / n).sqrt(),
                *covered as f64 / n
            );
        }
        let (band, cs, sa) = event_time_coverage(&design, panels);
        println!(
            "event times: CS pointwise {cs:.3}, SA pointwise {sa:.3}, CS uniform band (all \
             event times at once) {band:.3}"
        );
    }
    println!("\n{:.1} s", started.elapsed().as_secs_f64());
}
