//! The errors of cadre-sim, by what the user should do about them.
//!
//! - [`InputError`]: the input is wrong (a flag, a file, an output folder); nothing was
//!   written; fix it and run again. Exit code 2.
//! - [`Error::Io`]: the work failed on the way (a disk filled up, a file could not be
//!   written or cleared). Exit code 1.
//! - [`Error::Interrupted`]: the user pressed Ctrl-C; what was finished is saved. Exit 130.
//!
//! Library code returns [`Result`]; only the command line (`cli/`, `main.rs`) wraps errors in
//! `anyhow` for their context chains, and `main.rs` maps them to exit codes with
//! [`exit_code`].

use std::fmt;
use std::io;

/// Any error of the library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input, found before any work started.
    #[error(transparent)]
    Input(#[from] InputError),
    /// A failure while working: what was being done, and the system's reason.
    #[error("{doing}: {source}")]
    Io {
        doing: String,
        #[source]
        source: io::Error,
    },
    /// A plot or animation could not be drawn.
    #[error("{doing}: {reason}")]
    Draw { doing: String, reason: String },
    /// A sweep stopped by Ctrl-C.
    #[error(transparent)]
    Interrupted(#[from] Interrupted),
}

impl From<io::Error> for Error {
    /// An I/O failure without more context (callers add it with [`IoContext::doing`] where
    /// they know which file).
    fn from(source: io::Error) -> Error {
        Error::io("reading or writing a file", source)
    }
}

impl From<csv::Error> for Error {
    fn from(e: csv::Error) -> Error {
        match e.into_kind() {
            csv::ErrorKind::Io(source) => Error::io("writing a CSV file", source),
            other => Error::io("writing a CSV file", io::Error::other(format!("{other:?}"))),
        }
    }
}

/// A sweep stopped by Ctrl-C (see `crate::sweep::SweepOptions::stop`): what it saved, for
/// the user's next step.
#[derive(Debug, thiserror::Error)]
#[error(
    "interrupted: {saved} of {total} points saved in {folder}; rerun the same command to resume"
)]
pub struct Interrupted {
    pub saved: usize,
    pub total: usize,
    pub folder: String,
}

/// The library's results.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An I/O failure while `doing` something (e.g. "writing output/x/summary.json").
    pub fn io(doing: impl Into<String>, source: io::Error) -> Error {
        Error::Io {
            doing: doing.into(),
            source,
        }
    }

    /// The exit code the binary ends with: 2 for bad input, 130 after Ctrl-C, 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Input(_) => EXIT_BAD_INPUT,
            Error::Interrupted(_) => EXIT_INTERRUPTED,
            Error::Io { .. } | Error::Draw { .. } => EXIT_FAILURE,
        }
    }
}

/// Exit code of a run that failed on bad input (a flag, a scenario file, an output folder).
pub const EXIT_BAD_INPUT: u8 = 2;
/// Exit code of a run that failed while working (e.g. a disk filled up while writing).
pub const EXIT_FAILURE: u8 = 1;
/// Exit code of a run stopped by Ctrl-C (128 + SIGINT, as shells report it).
pub const EXIT_INTERRUPTED: u8 = 130;

/// The exit code for an error from anywhere in a command: the library's [`Error`] or
/// [`InputError`] found in its chain decides; anything else failed while working.
pub fn exit_code(error: &anyhow::Error) -> u8 {
    for cause in error.chain() {
        if let Some(e) = cause.downcast_ref::<Error>() {
            return e.exit_code();
        }
        if cause.downcast_ref::<InputError>().is_some() {
            return EXIT_BAD_INPUT;
        }
        if cause.downcast_ref::<Interrupted>().is_some() {
            return EXIT_INTERRUPTED;
        }
    }
    EXIT_FAILURE
}

/// Adds what was being done to an I/O result: `write(..).doing(|| format!("writing {p}"))`.
pub trait IoContext<T> {
    fn doing(self, what: impl FnOnce() -> String) -> Result<T>;
}

impl<T> IoContext<T> for io::Result<T> {
    fn doing(self, what: impl FnOnce() -> String) -> Result<T> {
        self.map_err(|e| Error::io(what(), e))
    }
}

/// The most problems one error lists; a file with more is probably not the kind of file the
/// command expects, and the first twenty are plenty to start fixing.
pub const MAX_PROBLEMS: usize = 20;

