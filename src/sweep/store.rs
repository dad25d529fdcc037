//! The sweep folder: what is on disk, how a run resumes, and how shards are merged.
//!
//! ```text
//! <out>/manifest.json     the resolved sweep and its hash; written first, never changed
//! <out>/points.csv        point id and every varied value; written first
//! <out>/points/p000012.csv  one finished point: each replicate's final-window means (in an
//!                           experiment sweep: the point's experiment's estimates_summary.csv)
//! <out>/raw/p000012.csv   with --raw: every step of every replicate of that point
//! <out>/shards/3-of-8.done  a shard that finished its share
//! <out>/heatmap_*.png, lines_*.png  plots (written by the caller's products, see below)
//! <out>/results.csv       assembled from points/ once every point is finished; written last
//!                         (an experiment sweep: `point` and its summary's rows; no runs.csv)
//! <out>/raw.csv           with --raw, assembled from raw/
//! ```
//!
//! A point file is written atomically the moment its last replicate finishes, and it is the
//! only record that the point is done: a killed run loses at most the points in flight.
//! `results.csv` is always assembled from the point files, in point order, never from memory,
//! so a resumed, a merged and an uninterrupted run write the same bytes. Point files carry
//! the sweep hash, so files from another sweep are recognised and refused.

use std::collections::BTreeSet;
use std::fs;
use std::io::{self, BufRead};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::design::Shard;
use super::plan::{ResolvedSweep, SweepPlan};
use crate::error::InputError;
use crate::error::IoContext;
use crate::model::{Metric, N_METRICS, StepMetrics};
use crate::output::experiment::ESTIMATES_SUMMARY_HEADER;
use crate::output::{
    OutputDir, Producer, data::summary_fields, number, write_atomic, write_atomic_unsynced,
    write_atomic_with, write_atomic_with_then,
};
use crate::run::stats::summaries;

pub const MANIFEST: &str = "manifest.json";
pub const POINTS_CSV: &str = "points.csv";
pub const RESULTS_CSV: &str = "results.csv";
pub const RAW_CSV: &str = "raw.csv";
/// One row per point × replicate: the point's parameters and the replicate's final-window
/// means (Mesa's `batch_run` table).
pub const RUNS_CSV: &str = "runs.csv";
pub const POINT_DIR: &str = "points";
pub const RAW_DIR: &str = "raw";
pub const SHARD_DIR: &str = "shards";
pub const SLURM_DIR: &str = "slurm";

/// How the names of a sweep's plot files begin (`heatmap_initiative.png`,
/// `lines_initiative.svg`): a rerun removes those it did not draw again.
pub const PLOT_PREFIXES: [&str; 2] = ["heatmap_", "lines_"];

/// Whether `name` is a plot file a sweep writes.
pub fn is_plot_file(name: &str) -> bool {
    PLOT_PREFIXES.iter().any(|p| name.starts_with(p))
        && (name.ends_with(".png") || name.ends_with(".svg"))
}

/// Header of `results.csv`.
pub const RESULTS_HEADER: [&str; 7] = ["point", "metric", "mean", "sd", "ci_low", "ci_high", "n"];

/// Each replicate's final-window mean of every metric, for one point.
pub type PointValues = Vec<[f64; N_METRICS]>;

/// `manifest.json`: the resolved sweep and what people need to read the folder.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub tool: String,
    pub version: String,
    pub name: String,
    pub description: String,
    /// SHA-256 of the compact JSON of `sweep`: what a rerun must match to resume.
    pub sweep_hash: String,
    pub points: usize,
    pub replicates: u32,
    pub metrics: Vec<String>,
    pub sweep: ResolvedSweep,
}

impl Manifest {
    fn of(plan: &SweepPlan) -> Manifest {
        Manifest {
            tool: "cadre-sim".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            name: plan.name.clone(),
            description: plan.description.clone(),
            sweep_hash: plan.hash(),
            points: plan.design().len(),
            replicates: plan.resolved().replicates,
            metrics: Metric::ALL.iter().map(|m| m.name().to_string()).collect(),
            sweep: plan.resolved().clone(),
        }
    }
}

