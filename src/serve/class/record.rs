//! The class's record: every move that changed the game, in order, one JSON object a line
//! (`record.jsonl` in the class's folder). The game is a pure function of its record: the
//! first line fixes the world (scenario, seed) and the trainer's token, and replaying the
//! rest through the same code that made them (`Inner::apply` in the server) rebuilds the
//! class exactly: the same seats and seat tokens, rounds, answers, regime switches, and so
//! the same results as if the server had never stopped. The round's draws come from the
//! game's own seeded generator, so a replay draws the same cards.
//!
//! The file is only ever appended to, one whole line per write, and flushed before the
//! move is answered; a line cut short by a crash (the last one, without its newline) is a
//! move that was never answered, and is dropped on reading. A new kind of move needs one
//! variant here and its arm in `Inner::apply`.
//!
//! What is not recorded does not change results: when phones last polled, rate-limit
//! buckets, whether the round's clock was paused (a resumed class comes back with an open
//! round paused, its full time left).

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The record's file name in the class's folder.
pub const RECORD: &str = "record.jsonl";

/// One move of the class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case", deny_unknown_fields)]
pub enum Event {
    /// The class begins (always the first line): its world and the trainer's token.
    Start {
        scenario: String,
        seed: u64,
        timer_s: u32,
        trainer_token: String,
    },
    /// A student takes the next seat under `nickname` (as cleaned), holding `token`.
    Join { nickname: String, token: String },
    /// The trainer opens the next round.
    Open,
    /// A seat answers the open round.
    Answer {
        seat: usize,
        round: u32,
        reform: bool,
    },
    /// The open round closes (the trainer, the clock, or everyone having answered).
    Close,
    /// The regime from the next round on: a built-in scenario's name.
    Regime { name: String },
    /// The round timer, in seconds.
    Timer { seconds: u32 },
    /// Joining locked or unlocked.
    Lock { locked: bool },
    /// A seat removed: its cadre goes back to the bots.
    Remove { seat: usize },
    /// A seat's nickname corrected by the trainer.
    Rename { seat: usize, nickname: String },
    /// `quarters` quarters pass, the model playing every seat (`Game::pass`): the same
    /// world and the same number give the same world after it.
    Pass { quarters: u32 },
}

/// The record's file, open for appending.
pub struct Record {
    path: PathBuf,
    file: File,
}

impl Record {
    /// Starts a new record in `dir` (made if missing) with its first event. A folder that
    /// already holds a record is refused: that class is continued with `--resume`.
    pub fn create(dir: &Path, start: &Event) -> Result<Record, String> {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot make the folder {}: {e}", dir.display()))?;
        let path = dir.join(RECORD);
        let file = OpenOptions::new()
            .append(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| {
                if e.kind() == io::ErrorKind::AlreadyExists {
                    format!(
                        "{} already holds a class's record; continue that class with \
                         `--resume {}`, or choose another folder",
                        dir.display(),
                        dir.display()
                    )
                } else {
                    format!("cannot write {}: {e}", path.display())
                }
            })?;
        let mut record = Record { path, file };
        record
            .append(start, true)
            .map_err(|e| format!("cannot write {}: {e}", record.path.display()))?;
        Ok(record)
    }

    /// Opens the record in `dir` to continue it: its events, in order.
    pub fn resume(dir: &Path) -> Result<(Record, Vec<Event>), String> {
        let path = dir.join(RECORD);
        let file = File::open(&path).map_err(|e| {
            format!(
                "cannot read the class's record {}: {e} (start a class with `--out {}` first)",
                path.display(),
                dir.display()
            )
        })?;
        let mut events = Vec::new();
        let mut reader = BufReader::new(file);
        let mut line = String::new();
        let mut number = 0;
        let mut whole_len = 0u64;
        loop {
            line.clear();
            let n = reader
                .read_line(&mut line)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            if n == 0 || !line.ends_with('\n') {
                // The end, or a last line cut short by a crash: never answered, dropped.
                break;
            }
            number += 1;
            let event: Event = serde_json::from_str(line.trim_end()).map_err(|e| {
                format!(
                    "{}:{number}: not an event of a class's record: {e}",
                    path.display()
                )
            })?;
            events.push(event);
            whole_len += n as u64;
        }
        if !matches!(events.first(), Some(Event::Start { .. })) {
            return Err(format!(
                "{}: the record does not begin with the class's start",
                path.display()
            ));
        }
        let file = OpenOptions::new()
            .write(true)
            .open(&path)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        // Drop a cut-short last line, so that the next event starts a line of its own.
        file.set_len(whole_len)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        let file = OpenOptions::new()
            .append(true)
            .open(&path)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        Ok((Record { path, file }, events))
    }

    /// Appends one event as one write of one line. `sync`: also to the disk (the moves
    /// that matter most and are rare: rounds, trainer's moves, joins); answers reach the
    /// operating system at once and survive the server's crash, and the next sync.
    pub fn append(&mut self, event: &Event, sync: bool) -> io::Result<()> {
        let mut line = serde_json::to_string(event).map_err(io::Error::other)?;
        line.push('\n');
        self.file.write_all(line.as_bytes())?;
        if sync {
            self.file.sync_data()?;
        }
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start() -> Event {
        Event::Start {
            scenario: "nominal_tolerance".into(),
            seed: 3,
            timer_s: 45,
            trainer_token: "t".into(),
        }
    }

    #[test]
    fn a_record_reads_back_what_was_appended_and_drops_a_cut_short_line() {
        let dir = tempfile::tempdir().unwrap();
        let mut r = Record::create(dir.path(), &start()).unwrap();
        let moves = [
            Event::Join {
                nickname: "Ann".into(),
                token: "a".into(),
            },
            Event::Open,
            Event::Answer {
                seat: 0,
                round: 0,
                reform: true,
            },
            Event::Close,
            Event::Pass { quarters: 4 },
        ];
        for m in &moves {
            r.append(m, false).unwrap();
        }
        drop(r);
        let e = Record::create(dir.path(), &start()).err().unwrap();
        assert!(e.contains("--resume"), "{e}");
        // A crash in the middle of a write.
        let path = dir.path().join(RECORD);
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(br#"{"event":"cl"#).unwrap();
        drop(f);
        let (mut r, events) = Record::resume(dir.path()).unwrap();
        assert_eq!(events[0], start());
        assert_eq!(&events[1..], &moves);
        r.append(&Event::Close, true).unwrap();
        let (_, events) = Record::resume(dir.path()).unwrap();
        assert_eq!(events.last(), Some(&Event::Close));
        assert_eq!(events.len(), 7);
    }

    #[test]
    fn a_damaged_record_is_refused_with_its_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(RECORD), "{\"event\":\"open\"}\n").unwrap();
        let e = Record::resume(dir.path()).err().unwrap();
        assert!(e.contains("does not begin"), "{e}");
        std::fs::write(dir.path().join(RECORD), "nonsense\n").unwrap();
        let e = Record::resume(dir.path()).err().unwrap();
        assert!(e.contains("record.jsonl:1"), "{e}");
        let e = Record::resume(&dir.path().join("none")).err().unwrap();
        assert!(e.contains("cannot read"), "{e}");
    }
}
