//! The simulated world of one replicate: cadres, units, pending cases, and one step.
//!
//! `World::step` runs model.md's seven phases in order. Phases 4–6 (learning, choices,
//! outcomes) are fused into one pass over the cadres: nothing a cadre's choice or outcome
//! changes feeds another cadre's learning or choice in the same step, so the fusion leaves the
//! model unchanged and reads each cadre's state once per step. The pass walks units and their
//! members ([`Groups`] says which are whose); each phase is an inlined method of `Pass`, which
//! holds what the step fixes (derived once) and what the phases change besides the cadre and
//! its unit. Detected cases go to the [`CaseBook`].
//!
//! Stepping is the driver's job ([`super::drive()`]): a world knows one step, callers observe.
//!
//! Places (model extension 1.2, [`super::places`]): the units are split into places, each
//! with its own regime. Chunks (1.3): each place's units are stepped in chunks, each chunk
//! with its own generator, pending cases and counts; a place of more than [`CHUNK_CADRES`]
//! cadres is split into several, any other place is one chunk. A step runs phases 1–3 in
//! every chunk, gathers the published cases, runs phases 4–6 in every chunk and gathers the
//! counts, in chunk order: chunks touch only their own cadres and units, so a large world's
//! chunks run in parallel (rayon, nested in the replicates' parallelism) and give the same
//! numbers on any number of threads.
//!
//! Random draws, in order, within each chunk (documented in docs/model.md):
//! 1. due cases, in the order they were created: tolerance (reviewed cases only), then
//!    publication (honest cases only);
//! 2. hidden abuses, in the order they were tolerated: one reveal draw each;
//! 3. cadres in index order, active ones only: opportunity; if one arrives, difficulty and the
//!    choice; after a reform, success, then for a failure correction, detection, review, ε;
//!    without a reform, temptation, then commit, detection, review, ε as each applies.
//!
//! The generators: in a world whose places are not split (every scenario of up to 65,536
//! cadres per place), the replicate's generator draws the units' offsets, then the cadres'
//! traits, and goes on as place 0's; place p's is that generator jumped p times (2^128
//! draws each, so places never share numbers); the places' draws
//! ([`super::places::draw_places`]) come from it long-jumped. A world of one place is model
//! 1.1's world draw for draw. In a split world, the places' draws come from the replicate's
//! generator long-jumped once and chunk c's generator is it long-jumped c + 2 times (2^192
//! draws apart); each chunk draws its own units' offsets, then its cadres' traits, then its
//! steps, so the world is built in parallel too.

use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

pub use super::cases::{Case, CaseLedger};
use super::cases::{CaseBook, Detected};
use super::drive::{Record, drive};
use super::groups::Groups;
use super::metrics::{StepMetrics, Tally};
use super::params::{ParamId, Population, Regime};
use super::places::{self, PlaceDraw, Places, PublishScope, Rollout};
use super::rng::{BetaSampler, Chance, SimRng, below_logistic, logistic};

/// A change of the regime at a step: the policy timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// The step before whose first phase the change applies (steps count from 0).
    pub at: u32,
    /// Regime parameters and their new values, already validated (`scenario::edit` is the
    /// one validator of events, for scenario files and the page alike).
    pub changes: Vec<(ParamId, f64)>,
}

/// Everything a replicate needs: the population, the initial regime and the timeline, and
/// the places and their rollout.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ModelSpec {
    pub population: Population,
    pub regime: Regime,
    pub events: Vec<Event>,
    pub places: Places,
    pub rollout: Option<Rollout>,
}

/// A streak of declined opportunities this long counts as lying flat (躺平).
pub const LYING_FLAT_STREAK: u16 = 8;

/// What a cadre is doing, for the world view of the classroom page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum CadreStatus {
    /// Active, did not reform this step.
    Passive = 0,
    /// Took a reform action this step.
    Reforming = 1,
    /// Waiting for the decision on a case.
    UnderReview = 2,
    /// An honest failure of theirs was tolerated this step.
    Tolerated = 3,
    /// Sidelined by a sanction.
    Sanctioned = 4,
    /// Active, and declined [`LYING_FLAT_STREAK`] or more opportunities in a row.
    LyingFlat = 5,
}

/// The status of an active cadre, indexed by (reformed, lying flat, tolerated this step) as
/// bits 2, 1, 0: a reform shows over everything, a tolerated failure over lying flat.
const ACTIVE_STATUS: [CadreStatus; 8] = [
    CadreStatus::Passive,
    CadreStatus::Tolerated,
    CadreStatus::LyingFlat,
    CadreStatus::Tolerated,
    CadreStatus::Reforming,
    CadreStatus::Reforming,
    CadreStatus::Reforming,
    CadreStatus::Reforming,
];

/// One cadre: 48 bytes (two belief pseudo-counts and the career score as f64; skill, loss
/// aversion and integrity as f32; the blocking step; the passive streak; four one-byte
/// fields).
#[derive(Debug, Clone)]
pub struct Cadre {
    /// Pseudo-count of tolerated honest failures (belief evidence for tolerance).
    pub alpha: f64,
    /// Pseudo-count of punished honest failures.
    pub beta: f64,
    /// Accumulated rewards minus sanctions.
    pub career: f64,
    pub skill: f32,
    pub loss_aversion: f32,
    pub integrity: f32,
    /// Not active while `t < blocked_until`.
    pub blocked_until: u32,
    /// Opportunities declined in a row (saturating).
    pub passive_streak: u16,
    /// Violations wrongly tolerated and not yet revealed.
    pub hidden_abuses: u8,
    /// This step's decision on the cadre's own honest case: +1 tolerated, −1 punished, 0 none.
    own_signal: i8,
    /// Whether a case of this cadre awaits its decision.
    pub(crate) pending_case: bool,
    /// What the cadre did this step, for the world view.
    pub status: CadreStatus,
}

impl Cadre {
    /// The cadre's belief that a detected honest failure is tolerated.
    #[inline]
    pub fn belief(&self) -> f64 {
        self.alpha / (self.alpha + self.beta)
    }
}

/// One unit and its top leader.
#[derive(Debug, Clone)]
pub struct Unit {
    /// Leniency offset, drawn once.
    pub z: f64,
    /// Review sensitivity (chance to tolerate an honest failure).
    pub sensitivity: f64,
    /// Leniency to violations.
    pub leniency: f64,
    /// The leader's target engagement e*.
    pub target_engagement: f64,
    /// The leader's engagement e: the chance to start a review.
    pub engagement: f64,
    /// Honest cases of the unit tolerated / punished this step (signals to the unit).
    tolerated: u32,
    punished: u32,
    /// This step's opportunities and reforms, for `unit_initiative_sd`.
    opportunities: u32,
    reforms: u32,
}

impl Unit {
    fn derive(&mut self, regime: &Regime) {
        let h = regime.heterogeneity * self.z;
        self.sensitivity = (regime.sensitivity + h).clamp(0.0, 1.0);
        self.leniency = ((1.0 - regime.specificity) + h).clamp(0.0, 1.0);
        self.target_engagement =
            (regime.initiation_base + h + regime.leader_duty * (1.0 - regime.initiation_base))
                .clamp(0.0, 1.0);
    }

    /// The chance that a detected case of a member with belief `belief` gets a review:
    /// 1 − (1 − e)(1 − self_application·b), the leader's engagement or the cadre's own call.
    #[inline]
    fn review_chance(&self, r: &Regime, belief: f64) -> f64 {
        1.0 - (1.0 - self.engagement) * (1.0 - r.self_application * belief)
    }
}

