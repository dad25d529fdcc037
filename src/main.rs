//! The `cadre-sim` binary: parse the command line, run the command, map errors to exit codes
//! (2 for bad input, 1 for failures while working, 130 after Ctrl-C) and print the whole error chain once.

use std::process::ExitCode;

use clap::Parser;

use cadre_sim::cli::Cli;
use cadre_sim::error::{EXIT_INTERRUPTED, exit_code};

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Like every Unix filter: when the reader of our output goes away (`cadre-sim compare |
    // head`), end quietly on SIGPIPE instead of panicking on the failed write. Rust ignores
    // SIGPIPE by default; this puts the default back, except for the server, which must
    // outlive a browser or phone that closes its connection.
    #[cfg(unix)]
    if !matches!(cli.command, cadre_sim::cli::Command::Serve(_)) {
        // SAFETY: called before any thread starts; SIG_DFL is a valid disposition.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        }
    }
    let outcome = cli.command.execute();
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        // Ctrl-C: the message says what was saved and how to resume; no "error:".
        Err(error) if exit_code(&error) == EXIT_INTERRUPTED => {
            eprintln!("{error:#}");
            ExitCode::from(EXIT_INTERRUPTED)
        }
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(exit_code(&error))
        }
    }
}
