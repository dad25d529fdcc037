//! The debrief's projection: where the class's world is heading.
//!
//! From the class's final state, the world runs on for [`QUARTERS`] quarters in [`RUNS`]
//! runs under the regime the class ended with, and under the one it started with. Each run
//! is the class's own world made again from its record (seed, timeline of regime switches,
//! every quarter's seat choices: [`Game::timeline`]), so it starts exactly where the class
//! stopped; run r then draws from its own stream, the same stream under both regimes
//! (common random numbers: the two continuations differ by the regime, not by luck). The
//! students' seats are played by the model from here on, as in a quarter that passes.
//!
//! The runs go through the model's one driver loop ([`drive`] with a [`Record`]) and are
//! summarised as `cadre-sim run` summarises replicates ([`Summary`]: the mean and its 95%
//! interval over runs; [`final_window_mean`]: each run's mean over the last quarters).
//! Everything is a function of the class record: the same record gives the same
//! projection.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Value, json};

use crate::serve::request::{self, ApiError};

use super::game::{Game, RoundSummary};
use super::text::fill;
use crate::model::params::{ParamId, Section, section_specs};
use crate::model::rng::replicate_rng;
use crate::model::{Event, Metric, ModelSpec, Record, SeatChoice, World, drive};
use crate::run::stats::{Summary, final_window_mean};
use crate::scenario::Scenario;
use crate::serve::text::SCENARIOS;

/// Quarters the projection runs on: ten years.
pub const QUARTERS: u32 = 40;
/// Runs per regime.
pub const RUNS: u64 = 8;
/// The last quarters each run's end value averages: ten, as `cadre-sim run --window`.
pub const WINDOW: u32 = crate::run::DEFAULT_WINDOW;
/// Run r draws from the seed's replicate stream `STREAM - r`, apart from the world's
/// (replicate 0) and the game's own (`u64::MAX`).
const STREAM: u64 = u64::MAX - 1;

/// One regime's continuation.
#[derive(Debug, Clone, Serialize)]
pub struct Continuation {
    /// The regime: a built-in scenario's name.
    pub regime: String,
    /// Per projected quarter, the mean over runs and its 95% interval.
    pub initiative: Vec<Summary>,
    pub belief: Vec<Summary>,
    /// Per run, its mean over the last [`WINDOW`] quarters, summarised over runs.
    pub final_initiative: Summary,
    pub final_belief: Summary,
}

/// The projection from the class's final state.
#[derive(Debug, Clone, Serialize)]
pub struct Projection {
    /// The first projected quarter (0-based): the class's next round.
    pub from: u32,
    pub quarters: u32,
    pub runs: u64,
    /// The class's world now: initiative over its last year (up to 4 quarters), and the
    /// mean belief after its last quarter.
    pub now_initiative: f64,
    pub now_belief: f64,
    /// The mean belief when the class switched to the regime it ended with (None: no
    /// switch).
    pub switch_belief: Option<f64>,
    pub switched_at: Option<u32>,
    /// The regime the class ended with, and the one it started with.
    pub ended: Continuation,
    pub started: Continuation,
    /// Leading projected years in which initiative under the ended regime stays below its
    /// value now ("the first two years look worse").
    pub worse_years: u32,
    /// The sentence for the debrief, in both languages.
    pub sentence: Value,
}

/// What the projection needs of a game, copied out of it (so that the server computes the
/// projection without holding the game's lock).
#[derive(Debug, Clone)]
pub struct Snapshot {
    spec: ModelSpec,
    seed: u64,
    history: Vec<Vec<SeatChoice>>,
    rounds: Vec<RoundSummary>,
    regime: String,
    first_regime: String,
    /// The mean belief of the world now.
    belief: f64,
}

impl Snapshot {
    pub fn of(game: &Game) -> Snapshot {
        let (spec, seed, history) = game.timeline();
        let cadres = game.world().cadres();
        Snapshot {
            spec,
            seed,
            history: history.to_vec(),
            rounds: game.rounds.clone(),
            regime: game.regime().to_string(),
            first_regime: game.first_regime().to_string(),
            belief: cadres.iter().map(|c| c.belief()).sum::<f64>() / cadres.len().max(1) as f64,
        }
    }
    /// The class's next round.
    fn round(&self) -> u32 {
        self.history.len() as u32
    }
}

/// Projects the class's world on from where it stands.
pub fn project(game: &Snapshot) -> Projection {
    project_with(game, QUARTERS, RUNS)
}