/// Cadres per chunk of a split place: a place of more cadres than this is stepped in chunks
/// of whole units, each with its own generator, which threads take in parallel.
///
/// 2^16: a world whose places have 65,536 cadres or fewer is one chunk per place, model 1.2's
/// world draw for draw (every scenario, sweep and experiment shipped), while 7 million cadres
/// in one place make 107 chunks, enough to keep 16 threads busy.
pub const CHUNK_CADRES: u32 = 1 << 16;

/// Worlds of at least this many cadres (and more than one chunk) step their chunks in
/// parallel; smaller ones step them one after the other, since a fork-join per phase costs
/// more than a small world's step gains from it. Either way the results are the same.
const PARALLEL_CADRES: u32 = 1 << 16;

/// One place: its regime, its adoption, and what its chunks counted this step.
pub struct Place {
    /// The regime in force here: the scenario's (with its timeline), and the rollout's
    /// levers once the place has adopted.
    regime: Regime,
    /// What the replicate drew for this place: cohort and implementation strength.
    draw: PlaceDraw,
    /// Mean leniency offset z of its units (what assignment by characteristic sorts on).
    leniency: f64,
    /// Whether the rollout's regime is in force here.
    adopted: bool,
    /// Honest cases of this place published this step: tolerated, punished.
    published: (u32, u32),
    /// What this place counted this step (its chunks' tallies, in chunk order).
    tally: Tally,
}

impl Place {
    pub fn regime(&self) -> &Regime {
        &self.regime
    }
    /// The step the place adopts at (None: never), and its implementation strength.
    pub fn draw(&self) -> PlaceDraw {
        self.draw
    }
    pub fn leniency(&self) -> f64 {
        self.leniency
    }
    pub fn adopted(&self) -> bool {
        self.adopted
    }
    /// The counts behind this place's last step.
    pub fn tally(&self) -> &Tally {
        &self.tally
    }
}

/// A block of consecutive units of one place with its own generator, pending cases and
/// counts: the part of a step one thread takes. Phases 1–6 of a chunk read and write only
/// its own cadres and units; what crosses chunks (published cases, the counts) is merged by
/// the world between phases, in chunk order. A place that is not split is one chunk.
struct Chunk {
    place: u32,
    units: std::ops::Range<u32>,
    cadres: std::ops::Range<u32>,
    rng: SimRng,
    /// Cases of this chunk's cadres awaiting their decision.
    cases: CaseBook,
    /// This chunk's cadres with hidden abuses, in the order their first one was tolerated.
    abusers: Vec<u32>,
    /// Honest cases of this chunk published this step: tolerated, punished.
    published: (u32, u32),
    tally: Tally,
    /// Initiative across this chunk's units in the last step (split worlds only).
    spread: Spread,
}

/// The chunks of a world: each place's units, in place order; a place of more than
/// `chunk_cadres` cadres in blocks of `max(1, chunk_cadres / unit_size)` units (the last
/// block holds the remainder).
fn chunk_layout(groups: &Groups, chunk_cadres: u32) -> Vec<(u32, std::ops::Range<u32>)> {
    let per_chunk = (chunk_cadres / groups.unit_size()).max(1);
    let mut layout = Vec::new();
    for p in 0..groups.places() {
        let units = groups.place_units(p);
        let cadres = groups.place_cadres(p);
        if cadres.end - cadres.start <= chunk_cadres {
            layout.push((p, units));
            continue;
        }
        let mut start = units.start;
        while start < units.end {
            let end = start.saturating_add(per_chunk).min(units.end);
            layout.push((p, start..end));
            start = end;
        }
    }
    layout
}

/// Count, sum and sum of squares of initiative over units that had opportunities: the
/// parts of `unit_initiative_sd`.
#[derive(Debug, Clone, Copy, Default)]
struct Spread {
    n: f64,
    sum: f64,
    sum_sq: f64,
}

impl Spread {
    fn of(units: &[Unit]) -> Spread {
        let mut s = Spread::default();
        for unit in units.iter().filter(|u| u.opportunities > 0) {
            let x = unit.reforms as f64 / unit.opportunities as f64;
            s.n += 1.0;
            s.sum += x;
            s.sum_sq += x * x;
        }
        s
    }

    fn merge(self, other: Spread) -> Spread {
        Spread {
            n: self.n + other.n,
            sum: self.sum + other.sum,
            sum_sq: self.sum_sq + other.sum_sq,
        }
    }

    /// The population standard deviation (NaN without units).
    fn sd(self) -> f64 {
        if self.n == 0.0 {
            return f64::NAN;
        }
        let mean = self.sum / self.n;
        (self.sum_sq / self.n - mean * mean).max(0.0).sqrt()
    }
}

/// What every chunk's phases read and no chunk writes: the world's fixed parts for a phase.
struct Shared<'w> {
    t: u32,
    groups: Groups,
    population: &'w Population,
    places: &'w [Place],
    publish_scope: PublishScope,
    /// Honest cases published this step in every place: tolerated, punished.
    national: (u32, u32),
    difficulty: &'w BetaSampler,
    seats: &'w [SeatChoice],
    split: bool,
}

/// Runs `phase` on every chunk with its own cadres and units: in chunk order on this
/// thread, or in parallel on rayon's pool. Chunks share nothing they write, so the two give
/// the same result.
fn for_chunks(
    parallel: bool,
    chunks: &mut [Chunk],
    cadres: &mut [Cadre],
    units: &mut [Unit],
    phase: impl Fn(&mut Chunk, &mut [Cadre], &mut [Unit]) + Sync,
) {
    let (mut cadres, mut units) = (cadres, units);
    if !parallel {
        for chunk in chunks {
            let (own_cadres, rest) = cadres.split_at_mut(chunk.cadres.len());
            let (own_units, rest_units) = units.split_at_mut(chunk.units.len());
            (cadres, units) = (rest, rest_units);
            phase(chunk, own_cadres, own_units);
        }
        return;
    }
    use rayon::prelude::*;
    let mut parts = Vec::with_capacity(chunks.len());
    for chunk in chunks {
        let (own_cadres, rest) = cadres.split_at_mut(chunk.cadres.len());
        let (own_units, rest_units) = units.split_at_mut(chunk.units.len());
        (cadres, units) = (rest, rest_units);
        parts.push((chunk, own_cadres, own_units));
    }
    parts
        .into_par_iter()
        .with_max_len(1)
        .for_each(|(chunk, cadres, units)| phase(chunk, cadres, units));
}

/// The traits a new cadre draws, and their samplers.
struct Traits {
    skill: BetaSampler,
    integrity: BetaSampler,
    alpha0: f64,
    beta0: f64,
    ln_lambda: f64,
    lambda_spread: f64,
}

impl Traits {
    fn of(pop: &Population) -> Traits {
        let (alpha0, beta0) = prior_counts(pop);
        Traits {
            skill: BetaSampler::new(pop.skill_alpha, pop.skill_beta),
            integrity: BetaSampler::new(pop.integrity_alpha, pop.integrity_beta),
            alpha0,
            beta0,
            ln_lambda: libm::log(pop.loss_aversion),
            lambda_spread: pop.loss_aversion_spread,
        }
    }

    /// A new cadre: skill, then loss aversion, then integrity.
    fn cadre(&self, rng: &mut SimRng) -> Cadre {
        let s = self.skill.sample(rng);
        let eps: f64 = StandardNormal.sample(rng);
        let g = self.integrity.sample(rng);
        Cadre {
            alpha: self.alpha0,
            beta: self.beta0,
            career: 0.0,
            skill: s as f32,
            loss_aversion: libm::exp(self.ln_lambda + self.lambda_spread * eps) as f32,
            integrity: g as f32,
            blocked_until: 0,
            passive_streak: 0,
            hidden_abuses: 0,
            own_signal: 0,
            pending_case: false,
            status: CadreStatus::Passive,
        }
    }