/// What happened to a folder when a run opened it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opened {
    /// Empty, or emptied with --force.
    Fresh,
    /// The same sweep was started here before: finished points are kept.
    Resumed,
}

/// An open sweep folder.
#[derive(Debug)]
pub struct SweepStore {
    dir: OutputDir,
    manifest: Manifest,
    /// Digits of point ids in file names, so that names sort in point order.
    width: usize,
}

/// What `assemble` wrote.
#[derive(Debug, Clone, Copy)]
pub struct Assembled {
    pub points: usize,
    pub raw: bool,
}

impl SweepStore {
    /// Opens `path` for running `plan` as `producer` (a sweep, or the design of a sensitivity
    /// analysis): a new folder, or one holding the same sweep (resume). A folder holding
    /// another sweep is refused unless `force`, which removes what the command wrote there
    /// first (but not its Slurm script); other commands' results and a user's files follow
    /// [`OutputDir::check`]'s rules.
    pub fn prepare(
        path: &Path,
        plan: &SweepPlan,
        force: bool,
        producer: Producer,
    ) -> crate::error::Result<(SweepStore, Opened)> {
        let manifest = Manifest::of(plan);
        let at = || path.display().to_string();
        let mut folder = OutputDir::check(path, producer, force)?;
        let mut existing = read_manifest(path)?;
        if existing.is_none() && has_sweep_files(path) {
            // Shards started together race to create the folder: another one may have
            // written its manifest between our two looks (the manifest is written first).
            existing = read_manifest(path)?;
        }
        let opened = match &existing {
            Some(old) if old.sweep_hash == manifest.sweep_hash && !force => Opened::Resumed,
            Some(old) if !force => {
                let done = count_point_files(&path.join(POINT_DIR));
                let finished = if path.join(RESULTS_CSV).exists() {
                    "finished".to_string()
                } else {
                    format!("{done} of {} points finished", old.points)
                };
                return Err(InputError::new(
                    at(),
                    format!(
                        "this folder holds sweep '{}' ({finished}) whose resolved sweep has hash \
                         {}, but the sweep now resolves to {}: the sweep file, its base \
                         scenario or the --steps/--replicates flags changed since the folder \
                         was written, and resuming would mix two sweeps. Choose another folder \
                         with --out DIR, or pass --force to discard the old results",
                        old.name, old.sweep_hash, manifest.sweep_hash
                    ),
                )
                .into());
            }
            _ => {
                if folder.has_earlier() {
                    // A failure here is one while working (exit 1), not bad input.
                    folder
                        .discard_earlier(|name| name == SLURM_DIR)
                        .doing(|| format!("clearing the earlier sweep from {}", at()))?;
                }
                Opened::Fresh
            }
        };
        // Every name a shard writes is claimed up front, so that shards started together
        // stamp the folder alike.
        let dir = folder.open(&[MANIFEST, POINTS_CSV, POINT_DIR, RAW_DIR, SHARD_DIR])?;
        let store = SweepStore::with(dir, manifest);
        store
            .write_header_files(opened == Opened::Fresh)
            .doing(|| format!("writing the sweep's manifest into {}", at()))?;
        Ok((store, opened))
    }

    /// Opens an existing sweep folder (for `merge`), checking its manifest against its hash.
    pub fn open(path: &Path) -> Result<SweepStore, InputError> {
        let folder = OutputDir::check_existing(path, &[Producer::Sweep, Producer::Sensitivity])?;
        let manifest = read_manifest(path)?.ok_or_else(|| {
            InputError::new(
                path.display().to_string(),
                format!(
                    "no {MANIFEST} here: not a sweep folder (run `cadre-sim sweep FILE --out DIR` \
                     or the generated Slurm script first)"
                ),
            )
        })?;
        if manifest.sweep.hash() != manifest.sweep_hash
            || manifest.points != manifest.sweep.design.len()
        {
            return Err(InputError::new(
                path.join(MANIFEST).display().to_string(),
                format!(
                    "the manifest does not match its own hash {} (edited or damaged); rerun the \
                     sweep into a new folder",
                    manifest.sweep_hash
                ),
            ));
        }
        Ok(SweepStore::with(folder.open(&[])?, manifest))
    }

