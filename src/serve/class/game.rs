//! The class game's state: one model world in which some seats are played by students.
//!
//! Each round is one quarter (one step of the world). When a round opens, every student's
//! seat gets a card: an opportunity (drawn by the game's own generator with the model's
//! opportunity rate and difficulty distribution), none, or "sidelined" while the seat's cadre
//! is blocked. When the round closes, the students' answers (no answer = hold back) go into
//! the world through [`World::play_seats`], and the world takes its step by the model's own
//! rules: success, detection, review, tolerance and sanctions are the model's draws, and the
//! bots (model cadres) fill every other seat. The server is authoritative for every number.
//!
//! The regime can be switched between rounds to any built-in scenario's `[regime]`. The
//! world has no regime setter (it takes a timeline of events when it is made), so a switch
//! appends an event at the next step and rebuilds the world from its seed, replaying every
//! round's recorded seat choices: the same seed, timeline and choices give the same world,
//! step for step, so the replay lands exactly where the class was (a test checks it).

use std::collections::VecDeque;

use rand::Rng;
use serde::Serialize;

use crate::model::params::{ParamId, Section, section_specs};
use crate::model::rng::{BetaSampler, SimRng, logistic, replicate_rng};
use crate::model::{CadreStatus, Event, ModelSpec, SeatChoice, World};
use crate::scenario::{Scenario, builtin};

/// The most students one game seats.
pub const MAX_STUDENTS: usize = 300;
/// The most rounds one game plays (a 45-minute session plays 10–20).
pub const MAX_ROUNDS: u32 = 200;
/// The longest nickname, in characters.
pub const NICKNAME_MAX: usize = 24;
/// Quarters of a unit's decided cases a card reports ("in your unit, the last year").
pub const UNIT_MEMORY: usize = 4;
/// The game's own generator (opportunities and difficulties of students' seats) is the
/// stream of this replicate number of the seed, apart from the world's (replicate 0).
const GAME_STREAM: u64 = u64::MAX;

/// What a seat's card offers this round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CardKind {
    /// An opportunity: take the reform or hold back.
    Opportunity,
    /// No opportunity this quarter.
    Quiet,
    /// The seat's cadre is blocked: sanctioned and sidelined.
    Sidelined,
    /// The seat's cadre waits for the decision on a case.
    UnderReview,
}

/// A seat's card for one round: what the student sees, all numbers the server's.
#[derive(Debug, Clone, Serialize)]
pub struct Card {
    pub round: u32,
    pub kind: CardKind,
    /// The opportunity's difficulty (0–1), for an opportunity.
    pub difficulty: Option<f64>,
    pub skill: f64,
    /// The chance of success the skill and difficulty imply, for an opportunity.
    pub p_success: Option<f64>,
    /// The belief a model cadre in this seat holds, having seen the same cases: the chance
    /// that a detected honest failure is tolerated.
    pub belief: f64,
    /// Honest failures of the seat's unit tolerated / punished in the last [`UNIT_MEMORY`]
    /// quarters.
    pub unit_tolerated: u32,
    pub unit_punished: u32,
    /// Honest failures tolerated / punished across all units last quarter.
    pub all_tolerated: u64,
    pub all_punished: u64,
    pub career: f64,
    /// The first quarter the cadre acts again, when blocked.
    pub until: Option<u32>,
    /// The regime's name (a built-in scenario) and the stakes of this round.
    pub regime: String,
    pub stakes: Stakes,
}

/// The terms of the model's choice that the regime fixes, shown on the card and used by
/// the debrief's fit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Stakes {
    pub reward: f64,
    pub detect: f64,
    pub severity: f64,
    pub sanction_steps: u32,
    pub inaction_detect: f64,
    pub inaction_penalty: f64,
    pub review_delay: u32,
    pub publish: f64,
    /// The seat's unit: the chance its leader starts a review, and that a review tolerates
    /// an honest failure.
    pub review_chance: f64,
    pub review_tolerates: f64,
}