    /// A new unit: its leniency offset z, and the values derived from it.
    fn unit(rng: &mut SimRng, regime: &Regime) -> Unit {
        let z: f64 = StandardNormal.sample(rng);
        let mut unit = Unit {
            z,
            sensitivity: 0.0,
            leniency: 0.0,
            target_engagement: 0.0,
            engagement: 0.0,
            tolerated: 0,
            punished: 0,
            opportunities: 0,
            reforms: 0,
        };
        unit.derive(regime);
        unit.engagement = unit.target_engagement;
        unit
    }
}

/// The state of one replicate.
pub struct World {
    population: Population,
    /// The scenario's regime, as its timeline has changed it so far.
    regime: Regime,
    events: Vec<Event>,
    /// Which unit each cadre belongs to, and which place each unit.
    groups: Groups,
    cadres: Vec<Cadre>,
    units: Vec<Unit>,
    places: Vec<Place>,
    /// The places' units in chunks, in place order: one per place unless a place is split.
    chunks: Vec<Chunk>,
    /// Whether some place is split into chunks (the 1.3 draw layout).
    split: bool,
    /// Whether chunks step in parallel.
    parallel: bool,
    publish_scope: PublishScope,
    /// The rollout, if places adopt in this world (a no-adoption twin keeps the draws and
    /// not the rollout).
    rollout: Option<Rollout>,
    /// What the last step counted.
    last_tally: Tally,
    difficulty: BetaSampler,
    t: u32,
    /// Seats played by people in the next step (the class game); empty otherwise.
    seats: Vec<SeatChoice>,
}

impl World {
    /// A new world: units' offsets first, then each cadre's skill, loss aversion, integrity;
    /// then the places' draws, from their own stream (a split world draws each chunk's units
    /// and cadres from the chunk's own generator).
    pub fn new(spec: &ModelSpec, rng: SimRng) -> World {
        World::build(spec, rng, true, CHUNK_CADRES)
    }

    /// The twin of [`World::new`] in which no place adopts: the same draws, the same
    /// cohorts on record, the scenario's regime everywhere. What the rollout's world would
    /// have been without it: the counterfactual a DiD study can only estimate.
    pub fn without_adoption(spec: &ModelSpec, rng: SimRng) -> World {
        World::build(spec, rng, false, CHUNK_CADRES)
    }

    /// [`World::new`] with places split into chunks of `chunk_cadres` cadres instead of
    /// [`CHUNK_CADRES`]: for checks of the chunked draw layout on small worlds (the
    /// comparison of `benches/chunk_agreement.sh`, tests). The model's own worlds use
    /// [`World::new`].
    pub fn with_chunk_cadres(spec: &ModelSpec, rng: SimRng, chunk_cadres: u32) -> World {
        World::build(spec, rng, true, chunk_cadres.max(1))
    }

    fn build(spec: &ModelSpec, rng: SimRng, adopting: bool, chunk_cadres: u32) -> World {
        let pop = spec.population.clone();
        let regime = spec.regime.clone();
        let groups = Groups::new(pop.cadres, pop.unit_size).with_places(spec.places.count);
        let layout = chunk_layout(&groups, chunk_cadres);
        let split = layout.len() > groups.places() as usize;
        let parallel = layout.len() > 1 && groups.cadres() >= PARALLEL_CADRES;
        let traits = Traits::of(&pop);

        // Streams: see the module header ("Random draws") and docs/model.md.
        let (units, cadres, streams, mut setup) = if !split {
            let mut rng = rng;
            let units: Vec<Unit> = (0..groups.units())
                .map(|_| Traits::unit(&mut rng, &regime))
                .collect();
            let cadres: Vec<Cadre> = (0..groups.cadres())
                .map(|_| traits.cadre(&mut rng))
                .collect();
            let mut setup = rng.clone();
            setup.long_jump();
            let mut stream = rng;
            let streams: Vec<SimRng> = (0..layout.len())
                .map(|_| {
                    let own = stream.clone();
                    stream.jump();
                    own
                })
                .collect();
            (units, cadres, streams, setup)
        } else {
            let mut setup = rng;
            setup.long_jump();
            let mut stream = setup.clone();
            let mut streams: Vec<SimRng> = layout
                .iter()
                .map(|_| {
                    stream.long_jump();
                    stream.clone()
                })
                .collect();
            // Filled chunk by chunk, in parallel for a large world: the vectors are
            // allocated once, at their final size, so the peak memory is the world's.
            let mut rng0 = streams[0].clone();
            let mut units = vec![Traits::unit(&mut rng0, &regime); groups.units() as usize];
            let mut cadres = vec![traits.cadre(&mut rng0); groups.cadres() as usize];
            let mut filling: Vec<Chunk> = layout
                .iter()
                .zip(streams.drain(..))
                .map(|(&(place, ref own), rng)| Chunk::new(&groups, place, own.clone(), rng))
                .collect();
            for_chunks(
                parallel,
                &mut filling,
                &mut cadres,
                &mut units,
                |chunk, c, u| {
                    for unit in u {
                        *unit = Traits::unit(&mut chunk.rng, &regime);
                    }
                    for cadre in c {
                        *cadre = traits.cadre(&mut chunk.rng);
                    }
                },
            );
            let streams = filling.into_iter().map(|c| c.rng).collect();
            (units, cadres, streams, setup)
        };

        let places = make_places(spec, &groups, &units, &regime, &mut setup);
        let chunks = layout
            .into_iter()
            .zip(streams)
            .map(|((place, own), rng)| Chunk::new(&groups, place, own, rng))
            .collect();
        let mut events = spec.events.clone();
        events.sort_by_key(|e| e.at);
        World {
            difficulty: BetaSampler::new(pop.difficulty_alpha, pop.difficulty_beta),
            population: pop,
            regime,
            events,
            groups,
            cadres,
            units,
            places,
            chunks,
            split,
            parallel,
            publish_scope: spec.places.publish_scope,
            rollout: spec.rollout.clone().filter(|_| adopting),
            last_tally: Tally::default(),
            t: 0,
            seats: Vec::new(),
        }
    }

    /// The step the next call of [`World::step`] simulates.
    pub fn t(&self) -> u32 {
        self.t
    }
    pub fn cadres(&self) -> &[Cadre] {
        &self.cadres
    }
    pub fn units(&self) -> &[Unit] {
        &self.units
    }
    /// Which unit each cadre belongs to.
    pub fn groups(&self) -> Groups {
        self.groups
    }
    /// The scenario's regime, as its timeline has changed it so far (a place that adopted
    /// has its own: [`World::places`]).
    pub fn regime(&self) -> &Regime {
        &self.regime
    }
    pub fn places(&self) -> &[Place] {
        &self.places
    }
    /// The number of chunks the world is stepped in (one per place unless a place has more
    /// than [`CHUNK_CADRES`] cadres).
    pub fn chunk_count(&self) -> usize {
        self.chunks.len()
    }
    pub fn ledger(&self) -> CaseLedger {
        self.chunks
            .iter()
            .map(|c| c.cases.ledger())
            .fold(CaseLedger::default(), |a, b| CaseLedger {
                created: a.created + b.created,
                decided: a.decided + b.decided,
            })
    }
    /// The counts behind the last step's metrics.
    pub fn last_tally(&self) -> &Tally {
        &self.last_tally
    }
    /// Cases created but not yet decided.
    pub fn pending_cases(&self) -> u64 {
        self.chunks.iter().map(|c| c.cases.pending()).sum()
    }

