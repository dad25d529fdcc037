//! Model parameters: names, defaults (the nominal regime), allowed ranges, meanings.
//!
//! Every parameter is declared once, in the `params!` table below, and everything else is
//! derived from that declaration: the structs the engine reads, `Default` (model.md's nominal
//! values), the [`ParamId`] enum that names a parameter everywhere past the parsers (events,
//! designs, translations, the page's caps), its `section.name` key for files and messages,
//! get and set by id, the `cadre-sim params` table and range validation. A parameter added
//! here is therefore known to every front end at once, and the translation tables, being
//! `match`es over `ParamId`, do not compile until it has its English and Chinese words.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The allowed range of a parameter (model.md, "Parameters and defaults").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Range {
    /// A probability or share: a real number in [0, 1].
    Unit,
    /// A real number greater than 0 (Beta shapes, loss aversion, temperature, ...).
    Positive,
    /// A real number of at least 0 (weights, values, losses, severities, ...).
    NonNegative,
    /// An integer of at least 0 (durations in steps).
    Count,
    /// An integer of at least 1 and at most the given cap (sizes).
    Size(u32),
    /// A seed: an integer in [0, 2^53], so that it survives any JSON or TOML reader exactly.
    Seed,
}

/// Whether `v` is a whole number in [min, max] (NaN and infinities are not): the one
/// integer check behind parameter ranges, sweep and sensitivity sizes, the classroom caps
/// and event steps.
pub fn integer_in(v: f64, min: f64, max: f64) -> bool {
    v >= min && v <= max && v.fract() == 0.0
}

/// The largest seed: 2^53, the largest integer every JSON reader holds exactly.
pub const MAX_SEED: u64 = 1 << 53;

impl Range {
    /// Whether `v` lies in this range (integers must be whole numbers).
    pub fn contains(self, v: f64) -> bool {
        if !v.is_finite() {
            return false;
        }
        match self {
            Range::Unit => (0.0..=1.0).contains(&v),
            Range::Positive => v > 0.0,
            Range::NonNegative => v >= 0.0,
            Range::Count => integer_in(v, 0.0, u32::MAX as f64),
            Range::Size(max) => integer_in(v, 1.0, max as f64),
            Range::Seed => integer_in(v, 0.0, MAX_SEED as f64),
        }
    }

    /// Whether values in this range are integers.
    pub fn is_integer(self) -> bool {
        matches!(self, Range::Count | Range::Size(_) | Range::Seed)
    }
}

impl fmt::Display for Range {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Range::Unit => write!(f, "a number in [0, 1]"),
            Range::Positive => write!(f, "a number > 0"),
            Range::NonNegative => write!(f, "a number >= 0"),
            Range::Count => write!(f, "an integer >= 0"),
            Range::Size(max) => write!(f, "an integer in [1, {max}]"),
            Range::Seed => write!(f, "an integer in [0, {MAX_SEED}]"),
        }
    }
}

/// The section of a scenario file a parameter lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Section {
    Run,
    Population,
    Regime,
}

impl Section {
    pub fn name(self) -> &'static str {
        match self {
            Section::Run => "run",
            Section::Population => "population",
            Section::Regime => "regime",
        }
    }
}

/// Everything known about one parameter.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ParamSpec {
    /// The typed name every part of the program past the parsers uses.
    #[serde(skip)]
    pub id: ParamId,
    pub section: Section,
    pub name: &'static str,
    /// `section.name`, built at compile time so that [`ParamSpec::key`] needs no allocation.
    #[serde(skip)]
    key: &'static str,
    pub default: f64,
    pub range: Range,
    /// The paper's concept it models (D1–D5, O1–O5, or "model" for the agents' make-up).
    pub concept: &'static str,
    /// What it means, in plain words.
    pub meaning: &'static str,
}

impl ParamSpec {
    /// `section.name`, the form used by `--set` and sweep axes.
    pub fn key(&self) -> &'static str {
        self.key
    }
}

