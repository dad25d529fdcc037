//! DiD estimators' speed: every estimator (`did::estimate_all`, Callaway–Sant'Anna with 999
//! bootstrap draws) on the experiment's panel size, 30 places × 40 periods in 4 cohorts, one
//! panel and 100 replicate panels (one thread; the experiment spreads replicates over its
//! threads).
//!
//! `cargo bench --bench did`. Coverage figures: `cargo run --release --example did_coverage`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use cadre_sim::did::synth::{Design, Effect};
use cadre_sim::did::{self, Estimator, Options};

fn estimators(c: &mut Criterion) {
    let design = Design::staggered(Effect::Growing {
        base: 0.2,
        slope: 0.05,
    });
    let panels: Vec<_> = (0..100).map(|seed| design.panel(seed)).collect();
    let opts = Options::default();
    let mut group = c.benchmark_group("did");
    group.sample_size(10);
    group.bench_function("estimate_all_1_panel_30x40", |b| {
        b.iter(|| did::estimate_all(&panels[0], &opts).unwrap())
    });
    for estimator in Estimator::ALL {
        group.bench_function(format!("{}_1_panel_30x40", estimator.key()), |b| {
            b.iter(|| match estimator {
                Estimator::Twfe => did::twfe(&panels[0], &opts),
                Estimator::TwfeEventStudy => did::twfe_event_study(&panels[0], &opts),
                Estimator::CallawaySantAnna => did::callaway_sant_anna(&panels[0], &opts),
                Estimator::SunAbraham => did::sun_abraham(&panels[0], &opts),
            })
        });
    }
    group.throughput(Throughput::Elements(panels.len() as u64));
    group.bench_function("estimate_all_100_panels_30x40", |b| {
        b.iter(|| {
            panels
                .iter()
                .map(|p| did::estimate_all(p, &opts).unwrap().estimates.len())
                .sum::<usize>()
        })
    });
    group.finish();
}

criterion_group!(benches, estimators);
criterion_main!(benches);