    /// Simulates step `t` and returns its metrics: the regime's changes, then phases 1–3 in
    /// every chunk, the published cases gathered, phases 4–6 in every chunk, the counts
    /// gathered.
    pub fn step(&mut self) -> StepMetrics {
        self.apply_due_events();
        self.adopt_due();
        self.start_tallies();
        self.each_chunk(|s, chunk, cadres, units| {
            chunk.decide_due_cases(s, cadres, units);
            chunk.reveal_abuses(s, cadres, units);
            chunk.recover_leaders(s, units);
        });
        self.gather_published();
        self.learn_choose_act();
        self.t += 1;
        self.last_tally = self.total_tally();
        self.last_tally.metrics(
            self.population.success_value,
            self.population.violation_loss,
        )
    }

    /// The last step's metrics of place `place`.
    pub fn place_metrics(&self, place: usize) -> StepMetrics {
        self.places[place].tally.metrics(
            self.population.success_value,
            self.population.violation_loss,
        )
    }

    /// Runs `phase` on every chunk (see [`for_chunks`]) with what it may read of the world.
    fn each_chunk(
        &mut self,
        phase: impl Fn(&Shared, &mut Chunk, &mut [Cadre], &mut [Unit]) + Sync,
    ) {
        let World {
            population,
            groups,
            cadres,
            units,
            places,
            chunks,
            split,
            parallel,
            publish_scope,
            difficulty,
            t,
            seats,
            ..
        } = self;
        let national = places
            .iter()
            .fold((0, 0), |(a, b), p| (a + p.published.0, b + p.published.1));
        let shared = Shared {
            t: *t,
            groups: *groups,
            population,
            places,
            publish_scope: *publish_scope,
            national,
            difficulty,
            seats,
            split: *split,
        };
        for_chunks(*parallel, chunks, cadres, units, |chunk, cadres, units| {
            phase(&shared, chunk, cadres, units)
        });
    }

    /// Each chunk's and place's tally starts the step with its cadres and units.
    fn start_tallies(&mut self) {
        for chunk in &mut self.chunks {
            chunk.tally = Tally {
                cadres: chunk.cadres.len() as u64,
                units: chunk.units.len() as u64,
                ..Tally::default()
            };
        }
        for place in &mut self.places {
            place.tally = Tally::default();
        }
    }

    /// Each place's published cases: its chunks' summed.
    fn gather_published(&mut self) {
        for place in &mut self.places {
            place.published = (0, 0);
        }
        for chunk in &self.chunks {
            let place = &mut self.places[chunk.place as usize];
            place.published.0 += chunk.published.0;
            place.published.1 += chunk.published.1;
        }
    }

    /// Each place's tally: its chunks' summed in chunk order (a place of one chunk has its
    /// chunk's, bit for bit).
    fn gather_tallies(&mut self) {
        for (i, chunk) in self.chunks.iter().enumerate() {
            let place = &mut self.places[chunk.place as usize];
            if i == 0 || self.chunks[i - 1].place != chunk.place {
                place.tally = chunk.tally.clone();
            } else {
                place.tally.add(&chunk.tally);
            }
        }
    }

    /// The world's tally: the places' summed (place 0's alone, bit for bit, in a world of
    /// one place), with the spread of initiative across all units.
    fn total_tally(&self) -> Tally {
        let mut places = self.places.iter();
        let mut total = places.next().expect("a world has a place").tally.clone();
        for place in places {
            total.add(&place.tally);
        }
        total.unit_initiative_sd = if self.split {
            // Each chunk's part was counted in the parallel pass; merged in chunk order.
            self.chunks
                .iter()
                .fold(Spread::default(), |s, c| s.merge(c.spread))
                .sd()
        } else {
            Spread::of(&self.units).sd()
        };
        total
    }

    /// Runs `steps` steps and returns their metrics in order (through the one driver loop,
    /// [`super::drive::drive`], with a [`Record`] observer).
    pub fn run(&mut self, steps: u32) -> Vec<StepMetrics> {
        let mut record = Record::default();
        drive(std::slice::from_mut(self), steps, &mut record);
        record.into_series().pop().unwrap_or_default()
    }

    /// The policy timeline: regime changes due before this step, in every place (an
    /// adopted place keeps the rollout's levers). Unit draws stay, derived unit values are
    /// recomputed, engagement keeps its value.
    fn apply_due_events(&mut self) {
        let t = self.t;
        let mut changed = false;
        for event in self.events.iter().filter(|e| e.at == t) {
            for &(id, value) in &event.changes {
                // The validator admits regime parameters only; set refuses any other.
                let regime = self.regime.set(id, value);
                debug_assert!(regime, "an event changes {id}, not a regime parameter");
                changed = true;
            }
        }
        if changed {
            for p in 0..self.places.len() {
                self.set_place_regime(p);
            }
        }
    }

    /// The rollout: places whose cohort adopts at this step switch to the adopted regime.
    fn adopt_due(&mut self) {
        if self.rollout.is_none() {
            return;
        }
        let t = self.t;
        for p in 0..self.places.len() {
            let place = &mut self.places[p];
            if !place.adopted && place.draw.cohort.is_some_and(|at| at <= t) {
                place.adopted = true;
                self.set_place_regime(p);
            }
        }
    }

    /// Place `p`'s regime from the scenario's and, once adopted, the rollout's; its units'
    /// derived values follow.
    fn set_place_regime(&mut self, p: usize) {
        let place = &mut self.places[p];
        place.regime = match &self.rollout {
            Some(rollout) if place.adopted => {
                places::adopt(&self.regime, &rollout.adopt, place.draw.strength)
            }
            _ => self.regime.clone(),
        };
        for unit in self.groups.place_units(p as u32) {
            self.units[unit as usize].derive(&place.regime);
        }
    }

    /// Phase 1 in every chunk (the step runs phases 1–3 in one pass per chunk).
    #[cfg(test)]
    pub(crate) fn decide_due_cases(&mut self) {
        self.each_chunk(|s, chunk, cadres, units| chunk.decide_due_cases(s, cadres, units));
        self.gather_published();
    }

    /// Phase 2 in every chunk.
    #[cfg(test)]
    pub(crate) fn reveal_abuses(&mut self) {
        self.each_chunk(|s, chunk, cadres, units| chunk.reveal_abuses(s, cadres, units));
    }

    /// Phase 3 in every chunk.
    #[cfg(test)]
    pub(crate) fn recover_leaders(&mut self) {
        self.each_chunk(|s, chunk, _, units| chunk.recover_leaders(s, units));
    }

    /// Phases 4–6 in every chunk, then the places' counts gathered.
    pub(crate) fn learn_choose_act(&mut self) {
        self.each_chunk(|s, chunk, cadres, units| chunk.learn_choose_act(s, cadres, units));
        self.seats.clear();
        self.gather_tallies();
    }
}

impl Chunk {
    fn new(groups: &Groups, place: u32, units: std::ops::Range<u32>, rng: SimRng) -> Chunk {
        Chunk {
            place,
            cadres: groups.cadres_in_units(units.start)..groups.cadres_in_units(units.end),
            units,
            rng,
            cases: CaseBook::default(),
            abusers: Vec::new(),
            published: (0, 0),
            tally: Tally::default(),
            spread: Spread::default(),
        }
    }

