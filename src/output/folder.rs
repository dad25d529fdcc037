//! Output folders and who owns them.
//!
//! Every command that writes results (`run`, `compare`, `lesson`, `sweep`, `sensitivity`, and
//! `merge` on a sweep's folder) claims its folder with a small stamp, `.cadre-sim.json`: the
//! command and the names of the entries it owns there. The stamp is what lets a command tell
//! its own earlier results from another command's or from a user's files:
//!
//! - a folder stamped by another command (or, from before stamps, holding another command's
//!   marker file) is refused, `--force` or not: `--force` replaces a command's own results,
//!   never another's;
//! - files no command wrote (a user's own) are refused without `--force`; with it they are
//!   kept, untouched, beside the results;
//! - a rerun of the same command keeps that command's rules (run, compare and lesson need
//!   `--force` to replace finished results; a sweep resumes);
//! - at the end of a command, what it owned from an earlier run and did not write again
//!   (a plot of another `--format`, a `replicates.csv` of an earlier `--raw`) is removed, so
//!   the folder never mixes two runs. Nothing it does not own is ever removed.
//!
//! Checking ([`OutputDir::check`]) writes nothing; a refused command leaves the folder as it
//! was. A name is claimed in the stamp before its file is written, so a killed command leaves
//! a folder that is still recognised as its own.

use std::collections::BTreeSet;
use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use super::write_atomic_unsynced;
use crate::error::InputError;

/// The stamp's file name (hidden: it is bookkeeping, not a result).
pub const STAMP: &str = ".cadre-sim.json";

/// The commands that write an output folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Producer {
    Run,
    Compare,
    Lesson,
    /// `sweep`, and `merge` of its shards (the default of the sweep machinery).
    #[default]
    Sweep,
    /// `sensitivity`, and `merge` of its shards.
    Sensitivity,
    /// `experiment`: a staggered rollout against its truth.
    Experiment,
    /// `did`: difference-in-differences estimates of a panel.
    Did,
    /// `calibrate` (resumes from its checkpoint).
    Calibrate,
}

impl Producer {
    pub const ALL: [Producer; 8] = [
        Producer::Run,
        Producer::Compare,
        Producer::Lesson,
        Producer::Sweep,
        Producer::Sensitivity,
        Producer::Experiment,
        Producer::Did,
        Producer::Calibrate,
    ];

    /// The command's name on the command line.
    pub fn command(self) -> &'static str {
        match self {
            Producer::Run => "run",
            Producer::Compare => "compare",
            Producer::Lesson => "lesson",
            Producer::Sweep => "sweep",
            Producer::Sensitivity => "sensitivity",
            Producer::Experiment => "experiment",
            Producer::Did => "did",
            Producer::Calibrate => "calibrate",
        }
    }

    /// The file whose presence marks a finished result (each command writes it last).
    pub const fn marker(self) -> &'static str {
        match self {
            Producer::Run => "summary.json",
            Producer::Compare => "comparison.csv",
            Producer::Lesson => "report.html",
            Producer::Sweep => "results.csv",
            Producer::Sensitivity => "indices.csv",
            Producer::Experiment => "experiment.json",
            Producer::Did => "estimates.csv",
            Producer::Calibrate => "summary.csv",
        }
    }

    /// Whether a rerun into a folder with finished results needs `--force`. Sweeps and
    /// sensitivity analyses resume instead (their own checks refuse a changed design).
    fn rerun_needs_force(self) -> bool {
        matches!(
            self,
            Producer::Run
                | Producer::Compare
                | Producer::Lesson
                | Producer::Experiment
                | Producer::Did
        )
    }

    /// The command that wrote a folder from before stamps existed, by its marker files:
    /// a sweep's manifest first (with `indices.csv`, a sensitivity analysis), then the
    /// single-result markers. `report.html` alone means a lesson: run and compare write one
    /// too, but beside their own markers.
    fn recognise_unstamped(path: &Path) -> Option<Producer> {
        let has = |name: &str| path.join(name).exists();
        if has("checkpoint.json") {
            return Some(Producer::Calibrate);
        }
        if has("manifest.json") {
            return Some(if has("indices.csv") {
                Producer::Sensitivity
            } else {
                Producer::Sweep
            });
        }
        [Producer::Compare, Producer::Run, Producer::Lesson]
            .into_iter()
            .find(|p| has(p.marker()))
    }
}