    fn with(dir: OutputDir, manifest: Manifest) -> SweepStore {
        let width = manifest.points.saturating_sub(1).to_string().len().max(6);
        SweepStore {
            dir,
            manifest,
            width,
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The folder, for the products written beside the sweep's own files.
    pub fn dir(&self) -> &OutputDir {
        &self.dir
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    fn point_path(&self, point: usize) -> PathBuf {
        self.path()
            .join(POINT_DIR)
            .join(format!("p{point:0w$}.csv", w = self.width))
    }

    fn raw_path(&self, point: usize) -> PathBuf {
        self.path()
            .join(RAW_DIR)
            .join(format!("p{point:0w$}.csv", w = self.width))
    }

    /// Writes the manifest and `points.csv` (both depend only on the sweep, so concurrent
    /// shards write identical bytes) and creates `points/`.
    /// The manifest comes first, so that a folder with sweep files always has one.
    fn write_header_files(&self, fresh: bool) -> io::Result<()> {
        if fresh || !self.path().join(MANIFEST).exists() {
            let mut bytes = serde_json::to_vec_pretty(&self.manifest).expect("plain data");
            bytes.push(b'\n');
            self.dir.write(MANIFEST, &bytes)?;
        }
        fs::create_dir_all(self.path().join(POINT_DIR))?;
        self.dir.write(POINTS_CSV, &self.points_csv())?;
        Ok(())
    }

    /// `points.csv`: the point id and every varied parameter's value.
    pub fn points_csv(&self) -> Vec<u8> {
        let design = &self.manifest.sweep.design;
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut header = vec!["point".to_string()];
        header.extend(design.params.iter().map(|id| id.key().to_string()));
        w.write_record(&header).expect("write to memory");
        for (i, point) in design.points.iter().enumerate() {
            let mut row = vec![i.to_string()];
            row.extend(design.params.iter().zip(point).map(|(f, &v)| f.format(v)));
            w.write_record(&row).expect("write to memory");
        }
        w.into_inner().expect("flush to memory")
    }

    /// Per point, whether it is finished (and, with `raw`, has its raw rows too). Point and
    /// raw files are written without fsync (one per point: an fsync each would cost more than
    /// the work they record), so those of the points `check` selects are read back instead,
    /// and a file left empty or cut short by a power cut (or from another sweep) counts as
    /// unfinished: the point is recomputed and its files replaced.
    pub fn finished(&self, raw: bool, check: impl Fn(usize) -> bool) -> io::Result<Vec<bool>> {
        let mut done = self.files_present(POINT_DIR)?;
        for (point, d) in done.iter_mut().enumerate() {
            if *d && check(point) {
                let read = if self.is_experiment() {
                    self.read_experiment_point(point).map(drop)
                } else {
                    self.read_point(point).map(drop)
                };
                match read {
                    Ok(_) => {}
                    Err(PointError::Io(e)) => return Err(e),
                    Err(PointError::Foreign | PointError::Damaged(_)) => *d = false,
                }
            }
        }
        if raw {
            let raw_done = self.files_present(RAW_DIR)?;
            for (point, (d, r)) in done.iter_mut().zip(raw_done).enumerate() {
                *d &= r && (!check(point) || self.raw_intact(point)?);
            }
        }
        Ok(done)
    }

    /// Which points have a file `p<id>.csv` in `sub` (temporary files are ignored).
    fn files_present(&self, sub: &str) -> io::Result<Vec<bool>> {
        let mut present = vec![false; self.manifest.points];
        let dir = self.path().join(sub);
        let entries = match fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(present),
            Err(e) => return Err(e),
        };
        for entry in entries {
            let name = entry?.file_name();
            let id = name.to_str().and_then(|n| {
                n.strip_prefix('p')?
                    .strip_suffix(".csv")?
                    .parse::<usize>()
                    .ok()
            });
            if let Some(slot) = id.and_then(|i| present.get_mut(i)) {
                *slot = true;
            }
        }
        Ok(present)
    }

    /// The first line of a point file: which sweep and point it belongs to.
    fn point_tag(&self, point: usize) -> String {
        format!(
            "# cadre-sim sweep {} point {point}",
            self.manifest.sweep_hash
        )
    }

    /// Records a finished point, atomically.
    pub fn write_point(&self, point: usize, values: &[[f64; N_METRICS]]) -> io::Result<()> {
        let mut text = self.point_tag(point);
        text.push_str("\nreplicate");
        for m in Metric::ALL {
            text.push(',');
            text.push_str(m.name());
        }
        text.push('\n');
        for (r, row) in values.iter().enumerate() {
            text.push_str(&r.to_string());
            for &x in row {
                text.push(',');
                text.push_str(&number(x));
            }
            text.push('\n');
        }
        write_atomic_unsynced(&self.point_path(point), text.as_bytes())
    }

    /// Whether every point is an experiment (its file holds the experiment's summary).
    pub fn is_experiment(&self) -> bool {
        self.manifest.sweep.experiment.is_some()
    }

    /// Records a finished point of an experiment sweep, atomically: its tag, then its
    /// experiment's `estimates_summary.csv`.
    pub fn write_experiment_point(&self, point: usize, summary: &[u8]) -> io::Result<()> {
        let mut bytes = self.point_tag(point).into_bytes();
        bytes.push(b'\n');
        bytes.extend_from_slice(summary);
        write_atomic_unsynced(&self.point_path(point), &bytes)
    }

    /// Reads a finished point of an experiment sweep back: its summary's rows, as text (so
    /// that `results.csv` repeats them byte for byte). `Err(Foreign)` if another sweep wrote
    /// it; `Damaged` unless it has the summary's header, every row has its fields, and the
    /// file ends with its last row's newline.
    pub fn read_experiment_point(&self, point: usize) -> Result<Vec<String>, PointError> {
        let path = self.point_path(point);
        let text = fs::read_to_string(&path).map_err(PointError::Io)?;
        let mut lines = text.lines();
        if lines.next() != Some(self.point_tag(point).as_str()) {
            return Err(PointError::Foreign);
        }
        let bad = || PointError::Damaged(path.display().to_string());
        let header = ESTIMATES_SUMMARY_HEADER;
        if lines.next() != Some(header.join(",").as_str()) || !text.ends_with('\n') {
            return Err(bad());
        }
        let rows: Vec<String> = lines.map(str::to_string).collect();
        if rows.iter().any(|r| r.split(',').count() != header.len()) {
            return Err(bad());
        }
        Ok(rows)
    }

    /// The header of `results.csv`.
    fn results_header(&self) -> Vec<&'static str> {
        if self.is_experiment() {
            std::iter::once("point")
                .chain(ESTIMATES_SUMMARY_HEADER)
                .collect()
        } else {
            RESULTS_HEADER.to_vec()
        }
    }

    /// The rows of `results.csv` for a finished point: each metric's summary over
    /// replicates, or, in an experiment sweep, the rows of its experiment's summary; both
    /// after the point's id.
    fn results_rows(&self, point: usize) -> Result<Vec<Vec<String>>, PointError> {
        let id = point.to_string();
        if self.is_experiment() {
            let rows = self.read_experiment_point(point)?;
            return Ok(rows
                .iter()
                .map(|row| {
                    std::iter::once(id.clone())
                        .chain(row.split(',').map(str::to_string))
                        .collect()
                })
                .collect());
        }
        let values = self.read_point(point)?;
        Ok(Metric::ALL
            .iter()
            .zip(summaries(&values))
            .map(|(metric, s)| {
                let mut row = vec![id.clone(), metric.name().to_string()];
                row.extend(summary_fields(&s));
                row
            })
            .collect())
    }

    /// Records every step of every replicate of a point, atomically (before its point file).
    pub fn write_raw(&self, point: usize, replicates: &[Vec<StepMetrics>]) -> io::Result<()> {
        fs::create_dir_all(self.path().join(RAW_DIR))?;
        let mut text = self.point_tag(point);
        text.push('\n');
        text.push_str(&raw_header());
        for (r, steps) in replicates.iter().enumerate() {
            for (t, metrics) in steps.iter().enumerate() {
                text.push_str(&format!("{point},{r},{t}"));
                for &x in metrics {
                    text.push(',');
                    text.push_str(&number(x));
                }
                text.push('\n');
            }
        }
        write_atomic_unsynced(&self.raw_path(point), text.as_bytes())
    }

    /// Whether a point's raw file is whole and this sweep's: its tag, its header, and one row
    /// of `3 + metrics` fields per replicate and step, in order.
    fn raw_intact(&self, point: usize) -> io::Result<bool> {
        let text = match fs::read_to_string(self.raw_path(point)) {
            Ok(t) => t,
            Err(e) if e.kind() == io::ErrorKind::InvalidData => return Ok(false),
            Err(e) => return Err(e),
        };
        let mut lines = text.lines();
        if lines.next() != Some(self.point_tag(point).as_str())
            || lines.next() != raw_header().strip_suffix('\n')
        {
            return Ok(false);
        }
        let steps = self.manifest.sweep.steps as usize;
        let mut rows = 0;
        for (i, line) in lines.enumerate() {
            let mut fields = line.split(',');
            let ids = format!("{point},{},{}", i / steps.max(1), i % steps.max(1));
            let head: Vec<&str> = fields.by_ref().take(3).collect();
            let values: Vec<&str> = fields.collect();
            if head.join(",") != ids
                || values.len() != N_METRICS
                || values
                    .iter()
                    .any(|v| !v.is_empty() && v.parse::<f64>().is_err())
            {
                return Ok(false);
            }
            rows += 1;
        }
        Ok(rows == self.manifest.replicates as usize * steps)
    }

    /// Reads a finished point back; `Err(Foreign)` if another sweep wrote it.
    pub fn read_point(&self, point: usize) -> Result<PointValues, PointError> {
        let path = self.point_path(point);
        let text = fs::read_to_string(&path).map_err(PointError::Io)?;
        let mut lines = text.lines();
        if lines.next() != Some(self.point_tag(point).as_str()) {
            return Err(PointError::Foreign);
        }
        lines.next(); // column names
        let bad = || PointError::Damaged(path.display().to_string());
        let mut values = Vec::with_capacity(self.manifest.replicates as usize);
        for (r, line) in lines.enumerate() {
            let mut fields = line.split(',');
            if fields.next() != Some(r.to_string().as_str()) {
                return Err(bad());
            }
            let mut row = [f64::NAN; N_METRICS];
            for slot in &mut row {
                let f = fields.next().ok_or_else(bad)?;
                if !f.is_empty() {
                    *slot = f.parse().map_err(|_| bad())?;
                }
            }
            values.push(row);
        }
        if values.len() != self.manifest.replicates as usize {
            return Err(bad());
        }
        Ok(values)
    }

    /// Records that `shard` computed its share (for `merge`'s report of what is missing).
    pub fn mark_shard_done(&self, shard: Shard, computed: usize) -> io::Result<()> {
        fs::create_dir_all(self.path().join(SHARD_DIR))?;
        write_atomic(
            &self
                .path()
                .join(SHARD_DIR)
                .join(format!("{}-of-{}.done", shard.index, shard.count)),
            format!("{computed} points computed\n").as_bytes(),
        )
    }

    /// Writes `points.csv`, `results.csv` and (when raw rows exist) `raw.csv` from the point
    /// files. Refuses, writing nothing, if a point is missing or belongs to another sweep.
    ///
    /// `products` writes what is derived from the finished results (the plots): it runs once
    /// every point file has been read and checked, and `results.csv`, which marks the folder
    /// finished, is renamed into place only after it succeeded, so a finished folder always
    /// holds its products.
    pub fn assemble(
        &self,
        want_raw: bool,
        products: &dyn Fn(&SweepStore) -> crate::error::Result<()>,
    ) -> crate::error::Result<Assembled> {
        let at = || self.path().display().to_string();
        let done = self.files_present(POINT_DIR)?;
        let missing: Vec<usize> = (0..done.len()).filter(|&p| !done[p]).collect();
        if !missing.is_empty() {
            return Err(InputError::new(at(), self.missing_message(&missing)).into());
        }
        let raw_present = self.files_present(RAW_DIR)?;
        let raw = want_raw || raw_present.iter().any(|&r| r);
        if raw {
            let missing: Vec<usize> = (0..raw_present.len())
                .filter(|&p| !raw_present[p])
                .collect();
            if !missing.is_empty() {
                return Err(InputError::new(
                    at(),
                    format!(
                        "raw rows are missing for {} of {} points ({}): rerun the sweep (or the \
                         shards) with --raw to add them",
                        missing.len(),
                        done.len(),
                        ranges(&missing)
                    ),
                )
                .into());
            }
        }

        let mut foreign = Vec::new();
        let experiment = self.is_experiment();
        let results = |w: &mut dyn io::Write| -> crate::error::Result<()> {
            let mut out = csv::Writer::from_writer(w);
            out.write_record(self.results_header())?;
            for point in 0..self.manifest.points {
                let rows = match self.results_rows(point) {
                    Ok(rows) => rows,
                    Err(PointError::Foreign) => {
                        foreign.push(point);
                        continue;
                    }
                    Err(PointError::Io(e)) => return Err(e.into()),
                    Err(PointError::Damaged(p)) => {
                        return Err(InputError::new(
                            p,
                            "damaged point file (not written by this tool); delete it and rerun \
                             to recompute the point",
                        )
                        .into());
                    }
                };
                if foreign.is_empty() {
                    for row in rows {
                        out.write_record(&row)?;
                    }
                }
            }
            if !foreign.is_empty() {
                return Err(InputError::new(
                    at(),
                    format!(
                        "{} point file(s) were written by a different sweep than {} (points \
                         {}): shards of different sweeps were mixed in one folder. Rerun their \
                         shards (those points are recomputed), or start over in a new folder",
                        foreign.len(),
                        self.manifest.sweep_hash,
                        ranges(&foreign)
                    ),
                )
                .into());
            }
            out.flush()?;
            Ok(())
        };
        let others = || -> crate::error::Result<()> {
            self.dir.write(POINTS_CSV, &self.points_csv())?;
            if experiment {
                // An experiment point keeps its summary only: there are no per-run rows.
                return products(self);
            }
            write_atomic_with(&self.dir.claim(RUNS_CSV)?, |w| -> io::Result<()> {
                let design = &self.manifest.sweep.design;
                let mut out = csv::Writer::from_writer(w);
                out.write_record(super::results::runs_header(design))?;
                for point in 0..self.manifest.points {
                    // Every point was read and checked for results.csv above.
                    let values = self.read_point(point).map_err(io::Error::other)?;
                    for row in super::results::runs_rows(design, point, &values) {
                        out.write_record(&row)?;
                    }
                }
                out.flush()
            })?;
            if raw {
                write_atomic_with(&self.dir.claim(RAW_CSV)?, |w| -> io::Result<()> {
                    w.write_all(raw_header().as_bytes())?;
                    for point in 0..self.manifest.points {
                        let file = io::BufReader::new(fs::File::open(self.raw_path(point))?);
                        // The point's tag and the header.
                        for line in file.lines().skip(2) {
                            w.write_all(line?.as_bytes())?;
                            w.write_all(b"\n")?;
                        }
                    }
                    Ok(())
                })?;
            }
            products(self)
        };
        write_atomic_with_then(&self.dir.claim(RESULTS_CSV)?, results, others)?;
        Ok(Assembled {
            points: self.manifest.points,
            raw,
        })
    }

    /// Which points are missing, and which shards (by their completion markers) never
    /// finished.
    fn missing_message(&self, missing: &[usize]) -> String {
        let total = self.manifest.points;
        let mut message = format!(
            "cannot assemble results: {} of {total} points are not finished (points {})",
            missing.len(),
            ranges(missing)
        );
        let markers = self.shard_markers();
        let counts: BTreeSet<u32> = markers.iter().map(|s| s.count).collect();
        for count in counts {
            let done: Vec<String> = markers
                .iter()
                .filter(|s| s.count == count)
                .map(|s| s.to_string())
                .collect();
            let owed: BTreeSet<u32> = missing
                .iter()
                .map(|&p| (p % count as usize) as u32)
                .collect();
            let owed: Vec<String> = owed.iter().map(|k| format!("{k}/{count}")).collect();
            message.push_str(&format!(
                "; shards finished: {}; the missing points belong to shard {}",
                if done.is_empty() {
                    "none".into()
                } else {
                    done.join(", ")
                },
                owed.join(", ")
            ));
        }
        message.push_str(
            ". Rerun the missing shards (or the sweep) with the same command: finished points \
             are kept. Then merge again",
        );
        message
    }

    /// The shards that left a completion marker.
    fn shard_markers(&self) -> Vec<Shard> {
        let mut shards: Vec<Shard> = fs::read_dir(self.path().join(SHARD_DIR))
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().to_str()?.strip_suffix(".done")?.to_string();
                let (k, n) = name.split_once("-of-")?;
                format!("{k}/{n}").parse().ok()
            })
            .collect();
        shards.sort_by_key(|s| (s.count, s.index));
        shards
    }
}

