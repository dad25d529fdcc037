//! Places and staggered adoption (model extension 1.2; docs/model.md, "Places and rollout").
//!
//! A world may be split into `count` places (provinces, cities): consecutive, equal blocks of
//! units ([`super::Groups`] says which). Each place has its own regime. Without a rollout
//! every place follows the scenario's regime and its timeline, exactly as a world of one
//! place does; with a [`Rollout`], the places of a cohort switch to the adopted regime at the
//! cohort's step, each as strongly as its implementation strength says (D5: the same rules
//! are carried out unevenly), and the rest never adopt. That is the staggered natural
//! experiment the empirical studies of the mechanism analyse by difference-in-differences.
//!
//! Who adopts when, and how strongly, is drawn per replicate from a stream of its own (the
//! replicate's generator long-jumped), so the draws of the simulation itself are those of a
//! world without places, and a world with a rollout and its no-adoption twin share them.

use rand::seq::SliceRandom;
use rand_distr::{Distribution, StandardNormal};
use serde::Serialize;

use super::params::{ParamId, Range, Regime};
use super::rng::SimRng;

/// How far a published case reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PublishScope {
    /// Every cadre of every place hears it (model 1.1's publication): cases published in
    /// adopting places reach places that have not adopted, a spillover onto the controls.
    #[default]
    National,
    /// Only the cadres of its own place hear it.
    Place,
}

impl PublishScope {
    pub const NAMES: [&'static str; 2] = ["national", "place"];

    pub fn name(self) -> &'static str {
        match self {
            PublishScope::National => "national",
            PublishScope::Place => "place",
        }
    }

    pub fn from_name(name: &str) -> Option<PublishScope> {
        match name {
            "national" => Some(PublishScope::National),
            "place" => Some(PublishScope::Place),
            _ => None,
        }
    }
}

/// The place level of a population: the `[places]` table of a scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Places {
    /// Number of places; the units are split evenly among them.
    pub count: u32,
    /// Whether a published case reaches every place or only its own.
    pub publish_scope: PublishScope,
    /// Spread of implementation strength across places: a place adopts with strength
    /// `max(0, 1 + strength_spread · u)`, `u ~ N(0, 1)`.
    pub strength_spread: f64,
}

impl Default for Places {
    /// One place: model 1.1's world.
    fn default() -> Self {
        Places {
            count: 1,
            publish_scope: PublishScope::National,
            strength_spread: 0.0,
        }
    }
}

impl Places {
    pub fn is_default(&self) -> bool {
        *self == Places::default()
    }
}

/// A group of places that adopt at the same step.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Cohort {
    /// The step before whose first phase its places adopt.
    pub at: u32,
    /// Its share of all places.
    pub share: f64,
}

/// How places are assigned to cohorts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Assignment {
    /// A fresh random order of places in every replicate.
    #[default]
    Random,
    /// The most lenient places (highest mean unit leniency offset z) adopt first: selection
    /// into treatment on a characteristic that also drives the outcome.
    LenientFirst,
    /// The strictest places adopt first.
    StrictFirst,
}

impl Assignment {
    pub const NAMES: [&'static str; 3] = ["random", "lenient_first", "strict_first"];

    pub fn name(self) -> &'static str {
        match self {
            Assignment::Random => "random",
            Assignment::LenientFirst => "lenient_first",
            Assignment::StrictFirst => "strict_first",
        }
    }

    pub fn from_name(name: &str) -> Option<Assignment> {
        Assignment::NAMES.iter().position(|n| *n == name).map(|i| {
            [
                Assignment::Random,
                Assignment::LenientFirst,
                Assignment::StrictFirst,
            ][i]
        })
    }
}

/// A staggered rollout: the `[rollout]` table of a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Rollout {
    /// What places adopt, in words: the adopted scenario's name (for reports).
    pub name: String,
    /// The regime parameters adoption changes, with the adopted values: where the adopted
    /// regime differs from the scenario's own.
    pub adopt: Vec<(ParamId, f64)>,
    /// The cohorts, by adoption step; shares sum to at most 1, the rest never adopt.
    pub cohorts: Vec<Cohort>,
    pub assign: Assignment,
}