/// What happened to a seat in a round, as event codes (in order) with the career after.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub round: u32,
    /// `success`, `failure_hidden`, `failure_review` (decided at `decided_at`),
    /// `failure_no_review`, `held_back`, `no_opportunity`, `tolerated`, `punished`,
    /// `choice_void` (an earlier case was punished first), `sidelined`, `under_review`.
    pub events: Vec<&'static str>,
    pub career_before: f64,
    pub career: f64,
    pub decided_at: Option<u32>,
    pub until: Option<u32>,
}

/// A student's seat.
#[derive(Debug, Clone)]
pub struct Seat {
    pub nickname: String,
    pub cadre: u32,
    pub card: Option<Card>,
    pub answer: Option<bool>,
    pub outcome: Option<Outcome>,
}

/// One decision of a student on an opportunity, for the debrief and the export.
#[derive(Debug, Clone, Serialize)]
pub struct Decision {
    pub round: u32,
    pub seat: usize,
    pub cadre: u32,
    pub regime: String,
    pub difficulty: f64,
    pub skill: f64,
    pub p_success: f64,
    pub belief: f64,
    pub stakes: Stakes,
    /// Whether the student answered before the round closed (no answer = hold back).
    pub answered: bool,
    pub reform: bool,
    /// The model's probability that the cadre of this seat (its own loss aversion, the
    /// population's temperature) would have taken it.
    pub model_probability: f64,
    pub outcome: String,
}

impl Decision {
    /// The reform's expected gain and the expected sanction per unit of loss aversion:
    /// the model's choice is logistic((gain − λ·loss) / temperature).
    pub fn utility_terms(&self) -> (f64, f64) {
        let s = &self.stakes;
        let gain = self.p_success * s.reward;
        let loss = (1.0 - self.p_success) * s.detect * s.severity * (1.0 - self.belief)
            - s.inaction_detect * s.inaction_penalty;
        (gain, loss)
    }
}

/// One round's figures, for the live view and the debrief.
#[derive(Debug, Clone, Serialize)]
pub struct RoundSummary {
    pub round: u32,
    pub regime: String,
    pub students: Tally2,
    pub bots: Tally2,
    /// Mean belief of students' seats and of the bots, after the round.
    pub student_belief: f64,
    pub bot_belief: f64,
    /// The model's prediction for the students' own cards: the expected number of reforms
    /// had model cadres held these seats.
    pub model_expected_reforms: f64,
    /// Honest failures detected, decided tolerated, decided punished this quarter.
    pub detected: u64,
    pub tolerated: u64,
    pub punished: u64,
    /// The model's initiative metric of the whole world.
    pub initiative: f64,
    /// The mean belief of every cadre of the world, after the round.
    pub belief: f64,
    /// Whether the quarter passed with the model playing every seat ([`Game::pass`]).
    pub passed: bool,
}

/// Opportunities and reforms of a group.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Tally2 {
    pub opportunities: u64,
    pub reforms: u64,
}

/// A cadre's state before a step, to tell what the step did to it.
#[derive(Debug, Clone, Copy)]
struct Before {
    career: f64,
}

/// A case the game tracks per cadre (at most one is open at a time: a case blocks its
/// cadre until it is decided).
#[derive(Debug, Clone, Copy, PartialEq)]
enum OpenCase {
    None,
    Honest,
    Violation,
}

/// Where the game stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Before the first round.
    Lobby,
    /// Cards are out; answers are taken.
    Open,
    /// The round has been played; its outcomes are shown.
    Results,
    /// [`MAX_ROUNDS`] played.
    Over,
}

/// Why the game refused a move (the server turns these into 4xx answers).
#[derive(Debug, Clone, PartialEq)]
pub enum GameError {
    Full,
    NicknameEmpty,
    NicknameTooLong,
    NicknameTaken,
    WrongRound {
        open: Option<u32>,
        asked: u32,
    },
    AlreadyAnswered,
    NoOpportunity,
    RoundOpen,
    NoRoundOpen,
    UnknownRegime(String),
    Over,
    /// A number of quarters to pass outside 1..=[`super::pass::MAX_PASS`].
    BadQuarters(u32),
}