/// The section a macro row's `in run` / `in population` / `in regime` names.
macro_rules! section {
    (run) => {
        Section::Run
    };
    (population) => {
        Section::Population
    };
    (regime) => {
        Section::Regime
    };
}

/// Declares the parameter structs, and from the same rows the [`ParamId`] enum and the spec
/// table it indexes. One row per parameter: `field (Id): type = default, range, concept,
/// meaning;`.
macro_rules! params {
    (
        $(
            $(#[$meta:meta])*
            pub struct $name:ident in $section:ident {
                $( $field:ident ($id:ident) : $ty:ident = $default:expr, $range:expr, $concept:literal, $meaning:literal; )*
            }
        )*
    ) => {
        $(
            $(#[$meta])*
            #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
            pub struct $name {
                $( #[doc = $meaning] pub $field: $ty, )*
            }

            impl Default for $name {
                fn default() -> Self {
                    Self { $( $field: $default, )* }
                }
            }

            impl $name {
                /// The value of parameter `id`, as f64; None for a parameter of another
                /// section.
                pub fn get(&self, id: ParamId) -> Option<f64> {
                    match id {
                        $( ParamId::$id => Some(self.$field as f64), )*
                        #[allow(unreachable_patterns)]
                        _ => None,
                    }
                }

                /// Sets parameter `id`. The value must already have been checked against its
                /// range (see [`ParamSpec::range`]); returns false for a parameter of another
                /// section, which is left alone.
                pub fn set(&mut self, id: ParamId, value: f64) -> bool {
                    match id {
                        $( ParamId::$id => { self.$field = value as $ty; true } )*
                        #[allow(unreachable_patterns)]
                        _ => false,
                    }
                }
            }
        )*

        /// A parameter, by type rather than by name: what events, designs, translations and
        /// caps hold. Names (`section.name` keys) are read and written only at the edges:
        /// scenario, sweep and request parsing, and display.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ParamId {
            $( $( #[doc = $meaning] $id, )* )*
        }

        /// Every parameter's spec, indexed by `ParamId as usize`.
        const SPECS: &[ParamSpec] = &[
            $( $( ParamSpec {
                id: ParamId::$id,
                section: section!($section),
                name: stringify!($field),
                key: concat!(stringify!($section), ".", stringify!($field)),
                default: $default as f64,
                range: $range,
                concept: $concept,
                meaning: $meaning,
            }, )* )*
        ];

        impl ParamId {
            /// Every parameter, in the order `cadre-sim params` lists them.
            pub const ALL: &'static [ParamId] = &[ $( $( ParamId::$id, )* )* ];
        }
    };
}

impl ParamId {
    /// Everything known about this parameter.
    pub fn spec(self) -> &'static ParamSpec {
        &SPECS[self as usize]
    }

    /// `section.name`, e.g. `regime.detect`.
    pub fn key(self) -> &'static str {
        self.spec().key
    }

    /// The name within its section, e.g. `detect`.
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    pub fn section(self) -> Section {
        self.spec().section
    }

    /// The parameter whose `section.name` key is `key` (exactly; bare names and "did you
    /// mean" hints are the scenario parser's, see `scenario::lookup_param`).
    pub fn from_key(key: &str) -> Option<ParamId> {
        SPECS.iter().find(|s| s.key == key).map(|s| s.id)
    }
}

/// Written as its `section.name` key, so files (sweep manifests, whose hash covers this
/// form) read the same as when designs held the key strings themselves.
impl Serialize for ParamId {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        ser.serialize_str(self.key())
    }
}

impl<'de> Deserialize<'de> for ParamId {
    fn deserialize<D: serde::Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        let key = std::borrow::Cow::<'de, str>::deserialize(de)?;
        ParamId::from_key(&key).ok_or_else(|| {
            serde::de::Error::custom(format_args!(
                "unknown parameter `{key}`; `cadre-sim params` lists them all"
            ))
        })
    }
}

impl fmt::Display for ParamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// The largest population one replicate may have (about 5 GiB of cadre state).
pub const MAX_CADRES: u32 = 100_000_000;
/// The longest run, in steps (quarters).
pub const MAX_STEPS: u32 = 100_000;
/// The most replicates of one run.
pub const MAX_REPLICATES: u32 = 100_000;

