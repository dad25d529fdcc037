//! The `cadre-sim` binary: parse the command line, run the command, map errors to exit codes
//! (2 for bad input, 1 for failures while working, 130 after Ctrl-C) and print the whole error chain once.

use std::process::ExitCode;

use clap::Parser;

use cadre_sim::cli::Cli;
use cadre_sim::error::{EXIT_INTERRUPTED, exit_code};

fn main() -> ExitCode {
    let cli = Cli::parse();
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