/// The game.
pub struct Game {
    base: Scenario,
    seed: u64,
    events: Vec<Event>,
    world: World,
    rng: SimRng,
    difficulty: BetaSampler,
    /// Every played round's seat choices, for the replay after a regime switch.
    history: Vec<Vec<SeatChoice>>,
    regime: String,
    pub seats: Vec<Seat>,
    /// Which seat plays each cadre (usize::MAX: a bot).
    seat_of: Vec<usize>,
    open_case: Vec<OpenCase>,
    /// Per unit, honest cases tolerated / punished in each of the last quarters.
    unit_cases: VecDeque<Vec<(u32, u32)>>,
    pub phase: Phase,
    pub rounds: Vec<RoundSummary>,
    pub decisions: Vec<Decision>,
}

impl Game {
    /// A game in `scenario`'s world (its population, its regime), seeded by `seed`.
    pub fn new(scenario: &str, seed: u64) -> Result<Game, GameError> {
        let base = load_regime_scenario(scenario)?;
        let mut spec = base.model_spec();
        // The trainer is the timeline: a scenario's own events are not used.
        spec.events.clear();
        let world = World::new(&spec, replicate_rng(seed, 0));
        let cadres = world.cadres().len();
        let units = world.units().len();
        Ok(Game {
            difficulty: BetaSampler::new(
                base.population.difficulty_alpha,
                base.population.difficulty_beta,
            ),
            regime: base.name.clone(),
            base,
            seed,
            events: Vec::new(),
            world,
            rng: replicate_rng(seed, GAME_STREAM),
            history: Vec::new(),
            seats: Vec::new(),
            seat_of: vec![usize::MAX; cadres],
            open_case: vec![OpenCase::None; cadres],
            unit_cases: VecDeque::from(vec![vec![(0, 0); units]]),
            phase: Phase::Lobby,
            rounds: Vec::new(),
            decisions: Vec::new(),
        })
    }

    pub fn world(&self) -> &World {
        &self.world
    }
    /// The regime in force: a built-in scenario's name.
    pub fn regime(&self) -> &str {
        &self.regime
    }
    /// The round that is open, or the next one to open.
    pub fn round(&self) -> u32 {
        self.world.t()
    }
    pub fn cadres(&self) -> usize {
        self.seat_of.len()
    }

    /// Seats a new student. Seats spread over the units (student k sits in unit k mod
    /// units), so every unit has students and bots side by side.
    pub fn join(&mut self, nickname: &str) -> Result<usize, GameError> {
        let nickname = clean_nickname(nickname)?;
        let key = nickname.to_lowercase();
        if self.seats.iter().any(|s| s.nickname.to_lowercase() == key) {
            return Err(GameError::NicknameTaken);
        }
        let limit = MAX_STUDENTS.min(self.cadres());
        if self.seats.len() >= limit {
            return Err(GameError::Full);
        }
        let k = self.seats.len() as u32;
        let groups = self.world.groups();
        let units = groups.units();
        let (unit, position) = (k % units, k / units);
        let members = groups.members(unit);
        let cadre = if position < members.len() as u32 {
            members.start + position
        } else {
            // A small last unit is full: the first free cadre.
            self.seat_of
                .iter()
                .position(|&s| s == usize::MAX)
                .unwrap_or(0) as u32
        };
        self.seat_of[cadre as usize] = self.seats.len();
        let card = (self.phase == Phase::Open).then(|| self.card(cadre, false));
        self.seats.push(Seat {
            nickname,
            cadre,
            card,
            answer: None,
            outcome: None,
        });
        Ok(self.seats.len() - 1)
    }

