use cadre_sim::model::*;
fn main() {
    let mut scen: Vec<(&str, Regime)> = vec![];
    let d = Regime::default();
    scen.push((
        "strict",
        Regime {
            initiation_base: 0.0,
            self_application: 0.0,
            sensitivity: 0.0,
            heterogeneity: 0.0,
            ..d.clone()
        },
    ));
    scen.push(("nominal", d.clone()));
    scen.push((
        "o3",
        Regime {
            publish: 0.8,
            credibility: 0.9,
            ..d.clone()
        },
    ));
    scen.push((
        "o4",
        Regime {
            correction_capacity: 0.7,
            correction_bonus: 0.2,
            ..d.clone()
        },
    ));
    scen.push((
        "opt",
        Regime {
            heterogeneity: 0.05,
            sensitivity: 0.75,
            leader_duty: 0.7,
            publish: 0.8,
            credibility: 0.9,
            correction_capacity: 0.7,
            correction_bonus: 0.2,
            decision_noise: 0.02,
            review_delay: 1,
            specificity: 0.9,
            ..d.clone()
        },
    ));
    scen.push((
        "lax",
        Regime {
            initiation_base: 0.8,
            sensitivity: 0.9,
            specificity: 0.3,
            publish: 0.8,
            credibility: 0.9,
            correction_capacity: 0.1,
            ..d.clone()
        },
    ));
    for (name, regime) in scen {
        let spec = ModelSpec {
            population: Population::default(),
            regime,
            events: vec![],
        };
        let mut acc = [0.0; N_METRICS];
        let mut n = [0.0; N_METRICS];
        let t0 = std::time::Instant::now();
        for r in 0..200 {
            let m = simulate(&spec, 40, 1, r);
            for s in 30..40 {
                for k in 0..N_METRICS {
                    if !m[s][k].is_nan() {
                        acc[k] += m[s][k];
                        n[k] += 1.0;
                    }
                }
            }
        }
        print!("{name:8} ");
        for k in 0..N_METRICS {
            print!("{}={:.3} ", Metric::ALL[k].name(), acc[k] / n[k]);
        }
        println!(" ({:?})", t0.elapsed());
    }
}
