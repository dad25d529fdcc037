//! Designs: the ordered points a sweep runs, each a value for every varied parameter.
//!
//! A [`Design`] says nothing about how its points were chosen: a grid, zipped axes and a Latin
//! hypercube are built here, and a sensitivity analysis (Morris trajectories, Saltelli
//! matrices) can build its own and hand it to the very same execution, resume, shard and merge
//! machinery. Everything downstream sees only "point i sets parameter j to value v".

use rand::RngCore;
use rand::SeedableRng;
use serde::{Deserialize, Serialize};

use crate::model::params::Section;
use crate::model::rng::SimRng;
use crate::scenario::Factor;

/// The most points one design may have: beyond this, a cross product is almost surely a
/// mistake, and the per-point files would strain any file system.
pub const MAX_POINTS: usize = 10_000_000;

/// An ordered list of points over a fixed list of factors (parameters, or keys of the places
/// and rollout: [`Factor`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Design {
    /// How the points were generated: `grid`, `zip`, `lhs` (or a sensitivity method's name).
    /// Recorded for people and plots; the engine does not read it.
    pub method: String,
    /// The varied factors (written as their `section.name` keys).
    pub params: Vec<Factor>,
    /// `points[i][j]`: the value of `params[j]` at point i.
    pub points: Vec<Vec<f64>>,
    /// For a full grid, each axis's values in `params` order; points enumerate the cross
    /// product with the first axis slowest. A heatmap needs this shape.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grid: Option<Vec<Vec<f64>>>,
}

impl Design {
    /// A design from explicit points. Every parameter must exist and not be a `run.*`
    /// parameter (those fix the sweep's steps, replicates and seed, shared by all points), and
    /// every value must lie in its parameter's range. The message says what is wrong.
    pub fn new(
        method: impl Into<String>,
        params: Vec<Factor>,
        points: Vec<Vec<f64>>,
    ) -> Result<Design, String> {
        for (j, &id) in params.iter().enumerate() {
            check_sweepable(id)?;
            if params[..j].contains(&id) {
                return Err(format!("`{id}` is varied twice"));
            }
        }
        if points.is_empty() {
            return Err("a design needs at least one point".into());
        }
        if points.len() > MAX_POINTS {
            return Err(format!(
                "the design has {} points; the most is {MAX_POINTS}",
                points.len()
            ));
        }
        for (i, point) in points.iter().enumerate() {
            if point.len() != params.len() {
                return Err(format!(
                    "point {i} has {} values for {} parameters",
                    point.len(),
                    params.len()
                ));
            }
            for (&id, &v) in params.iter().zip(point) {
                id.check(v).map_err(|m| format!("point {i}: {m}"))?;
            }
        }
        Ok(Design {
            method: method.into(),
            params,
            points,
            grid: None,
        })
    }

    /// Whether it varies the places or the rollout, so that each point is a study of its own
    /// that must be checked whole.
    pub fn moves_the_study(&self) -> bool {
        self.params.iter().any(|f| matches!(f, Factor::Study(_)))
    }

    /// The full cross product of `axes` (first axis slowest).
    pub fn grid(axes: Vec<(Factor, Vec<f64>)>) -> Result<Design, String> {
        let total = axes
            .iter()
            .try_fold(1usize, |n, (_, vs)| n.checked_mul(vs.len()))
            .filter(|&n| n <= MAX_POINTS)
            .ok_or_else(|| {
                let sizes: Vec<String> = axes.iter().map(|(_, v)| v.len().to_string()).collect();
                format!(
                    "the grid has {} points; the most is {MAX_POINTS}",
                    sizes.join(" × ")
                )
            })?;
        let mut points = Vec::with_capacity(total);
        for i in 0..total {
            let mut rest = i;
            let mut point = vec![0.0; axes.len()];
            for (j, (_, values)) in axes.iter().enumerate().rev() {
                point[j] = values[rest % values.len()];
                rest /= values.len();
            }
            points.push(point);
        }
        let grid = axes.iter().map(|(_, v)| v.clone()).collect();
        let mut design = Design::new("grid", axes.into_iter().map(|(s, _)| s).collect(), points)?;
        design.grid = Some(grid);
        Ok(design)
    }