    /// Opens the next round: every seat gets its card.
    pub fn open_round(&mut self) -> Result<u32, GameError> {
        match self.phase {
            Phase::Open => return Err(GameError::RoundOpen),
            Phase::Over => return Err(GameError::Over),
            _ => {}
        }
        for i in 0..self.seats.len() {
            let cadre = self.seats[i].cadre;
            let card = self.card(cadre, true);
            let seat = &mut self.seats[i];
            seat.card = Some(card);
            seat.answer = None;
        }
        self.phase = Phase::Open;
        Ok(self.round())
    }

    /// The card of `cadre` for the open round; `draw`: whether to draw its opportunity now
    /// (a student who joins during a round gets a quiet card, so joining late is not a
    /// second draw).
    fn card(&mut self, cadre: u32, draw: bool) -> Card {
        let t = self.world.t();
        let pop = &self.base.population;
        let c = &self.world.cadres()[cadre as usize];
        let unit_index = self.world.groups().unit_of(cadre) as usize;
        let unit = &self.world.units()[unit_index];
        let r = self.world.regime();
        let belief = c.belief();
        let kind = if c.blocked_until > t {
            if c.pending_case {
                CardKind::UnderReview
            } else {
                CardKind::Sidelined
            }
        } else if draw && self.rng.random::<f64>() < pop.opportunity_rate {
            CardKind::Opportunity
        } else {
            CardKind::Quiet
        };
        let difficulty =
            (kind == CardKind::Opportunity).then(|| self.difficulty.sample(&mut self.rng));
        let p_success = difficulty.map(|d| logistic(pop.skill_sharpness * (c.skill as f64 - d)));
        let (unit_tolerated, unit_punished) = self
            .unit_cases
            .iter()
            .map(|q| q[unit_index])
            .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
        let tally = self.world.last_tally();
        Card {
            round: t,
            kind,
            difficulty,
            skill: c.skill as f64,
            p_success,
            belief,
            unit_tolerated,
            unit_punished,
            all_tolerated: tally.honest_tolerated,
            all_punished: tally.honest_decided - tally.honest_tolerated,
            career: c.career,
            until: (c.blocked_until > t).then_some(c.blocked_until),
            regime: self.regime.clone(),
            stakes: Stakes {
                reward: pop.reward,
                detect: r.detect,
                severity: r.severity,
                sanction_steps: r.sanction_steps,
                inaction_detect: r.inaction_detect,
                inaction_penalty: r.inaction_penalty,
                review_delay: r.review_delay,
                publish: r.publish,
                review_chance: 1.0 - (1.0 - unit.engagement) * (1.0 - r.self_application * belief),
                review_tolerates: unit.sensitivity,
            },
        }
    }

    /// A student's answer for round `round`: take the reform (true) or hold back.
    pub fn answer(&mut self, seat: usize, round: u32, reform: bool) -> Result<(), GameError> {
        let open = (self.phase == Phase::Open).then(|| self.round());
        if open != Some(round) {
            return Err(if open.is_none() {
                GameError::NoRoundOpen
            } else {
                GameError::WrongRound { open, asked: round }
            });
        }
        let seat = &mut self.seats[seat];
        if seat.card.as_ref().map(|c| c.kind) != Some(CardKind::Opportunity) {
            return Err(GameError::NoOpportunity);
        }
        if seat.answer.is_some() {
            return Err(GameError::AlreadyAnswered);
        }
        seat.answer = Some(reform);
        Ok(())
    }

    /// Whether every seat with an opportunity has answered (the round may close early).
    pub fn all_answered(&self) -> bool {
        self.seats.iter().all(|s| {
            s.answer.is_some() || s.card.as_ref().map(|c| c.kind) != Some(CardKind::Opportunity)
        })
    }