    /// Phase 1: decide the cases due now; honest decisions become signals.
    fn decide_due_cases(&mut self, s: &Shared, cadres: &mut [Cadre], units: &mut [Unit]) {
        let t = s.t;
        for unit in units.iter_mut() {
            unit.tolerated = 0;
            unit.punished = 0;
        }
        self.published = (0, 0);
        let r = &s.places[self.place as usize].regime;
        let (first_cadre, first_unit) = (self.cadres.start, self.units.start);
        let Chunk {
            rng,
            tally,
            cases,
            abusers,
            published,
            ..
        } = self;
        for case in cases.take_due(t) {
            let tolerated = case.reviewed && rng.random::<f64>() < case.tolerance;
            let cadre = &mut cadres[(case.cadre - first_cadre) as usize];
            cadre.pending_case = false;
            if case.violation {
                if tolerated {
                    tally.abuses += 1;
                    if cadre.hidden_abuses == 0 {
                        abusers.push(case.cadre);
                    }
                    cadre.hidden_abuses = cadre.hidden_abuses.saturating_add(1);
                } else {
                    cadre.career -= r.violation_severity;
                    cadre.blocked_until = cadre.blocked_until.max(t + r.violation_sanction_steps);
                }
                continue;
            }
            tally.honest_decided += 1;
            let unit = &mut units[(s.groups.unit_of(case.cadre) - first_unit) as usize];
            let is_published = rng.random::<f64>() < r.publish;
            if tolerated {
                tally.honest_tolerated += 1;
                cadre.own_signal = 1;
                unit.tolerated += 1;
                published.0 += is_published as u32;
            } else {
                cadre.own_signal = -1;
                cadre.career -= r.severity;
                cadre.blocked_until = cadre.blocked_until.max(t + r.sanction_steps);
                unit.punished += 1;
                published.1 += is_published as u32;
            }
        }
    }

    /// Phase 2: each hidden abuse comes to light with probability `abuse_reveal`; the
    /// violation sanction applies and the unit's leader is blamed.
    fn reveal_abuses(&mut self, s: &Shared, cadres: &mut [Cadre], units: &mut [Unit]) {
        let t = s.t;
        let r = &s.places[self.place as usize].regime;
        let (first_cadre, first_unit) = (self.cadres.start, self.units.start);
        let Chunk {
            rng,
            tally,
            abusers,
            ..
        } = self;
        abusers.retain(|&i| {
            let cadre = &mut cadres[(i - first_cadre) as usize];
            for _ in 0..cadre.hidden_abuses {
                if rng.random::<f64>() < r.abuse_reveal {
                    cadre.hidden_abuses -= 1;
                    tally.abuses_revealed += 1;
                    cadre.career -= r.violation_severity;
                    cadre.blocked_until = cadre.blocked_until.max(t + r.violation_sanction_steps);
                    units[(s.groups.unit_of(i) - first_unit) as usize].engagement *=
                        1.0 - r.reviewer_blame;
                }
            }
            cadre.hidden_abuses > 0
        });
    }

    /// Phase 3: leaders' engagement moves back toward its target.
    fn recover_leaders(&mut self, s: &Shared, units: &mut [Unit]) {
        let rate = s.places[self.place as usize].regime.leader_recovery;
        for unit in units {
            unit.engagement += rate * (unit.target_engagement - unit.engagement);
            self.tally.engagement_sum += unit.engagement;
        }
    }

    /// Phases 4–6, fused per cadre: learn from this step's decisions, choose, and act. The
    /// loop only walks units and their members; each phase is an inlined method of [`Pass`].
    fn learn_choose_act(&mut self, s: &Shared, cadres: &mut [Cadre], units: &mut [Unit]) {
        let place = &s.places[self.place as usize];
        let heard = match s.publish_scope {
            PublishScope::National => s.national,
            PublishScope::Place => place.published,
        };
        // This chunk's seats: the world's are sorted by cadre.
        let seats = {
            let from = s.seats.partition_point(|x| x.cadre < self.cadres.start);
            let to = s.seats.partition_point(|x| x.cadre < self.cadres.end);
            &s.seats[from..to]
        };
        // The step's counts are moved into the pass and back out after it: held by
        // value in a local, the optimiser can keep them in registers across the whole
        // loop (behind a reference it must assume a write to a cadre could change them).
        let mut pass = Pass {
            t: s.t,
            pop: s.population,
            r: &place.regime,
            k: Constants::of(s.population, &place.regime, heard),
            difficulty: s.difficulty,
            rng: &mut self.rng,
            cases: &mut self.cases,
            tally: std::mem::take(&mut self.tally),
            seats,
        };
        // The chunk starts at a unit's first member, so its cadres cut into units.
        let mut unit_cadres = cadres.chunks_mut(s.groups.unit_size() as usize);
        for (j, unit) in self.units.clone().zip(units.iter_mut()) {
            let members = unit_cadres.next().expect("a slice of cadres per unit");
            let evidence = pass.start_unit(unit);
            for (index, cadre) in s.groups.members(j).zip(members) {
                pass.cadre(index, cadre, unit, evidence);
            }
        }
        self.tally = pass.tally;
        if s.split {
            self.spread = Spread::of(units);
        }
    }
}

/// The places of a new world: each place's draws (from `setup`, the replicate's generator
/// long-jumped), its leniency and, before any adoption, the scenario's regime.
fn make_places(
    spec: &ModelSpec,
    groups: &Groups,
    units: &[Unit],
    regime: &Regime,
    setup: &mut SimRng,
) -> Vec<Place> {
    let n = groups.places();
    let leniency: Vec<f64> = (0..n)
        .map(|p| {
            let own = groups.place_units(p);
            let count = (own.end - own.start).max(1) as f64;
            units[own.start as usize..own.end as usize]
                .iter()
                .map(|u| u.z)
                .sum::<f64>()
                / count
        })
        .collect();
    let draws = places::draw_places(&spec.places, spec.rollout.as_ref(), &leniency, setup);
    (0..n as usize)
        .map(|p| Place {
            regime: regime.clone(),
            draw: draws[p],
            leniency: leniency[p],
            adopted: false,
            published: (0, 0),
            tally: Tally::default(),
        })
        .collect()
}

/// One step's pass over the cadres (phases 4–6): what the phases hold fixed for the step,
/// and what they change besides the cadre and its unit (the generator, the case book, the
/// step's counts).
struct Pass<'w> {
    t: u32,
    pop: &'w Population,
    r: &'w Regime,
    k: Constants,
    difficulty: &'w BetaSampler,
    rng: &'w mut SimRng,
    cases: &'w mut CaseBook,
    tally: Tally,
    seats: &'w [SeatChoice],
}

/// Terms of phases 4–6 that are the same for every cadre of a step, derived once.
struct Constants {
    memory: f64,
    /// Weight of one signal to the unit.
    unit_weight: f64,
    /// What every cadre's α and β receive each step besides its own and its unit's signals:
    /// the pull back to the prior and the published cases.
    alpha_drift: f64,
    beta_drift: f64,
    inv_temperature: f64,
    eu_passive_per_lambda: f64,
    failure_sanction: f64,
    violation_sanction: f64,
    opportunity: Chance,
}

impl Constants {
    fn of(pop: &Population, r: &Regime, published: (u32, u32)) -> Constants {
        let (alpha0, beta0) = prior_counts(pop);
        let memory = pop.memory;
        let published_weight = r.credibility * pop.weight_published;
        Constants {
            memory,
            unit_weight: r.credibility * pop.weight_unit,
            alpha_drift: (1.0 - memory) * alpha0 + published_weight * published.0 as f64,
            beta_drift: (1.0 - memory) * beta0 + published_weight * published.1 as f64,
            inv_temperature: 1.0 / pop.temperature,
            eu_passive_per_lambda: -r.inaction_detect * r.inaction_penalty,
            failure_sanction: r.detect * r.severity,
            violation_sanction: r.violation_detect * r.violation_severity,
            opportunity: Chance::new(pop.opportunity_rate),
        }
    }
}

