//! Progress of a sweep: a bar on a terminal, plain periodic lines in logs, or nothing.
//!
//! Workers report each finished replicate (for agent-steps/s) and each finished point; the
//! reporter is shared by reference across rayon's threads, so it only uses atomics and a
//! try-lock, and never makes a worker wait.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

/// How often plain lines are printed when stderr is not a terminal.
pub const LINE_INTERVAL: Duration = Duration::from_secs(10);

enum Mode {
    Quiet,
    Bar(ProgressBar),
    Lines { last: Mutex<Instant> },
}

/// Progress over the points of one run (or shard).
pub struct Progress {
    mode: Mode,
    label: String,
    total: u64,
    /// Points finished before this run started (resumed), left out of the ETA.
    already: u64,
    done: AtomicU64,
    agent_steps: AtomicU64,
    start: Instant,
}

impl Progress {
    /// Progress over `total` points of which `already` were finished before this run. A bar
    /// if stderr is a terminal, plain lines otherwise, nothing when `quiet`.
    pub fn new(label: &str, total: u64, already: u64, quiet: bool) -> Progress {
        let mode = if quiet {
            Mode::Quiet
        } else if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new(total);
            bar.set_style(
                ProgressStyle::with_template(
                    // wide_bar takes what the text leaves, so the line never wraps.
                    "{spinner} {pos}/{len} points, {msg}, {elapsed} (eta {eta}) {wide_bar}",
                )
                .expect("valid template"),
            );
            bar.set_position(already);
            bar.reset_eta();
            bar.enable_steady_tick(Duration::from_millis(200));
            Mode::Bar(bar)
        } else {
            Mode::Lines {
                last: Mutex::new(Instant::now()),
            }
        };
        Progress {
            mode,
            label: label.to_string(),
            total,
            already,
            done: AtomicU64::new(already),
            agent_steps: AtomicU64::new(0),
            start: Instant::now(),
        }
    }

    /// One replicate of `agent_steps` agent-steps finished.
    pub fn replicate_done(&self, agent_steps: u64) {
        self.agent_steps.fetch_add(agent_steps, Ordering::Relaxed);
    }

    /// One point finished (its file is written).
    pub fn point_done(&self) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        match &self.mode {
            Mode::Quiet => {}
            Mode::Bar(bar) => {
                bar.set_message(format!("{:.1} M agent-steps/s", self.rate() / 1e6));
                bar.set_position(done);
            }
            Mode::Lines { last } => {
                // Whoever holds the lock is printing; the others carry on.
                if let Ok(mut last) = last.try_lock()
                    && last.elapsed() >= LINE_INTERVAL
                {
                    *last = Instant::now();
                    eprintln!("{}", self.line(done));
                }
            }
        }
    }

    /// Clears the bar, or prints the last line.
    pub fn finish(&self) {
        match &self.mode {
            Mode::Quiet => {}
            Mode::Bar(bar) => bar.finish_and_clear(),
            Mode::Lines { .. } => eprintln!("{}", self.line(self.done.load(Ordering::Relaxed))),
        }
    }

    fn rate(&self) -> f64 {
        self.agent_steps.load(Ordering::Relaxed) as f64
            / self.start.elapsed().as_secs_f64().max(1e-9)
    }

    /// `sweep x: 120/400 points (30.0%), 25.1 M agent-steps/s, elapsed 12s, eta 28s`
    fn line(&self, done: u64) -> String {
        let elapsed = self.start.elapsed().as_secs_f64();
        let fresh = done.saturating_sub(self.already);
        let left = self.total.saturating_sub(done);
        let eta = if fresh > 0 {
            format!("{:.0}s", elapsed / fresh as f64 * left as f64)
        } else {
            "?".into()
        };
        format!(
            "{}: {done}/{} points ({:.1}%), {:.1} M agent-steps/s, elapsed {elapsed:.0}s, eta {eta}",
            self.label,
            self.total,
            100.0 * done as f64 / self.total.max(1) as f64,
            self.rate() / 1e6
        )
    }
}