    /// Closes the open round: the world takes its step with the students' choices.
    pub fn close_round(&mut self) -> Result<&RoundSummary, GameError> {
        if self.phase != Phase::Open {
            return Err(GameError::NoRoundOpen);
        }
        let choices: Vec<SeatChoice> = self
            .seats
            .iter()
            // Every seat, with or without an opportunity: a seat left out would be played
            // by the model (its opportunity and temptations drawn as a bot's).
            .map(|s| SeatChoice {
                cadre: s.cadre,
                difficulty: s
                    .card
                    .as_ref()
                    .filter(|c| c.kind == CardKind::Opportunity)
                    .and_then(|c| c.difficulty),
                reform: s.answer.unwrap_or(false),
            })
            .collect();
        self.step_quarter(choices, false);
        Ok(self.rounds.last().expect("just pushed"))
    }

    /// One step of the world with `choices` for the students' seats (none: the model plays
    /// every seat, a quarter that passes), recorded for the replay, and its bookkeeping:
    /// cases per unit for the cards, each seat's outcome, the round's summary.
    pub(super) fn step_quarter(&mut self, choices: Vec<SeatChoice>, passed: bool) {
        let t = self.world.t();
        let before: Vec<Before> = self
            .world
            .cadres()
            .iter()
            .map(|c| Before { career: c.career })
            .collect();
        self.world.play_seats(choices.clone());
        self.history.push(choices);
        let metrics = self.world.step();

        // What the step did to every cadre: cases decided (per unit, for the cards) and
        // opened; and to every seat, its outcome.
        let groups = self.world.groups();
        let mut unit_cases = vec![(0u32, 0u32); groups.units() as usize];
        let mut outcomes: Vec<Option<Outcome>> = vec![None; self.seats.len()];
        let (mut student_belief, mut bot_belief) = (0.0, 0.0);
        let mut students = Tally2::default();
        let mut model_expected = 0.0;
        let pop = &self.base.population;
        for (i, c) in self.world.cadres().iter().enumerate() {
            let b = before[i];
            let reformed = c.status == CadreStatus::Reforming;
            let open = self.open_case[i];
            let decided = open != OpenCase::None && (!c.pending_case || reformed);
            let punished = decided && !reformed && c.career < b.career;
            if decided && open == OpenCase::Honest {
                let u = &mut unit_cases[groups.unit_of(i as u32) as usize];
                if punished {
                    u.1 += 1;
                } else {
                    u.0 += 1;
                }
            }
            let opened = c.pending_case && (open == OpenCase::None || decided);
            self.open_case[i] = if opened {
                if reformed {
                    OpenCase::Honest
                } else {
                    OpenCase::Violation
                }
            } else if decided {
                OpenCase::None
            } else {
                open
            };
            let seat = self.seat_of[i];
            if seat == usize::MAX {
                bot_belief += c.belief();
                continue;
            }
            student_belief += c.belief();
            let s = &self.seats[seat];
            let Some(card) = &s.card else { continue };
            let mut events = Vec::new();
            if decided && open == OpenCase::Honest {
                events.push(if punished { "punished" } else { "tolerated" });
            }
            let mut decided_at = None;
            match card.kind {
                CardKind::Opportunity => {
                    let chose = s.answer.unwrap_or(false);
                    students.opportunities += 1;
                    students.reforms += chose as u64;
                    if chose && !reformed {
                        events.push("choice_void");
                    } else if !chose {
                        events.push("held_back");
                    } else if opened {
                        // A reviewed case is decided after the review delay, an unreviewed
                        // one next quarter (cases::CaseBook::open).
                        if c.blocked_until > t + 1 {
                            events.push("failure_review");
                            decided_at = Some(c.blocked_until);
                        } else {
                            events.push("failure_no_review");
                            decided_at = Some(c.blocked_until);
                        }
                    } else if c.career > b.career {
                        events.push("success");
                    } else {
                        events.push("failure_hidden");
                    }
                    let p = card.p_success.unwrap_or(0.0);
                    let decision = Decision {
                        round: t,
                        seat,
                        cadre: i as u32,
                        regime: card.regime.clone(),
                        difficulty: card.difficulty.unwrap_or(0.0),
                        skill: card.skill,
                        p_success: p,
                        belief: card.belief,
                        stakes: card.stakes,
                        answered: s.answer.is_some(),
                        reform: chose,
                        model_probability: 0.0,
                        outcome: events.last().copied().unwrap_or("").to_string(),
                    };
                    let (gain, loss) = decision.utility_terms();
                    let probability =
                        logistic((gain - c.loss_aversion as f64 * loss) / pop.temperature);
                    model_expected += probability;
                    self.decisions.push(Decision {
                        model_probability: probability,
                        ..decision
                    });
                }
                CardKind::Quiet => events.push("no_opportunity"),
                CardKind::Sidelined => events.push("sidelined"),
                CardKind::UnderReview => {
                    if !decided {
                        events.push("under_review")
                    }
                }
            }
            outcomes[seat] = Some(Outcome {
                round: t,
                events,
                career_before: b.career,
                career: c.career,
                decided_at,
                until: (c.blocked_until > t + 1).then_some(c.blocked_until),
            });
        }
        for (seat, outcome) in self.seats.iter_mut().zip(outcomes) {
            seat.outcome = outcome;
            seat.card = None;
            seat.answer = None;
        }
        self.unit_cases.push_front(unit_cases);
        self.unit_cases.truncate(UNIT_MEMORY);

        let tally = self.world.last_tally().clone();
        let n_students = self.seats.len() as f64;
        let n_bots = self.cadres() as f64 - n_students;
        let bots = Tally2 {
            opportunities: tally.opportunities - students.opportunities,
            reforms: tally.reforms - students.reforms,
        };
        let initiative = metrics[crate::model::Metric::Initiative.index()];
        self.rounds.push(RoundSummary {
            round: t,
            regime: self.regime.clone(),
            students,
            bots,
            student_belief: if n_students > 0.0 {
                student_belief / n_students
            } else {
                f64::NAN
            },
            bot_belief: bot_belief / n_bots.max(1.0),
            model_expected_reforms: model_expected,
            detected: tally.honest_detected,
            tolerated: tally.honest_tolerated,
            punished: tally.honest_decided - tally.honest_tolerated,
            initiative,
            belief: metrics[crate::model::Metric::MeanBelief.index()],
            passed,
        });
        self.phase = if self.world.t() >= MAX_ROUNDS {
            Phase::Over
        } else {
            Phase::Results
        };
    }

