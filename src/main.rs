//! The `cadre-sim` binary: parse the command line, run the command, map errors to exit codes
//! (2 for bad input, 1 for failures while working, 130 after Ctrl-C) and print the whole error chain once.

use std::process::ExitCode;

use clap::Parser;

use cadre_sim::cli::{Cli, EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_INTERRUPTED};
use cadre_sim::scenario::InputError;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = cli.command.execute();
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error)
            if error
                .downcast_ref::<cadre_sim::sweep::Interrupted>()
                .is_some() =>
        {
            eprintln!("{error}");
            ExitCode::from(EXIT_INTERRUPTED)
        }
        Err(error) => {
            let bad_input = error.downcast_ref::<InputError>().is_some();
            eprintln!("error: {error:#}");
            ExitCode::from(if bad_input {
                EXIT_BAD_INPUT
            } else {
                EXIT_FAILURE
            })
        }
    }
}
