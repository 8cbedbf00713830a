//! `grepper`: the xrust example with real dependencies.  Searches files and
//! directories for regular expressions and prints matches as text or JSON.

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;
use grepper::cli::{run, Args};

fn main() -> ExitCode {
    let args = Args::parse();
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let result = run(&args, &mut out).and_then(|m| {
        out.flush()?;
        Ok(m)
    });
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("grepper: {e:#}");
            ExitCode::from(2)
        }
    }
}