    /// Switches the regime from the next round on to `scenario`'s `[regime]`.
    pub fn switch_regime(&mut self, scenario: &str) -> Result<(), GameError> {
        if self.phase == Phase::Open {
            return Err(GameError::RoundOpen);
        }
        let next = load_regime_scenario(scenario)?;
        let at = self.world.t();
        let changes: Vec<(ParamId, f64)> = section_specs(Section::Regime)
            .map(|spec| (spec.id, next.regime.get(spec.id).unwrap_or(spec.default)))
            .collect();
        self.events.retain(|e| e.at != at);
        self.events.push(Event { at, changes });
        self.regime = next.name;
        self.rebuild();
        Ok(())
    }

    /// Makes the world again from its seed and timeline and replays every round's seat
    /// choices: the world the class was in, under the new timeline from the next round on.
    fn rebuild(&mut self) {
        let mut spec: ModelSpec = self.base.model_spec();
        spec.events = self.events.clone();
        let mut world = World::new(&spec, replicate_rng(self.seed, 0));
        for choices in &self.history {
            world.play_seats(choices.clone());
            world.step();
        }
        self.world = world;
    }

    /// What makes the class's world again: the model spec with the class's timeline (its
    /// regime switches), the seed of its generator, and every quarter's seat choices (empty
    /// for a quarter that passed). The debrief's projection replays it.
    pub(super) fn timeline(&self) -> (ModelSpec, u64, &[Vec<SeatChoice>]) {
        let mut spec: ModelSpec = self.base.model_spec();
        spec.events = self.events.clone();
        (spec, self.seed, &self.history)
    }