impl fmt::Display for Producer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.command())
    }
}

/// The stamp's content.
#[derive(Debug, Serialize, Deserialize)]
struct Stamp {
    tool: String,
    command: Producer,
    /// Top-level entries (files and folders) the command owns here.
    files: BTreeSet<String>,
}

/// What [`OutputDir::check`] found, before anything is written.
#[derive(Debug)]
pub struct Inspection {
    path: PathBuf,
    producer: Producer,
    /// The command's entries already there, from an earlier run of it.
    earlier: BTreeSet<String>,
}

impl Inspection {
    /// Whether the folder holds anything of this command's from an earlier run.
    pub fn has_earlier(&self) -> bool {
        !self.earlier.is_empty()
    }

    /// Removes this command's earlier entries, except those `keep` names (`--force` on a
    /// sweep's folder discards its points but keeps its Slurm script).
    pub fn discard_earlier(&mut self, keep: impl Fn(&str) -> bool) -> io::Result<()> {
        let (kept, gone): (BTreeSet<String>, BTreeSet<String>) = std::mem::take(&mut self.earlier)
            .into_iter()
            .partition(|n| keep(n));
        self.earlier = kept;
        for name in gone {
            remove_entry(&self.path.join(name))?;
        }
        Ok(())
    }

    /// Creates the folder if needed, checks it can be written and stamps it, claiming
    /// `claims` (names the command may write) besides its earlier entries.
    pub fn open(self, claims: &[&str]) -> Result<OutputDir, InputError> {
        let at = || self.path.display().to_string();
        fs::create_dir_all(&self.path)
            .map_err(|e| InputError::new(at(), format!("cannot create the output folder: {e}")))?;
        tempfile::NamedTempFile::new_in(&self.path).map_err(|e| {
            InputError::new(at(), format!("cannot write in the output folder: {e}"))
        })?;
        let mut owned = self.earlier;
        owned.extend(claims.iter().map(|c| c.to_string()));
        let dir = OutputDir {
            path: self.path.clone(),
            producer: self.producer,
            owned: Mutex::new(owned),
            written: Mutex::new(BTreeSet::new()),
        };
        dir.write_stamp().map_err(|e| {
            InputError::new(at(), format!("cannot write in the output folder: {e}"))
        })?;
        Ok(dir)
    }
}

/// A folder results go to, claimed by one command.
#[derive(Debug)]
pub struct OutputDir {
    path: PathBuf,
    producer: Producer,
    /// Entries the command owns here: claimed now, or by an earlier run of it.
    owned: Mutex<BTreeSet<String>>,
    /// Entries this process wrote; what else it owns is stale at [`OutputDir::finish`].
    written: Mutex<BTreeSet<String>>,
}