/// [`project`] with `quarters` quarters and `runs` runs.
pub fn project_with(game: &Snapshot, quarters: u32, runs: u64) -> Projection {
    let from = game.round();
    let ended = continuation(game, &game.regime, quarters, runs);
    let started = continuation(game, &game.first_regime, quarters, runs);
    let rounds = &game.rounds;
    let last_year = &rounds[rounds.len().saturating_sub(4)..];
    let now_initiative = crate::run::stats::mean_present(last_year.iter().map(|r| r.initiative));
    let now_belief = game.belief;
    // The first quarter of the last stretch under the regime the class ended with (a
    // switch), and the mean belief just before it (round i is quarter i).
    let under = rounds
        .iter()
        .rev()
        .take_while(|r| r.regime == game.regime)
        .count();
    let i = rounds.len() - under;
    let switched_at = (i > 0 && under > 0).then(|| rounds[i].round);
    let switch_belief = switched_at.map(|_| rounds[i - 1].belief);
    let worse_years = (0..quarters / 4)
        .take_while(|&y| {
            let year = &ended.initiative[(4 * y) as usize..(4 * y + 4) as usize];
            year.iter().map(|s| s.mean).sum::<f64>() / 4.0 < now_initiative - 0.005
        })
        .count() as u32;
    let sentence = sentence(&ended, &started, now_initiative, worse_years);
    Projection {
        from,
        quarters,
        runs,
        now_initiative,
        now_belief,
        switch_belief,
        switched_at,
        ended,
        started,
        worse_years,
        sentence,
    }
}

/// The class's world under `regime` from its next round on, in `runs` runs.
fn continuation(game: &Snapshot, regime: &str, quarters: u32, runs: u64) -> Continuation {
    let (mut spec, seed, history) = (game.spec.clone(), game.seed, &game.history);
    let at = game.round();
    if regime != game.regime {
        // As a switch would: the regime's every parameter from the next quarter on.
        let next = Scenario::load(regime).expect("a built-in scenario the game has played");
        spec.events.retain(|e| e.at != at);
        spec.events.push(Event {
            at,
            changes: section_specs(Section::Regime)
                .map(|p| (p.id, next.regime.get(p.id).unwrap_or(p.default)))
                .collect::<Vec<(ParamId, f64)>>(),
        });
    }
    let mut worlds: Vec<World> = (0..runs)
        .map(|r| {
            let mut world = World::new(&spec, replicate_rng(seed, 0));
            for choices in history {
                world.play_seats(choices.clone());
                world.step();
            }
            world.reseed(replicate_rng(seed, STREAM - r));
            world
        })
        .collect();
    let mut record = Record::default();
    drive(&mut worlds, quarters, &mut record);
    let series = record.into_series();
    let per_quarter = |metric: Metric| -> Vec<Summary> {
        (0..quarters as usize)
            .map(|t| Summary::of(series.iter().map(|s| s[t][metric.index()])))
            .collect()
    };
    let final_of = |metric: Metric| {
        Summary::of(
            series
                .iter()
                .map(|s| final_window_mean(s, metric, WINDOW.min(quarters))),
        )
    };
    Continuation {
        regime: regime.to_string(),
        initiative: per_quarter(Metric::Initiative),
        belief: per_quarter(Metric::MeanBelief),
        final_initiative: final_of(Metric::Initiative),
        final_belief: final_of(Metric::MeanBelief),
    }
}

/// A regime's name in words, in both languages.
fn label(name: &str) -> (String, String) {
    SCENARIOS
        .iter()
        .find(|(n, ..)| *n == name)
        .map_or((name.to_string(), name.to_string()), |(_, l, _)| {
            (l.en.to_string(), l.zh.to_string())
        })
}

/// The debrief's sentence: where initiative goes under the regime the class ended with,
/// against the one it started with, and whether the first years look worse. The words are
/// the pages' ([`super::text::UI`]), filled in here so the export carries the sentence too.
fn sentence(ended: &Continuation, started: &Continuation, now: f64, worse_years: u32) -> Value {
    use crate::i18n::Lang;
    let e = ended.final_initiative;
    let s = started.final_initiative;
    let verb = if e.mean > now + 0.005 {
        "proj_up"
    } else if e.mean < now - 0.005 {
        "proj_down"
    } else {
        "proj_flat"
    };
    let two = |x: f64| format!("{x:.2}");
    let one_lang = |lang: Lang| {
        let (end_en, end_zh) = label(&ended.regime);
        let (start_en, start_zh) = label(&started.regime);
        let (end, start) = match lang {
            Lang::En => (end_en, start_en),
            Lang::Zh => (end_zh, start_zh),
        };
        let vars = [
            ("end", end),
            ("start", start),
            ("verb", fill(verb, lang, &[])),
            ("now", two(now)),
            ("x", two(e.mean)),
            ("lo", two(e.ci_low)),
            ("hi", two(e.ci_high)),
            ("y", two(s.mean)),
            ("ylo", two(s.ci_low)),
            ("yhi", two(s.ci_high)),
        ];
        let key = if ended.regime == started.regime {
            "proj_kept"
        } else {
            "proj_switched"
        };
        let mut text = fill(key, lang, &vars);
        match worse_years {
            0 => {}
            1 => text.push_str(&fill("proj_worse_one", lang, &[])),
            n => text.push_str(&fill("proj_worse", lang, &[("n", n.to_string())])),
        }
        text
    };
    json!({ "en": one_lang(Lang::En), "zh": one_lang(Lang::Zh) })
}