/// A problem with user input, found before any work starts: one, or several found in the
/// same input (a file with three mistakes reports all three, each with its own line).
///
/// `location` and `message` are the first problem; `more` holds the others, in file order.
/// Displayed one problem per line; every line after the first starts with `error: `, as the
/// binary prefixes the first, so that each problem reads `error: file:line: ...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    /// Where: `path:line`, `built-in scenario 'x':line`, `--set`, ...
    pub location: String,
    pub message: String,
    /// Further problems in the same input (each with an empty `more`).
    pub more: Vec<InputError>,
    /// Problems found beyond [`MAX_PROBLEMS`], counted but not listed.
    pub omitted: usize,
}

impl InputError {
    pub fn new(location: impl Into<String>, message: impl Into<String>) -> Self {
        InputError {
            location: location.into(),
            message: message.into(),
            more: Vec::new(),
            omitted: 0,
        }
    }

    /// Every problem, the first included, as (location, message).
    pub fn problems(&self) -> impl Iterator<Item = (&str, &str)> {
        std::iter::once(self)
            .chain(&self.more)
            .map(|e| (e.location.as_str(), e.message.as_str()))
    }

    /// How many problems were found, listed or not.
    pub fn count(&self) -> usize {
        1 + self.more.len() + self.omitted
    }

    /// The problems of `errors` as one error: sorted by file (in order of first appearance)
    /// and line, repeated ones dropped, at most [`MAX_PROBLEMS`] listed. None when empty.
    pub fn combine(errors: Vec<InputError>) -> Option<InputError> {
        let mut omitted = 0;
        let mut all: Vec<InputError> = Vec::new();
        for e in errors {
            omitted += e.omitted;
            let (first, more) = (InputError::new(e.location, e.message), e.more);
            for p in std::iter::once(first).chain(more) {
                if !all.contains(&p) {
                    all.push(p);
                }
            }
        }
        let mut origins: Vec<&str> = Vec::new();
        for p in &all {
            let origin = split_line(&p.location).0;
            if !origins.contains(&origin) {
                origins.push(origin);
            }
        }
        let rank = |p: &InputError| {
            let (origin, line) = split_line(&p.location);
            (origins.iter().position(|o| *o == origin), line)
        };
        let mut order: Vec<usize> = (0..all.len()).collect();
        order.sort_by_key(|&i| rank(&all[i]));
        let mut sorted: Vec<InputError> = order.into_iter().map(|i| all[i].clone()).collect();
        if sorted.len() > MAX_PROBLEMS {
            omitted += sorted.len() - MAX_PROBLEMS;
            sorted.truncate(MAX_PROBLEMS);
        }
        let mut problems = sorted.into_iter();
        let mut first = problems.next()?;
        first.more = problems.collect();
        first.omitted = omitted;
        Some(first)
    }
}

/// `("path", Some(12))` for `path:12`; a location without a line sorts before its lines.
fn split_line(location: &str) -> (&str, Option<usize>) {
    match location.rsplit_once(':') {
        Some((origin, line)) => match line.parse() {
            Ok(n) => (origin, Some(n)),
            Err(_) => (location, None),
        },
        None => (location, None),
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (location, message)) in self.problems().enumerate() {
            if i > 0 {
                write!(f, "\nerror: ")?;
            }
            write!(f, "{location}: {message}")?;
        }
        if self.omitted > 0 {
            write!(
                f,
                "\nerror: {} more problems not listed; fix these and run again",
                self.omitted
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for InputError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_has_its_exit_code_through_a_context_chain() {
        let input: anyhow::Error = anyhow::Error::new(Error::from(InputError::new("--x", "bad")))
            .context("while starting");
        assert_eq!(exit_code(&input), EXIT_BAD_INPUT);
        let bare: anyhow::Error = InputError::new("--x", "bad").into();
        assert_eq!(exit_code(&bare), EXIT_BAD_INPUT);
        let disk = Error::io("writing x", io::Error::other("No space left on device"));
        assert!(matches!(disk, Error::Io { .. }));
        assert_eq!(exit_code(&anyhow::Error::new(disk)), EXIT_FAILURE);
        let stop = Error::from(Interrupted {
            saved: 1,
            total: 2,
            folder: "x".into(),
        });
        assert_eq!(exit_code(&anyhow::Error::new(stop)), EXIT_INTERRUPTED);
    }
}