    /// Axes paired element by element: point i takes the i-th value of every axis.
    pub fn zip(axes: Vec<(Factor, Vec<f64>)>) -> Result<Design, String> {
        let n = axes.first().map_or(0, |(_, v)| v.len());
        if let Some((id, values)) = axes.iter().find(|(_, v)| v.len() != n) {
            return Err(format!(
                "zipped axes must have equal lengths: `{}` has {n} values but `{id}` has {}",
                axes[0].0,
                values.len()
            ));
        }
        let points = (0..n)
            .map(|i| axes.iter().map(|(_, v)| v[i]).collect())
            .collect();
        Design::new("zip", axes.into_iter().map(|(s, _)| s).collect(), points)
    }

    /// A Latin hypercube of `n` points over the given intervals, from `seed`: each interval
    /// is cut into n equal strata (in log space for a log scale) and every stratum of every
    /// parameter holds exactly one point, at a uniform position inside it. Integer
    /// parameters are rounded to the nearest integer.
    pub fn latin_hypercube(
        axes: Vec<(Factor, Interval)>,
        n: usize,
        seed: u64,
    ) -> Result<Design, String> {
        if n == 0 || n > MAX_POINTS {
            return Err(format!("a Latin hypercube needs 1 to {MAX_POINTS} points"));
        }
        let mut rng = SimRng::seed_from_u64(seed);
        let mut columns = Vec::with_capacity(axes.len());
        for &(id, interval) in &axes {
            // Shuffle the strata first, then draw positions: both from one pinned stream,
            // with our own Fisher–Yates so a rand upgrade cannot change the design.
            let mut strata: Vec<usize> = (0..n).collect();
            for i in (1..n).rev() {
                strata.swap(i, below(&mut rng, i + 1));
            }
            let column: Vec<f64> = strata
                .iter()
                .map(|&k| {
                    let u = (k as f64 + unit(&mut rng)) / n as f64;
                    round_for(id, interval.at(u))
                })
                .collect();
            columns.push(column);
        }
        let points = (0..n)
            .map(|i| columns.iter().map(|c| c[i]).collect())
            .collect();
        Design::new("lhs", axes.into_iter().map(|(s, _)| s).collect(), points)
    }

    pub fn len(&self) -> usize {
        self.points.len()
    }

    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }
}

/// Refuses factors a sweep cannot vary.
pub fn check_sweepable(factor: Factor) -> Result<(), String> {
    if let Factor::Param(id) = factor
        && id.section() == Section::Run
    {
        return Err(format!(
            "`{id}` cannot be varied: steps, replicates and seed are shared by every point \
             (set them with the sweep's top-level `steps`, `replicates` and `seed`)"
        ));
    }
    Ok(())
}

/// A closed interval of parameter values, on a linear or logarithmic scale.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    pub from: f64,
    pub to: f64,
    /// Log scale: equal ratios instead of equal differences (from and to must be > 0).
    pub log: bool,
}

impl Interval {
    /// The value a share `u` in [0, 1] of the way from `from` to `to`.
    pub fn at(&self, u: f64) -> f64 {
        if u == 0.0 {
            return self.from;
        }
        if u == 1.0 {
            return self.to;
        }
        if self.log {
            (self.from.ln() + u * (self.to.ln() - self.from.ln())).exp()
        } else {
            self.from + u * (self.to - self.from)
        }
    }

    /// `points` evenly spaced values from `from` to `to`, both included (points >= 2).
    pub fn spaced(&self, points: usize) -> Vec<f64> {
        (0..points)
            .map(|i| self.at(i as f64 / (points - 1) as f64))
            .collect()
    }
}

/// Rounds a generated value for an integer parameter; real parameters are left alone.
pub fn round_for(factor: Factor, v: f64) -> f64 {
    if factor.is_integer() { v.round() } else { v }
}

/// A uniform integer in [0, n), by Lemire's multiply-shift (bias below 2^-64 · n).
fn below(rng: &mut SimRng, n: usize) -> usize {
    ((rng.next_u64() as u128 * n as u128) >> 64) as usize
}

/// A uniform number in [0, 1) with 53 random bits.
fn unit(rng: &mut SimRng) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Which share of a design's points one process computes: point i belongs to shard
/// `i mod count`. Round-robin rather than blocks, so that shards get similar work even when
/// cost grows along an axis (population size, say).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// K in 0..count, as Slurm's `$SLURM_ARRAY_TASK_ID` with `--array=0-(count-1)`.
    pub index: u32,
    pub count: u32,
}

impl Shard {
    /// The whole design.
    pub const ALL: Shard = Shard { index: 0, count: 1 };