/// Written as the scenario file's `[rollout]` table, the adopted values in full (not the
/// scenario they came from), so that `show`'s output reads back to the same rollout.
impl Serialize for Rollout {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        struct Levers<'a>(&'a [(ParamId, f64)]);
        impl Serialize for Levers<'_> {
            fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
                let mut map = ser.serialize_map(Some(self.0.len()))?;
                for &(id, value) in self.0 {
                    if id.spec().range.is_integer() {
                        map.serialize_entry(id.name(), &(value as u64))?;
                    } else {
                        map.serialize_entry(id.name(), &value)?;
                    }
                }
                map.end()
            }
        }
        let mut map = ser.serialize_map(Some(4))?;
        map.serialize_entry("name", &self.name)?;
        map.serialize_entry("assign", &self.assign)?;
        map.serialize_entry("regime", &Levers(&self.adopt))?;
        map.serialize_entry("cohorts", &self.cohorts)?;
        map.end()
    }
}

/// What one replicate drew for one place.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlaceDraw {
    /// The step the place adopts at; None for a place that never adopts.
    pub cohort: Option<u32>,
    /// Implementation strength: 1 carries the adopted regime out as written, 0 on paper only.
    pub strength: f64,
}

/// How many of `places` places each cohort gets: `share · places` rounded by largest
/// remainder, with the never-adopting rest as one more share, so the counts sum to `places`
/// and no cohort is more than one place off its share.
pub fn cohort_sizes(places: u32, cohorts: &[Cohort]) -> Vec<u32> {
    let never = (1.0 - cohorts.iter().map(|c| c.share).sum::<f64>()).max(0.0);
    let shares: Vec<f64> = cohorts
        .iter()
        .map(|c| c.share)
        .chain(std::iter::once(never))
        .collect();
    let exact: Vec<f64> = shares.iter().map(|s| s * places as f64).collect();
    let mut sizes: Vec<u32> = exact.iter().map(|x| x.floor() as u32).collect();
    let mut left = places.saturating_sub(sizes.iter().sum());
    // Largest remainders first; ties to the earlier cohort.
    let mut order: Vec<usize> = (0..exact.len()).collect();
    order.sort_by(|&a, &b| (exact[b] - exact[b].floor()).total_cmp(&(exact[a] - exact[a].floor())));
    for i in order {
        if left == 0 {
            break;
        }
        sizes[i] += 1;
        left -= 1;
    }
    sizes.pop();
    sizes
}

/// Draws each place's implementation strength and, with a rollout, its cohort.
///
/// `leniency[p]` is place p's mean unit leniency offset, for assignment by characteristic.
/// Draws, in order: one N(0, 1) per place for its strength (always, so that the spread does
/// not change who adopts), then, for random assignment, one shuffle of the places.
pub fn draw_places(
    places: &Places,
    rollout: Option<&Rollout>,
    leniency: &[f64],
    rng: &mut SimRng,
) -> Vec<PlaceDraw> {
    let n = leniency.len();
    let mut draws: Vec<PlaceDraw> = (0..n)
        .map(|_| {
            let u: f64 = StandardNormal.sample(rng);
            PlaceDraw {
                cohort: None,
                strength: (1.0 + places.strength_spread * u).max(0.0),
            }
        })
        .collect();
    let Some(rollout) = rollout else {
        return draws;
    };
    let mut order: Vec<usize> = (0..n).collect();
    match rollout.assign {
        Assignment::Random => order.shuffle(rng),
        Assignment::LenientFirst => order.sort_by(|&a, &b| leniency[b].total_cmp(&leniency[a])),
        Assignment::StrictFirst => order.sort_by(|&a, &b| leniency[a].total_cmp(&leniency[b])),
    }
    let mut cohorts = rollout.cohorts.clone();
    cohorts.sort_by_key(|c| c.at);
    let sizes = cohort_sizes(n as u32, &cohorts);
    let mut next = order.into_iter();
    for (cohort, size) in cohorts.iter().zip(sizes) {
        for p in next.by_ref().take(size as usize) {
            draws[p].cohort = Some(cohort.at);
        }
    }
    draws
}

