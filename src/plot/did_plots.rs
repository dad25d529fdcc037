//! The event-study plot of difference-in-differences estimates: each estimator's effects by
//! periods since adoption with their confidence intervals, and the true effect where it is
//! known (a simulation knows it; a study does not).
//!
//! Shown: the TWFE event study, Callaway–Sant'Anna's dynamic aggregation and Sun–Abraham
//! over the TWFE event study's window (its binned ends included) or, without it, every event
//! time estimated; the reference period −1 at 0 for the regression estimators; static TWFE
//! as its one number held flat over the periods after adoption, with its interval, because
//! setting that single number beside the dynamic effects is what shows its bias.

use super::figure::{Figure, LinePanel, Marker, Panel, Series};
use crate::did::{Estimate, Estimator, Target};
use crate::i18n::{Lang, did as text};

/// The palette slot of each estimator, so it keeps its colour in every figure; the truth is
/// black (slot 6).
pub(crate) fn colour(estimator: Estimator) -> usize {
    match estimator {
        Estimator::Twfe => 3,
        Estimator::TwfeEventStudy => 1,
        Estimator::CallawaySantAnna => 0,
        Estimator::SunAbraham => 2,
    }
}

pub(crate) const TRUTH_COLOUR: usize = 6;

/// Each estimator's points sit a little beside the event time, so that lines that coincide
/// (Callaway–Sant'Anna and Sun–Abraham after adoption, with never-treated controls) both
/// show.
fn dodge(estimator: Estimator) -> f64 {
    match estimator {
        Estimator::TwfeEventStudy => -0.12,
        Estimator::SunAbraham => 0.12,
        _ => 0.0,
    }
}

/// The event-study figure of `estimates` (any estimators' [`Target::EventTime`] and
/// [`Target::Overall`] estimates), with the true effect by event time as a line if given.
pub fn event_study_figure(
    estimates: &[Estimate],
    truth: Option<&[(i64, f64)]>,
    lang: Lang,
) -> Figure {
    let event_times = |estimator: Estimator| -> Vec<&Estimate> {
        let mut v: Vec<&Estimate> = estimates
            .iter()
            .filter(|e| e.estimator == estimator && matches!(e.target, Target::EventTime(_)))
            .collect();
        v.sort_by_key(|e| event(e));
        v
    };
    let twfe_es = event_times(Estimator::TwfeEventStudy);
    let all_events = estimates.iter().filter_map(|e| match e.target {
        Target::EventTime(k) => Some(k),
        _ => None,
    });
    let (lo, hi) = if twfe_es.is_empty() {
        all_events.fold((i64::MAX, i64::MIN), |(a, b), k| (a.min(k), b.max(k)))
    } else {
        (event(twfe_es[0]), event(twfe_es[twfe_es.len() - 1]))
    };
    let mut series = Vec::new();
    for estimator in [
        Estimator::TwfeEventStudy,
        Estimator::CallawaySantAnna,
        Estimator::SunAbraham,
    ] {
        let mut points: Vec<(f64, f64, f64, f64)> = event_times(estimator)
            .into_iter()
            .filter(|e| (lo..=hi).contains(&event(e)))
            .map(|e| (event(e) as f64 + dodge(estimator), e.value, e.ci.0, e.ci.1))
            .collect();
        if points.is_empty() {
            continue;
        }
        // The regressions' reference period, estimated as 0 by construction.
        if estimator != Estimator::CallawaySantAnna && (lo..=hi).contains(&-1) {
            points.push((-1.0 + dodge(estimator), 0.0, 0.0, 0.0));
            points.sort_by(|a, b| a.0.total_cmp(&b.0));
        }
        series.push(Series {
            label: text::estimator_name(estimator, lang).to_string(),
            colour: colour(estimator),
            x: points.iter().map(|p| p.0).collect(),
            mean: points.iter().map(|p| p.1).collect(),
            low: points.iter().map(|p| p.2).collect(),
            high: points.iter().map(|p| p.3).collect(),
        });
    }
    if let Some(e) = estimates
        .iter()
        .find(|e| e.estimator == Estimator::Twfe && e.target == Target::Overall)
        && hi >= 0
    {
        let x = vec![0.0_f64.max(lo as f64), hi as f64];
        series.push(Series {
            label: text::estimator_name(Estimator::Twfe, lang).to_string(),
            colour: colour(Estimator::Twfe),
            mean: vec![e.value; 2],
            low: vec![e.ci.0; 2],
            high: vec![e.ci.1; 2],
            x,
        });
    }
    if let Some(truth) = truth {
        let points: Vec<&(i64, f64)> = truth
            .iter()
            .filter(|(k, v)| (lo..=hi).contains(k) && v.is_finite())
            .collect();
        series.push(Series {
            label: text::TRUE_EFFECT.get(lang).to_string(),
            colour: TRUTH_COLOUR,
            x: points.iter().map(|p| p.0 as f64).collect(),
            mean: points.iter().map(|p| p.1).collect(),
            low: vec![f64::NAN; points.len()],
            high: vec![f64::NAN; points.len()],
        });
    }
    let panel = Panel::Lines(LinePanel {
        title: String::new(),
        x_label: text::EVENT_TIME_AXIS.get(lang).to_string(),
        y_label: text::EFFECT_AXIS.get(lang).to_string(),
        series,
        markers: vec![Marker {
            x: -0.5,
            label: text::ADOPTION.get(lang).to_string(),
        }],
        y_from_zero: false,
    });
    Figure::new(text::EVENT_STUDY_TITLE.get(lang), lang, vec![panel], 1)
        .with_caption([text::EVENT_STUDY_NOTE.get(lang).to_string()])
}