params! {
    /// How long and how often a scenario runs.
    pub struct RunParams in run {
        steps (Steps): u32 = 40, Range::Size(MAX_STEPS), "model",
            "Number of steps simulated; one step is one quarter.";
        replicates (Replicates): u32 = 30, Range::Size(MAX_REPLICATES), "model",
            "Independent replicates, each with its own random stream, for means and confidence intervals.";
        seed (Seed): u64 = 20230401, Range::Seed, "model",
            "Master seed; replicate r uses a generator seeded from (seed, r) only.";
    }

    /// The cadres: who they are, what they want, how they learn. Fixed for a run.
    pub struct Population in population {
        cadres (Cadres): u32 = 1000, Range::Size(MAX_CADRES), "model",
            "Number of cadres (officials) simulated.";
        unit_size (UnitSize): u32 = 20, Range::Size(MAX_CADRES), "D5",
            "Cadres per unit; each unit has one top leader who may start reviews.";
        skill_alpha (SkillAlpha): f64 = 4.0, Range::Positive, "model",
            "Beta shape alpha of cadre skill s.";
        skill_beta (SkillBeta): f64 = 4.0, Range::Positive, "model",
            "Beta shape beta of cadre skill s.";
        loss_aversion (LossAversion): f64 = 2.0, Range::Positive, "model",
            "Median loss aversion lambda: how much more a sanction weighs than an equal reward.";
        loss_aversion_spread (LossAversionSpread): f64 = 0.3, Range::NonNegative, "model",
            "Spread of ln(lambda) across cadres (standard deviation of its normal).";
        integrity_alpha (IntegrityAlpha): f64 = 8.0, Range::Positive, "model",
            "Beta shape alpha of integrity g; higher integrity means fewer self-serving temptations.";
        integrity_beta (IntegrityBeta): f64 = 2.0, Range::Positive, "model",
            "Beta shape beta of integrity g.";
        prior_tolerance (PriorTolerance): f64 = 0.3, Range::Unit, "D4",
            "Prior belief that an honest failure, once detected, goes unpunished.";
        prior_strength (PriorStrength): f64 = 4.0, Range::Positive, "D4",
            "Weight of the prior belief in pseudo-cases; large values pin beliefs at the prior.";
        opportunity_rate (OpportunityRate): f64 = 0.5, Range::Unit, "model",
            "Chance per step that an active cadre meets a reform opportunity.";
        difficulty_alpha (DifficultyAlpha): f64 = 2.0, Range::Positive, "model",
            "Beta shape alpha of an opportunity's difficulty d.";
        difficulty_beta (DifficultyBeta): f64 = 2.0, Range::Positive, "model",
            "Beta shape beta of an opportunity's difficulty d.";
        skill_sharpness (SkillSharpness): f64 = 6.0, Range::Positive, "model",
            "How sharply success depends on skill minus difficulty: p = logistic(sharpness * (s - d)).";
        reward (Reward): f64 = 1.0, Range::NonNegative, "D1",
            "Career reward of a successful reform.";
        temperature (Temperature): f64 = 0.25, Range::Positive, "model",
            "Noise of choices (logit temperature); small values mean nearly strict utility maximisation.";
        success_value (SuccessValue): f64 = 1.0, Range::NonNegative, "model",
            "Social value of one successful reform.";
        failure_loss (FailureLoss): f64 = 1.0, Range::NonNegative, "O4",
            "Social loss of one failed reform before correction.";
        temptation (Temptation): f64 = 0.2, Range::Unit, "model",
            "Chance per step that a cadre of zero integrity considers a self-serving violation.";
        private_gain (PrivateGain): f64 = 1.5, Range::NonNegative, "model",
            "What a violation is worth to the cadre who commits it.";
        violation_loss (ViolationLoss): f64 = 2.0, Range::NonNegative, "model",
            "Social loss of one self-serving violation.";
        weight_unit (WeightUnit): f64 = 0.5, Range::NonNegative, "D4",
            "Weight a cadre gives to each case decided in its own unit.";
        weight_published (WeightPublished): f64 = 0.05, Range::NonNegative, "O3",
            "Weight a cadre gives to each published case.";
        memory (Memory): f64 = 0.9, Range::Unit, "D4",
            "Share of last step's belief evidence kept; the rest drifts back to the prior.";
    }

    /// The fault-tolerance regime: enforcement, reviews and correction. Events may change it.
    pub struct Regime in regime {
        detect (Detect): f64 = 0.6, Range::Unit, "D1",
            "Chance that a failed reform is detected and becomes a case.";
        severity (Severity): f64 = 3.0, Range::NonNegative, "D1",
            "Career sanction of a punished honest failure.";
        sanction_steps (SanctionSteps): u32 = 4, Range::Count, "D1",
            "Steps a cadre punished for an honest failure is sidelined.";
        violation_detect (ViolationDetect): f64 = 0.3, Range::Unit, "model",
            "Chance that a self-serving violation is detected.";
        violation_severity (ViolationSeverity): f64 = 4.0, Range::NonNegative, "model",
            "Career sanction of a punished violation.";
        violation_sanction_steps (ViolationSanctionSteps): u32 = 8, Range::Count, "model",
            "Steps a cadre punished for a violation is sidelined.";
        inaction_detect (InactionDetect): f64 = 0.0, Range::Unit, "D1",
            "Chance that inaction (a declined opportunity) is noticed and held to account.";
        inaction_penalty (InactionPenalty): f64 = 0.0, Range::NonNegative, "D1",
            "Sanction of noticed inaction (accountability for not acting, 不作为).";
        initiation_base (InitiationBase): f64 = 0.1, Range::Unit, "D2",
            "Chance that a unit's top leader starts a review of a detected case, without any duty.";
        leader_duty (LeaderDuty): f64 = 0.0, Range::Unit, "O2",
            "Top-leader (一把手) responsibility: share of the gap to always starting reviews that duty closes.";
        reviewer_blame (ReviewerBlame): f64 = 0.3, Range::Unit, "D2",
            "Share of a leader's engagement lost each time an abuse the unit tolerated comes to light.";
        leader_recovery (LeaderRecovery): f64 = 0.1, Range::Unit, "D2",
            "Share of the gap to target engagement a leader regains per step.";
        self_application (SelfApplication): f64 = 0.2, Range::Unit, "D2",
            "Chance that a cadre who believes tolerance is certain applies for a review (scaled by belief).";
        sensitivity (Sensitivity): f64 = 0.6, Range::Unit, "D3",
            "Chance that a review correctly tolerates an honest failure.";
        specificity (Specificity): f64 = 0.8, Range::Unit, "D3",
            "Chance that a review correctly refuses to tolerate a self-serving violation.";
        correction_bonus (CorrectionBonus): f64 = 0.0, Range::NonNegative, "O4",
            "Extra tolerance chance of a failure that was corrected (tolerance with correction).";
        review_delay (ReviewDelay): u32 = 2, Range::Count, "D3",
            "Extra steps a review takes before its decision.";
        heterogeneity (Heterogeneity): f64 = 0.2, Range::NonNegative, "D5",
            "Spread of leniency, review quality and leader engagement across units.";
        decision_noise (DecisionNoise): f64 = 0.1, Range::NonNegative, "O5",
            "Case-by-case noise of review decisions (arbitrariness).";
        publish (Publish): f64 = 0.1, Range::Unit, "O3",
            "Chance that a decided honest case is published to all cadres.";
        credibility (Credibility): f64 = 0.5, Range::Unit, "D4",
            "How far cadres trust the cases they hear of (their unit's and published ones).";
        correction_capacity (CorrectionCapacity): f64 = 0.3, Range::Unit, "O4",
            "Chance that a failed reform is caught and corrected.";
        recovery (Recovery): f64 = 0.6, Range::Unit, "O4",
            "Share of a corrected failure's loss that is recovered.";
        abuse_reveal (AbuseReveal): f64 = 0.05, Range::Unit, "model",
            "Chance per step that a wrongly tolerated violation (an abuse) comes to light.";
    }
}