impl OutputDir {
    /// Checks that `producer` may write into `path` (see the module's rules) without writing
    /// anything.
    pub fn check(path: &Path, producer: Producer, force: bool) -> Result<Inspection, InputError> {
        let at = || path.display().to_string();
        let exists = match fs::metadata(path) {
            Ok(m) if m.is_dir() => true,
            Ok(_) => {
                return Err(InputError::new(
                    at(),
                    "is a file, not a folder; choose a folder with --out DIR",
                ));
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => false,
            // A file where a parent folder should be.
            Err(e) if e.kind() == io::ErrorKind::NotADirectory => {
                return Err(InputError::new(
                    at(),
                    format!("cannot create the output folder: {e}"),
                ));
            }
            Err(e) => {
                return Err(InputError::new(
                    at(),
                    format!("cannot read the output folder: {e}"),
                ));
            }
        };
        let inspection = |earlier| Inspection {
            path: path.to_path_buf(),
            producer,
            earlier,
        };
        if !exists {
            return Ok(inspection(BTreeSet::new()));
        }
        // The listing first, then the stamp: a name is claimed before it is written, so every
        // entry listed was already claimed when the stamp is read.
        let entries = list(path).map_err(|e| InputError::new(at(), format!("cannot read: {e}")))?;
        let (owner, owned) = match read_stamp(path)? {
            Some(stamp) => (Some(stamp.command), stamp.files),
            None => match Producer::recognise_unstamped(path) {
                Some(p) => (Some(p), entries.clone()),
                None => (None, BTreeSet::new()),
            },
        };
        if let Some(owner) = owner.filter(|&o| o != producer) {
            let theirs = telling_first(entries.iter().filter(|e| owned.contains(*e)), owner);
            return Err(InputError::new(
                at(),
                format!(
                    "this folder holds the results of `cadre-sim {owner}` ({}); `cadre-sim \
                     {producer}` writes only into a new folder or one of its own, and --force \
                     does not change that (it replaces a command's own results only). Choose \
                     another folder with --out DIR",
                    names(&theirs)
                ),
            ));
        }
        let foreign: Vec<&String> = entries.iter().filter(|e| !owned.contains(*e)).collect();
        if !foreign.is_empty() && !force {
            return Err(InputError::new(
                at(),
                format!(
                    "this folder holds files cadre-sim did not write ({}); choose another folder \
                     with --out DIR, or pass --force to write beside them (they are kept)",
                    names(&foreign)
                ),
            ));
        }
        let earlier: BTreeSet<String> = entries.into_iter().filter(|e| owned.contains(e)).collect();
        if producer.rerun_needs_force() && earlier.contains(producer.marker()) && !force {
            let shown = telling_first(earlier.iter(), producer);
            return Err(InputError::new(
                at(),
                format!(
                    "this folder already holds the results of an earlier `cadre-sim {producer}` \
                     ({}); pass --force to replace them, or choose another folder with --out DIR",
                    names(&shown)
                ),
            ));
        }
        Ok(inspection(earlier))
    }

    /// [`OutputDir::check`], then [`Inspection::open`] with no names claimed in advance.
    pub fn prepare(path: &Path, producer: Producer, force: bool) -> Result<OutputDir, InputError> {
        OutputDir::check(path, producer, force)?.open(&[])
    }

    /// Checks a folder that an earlier command of one of `producers` wrote, to add to it
    /// (`merge` of a sweep's shards). A folder of another command is refused.
    pub fn check_existing(path: &Path, producers: &[Producer]) -> Result<Inspection, InputError> {
        let at = || path.display().to_string();
        let owner = match read_stamp(path)? {
            Some(stamp) => Some(stamp.command),
            None => Producer::recognise_unstamped(path),
        };
        match owner {
            Some(p) if producers.contains(&p) => OutputDir::check(path, p, true),
            Some(p) => Err(InputError::new(
                at(),
                format!(
                    "this folder holds the results of `cadre-sim {p}`, not of {}",
                    producers
                        .iter()
                        .map(|p| format!("`cadre-sim {p}`"))
                        .collect::<Vec<_>>()
                        .join(" or ")
                ),
            )),
            None => {
                let entries = list(path).unwrap_or_default();
                let there: Vec<&String> = entries.iter().collect();
                Err(InputError::new(
                    at(),
                    format!(
                        "not a sweep folder: it holds no results of cadre-sim{} (run `cadre-sim \
                         sweep FILE --out DIR` or the generated Slurm script first)",
                        if there.is_empty() {
                            String::new()
                        } else {
                            format!(", only {}", names(&there))
                        }
                    ),
                ))
            }
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Claims `name` (a file or folder directly in this folder, or the first component of a
    /// deeper path) for this command, before it is written, and returns its path.
    pub fn claim(&self, name: &str) -> io::Result<PathBuf> {
        let top = Path::new(name)
            .components()
            .next()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .unwrap_or_default();
        self.written
            .lock()
            .expect("not poisoned")
            .insert(top.clone());
        let new = self.owned.lock().expect("not poisoned").insert(top);
        if new {
            self.write_stamp()?;
        }
        Ok(self.path.join(name))
    }

    /// Writes `name` atomically: a temporary file in the same folder, then a rename.
    pub fn write(&self, name: &str, bytes: &[u8]) -> io::Result<PathBuf> {
        let path = self.claim(name)?;
        super::write_atomic(&path, bytes)?;
        Ok(path)
    }

    /// Removes `name` if this command owns it (and forgets it); never anything else.
    fn remove_owned(&self, name: &str) -> io::Result<()> {
        if !self.owned.lock().expect("not poisoned").remove(name) {
            return Ok(());
        }
        self.written.lock().expect("not poisoned").remove(name);
        remove_entry(&self.path.join(name))?;
        self.write_stamp()
    }

    /// Ends the command's writing: removes what it owned from an earlier run and did not write
    /// this time, except what `keep` says stays (a sweep's finished points), and returns the
    /// names removed.
    pub fn finish(&self, keep: impl Fn(&str) -> bool) -> io::Result<Vec<String>> {
        let stale: Vec<String> = {
            let owned = self.owned.lock().expect("not poisoned");
            let written = self.written.lock().expect("not poisoned");
            owned
                .iter()
                .filter(|n| !written.contains(*n) && !keep(n))
                .cloned()
                .collect()
        };
        for name in &stale {
            self.remove_owned(name)?;
        }
        Ok(stale)
    }

    fn write_stamp(&self) -> io::Result<()> {
        let stamp = Stamp {
            tool: format!("cadre-sim {}", env!("CARGO_PKG_VERSION")),
            command: self.producer,
            files: self.owned.lock().expect("not poisoned").clone(),
        };
        let mut bytes = serde_json::to_vec_pretty(&stamp).expect("plain data");
        bytes.push(b'\n');
        write_atomic_unsynced(&self.path.join(STAMP), &bytes)
    }
}

/// The folder's entries, less the stamp and temporary files a killed command left behind
/// (`.tmpXXXXXX` of the atomic writes, `.worldview-*` of the GIF writer).
fn list(path: &Path) -> io::Result<BTreeSet<String>> {
    let mut names = BTreeSet::new();
    for entry in fs::read_dir(path)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if name != STAMP && !name.starts_with(".tmp") && !name.starts_with(".worldview-") {
            names.insert(name);
        }
    }
    Ok(names)
}

fn read_stamp(path: &Path) -> Result<Option<Stamp>, InputError> {
    let file = path.join(STAMP);
    match fs::read(&file) {
        Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|e| {
            InputError::new(
                file.display().to_string(),
                format!(
                    "not a cadre-sim folder stamp this version can read ({e}); choose another \
                     folder with --out DIR"
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

fn remove_entry(path: &Path) -> io::Result<()> {
    let result = match fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => fs::remove_dir_all(path),
        Ok(_) => fs::remove_file(path),
        Err(e) => Err(e),
    };
    match result {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// A command's entries in the order that tells a person most: its marker, then data, then
/// images.
fn telling_first<'a>(
    entries: impl Iterator<Item = &'a String>,
    owner: Producer,
) -> Vec<&'a String> {
    let mut entries: Vec<&String> = entries.collect();
    entries.sort_by_key(|n| {
        let image = n.ends_with(".png") || n.ends_with(".svg") || n.ends_with(".gif");
        (n.as_str() != owner.marker(), image, n.as_str())
    });
    entries
}

/// Up to six names, then how many more.
fn names(entries: &[&String]) -> String {
    let mut shown: Vec<&str> = entries.iter().take(6).map(|s| s.as_str()).collect();
    let more = entries.len().saturating_sub(6);
    let more = format!("and {more} more");
    if entries.len() > 6 {
        shown.push(&more);
    }
    shown.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(dir: &Path, name: &str) {
        fs::write(dir.join(name), b"x").unwrap();
    }

    #[test]
    fn another_commands_folder_is_refused_even_with_force() {
        let dir = tempfile::tempdir().unwrap();
        let out = OutputDir::prepare(dir.path(), Producer::Compare, false).unwrap();
        out.write("comparison.csv", b"x").unwrap();
        for force in [false, true] {
            let e = OutputDir::check(dir.path(), Producer::Run, force).unwrap_err();
            assert!(e.message.contains("`cadre-sim compare`"), "{}", e.message);
            assert!(e.message.contains("comparison.csv"), "{}", e.message);
        }
    }

    #[test]
    fn a_users_files_need_force_and_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        touch(dir.path(), "notes.txt");
        let e = OutputDir::check(dir.path(), Producer::Run, false).unwrap_err();
        assert!(e.message.contains("notes.txt"), "{}", e.message);
        let out = OutputDir::prepare(dir.path(), Producer::Run, true).unwrap();
        out.write("summary.json", b"{}").unwrap();
        out.finish(|_| false).unwrap();
        assert!(dir.path().join("notes.txt").exists());
        // Its own finished results: refused without --force, replaced with it.
        let e = OutputDir::check(dir.path(), Producer::Run, false).unwrap_err();
        assert!(e.message.contains("--force"), "{}", e.message);
        assert!(OutputDir::check(dir.path(), Producer::Run, true).is_ok());
    }

    #[test]
    fn finish_removes_only_stale_own_files() {
        let dir = tempfile::tempdir().unwrap();
        let out = OutputDir::prepare(dir.path(), Producer::Run, false).unwrap();
        out.write("a.png", b"x").unwrap();
        out.write("summary.json", b"{}").unwrap();
        drop(out);
        touch(dir.path(), "mine.png");
        let out = OutputDir::prepare(dir.path(), Producer::Run, true).unwrap();
        out.write("a.svg", b"x").unwrap();
        out.write("summary.json", b"{}").unwrap();
        assert_eq!(out.finish(|_| false).unwrap(), vec!["a.png".to_string()]);
        let left = list(dir.path()).unwrap();
        let want: BTreeSet<String> = ["a.svg", "mine.png", "summary.json"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(left, want);
    }

    #[test]
    fn unstamped_results_are_recognised_by_their_markers() {
        // `experiment` and `did` came after stamps: their folders are always stamped.
        for p in Producer::ALL
            .into_iter()
            .filter(|p| !matches!(p, Producer::Did | Producer::Experiment))
        {
            let dir = tempfile::tempdir().unwrap();
            if matches!(p, Producer::Sweep | Producer::Sensitivity) {
                touch(dir.path(), "manifest.json");
            }
            if p == Producer::Calibrate {
                touch(dir.path(), "checkpoint.json");
            }
            touch(dir.path(), p.marker());
            assert_eq!(Producer::recognise_unstamped(dir.path()), Some(p));
            let other = if p == Producer::Run {
                Producer::Compare
            } else {
                Producer::Run
            };
            assert!(OutputDir::check(dir.path(), other, true).is_err());
        }
    }

    #[test]
    fn refusing_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        touch(dir.path(), "notes.txt");
        let before = list(dir.path()).unwrap();
        assert!(OutputDir::check(dir.path(), Producer::Lesson, false).is_err());
        assert_eq!(list(dir.path()).unwrap(), before);
        assert!(!dir.path().join(STAMP).exists());
    }
}
