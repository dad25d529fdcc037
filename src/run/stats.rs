//! Summary statistics over replicates: mean, sample standard deviation, and the 95%
//! confidence interval from Student's t. Missing values (NaN) are left out and counted.
//!
//! Also the final-window means every command reports: a replicate's mean of each metric
//! over its last steps ([`final_window_means`]), and their summary over replicates
//! ([`summaries`]). `run`, `sweep` (its point files and results) and the classroom page all
//! use these two, so their numbers cannot drift apart.

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, StudentsT};

use crate::model::{Metric, N_METRICS, StepMetrics};

/// The summary of one metric over replicates. Fields are NaN (written empty or null) where
/// they cannot be computed: everything with n = 0, sd and the interval with n = 1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Summary {
    pub mean: f64,
    pub sd: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    pub n: u64,
}

impl Summary {
    /// Summarises the present (non-NaN) values.
    pub fn of(values: impl IntoIterator<Item = f64>) -> Summary {
        let xs: Vec<f64> = values.into_iter().filter(|x| !x.is_nan()).collect();
        let mut passes = TwoPass::default();
        xs.iter().for_each(|&x| passes.first(x));
        passes.second_pass();
        xs.iter().for_each(|&x| passes.second(x));
        passes.summary()
    }
}

/// [`Summary::of`] over values that are not held in memory but read twice (an experiment's
/// estimates over thousands of replicates): the first pass sums them, the second sums the
/// squared deviations from their mean. The same arithmetic in the same order as
/// [`Summary::of`], which is built on it, so both give the same bits.
#[derive(Debug, Clone, Copy)]
pub struct TwoPass {
    sum: f64,
    n: u64,
    mean: f64,
    squares: f64,
}

impl Default for TwoPass {
    fn default() -> TwoPass {
        TwoPass {
            sum: empty_sum(),
            n: 0,
            mean: f64::NAN,
            squares: empty_sum(),
        }
    }
}

/// The value a sum of no `f64`s starts from (`Iterator::sum` folds from it), so that a sum
/// added up value by value is bit for bit the iterator's.
pub fn empty_sum() -> f64 {
    std::iter::empty::<f64>().sum()
}

impl TwoPass {
    /// The first pass: one value (NaN is left out).
    pub fn first(&mut self, x: f64) {
        if !x.is_nan() {
            self.sum += x;
            self.n += 1;
        }
    }

    /// Ends the first pass.
    pub fn second_pass(&mut self) {
        self.mean = if self.n == 0 {
            f64::NAN
        } else {
            self.sum / self.n as f64
        };
    }

    /// The second pass: the same values in the same order.
    pub fn second(&mut self, x: f64) {
        if !x.is_nan() {
            self.squares += (x - self.mean).powi(2);
        }
    }

    pub fn summary(&self) -> Summary {
        let n = self.n;
        let mean = self.mean;
        let sd = if n < 2 {
            f64::NAN
        } else {
            (self.squares / (n - 1) as f64).sqrt()
        };
        let half = t_quantile_975(n) * sd / (n as f64).sqrt();
        Summary {
            mean,
            sd,
            ci_low: mean - half,
            ci_high: mean + half,
            n,
        }
    }
}

/// The 0.975 quantile of Student's t with n − 1 degrees of freedom (NaN for n < 2).
pub fn t_quantile_975(n: u64) -> f64 {
    if n < 2 {
        return f64::NAN;
    }
    StudentsT::new(0.0, 1.0, (n - 1) as f64)
        .map(|t| t.inverse_cdf(0.975))
        .unwrap_or(f64::NAN)
}

/// The mean of the present values of a slice, NaN if none.
pub fn mean_present(values: impl IntoIterator<Item = f64>) -> f64 {
    let (sum, n) = values
        .into_iter()
        .filter(|x| !x.is_nan())
        .fold((0.0, 0u64), |(s, n), x| (s + x, n + 1));
    if n == 0 { f64::NAN } else { sum / n as f64 }
}

/// A replicate's mean of `metric` over its last `window` steps (all steps if fewer; NaN if
/// the metric is missing throughout).
pub fn final_window_mean(series: &[StepMetrics], metric: Metric, window: u32) -> f64 {
    let from = series.len().saturating_sub(window as usize);
    mean_present(series[from..].iter().map(|s| s[metric.index()]))
}

/// A replicate's mean of every metric over its last `window` steps, as
/// [`final_window_mean`].
pub fn final_window_means(series: &[StepMetrics], window: u32) -> [f64; N_METRICS] {
    Metric::ALL.map(|m| final_window_mean(series, m, window))
}

/// Per metric, the summary over replicates of their final-window means (one row per
/// replicate, as [`final_window_means`] gives them).
pub fn summaries(per_replicate: &[[f64; N_METRICS]]) -> [Summary; N_METRICS] {
    Metric::ALL.map(|m| Summary::of(per_replicate.iter().map(|row| row[m.index()])))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn textbook_interval() {
        // Mean 2, sd 1 over n = 3: t(0.975, 2) = 4.302653, half width 4.302653 / sqrt(3).
        let s = Summary::of([1.0, 2.0, 3.0]);
        assert_eq!(s.mean, 2.0);
        assert_eq!(s.sd, 1.0);
        assert!((s.ci_high - 2.0 - 4.302_652_73 / 3f64.sqrt()).abs() < 1e-6);
        assert!((t_quantile_975(31) - 2.042_272_46).abs() < 1e-6);
    }

    #[test]
    fn missing_values_are_left_out_and_counted() {
        let s = Summary::of([f64::NAN, 4.0]);
        assert_eq!((s.mean, s.n), (4.0, 1));
        assert!(s.sd.is_nan() && s.ci_low.is_nan());
        assert!(Summary::of([f64::NAN]).mean.is_nan());
        assert_eq!(Summary::of([]).n, 0);
    }

    #[test]
    fn final_window_means_average_the_last_steps_and_skip_missing_values() {
        let mut series = vec![[0.0; N_METRICS]; 5];
        for (t, step) in series.iter_mut().enumerate() {
            step[0] = t as f64;
            step[1] = if t == 4 { f64::NAN } else { 1.0 };
            step[2] = f64::NAN;
        }
        let means = final_window_means(&series, 2);
        assert_eq!(means[0], 3.5, "steps 3 and 4");
        assert_eq!(means[1], 1.0, "the missing step 4 is left out");
        assert!(means[2].is_nan(), "missing throughout");
        assert_eq!(
            final_window_means(&series, 50)[0],
            2.0,
            "a window past the run: all"
        );
        let metric = Metric::ALL[0];
        assert_eq!(final_window_mean(&series, metric, 2), means[0]);
        let s = summaries(&[means, final_window_means(&series, 5)]);
        assert_eq!((s[0].mean, s[0].n), (2.75, 2));
        assert_eq!(s[2].n, 0);
    }
}