fn event(e: &Estimate) -> i64 {
    match e.target {
        Target::EventTime(k) => k,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::did::synth::{Design, Effect};
    use crate::did::{Options, estimate_all};
    use crate::plot::test_support::{png_stats, svg_texts};
    use crate::plot::{Format, render};

    #[test]
    fn every_estimator_and_the_truth_are_drawn_and_labelled() {
        let design = Design::staggered(Effect::Growing {
            base: 0.2,
            slope: 0.05,
        });
        let opts = Options {
            bootstrap: 99,
            ..Options::default()
        };
        let estimates = estimate_all(&design.panel(4), &opts).unwrap().estimates;
        let truth: Vec<(i64, f64)> = (-5..=10)
            .map(|e| (e, design.true_event_effect(e)))
            .collect();
        for lang in [Lang::En, Lang::Zh] {
            let figure = event_study_figure(&estimates, Some(&truth), lang);
            let Panel::Lines(panel) = &figure.panels[0] else {
                panic!("a line panel")
            };
            assert_eq!(panel.series.len(), 5);
            // The TWFE event study's window: −5 (binned) to 10 (binned), −1 at 0.
            let es = &panel.series[0];
            assert_eq!(
                es.x.first(),
                Some(&(-5.0 + dodge(Estimator::TwfeEventStudy)))
            );
            assert_eq!(
                es.x.last(),
                Some(&(10.0 + dodge(Estimator::TwfeEventStudy)))
            );
            let at = es.x.iter().position(|&x| x.round() == -1.0).unwrap();
            assert_eq!(es.mean[at], 0.0);
            let svg = String::from_utf8(render(&figure, Format::Svg).unwrap()).unwrap();
            let texts = svg_texts(&svg);
            for label in ["Sun–Abraham", text::TRUE_EFFECT.get(lang)] {
                assert!(
                    texts.iter().any(|t| t.contains(label)),
                    "{label}: {texts:?}"
                );
            }
        }
        let png = render(
            &event_study_figure(&estimates, Some(&truth), Lang::En),
            Format::Png,
        )
        .unwrap();
        let (w, h, variance) = png_stats(&png);
        assert_eq!((w, h), (1600, 1000));
        assert!(variance > 100.0);
    }
}