    /// Whether point `point` is this shard's.
    pub fn contains(&self, point: usize) -> bool {
        point % self.count as usize == self.index as usize
    }
}

impl std::str::FromStr for Shard {
    type Err = String;

    /// Parses `K/N` with K in 0..N.
    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = || {
            format!(
                "`{s}` is not a shard: write K/N with N >= 1 and K in 0..N (K from 0, as \
                 $SLURM_ARRAY_TASK_ID with --array=0-(N-1)), e.g. --shard 3/8"
            )
        };
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u32 = k.trim().parse().map_err(|_| bad())?;
        let count: u32 = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(key: &str) -> Factor {
        Factor::of(key).unwrap()
    }

    #[test]
    fn grid_is_the_cross_product_first_axis_slowest() {
        let d = Design::grid(vec![
            (spec("regime.detect"), vec![0.2, 0.8]),
            (spec("regime.severity"), vec![1.0, 2.0, 3.0]),
        ])
        .unwrap();
        assert_eq!(d.len(), 6);
        assert_eq!(d.points[0], vec![0.2, 1.0]);
        assert_eq!(d.points[2], vec![0.2, 3.0]);
        assert_eq!(d.points[3], vec![0.8, 1.0]);
        assert_eq!(d.grid.as_ref().unwrap()[1], vec![1.0, 2.0, 3.0]);
    }

    #[test]
    fn zip_pairs_and_checks_lengths() {
        let d = Design::zip(vec![
            (spec("regime.detect"), vec![0.2, 0.8]),
            (spec("regime.severity"), vec![1.0, 2.0]),
        ])
        .unwrap();
        assert_eq!(d.points, vec![vec![0.2, 1.0], vec![0.8, 2.0]]);
        let e = Design::zip(vec![
            (spec("regime.detect"), vec![0.2, 0.8]),
            (spec("regime.severity"), vec![1.0]),
        ])
        .unwrap_err();
        assert!(e.contains("equal lengths"), "{e}");
    }

    #[test]
    fn latin_hypercube_fills_every_stratum_once() {
        let n = 50;
        let iv = |from, to, log| Interval { from, to, log };
        let d = Design::latin_hypercube(
            vec![
                (spec("regime.detect"), iv(0.0, 1.0, false)),
                (spec("population.temperature"), iv(0.01, 1.0, true)),
            ],
            n,
            7,
        )
        .unwrap();
        assert_eq!(d.len(), n);
        let mut linear = vec![0; n];
        let mut log = vec![0; n];
        for p in &d.points {
            linear[((p[0] * n as f64) as usize).min(n - 1)] += 1;
            let u = (p[1].ln() - 0.01f64.ln()) / (1.0f64.ln() - 0.01f64.ln());
            log[((u * n as f64) as usize).min(n - 1)] += 1;
        }
        assert!(linear.iter().all(|&c| c == 1), "{linear:?}");
        assert!(log.iter().all(|&c| c == 1), "{log:?}");
        // Pinned generator: the same seed gives the same design, another seed another one.
        let again =
            Design::latin_hypercube(vec![(spec("regime.detect"), iv(0.0, 1.0, false))], n, 7)
                .unwrap();
        assert_eq!(
            again.points.iter().map(|p| p[0]).collect::<Vec<_>>(),
            d.points.iter().map(|p| p[0]).collect::<Vec<_>>()
        );
    }

    #[test]
    fn values_are_checked_against_ranges() {
        let e = Design::new("x", vec![spec("regime.detect")], vec![vec![1.5]]).unwrap_err();
        assert!(e.contains("regime.detect") && e.contains("[0, 1]"), "{e}");
        let e = Design::new("x", vec![spec("run.steps")], vec![vec![5.0]]).unwrap_err();
        assert!(e.contains("cannot be varied"), "{e}");
    }

    #[test]
    fn log_spacing_and_shards() {
        let v = Interval {
            from: 0.1,
            to: 10.0,
            log: true,
        }
        .spaced(3);
        assert_eq!(v[0], 0.1);
        assert!((v[1] - 1.0).abs() < 1e-12);
        assert_eq!(v[2], 10.0);
        let s: Shard = "1/3".parse().unwrap();
        assert!(s.contains(1) && s.contains(4) && !s.contains(2));
        assert!("3/3".parse::<Shard>().is_err());
        assert!("0/0".parse::<Shard>().is_err());
        assert!("a/b".parse::<Shard>().is_err());
    }
}