/// Why a point file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PointError {
    #[error("cannot read the point file: {0}")]
    Io(#[source] io::Error),
    /// Written by a different sweep (another hash) or for another point.
    #[error("the point file belongs to another sweep")]
    Foreign,
    /// Not in the format this tool writes.
    #[error("{0}: damaged point file (not written by this tool)")]
    Damaged(String),
}

fn raw_header() -> String {
    let mut h = "point,replicate,step".to_string();
    for m in Metric::ALL {
        h.push(',');
        h.push_str(m.name());
    }
    h.push('\n');
    h
}

fn read_manifest(path: &Path) -> Result<Option<Manifest>, InputError> {
    let file = path.join(MANIFEST);
    match fs::read(&file) {
        Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|e| {
            InputError::new(
                file.display().to_string(),
                format!(
                    "not a sweep manifest this version can read ({e}); choose another folder \
                     with --out DIR, or pass --force to replace it"
                ),
            )
        }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(InputError::new(
            file.display().to_string(),
            format!("cannot read: {e}"),
        )),
    }
}

/// What a sweep writes besides its manifest; any of them without a manifest means the folder
/// holds something else.
const SWEEP_FILES: &[&str] = &[
    POINTS_CSV,
    RESULTS_CSV,
    RAW_CSV,
    POINT_DIR,
    RAW_DIR,
    SHARD_DIR,
];