/// What a unit's members learn from their unit this step: added to α and to β.
#[derive(Clone, Copy)]
struct UnitEvidence {
    alpha: f64,
    beta: f64,
}

impl Pass<'_> {
    /// Before a unit's members: reset its counts, and what its decisions teach them.
    #[inline]
    fn start_unit(&self, unit: &mut Unit) -> UnitEvidence {
        unit.opportunities = 0;
        unit.reforms = 0;
        UnitEvidence {
            alpha: self.k.alpha_drift + self.k.unit_weight * unit.tolerated as f64,
            beta: self.k.beta_drift + self.k.unit_weight * unit.punished as f64,
        }
    }

    /// Phases 4–6 for one cadre.
    #[inline]
    fn cadre(&mut self, index: u32, cadre: &mut Cadre, unit: &mut Unit, evidence: UnitEvidence) {
        let (own, b) = self.learn(cadre, evidence);
        if cadre.blocked_until > self.t {
            cadre.status = if cadre.pending_case {
                CadreStatus::UnderReview
            } else {
                CadreStatus::Sanctioned
            };
            return;
        }
        self.tally.active += 1;
        let lambda = cadre.loss_aversion as f64;
        // One length test per active cadre when no seat is played (the model's own runs).
        let reformed = match self.seat(index) {
            None => {
                let reformed = self.opportunity(index, cadre, unit, b, lambda);
                if !reformed {
                    self.temptation(index, cadre, unit, b, lambda);
                }
                reformed
            }
            Some(seat) => self.seated(index, cadre, unit, b, seat),
        };
        // Branch-free: whether a cadre is lying flat is as unpredictable as its choice.
        let lying_flat = cadre.passive_streak >= LYING_FLAT_STREAK;
        self.tally.lying_flat += lying_flat as u64;
        cadre.status = ACTIVE_STATUS
            [(reformed as usize) << 2 | (lying_flat as usize) << 1 | (own == 1) as usize];
    }

    /// Phase 4: learning from the cadre's own decision, its unit's and the published ones.
    /// Returns the cadre's own signal and its new belief.
    #[inline]
    fn learn(&mut self, cadre: &mut Cadre, evidence: UnitEvidence) -> (i8, f64) {
        let own = cadre.own_signal;
        cadre.own_signal = 0;
        cadre.alpha = self.k.memory * cadre.alpha + evidence.alpha + (own == 1) as u8 as f64;
        cadre.beta = self.k.memory * cadre.beta + evidence.beta + (own == -1) as u8 as f64;
        let b = cadre.belief();
        self.tally.belief_sum += b;
        (own, b)
    }

    /// Phase 5: an opportunity may arrive, and the cadre chooses whether to reform; phase 6
    /// follows a reform. Returns whether the cadre reformed.
    #[inline]
    fn opportunity(
        &mut self,
        index: u32,
        cadre: &mut Cadre,
        unit: &mut Unit,
        b: f64,
        lambda: f64,
    ) -> bool {
        if !self.k.opportunity.trial(self.rng) {
            return false;
        }
        let pop = self.pop;
        unit.opportunities += 1;
        self.tally.opportunities += 1;
        let d = self.difficulty.sample(self.rng);
        let p_success = logistic(pop.skill_sharpness * (cadre.skill as f64 - d));
        let eu_reform = p_success * pop.reward
            - (1.0 - p_success) * lambda * self.k.failure_sanction * (1.0 - b);
        let eu_passive = lambda * self.k.eu_passive_per_lambda;
        if below_logistic(
            self.rng.random(),
            (eu_reform - eu_passive) * self.k.inv_temperature,
        ) {
            cadre.passive_streak = 0;
            unit.reforms += 1;
            self.tally.reforms += 1;
            self.reform_outcome(index, cadre, unit, b, p_success);
            true
        } else {
            cadre.passive_streak = cadre.passive_streak.saturating_add(1);
            false
        }
    }

    /// Phase 6 after a reform: success, or a failure that may be corrected, detected and
    /// become a case.
    #[inline]
    fn reform_outcome(
        &mut self,
        index: u32,
        cadre: &mut Cadre,
        unit: &Unit,
        b: f64,
        p_success: f64,
    ) {
        let (pop, r) = (self.pop, self.r);
        if self.rng.random::<f64>() < p_success {
            self.tally.successes += 1;
            cadre.career += pop.reward;
            return;
        }
        self.tally.failures += 1;
        let corrected = self.rng.random::<f64>() < r.correction_capacity;
        self.tally.corrected += corrected as u64;
        self.tally.failure_losses += if corrected {
            (1.0 - r.recovery) * pop.failure_loss
        } else {
            pop.failure_loss
        };
        if self.rng.random::<f64>() < r.detect {
            self.tally.honest_detected += 1;
            let bonus = if corrected { r.correction_bonus } else { 0.0 };
            let detected = Detected {
                cadre: index,
                violation: false,
                review_chance: unit.review_chance(r, b),
                tolerance: unit.sensitivity + bonus,
            };
            let reviewed = self.cases.open(detected, cadre, r, self.t, self.rng);
            self.tally.honest_reviewed += reviewed as u64;
        }
    }

    /// Phases 5 and 6 for a cadre that did not reform: temptation, the choice to commit a
    /// self-serving violation, and its detection.
    #[inline]
    fn temptation(&mut self, index: u32, cadre: &mut Cadre, unit: &Unit, b: f64, lambda: f64) {
        let (pop, r) = (self.pop, self.r);
        if self.rng.random::<f64>() < pop.temptation * (1.0 - cadre.integrity as f64) {
            let eu_violation = pop.private_gain
                - lambda * self.k.violation_sanction * (1.0 - b * (1.0 - r.specificity));
            if below_logistic(self.rng.random(), eu_violation * self.k.inv_temperature) {
                self.tally.violations += 1;
                // Phase 6: outcome of the violation.
                if self.rng.random::<f64>() < r.violation_detect {
                    let detected = Detected {
                        cadre: index,
                        violation: true,
                        review_chance: unit.review_chance(r, b),
                        tolerance: unit.leniency,
                    };
                    self.cases.open(detected, cadre, r, self.t, self.rng);
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Seats played by people: the class game's one hook (`cadre-sim serve --class`).
//
// Why here: students play cadres *inside* the model's world, so their choices must feed the
// same units, cases, reviews and signals as the model cadres'. The game decides, for each
// student's seat and step, whether an opportunity arrived and its difficulty (from its own
// generator, so the world's stream is untouched by how many students play) and the
// student's choice; everything after the choice (success, correction, detection, review,
// tolerance) is drawn by the model, as for any cadre. A seat is offered no violations: the
// game asks people about reforms only. Unused (no seats, every model run), the cost is one
// length test per active cadre and the model's draws are exactly as before.
// ---------------------------------------------------------------------------------------

/// A person's play of one cadre's seat for one step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SeatChoice {
    /// The cadre's index.
    pub cadre: u32,
    /// The difficulty of the opportunity that arrived, or None: no opportunity this step.
    pub difficulty: Option<f64>,
    /// Whether the person took the reform (ignored without an opportunity).
    pub reform: bool,
}

impl World {
    /// The seats people play in the next step, replacing any not yet used; the step consumes
    /// them. A seat whose cadre is blocked (sidelined or under review) is not consulted.
    pub fn play_seats(&mut self, mut seats: Vec<SeatChoice>) {
        seats.sort_by_key(|s| s.cadre);
        seats.dedup_by_key(|s| s.cadre);
        self.seats = seats;
    }

    /// Gives every chunk a new generator, drawn from `rng` (chunk 0 gets `rng`, each
    /// further chunk it jumped once more). The class game's debrief
    /// continues the class's world in several runs from the same state, run r with its own
    /// stream (the same for every regime it compares: common random numbers). Nothing else
    /// of the world changes.
    pub fn reseed(&mut self, mut rng: SimRng) {
        for chunk in &mut self.chunks {
            chunk.rng = rng.clone();
            rng.jump();
        }
    }
}

impl Pass<'_> {
    /// The person's play of cadre `index` this step, if a person plays it.
    #[inline]
    fn seat(&self, index: u32) -> Option<SeatChoice> {
        if self.seats.is_empty() {
            return None;
        }
        let i = self.seats.binary_search_by_key(&index, |s| s.cadre).ok()?;
        Some(self.seats[i])
    }

    /// Phase 5 for a seat played by a person: the game's opportunity and difficulty, the
    /// person's choice; phase 6 as for any cadre. Returns whether the cadre reformed.
    fn seated(
        &mut self,
        index: u32,
        cadre: &mut Cadre,
        unit: &mut Unit,
        b: f64,
        seat: SeatChoice,
    ) -> bool {
        let Some(d) = seat.difficulty else {
            return false;
        };
        unit.opportunities += 1;
        self.tally.opportunities += 1;
        if !seat.reform {
            cadre.passive_streak = cadre.passive_streak.saturating_add(1);
            return false;
        }
        let p_success = logistic(self.pop.skill_sharpness * (cadre.skill as f64 - d));
        cadre.passive_streak = 0;
        unit.reforms += 1;
        self.tally.reforms += 1;
        self.reform_outcome(index, cadre, unit, b, p_success);
        true
    }
}

/// The prior belief pseudo-counts α₀, β₀.
fn prior_counts(pop: &Population) -> (f64, f64) {
    (
        pop.prior_strength * pop.prior_tolerance,
        pop.prior_strength * (1.0 - pop.prior_tolerance),
    )
}

#[cfg(test)]
mod tests {
    //! One test per phase of the step, on small worlds with extreme parameters so the
    //! expected outcome is certain.
    use super::*;
    use crate::model::Metric;
    use crate::model::rng::replicate_rng;

    /// A world of `population` under `regime`, no events, seed (1, 0).
    fn world_with(population: Population, regime: Regime) -> World {
        let spec = ModelSpec {
            population,
            regime,
            events: vec![],
            ..ModelSpec::default()
        };
        World::new(&spec, replicate_rng(1, 0))
    }

    fn world(cadres: u32, unit_size: u32, regime: Regime) -> World {
        let population = Population {
            cadres,
            unit_size,
            ..Population::default()
        };
        world_with(population, regime)
    }

    /// Runs one phase alone on fresh tallies and returns what it counted.
    fn phase(world: &mut World, run: fn(&mut World)) -> Tally {
        world.start_tallies();
        run(world);
        world.gather_tallies();
        world.total_tally()
    }

    fn due(world: &mut World, at: usize, case: Case) {
        world.chunks[0].cases.file(at as u32, case);
        world.cadres[case.cadre as usize].pending_case = true;
    }

    #[test]
    fn phase1_tolerated_honest_case_is_a_signal_to_cadre_and_unit() {
        let mut w = world(
            4,
            2,
            Regime {
                publish: 1.0,
                ..Regime::default()
            },
        );
        let case = Case {
            cadre: 1,
            violation: false,
            reviewed: true,
            tolerance: 1.0,
        };
        due(&mut w, 0, case);
        let tally = phase(&mut w, World::decide_due_cases);
        assert_eq!((tally.honest_decided, tally.honest_tolerated), (1, 1));
        assert_eq!(w.cadres[1].own_signal, 1);
        assert_eq!((w.units[0].tolerated, w.units[1].tolerated), (1, 0));
        assert_eq!(w.places[0].published, (1, 0));
        assert_eq!(w.cadres[1].career, 0.0);
        assert_eq!(w.ledger().decided, 1);
    }

    #[test]
    fn phase1_punished_honest_case_sanctions_and_blocks() {
        let regime = Regime {
            publish: 0.0,
            severity: 3.0,
            sanction_steps: 4,
            ..Regime::default()
        };
        let mut w = world(4, 2, regime);
        // Not reviewed: tolerance 0, so punished for sure.
        due(
            &mut w,
            0,
            Case {
                cadre: 2,
                violation: false,
                reviewed: false,
                tolerance: 0.0,
            },
        );
        let tally = phase(&mut w, World::decide_due_cases);
        assert_eq!((tally.honest_decided, tally.honest_tolerated), (1, 0));
        assert_eq!(w.cadres[2].career, -3.0);
        assert_eq!(w.cadres[2].blocked_until, 4);
        assert_eq!(w.cadres[2].own_signal, -1);
        assert_eq!(w.units[1].punished, 1);
        assert_eq!(w.places[0].published, (0, 0));
    }

    #[test]
    fn phase1_violations_become_abuses_or_violation_sanctions() {
        let mut w = world(4, 2, Regime::default());
        due(
            &mut w,
            0,
            Case {
                cadre: 0,
                violation: true,
                reviewed: true,
                tolerance: 1.0,
            },
        );
        due(
            &mut w,
            0,
            Case {
                cadre: 3,
                violation: true,
                reviewed: true,
                tolerance: 0.0,
            },
        );
        let tally = phase(&mut w, World::decide_due_cases);
        assert_eq!(tally.abuses, 1);
        assert_eq!(tally.honest_decided, 0, "violations are not honest cases");
        assert_eq!(w.cadres[0].hidden_abuses, 1);
        assert_eq!(w.chunks[0].abusers, vec![0]);
        assert_eq!(w.cadres[0].own_signal, 0, "a violation is not a signal");
        assert_eq!(w.cadres[3].career, -4.0);
        assert_eq!(w.cadres[3].blocked_until, 8);
    }

    #[test]
    fn phase2_revealed_abuse_is_sanctioned_and_blames_the_leader() {
        let regime = Regime {
            abuse_reveal: 1.0,
            reviewer_blame: 0.5,
            ..Regime::default()
        };
        let mut w = world(4, 2, regime);
        w.cadres[3].hidden_abuses = 1;
        w.chunks[0].abusers.push(3);
        let before = w.units[1].engagement;
        let tally = phase(&mut w, World::reveal_abuses);
        assert_eq!(tally.abuses_revealed, 1);
        assert_eq!(w.cadres[3].hidden_abuses, 0);
        assert!(w.chunks[0].abusers.is_empty());
        assert_eq!(w.cadres[3].career, -4.0);
        assert_eq!(w.cadres[3].blocked_until, 8);
        assert_eq!(w.units[1].engagement, before * 0.5);
        // Nothing is revealed when abuse_reveal is 0.
        let mut w = world(
            4,
            2,
            Regime {
                abuse_reveal: 0.0,
                ..Regime::default()
            },
        );
        w.cadres[0].hidden_abuses = 2;
        w.chunks[0].abusers.push(0);
        phase(&mut w, World::reveal_abuses);
        assert_eq!(w.cadres[0].hidden_abuses, 2);
    }

    #[test]
    fn phase3_leaders_recover_toward_their_target() {
        let regime = Regime {
            leader_recovery: 0.25,
            heterogeneity: 0.0,
            ..Regime::default()
        };
        let mut w = world(4, 2, regime);
        w.units[0].engagement = 0.0;
        let target = w.units[0].target_engagement;
        phase(&mut w, World::recover_leaders);
        assert!((w.units[0].engagement - 0.25 * target).abs() < 1e-15);
        assert_eq!(w.units[1].engagement, target);
    }

    /// A world whose cadres meet no opportunity and feel no temptation: phase 4–6 then
    /// draws nothing but the opportunity, and learning can be checked exactly.
    fn quiet_world(regime: Regime) -> World {
        let population = Population {
            cadres: 4,
            unit_size: 2,
            opportunity_rate: 0.0,
            temptation: 0.0,
            ..Population::default()
        };
        world_with(population, regime)
    }

    #[test]
    fn phase4_beliefs_learn_from_own_unit_and_published_cases() {
        let mut w = quiet_world(Regime {
            credibility: 0.5,
            ..Regime::default()
        });
        // Cadre 0's honest failure was tolerated; a punished case was published elsewhere.
        w.cadres[0].own_signal = 1;
        w.units[0].tolerated = 1;
        w.places[0].published = (0, 1);
        phase(&mut w, World::learn_choose_act);
        // α₀ = 4·0.3 = 1.2, β₀ = 2.8: with no other evidence the prior is a fixed point.
        let unit = 0.5 * 0.5; // credibility · weight_unit
        let published = 0.5 * 0.05; // credibility · weight_published
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
        assert!(
            close(w.cadres[0].alpha, 1.2 + 1.0 + unit),
            "{}",
            w.cadres[0].alpha
        );
        assert!(close(w.cadres[1].alpha, 1.2 + unit));
        assert!(close(w.cadres[2].alpha, 1.2));
        for c in &w.cadres {
            assert!(close(c.beta, 2.8 + published));
        }
        // Memory: with memory 0 a belief returns to the prior in one step.
        let mut w = quiet_world(Regime::default());
        w.population.memory = 0.0;
        w.cadres[0].alpha = 50.0;
        phase(&mut w, World::learn_choose_act);
        assert!(close(w.cadres[0].alpha, 1.2));
    }

    #[test]
    fn phase5_choices_follow_utility_and_skip_blocked_cadres() {
        let eager = Population {
            cadres: 100,
            unit_size: 10,
            opportunity_rate: 1.0,
            reward: 100.0,
            temperature: 0.01,
            ..Population::default()
        };
        // No sanction at stake: reforming has positive utility for every cadre.
        let mut w = world_with(
            eager.clone(),
            Regime {
                severity: 0.0,
                ..Regime::default()
            },
        );
        w.cadres[0].blocked_until = 5;
        w.cadres[0].pending_case = true;
        let tally = phase(&mut w, World::learn_choose_act);
        assert_eq!(tally.active, 99);
        assert_eq!(tally.opportunities, 99);
        assert_eq!(tally.reforms, 99);
        assert_eq!(w.cadres[0].status, CadreStatus::UnderReview);
        assert_eq!(w.cadres[1].status, CadreStatus::Reforming);

        // No reward and a harsh sanction: everyone declines, and streaks grow.
        let timid = Population {
            reward: 0.0,
            temptation: 0.0,
            ..eager
        };
        let mut w = world_with(
            timid,
            Regime {
                severity: 100.0,
                ..Regime::default()
            },
        );
        for _ in 0..LYING_FLAT_STREAK {
            let tally = phase(&mut w, World::learn_choose_act);
            assert_eq!(tally.reforms, 0);
            w.t += 1;
        }
        assert!(
            w.cadres
                .iter()
                .all(|c| c.passive_streak == LYING_FLAT_STREAK)
        );
        assert!(w.cadres.iter().all(|c| c.status == CadreStatus::LyingFlat));
    }

    #[test]
    fn phase6_failures_become_cases_decided_after_the_review_delay() {
        // Certain opportunity, certain failure (hard tasks, no skill), yet certain reform
        // (inaction is punished harder), certain detection and review.
        let population = Population {
            cadres: 50,
            unit_size: 10,
            opportunity_rate: 1.0,
            reward: 100.0,
            temperature: 0.01,
            skill_alpha: 1.0,
            skill_beta: 1000.0,
            difficulty_alpha: 1000.0,
            difficulty_beta: 1.0,
            skill_sharpness: 50.0,
            temptation: 0.0,
            ..Population::default()
        };
        let regime = Regime {
            detect: 1.0,
            severity: 0.0,
            inaction_detect: 1.0,
            inaction_penalty: 100.0,
            initiation_base: 1.0,
            heterogeneity: 0.0,
            review_delay: 3,
            correction_capacity: 1.0,
            recovery: 0.5,
            ..Regime::default()
        };
        let mut w = world_with(population, regime);
        let tally = phase(&mut w, World::learn_choose_act);
        assert_eq!(tally.failures, 50);
        assert_eq!(tally.corrected, 50);
        assert_eq!(tally.failure_losses, 25.0);
        assert_eq!((tally.honest_detected, tally.honest_reviewed), (50, 50));
        assert_eq!(
            w.chunks[0].cases.due_at(4).len(),
            50,
            "decided at t + 1 + review_delay"
        );
        assert!(
            w.cadres
                .iter()
                .all(|c| c.blocked_until == 4 && c.pending_case)
        );
        assert_eq!(w.ledger().created, 50);
    }

    #[test]
    fn phase6_violations_are_detected_and_reviewed_with_leniency() {
        let population = Population {
            cadres: 40,
            unit_size: 10,
            opportunity_rate: 0.0,
            temptation: 1.0,
            integrity_alpha: 0.001,
            integrity_beta: 1000.0,
            private_gain: 100.0,
            temperature: 0.01,
            ..Population::default()
        };
        let regime = Regime {
            violation_detect: 1.0,
            initiation_base: 0.0,
            self_application: 0.0,
            heterogeneity: 0.0,
            ..Regime::default()
        };
        let mut w = world_with(population, regime);
        let tally = phase(&mut w, World::learn_choose_act);
        assert_eq!(tally.violations, 40);
        assert_eq!(
            w.chunks[0].cases.due_at(1).len(),
            40,
            "unreviewed: decided at t + 1"
        );
        assert!(
            w.chunks[0]
                .cases
                .due_at(1)
                .iter()
                .all(|c| c.violation && !c.reviewed && c.tolerance == 0.0)
        );
    }

    #[test]
    fn events_change_the_regime_and_units_but_keep_engagement() {
        let population = Population {
            cadres: 40,
            unit_size: 10,
            ..Population::default()
        };
        let event = Event {
            at: 2,
            changes: vec![(ParamId::Sensitivity, 0.9), (ParamId::LeaderDuty, 1.0)],
        };
        let spec = ModelSpec {
            population,
            regime: Regime::default(),
            events: vec![event],
            ..ModelSpec::default()
        };
        let mut w = World::new(&spec, replicate_rng(3, 0));
        w.step();
        w.step();
        assert_eq!(w.regime().sensitivity, 0.6);
        let engagement: Vec<f64> = w.units.iter().map(|u| u.engagement).collect();
        w.apply_due_events();
        assert_eq!(w.regime().sensitivity, 0.9);
        assert_eq!(w.regime().leader_duty, 1.0);
        for (unit, e) in w.units.iter().zip(engagement) {
            assert_eq!(unit.sensitivity, (0.9 + 0.2 * unit.z).clamp(0.0, 1.0));
            assert_eq!(unit.target_engagement, (1.0 + 0.2 * unit.z).clamp(0.0, 1.0));
            assert_eq!(unit.engagement, e, "engagement keeps its value");
        }
    }

    #[test]
    fn metrics_come_from_the_step() {
        let mut w = world(200, 20, Regime::default());
        let m = w.step();
        assert_eq!(
            m[Metric::ActiveShare.index()],
            1.0,
            "nobody is blocked at step 0"
        );
        assert!(
            m[Metric::ToleranceRate.index()].is_nan(),
            "no case decided at step 0"
        );
        assert!((m[Metric::MeanBelief.index()] - 0.3).abs() < 1e-12);
    }
}