/// The regime of a place that has adopted: each adopted lever moved from the place's own
/// value by `strength` times the way to the adopted value, then kept in its range (an integer
/// lever rounded, a probability clamped to [0, 1], a weight kept at 0 or above).
pub fn adopt(base: &Regime, adopt: &[(ParamId, f64)], strength: f64) -> Regime {
    let mut regime = base.clone();
    for &(id, target) in adopt {
        let own = base
            .get(id)
            .expect("rollouts change regime parameters only");
        let value = if strength == 1.0 {
            target
        } else {
            let v = own + strength * (target - own);
            match id.spec().range {
                Range::Unit => v.clamp(0.0, 1.0),
                Range::Count => v.round().max(0.0),
                _ => v.max(0.0),
            }
        };
        regime.set(id, value);
    }
    regime
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn rollout(assign: Assignment, cohorts: &[(u32, f64)]) -> Rollout {
        Rollout {
            name: "optimized_path".into(),
            adopt: vec![(ParamId::Sensitivity, 0.75)],
            cohorts: cohorts
                .iter()
                .map(|&(at, share)| Cohort { at, share })
                .collect(),
            assign,
        }
    }

    #[test]
    fn cohort_sizes_sum_to_the_places_and_follow_the_shares() {
        let c = |shares: &[f64]| -> Vec<Cohort> {
            shares
                .iter()
                .map(|&share| Cohort { at: 1, share })
                .collect()
        };
        assert_eq!(cohort_sizes(30, &c(&[0.2, 0.2, 0.2, 0.2])), [6, 6, 6, 6]);
        assert_eq!(
            cohort_sizes(10, &c(&[0.25, 0.25, 0.25, 0.25])),
            [3, 3, 2, 2]
        );
        assert_eq!(cohort_sizes(10, &c(&[0.5, 0.5])), [5, 5]);
        let sizes = cohort_sizes(7, &c(&[1.0 / 3.0, 1.0 / 3.0]));
        assert!(
            sizes.iter().all(|&n| n == 2 || n == 3),
            "{sizes:?}: within one of 7/3"
        );
        assert_eq!(cohort_sizes(3, &c(&[0.1])), [0]);
    }

    #[test]
    fn assignment_by_leniency_puts_the_most_lenient_first() {
        let leniency = [0.1, 0.9, -0.5, 0.4];
        let places = Places {
            count: 4,
            ..Places::default()
        };
        let r = rollout(Assignment::LenientFirst, &[(5, 0.25), (10, 0.25)]);
        let draws = draw_places(&places, Some(&r), &leniency, &mut SimRng::seed_from_u64(1));
        let cohorts: Vec<Option<u32>> = draws.iter().map(|d| d.cohort).collect();
        assert_eq!(cohorts, [None, Some(5), None, Some(10)]);
        let r = rollout(Assignment::StrictFirst, &[(5, 0.25)]);
        let draws = draw_places(&places, Some(&r), &leniency, &mut SimRng::seed_from_u64(1));
        assert_eq!(draws[2].cohort, Some(5));
        assert!(
            draws.iter().all(|d| d.strength == 1.0),
            "no spread, full strength"
        );
    }

    #[test]
    fn random_assignment_differs_by_stream_and_keeps_the_sizes() {
        let places = Places {
            count: 20,
            strength_spread: 0.5,
            ..Places::default()
        };
        let r = rollout(Assignment::Random, &[(5, 0.5)]);
        let draw = |seed| {
            draw_places(
                &places,
                Some(&r),
                &[0.0; 20],
                &mut SimRng::seed_from_u64(seed),
            )
        };
        let (a, b) = (draw(1), draw(2));
        assert_eq!(a.iter().filter(|d| d.cohort.is_some()).count(), 10);
        assert_ne!(a, b);
        assert_eq!(a, draw(1));
        assert!(a.iter().all(|d| d.strength >= 0.0));
        assert!(a.iter().any(|d| d.strength != 1.0));
    }

    #[test]
    fn adoption_moves_levers_by_strength_within_their_ranges() {
        let base = Regime::default();
        let levers = [
            (ParamId::Sensitivity, 0.9),
            (ParamId::ReviewDelay, 1.0),
            (ParamId::Heterogeneity, 0.05),
        ];
        assert_eq!(adopt(&base, &levers, 1.0).sensitivity, 0.9);
        let half = adopt(&base, &levers, 0.5);
        assert!((half.sensitivity - 0.75).abs() < 1e-12);
        assert_eq!(half.review_delay, 2, "1.5 rounds to 2");
        assert_eq!(
            adopt(&base, &levers, 0.0),
            base,
            "strength 0: on paper only"
        );
        let strong = adopt(&base, &levers, 3.0);
        assert_eq!(strong.sensitivity, 1.0, "clamped to [0, 1]");
        assert_eq!(strong.heterogeneity, 0.0, "kept at 0 or above");
    }
}