    /// The regime the class started with: the first scenario's name.
    pub fn first_regime(&self) -> &str {
        &self.base.name
    }
}

/// A built-in scenario by name, for the regime list and the game's world.
fn load_regime_scenario(name: &str) -> Result<Scenario, GameError> {
    if !builtin::names().any(|n| n == name) {
        return Err(GameError::UnknownRegime(name.to_string()));
    }
    Scenario::load(name).map_err(|_| GameError::UnknownRegime(name.to_string()))
}

/// A nickname as shown: trimmed, inner whitespace runs collapsed, control characters
/// refused, at most [`NICKNAME_MAX`] characters. Markup is kept as text: every page
/// escapes it (it is only ever set as text, never as HTML).
pub fn clean_nickname(raw: &str) -> Result<String, GameError> {
    let cleaned: String = raw
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !c.is_control() && !matches!(*c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}'))
        .collect();
    if cleaned.is_empty() {
        return Err(GameError::NicknameEmpty);
    }
    if cleaned.chars().count() > NICKNAME_MAX {
        return Err(GameError::NicknameTooLong);
    }
    Ok(cleaned)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Plays `rounds` rounds where every seat answers by `choose(card)`.
    fn play(game: &mut Game, rounds: u32, choose: impl Fn(&Card) -> bool) {
        for _ in 0..rounds {
            game.open_round().unwrap();
            let t = game.round();
            for i in 0..game.seats.len() {
                if let Some(card) = game.seats[i].card.clone()
                    && card.kind == CardKind::Opportunity
                {
                    game.answer(i, t, choose(&card)).unwrap();
                }
            }
            game.close_round().unwrap();
        }
    }

    #[test]
    fn seats_spread_over_units_and_nicknames_are_unique() {
        let mut g = Game::new("strict_accountability", 1).unwrap();
        let units = g.world().groups().units();
        for k in 0..units + 1 {
            g.join(&format!("s{k}")).unwrap();
        }
        let unit_of = |s: &Seat| g.world().groups().unit_of(s.cadre);
        assert_eq!(unit_of(&g.seats[0]), 0);
        assert_eq!(unit_of(&g.seats[1]), 1);
        assert_eq!(unit_of(&g.seats[units as usize]), 0, "wraps around");
        assert_ne!(g.seats[0].cadre, g.seats[units as usize].cadre);
        assert_eq!(g.join("S0"), Err(GameError::NicknameTaken));
        assert_eq!(g.join("   "), Err(GameError::NicknameEmpty));
        assert_eq!(g.join(&"x".repeat(25)), Err(GameError::NicknameTooLong));
        assert_eq!(clean_nickname("  a \n b\u{202E} ").unwrap(), "a b");
    }

    #[test]
    fn one_answer_per_round_and_only_the_open_round() {
        let mut g = Game::new("nominal_tolerance", 3).unwrap();
        for k in 0..40 {
            g.join(&format!("s{k}")).unwrap();
        }
        assert_eq!(g.answer(0, 0, true), Err(GameError::NoRoundOpen));
        g.open_round().unwrap();
        let with = (0..40)
            .find(|&i| g.seats[i].card.as_ref().unwrap().kind == CardKind::Opportunity)
            .unwrap();
        let without = (0..40)
            .find(|&i| g.seats[i].card.as_ref().unwrap().kind != CardKind::Opportunity)
            .unwrap();
        assert_eq!(
            g.answer(with, 1, true),
            Err(GameError::WrongRound {
                open: Some(0),
                asked: 1
            })
        );
        g.answer(with, 0, true).unwrap();
        assert_eq!(g.answer(with, 0, false), Err(GameError::AlreadyAnswered));
        assert_eq!(g.answer(without, 0, true), Err(GameError::NoOpportunity));
        assert_eq!(g.switch_regime("optimized_path"), Err(GameError::RoundOpen));
        g.close_round().unwrap();
        // A replayed answer for the closed round is refused.
        assert_eq!(g.answer(with, 0, true), Err(GameError::NoRoundOpen));
        let outcome = g.seats[with].outcome.as_ref().unwrap();
        assert!(
            [
                "success",
                "failure_hidden",
                "failure_review",
                "failure_no_review"
            ]
            .contains(&outcome.events[0]),
            "{:?}",
            outcome.events
        );
    }

    /// Students who always take the reform reform on every opportunity, and the world
    /// counts them: the seats' choices are the world's.
    #[test]
    fn students_choices_enter_the_world() {
        let mut eager = Game::new("strict_accountability", 5).unwrap();
        let mut timid = Game::new("strict_accountability", 5).unwrap();
        for k in 0..200 {
            eager.join(&format!("s{k}")).unwrap();
            timid.join(&format!("s{k}")).unwrap();
        }
        play(&mut eager, 6, |_| true);
        play(&mut timid, 6, |_| false);
        let sum = |g: &Game| {
            g.rounds.iter().fold((0, 0), |a, r| {
                (a.0 + r.students.opportunities, a.1 + r.students.reforms)
            })
        };
        let (opp, reforms) = sum(&eager);
        assert!(opp > 100);
        assert!(reforms > 0 && reforms <= opp);
        // Every answered reform is either the world's reform or voided by a punishment.
        let void = eager
            .decisions
            .iter()
            .filter(|d| d.outcome == "choice_void")
            .count() as u64;
        assert_eq!(
            reforms,
            void + eager
                .decisions
                .iter()
                .filter(|d| d.reform && d.outcome != "choice_void")
                .count() as u64
        );
        assert_eq!(sum(&timid).1, 0);
        // Reformers get sanctioned under strict accountability; the timid never do.
        let worst = |g: &Game| {
            g.seats
                .iter()
                .map(|s| g.world().cadres()[s.cadre as usize].career)
                .fold(f64::INFINITY, f64::min)
        };
        assert!(worst(&eager) < 0.0);
        assert!(worst(&timid) >= 0.0);
        // The bots play on in both worlds, and are counted apart from the students.
        for g in [&eager, &timid] {
            for r in &g.rounds {
                let bots = g.cadres() as u64 - 200;
                assert!(r.bots.opportunities > bots / 4 && r.bots.opportunities <= bots);
                assert!(r.bots.reforms > 0 && r.bots.reforms <= r.bots.opportunities);
            }
        }
    }

    /// A regime switch rebuilds the world by replay: the replayed world is the one the
    /// class was in, and the new regime applies from the next round.
    #[test]
    fn a_regime_switch_replays_to_the_same_world() {
        let mut g = Game::new("strict_accountability", 9).unwrap();
        for k in 0..50 {
            g.join(&format!("s{k}")).unwrap();
        }
        play(&mut g, 5, |c| c.p_success.unwrap_or(0.0) > 0.5);
        let careers: Vec<f64> = g.world().cadres().iter().map(|c| c.career).collect();
        let beliefs: Vec<f64> = g.world().cadres().iter().map(|c| c.belief()).collect();
        let t = g.round();
        g.switch_regime("optimized_path").unwrap();
        assert_eq!(g.round(), t);
        let after: Vec<f64> = g.world().cadres().iter().map(|c| c.career).collect();
        assert_eq!(careers, after);
        let after: Vec<f64> = g.world().cadres().iter().map(|c| c.belief()).collect();
        assert_eq!(beliefs, after);
        assert_eq!(g.regime(), "optimized_path");
        play(&mut g, 1, |_| true);
        assert_eq!(g.world().regime().sensitivity, 0.75);
        assert_eq!(g.rounds.last().unwrap().regime, "optimized_path");
        assert!(matches!(
            g.switch_regime("/etc/passwd"),
            Err(GameError::UnknownRegime(_))
        ));
    }
}