/// Every parameter of every section, in the order `cadre-sim params` lists them.
pub fn all_specs() -> impl Iterator<Item = &'static ParamSpec> {
    SPECS.iter()
}

/// The parameters of one section, in declaration order.
pub fn section_specs(section: Section) -> impl Iterator<Item = &'static ParamSpec> {
    SPECS.iter().filter(move |s| s.section == section)
}

/// The spec of `section.name`, if there is one.
pub fn find_spec(section: Section, name: &str) -> Option<&'static ParamSpec> {
    section_specs(section).find(|s| s.name == name)
}

/// The closest known name to `name` among `candidates`, for "did you mean" hints.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(name, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_in_range_and_names_unique() {
        let mut seen = std::collections::HashSet::new();
        for spec in all_specs() {
            assert!(spec.range.contains(spec.default), "{} default", spec.name);
            assert!(seen.insert(spec.key()), "duplicate {}", spec.key());
        }
    }

    #[test]
    fn get_and_set_by_id_round_trip() {
        let mut regime = Regime::default();
        assert_eq!(regime.get(ParamId::Detect), Some(0.6));
        assert!(regime.set(ParamId::ReviewDelay, 5.0));
        assert_eq!(regime.review_delay, 5);
        // An id of another section is refused and changes nothing.
        assert!(!regime.set(ParamId::Cadres, 1.0));
        assert_eq!(
            regime,
            Regime {
                review_delay: 5,
                ..Regime::default()
            }
        );
        assert_eq!(regime.get(ParamId::Cadres), None);
        assert_eq!(Population::default().get(ParamId::Cadres), Some(1000.0));
    }

    #[test]
    fn ids_index_their_specs_and_keys_round_trip() {
        assert_eq!(ParamId::ALL.len(), all_specs().count());
        for (i, &id) in ParamId::ALL.iter().enumerate() {
            let spec = id.spec();
            assert_eq!(spec.id, id);
            assert_eq!(id as usize, i);
            assert_eq!(id.key(), format!("{}.{}", spec.section.name(), spec.name));
            assert_eq!(ParamId::from_key(id.key()), Some(id));
            assert_eq!(find_spec(id.section(), id.name()).map(|s| s.id), Some(id));
            let json = serde_json::to_string(&id).unwrap();
            assert_eq!(json, format!("\"{}\"", id.key()));
            assert_eq!(serde_json::from_str::<ParamId>(&json).unwrap(), id);
        }
        assert_eq!(ParamId::LeaderDuty.key(), "regime.leader_duty");
        assert_eq!(
            ParamId::from_key("detect"),
            None,
            "keys only, bare names are parsing's"
        );
        assert!(serde_json::from_str::<ParamId>("\"regime.nope\"").is_err());
    }

    #[test]
    fn ranges() {
        assert!(Range::Unit.contains(0.0) && Range::Unit.contains(1.0));
        assert!(!Range::Unit.contains(1.01) && !Range::Unit.contains(f64::NAN));
        assert!(!Range::Positive.contains(0.0));
        assert!(!Range::Count.contains(1.5) && Range::Count.contains(0.0));
        assert!(!Range::Size(10).contains(0.0) && !Range::Size(10).contains(11.0));
        assert!(integer_in(2.0, 2.0, 3.0) && integer_in(3.0, 2.0, 3.0));
        assert!(!integer_in(2.5, 2.0, 3.0) && !integer_in(4.0, 2.0, 3.0));
        assert!(!integer_in(f64::NAN, 0.0, 3.0) && !integer_in(f64::INFINITY, 0.0, f64::MAX));
    }

    #[test]
    fn suggestions() {
        assert_eq!(suggest("detcet", ["detect", "severity"]), Some("detect"));
        assert_eq!(suggest("zzz", ["detect", "severity"]), None);
    }
}