fn has_sweep_files(path: &Path) -> bool {
    SWEEP_FILES.iter().any(|n| path.join(n).exists())
}

fn count_point_files(dir: &Path) -> usize {
    fs::read_dir(dir).map_or(0, |d| {
        d.flatten()
            .filter(|e| {
                e.file_name()
                    .to_str()
                    .is_some_and(|n| n.starts_with('p') && n.ends_with(".csv"))
            })
            .count()
    })
}

/// Sorted ids as short ranges: `0-3, 7, 9-10` (at most 20 ranges, then a count).
pub fn ranges(ids: &[usize]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < ids.len() {
        let start = ids[i];
        while i + 1 < ids.len() && ids[i + 1] == ids[i] + 1 {
            i += 1;
        }
        parts.push(if ids[i] == start {
            start.to_string()
        } else {
            format!("{start}-{}", ids[i])
        });
        i += 1;
    }
    if parts.len() > 20 {
        let more = parts.len() - 20;
        parts.truncate(20);
        parts.push(format!("and {more} more ranges"));
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_compact() {
        assert_eq!(ranges(&[0, 1, 2, 3, 7, 9, 10]), "0-3, 7, 9-10");
        assert_eq!(ranges(&[]), "");
        let many: Vec<usize> = (0..100).map(|i| i * 2).collect();
        assert!(ranges(&many).ends_with("and 80 more ranges"));
    }
}