/// The projection as CSV, after the class's own quarters: one row per quarter and line
/// (`class`, or `ended`/`started` with the regime), initiative and mean belief with their
/// 95% intervals over the runs (the class's own quarters are one world: no interval).
pub fn projection_csv(game: &Snapshot, p: &Projection) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "line",
        "regime",
        "quarter",
        "initiative",
        "initiative_low",
        "initiative_high",
        "belief",
        "belief_low",
        "belief_high",
        "runs",
    ])?;
    let f = |x: f64| {
        if x.is_finite() {
            format!("{x:.4}")
        } else {
            String::new()
        }
    };
    for r in &game.rounds {
        w.write_record([
            "class".to_string(),
            r.regime.clone(),
            (r.round + 1).to_string(),
            f(r.initiative),
            String::new(),
            String::new(),
            f(r.belief),
            String::new(),
            String::new(),
            "1".to_string(),
        ])?;
    }
    for (line, c) in [("ended", &p.ended), ("started", &p.started)] {
        for (k, (i, b)) in c.initiative.iter().zip(&c.belief).enumerate() {
            w.write_record([
                line.to_string(),
                c.regime.clone(),
                (p.from + k as u32 + 1).to_string(),
                f(i.mean),
                f(i.ci_low),
                f(i.ci_high),
                f(b.mean),
                f(b.ci_low),
                f(b.ci_high),
                p.runs.to_string(),
            ])?;
        }
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

/// The projection of the game in `state`, computed off the async threads and outside the
/// game's lock.
async fn of_state(state: &super::Shared) -> (Snapshot, Projection) {
    let snapshot = Snapshot::of(&state.lock().game);
    tokio::task::spawn_blocking(move || {
        let p = project(&snapshot);
        (snapshot, p)
    })
    .await
    .expect("the projection does not panic")
}

/// `GET /api/trainer/projection`: the projection as JSON.
pub(super) async fn serve_json(
    State(state): State<super::Shared>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let lang = request::request_lang(None, &headers);
    super::trainer(&state, &headers, lang)?;
    let (_, p) = of_state(&state).await;
    Ok(axum::Json(p).into_response())
}

/// `GET /api/trainer/projection.csv`: the class's quarters and both continuations.
pub(super) async fn serve_csv(
    State(state): State<super::Shared>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let lang = request::request_lang(None, &headers);
    super::trainer(&state, &headers, lang)?;
    let (snapshot, p) = of_state(&state).await;
    let csv = projection_csv(&snapshot, &p).map_err(|e| {
        super::refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            "invalid_request",
            e.to_string(),
            lang,
        )
    })?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"class-projection.csv\"",
            ),
        ],
        csv,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(seed: u64) -> Game {
        let mut g = Game::new("strict_accountability", seed).unwrap();
        for k in 0..20 {
            g.join(&format!("s{k}")).unwrap();
        }
        g.open_round().unwrap();
        g.close_round().unwrap();
        g.pass(3).unwrap();
        g.switch_regime("optimized_path").unwrap();
        g.open_round().unwrap();
        g.close_round().unwrap();
        g.pass(4).unwrap();
        g
    }

    /// The projection is a function of the class record, starts from the class's own
    /// state, and its two regimes share their random numbers.
    #[test]
    fn the_projection_replays_from_the_record() {
        let (a, b) = (class(4), class(4));
        let (sa, sb) = (Snapshot::of(&a), Snapshot::of(&b));
        let (pa, pb) = (project_with(&sa, 8, 3), project_with(&sb, 8, 3));
        assert_eq!(
            serde_json::to_string(&pa).unwrap(),
            serde_json::to_string(&pb).unwrap()
        );
        assert_eq!(pa.from, 9);
        assert_eq!(pa.ended.regime, "optimized_path");
        assert_eq!(pa.started.regime, "strict_accountability");
        assert_eq!(pa.switched_at, Some(4));
        assert_eq!(pa.ended.initiative.len(), 8);
        // Runs differ from each other (an interval), and from the class's world's own
        // continuation (a run is not a copy of the world's stream).
        assert!(pa.ended.initiative[7].sd > 0.0);
        // The first projected quarter starts from the class's state: the mean belief moves
        // by one quarter's learning, not from the prior.
        let first = pa.ended.belief[0].mean;
        assert!(
            (first - pa.now_belief).abs() < 0.05,
            "{first} vs {}",
            pa.now_belief
        );
        // Projecting does not touch the game.
        let before = a.world().cadres()[0].career;
        let _ = project_with(&sa, 4, 2);
        assert_eq!(a.world().cadres()[0].career, before);
        let csv = String::from_utf8(projection_csv(&sa, &pa).unwrap()).unwrap();
        assert_eq!(csv.lines().count(), 1 + 9 + 2 * 8);
        assert!(csv.contains("\nended,optimized_path,10,"), "{csv}");
        assert!(pa.sentence["en"].as_str().unwrap().contains("All paths"));
    }
}
