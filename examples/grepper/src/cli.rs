//! The command line of `grepper`: its arguments (clap's derive) and what
//! running it does.  In the library so that tests can run it in-process,
//! also under qemu-user, where spawning a foreign binary needs binfmt_misc.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Parser;

use crate::{write_json, write_text, Config, Searcher};

/// Search files for regular expressions (built with xrust).
#[derive(Debug, Parser)]
#[command(name = "grepper", version, about)]
pub struct Args {
    /// Regular expression to look for (more with -e, or from --config)
    #[arg(value_name = "PATTERN", required_unless_present_any = ["regexp", "config"])]
    pub pattern: Option<String>,

    /// Files or directories to search [default: .]
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Pattern to look for; may be repeated (then every positional
    /// argument is a PATH)
    #[arg(short = 'e', long = "regexp", value_name = "PATTERN")]
    pub regexp: Vec<String>,

    /// Skip files whose path matches this regular expression
    #[arg(short = 'x', long, value_name = "REGEX")]
    pub exclude: Vec<String>,

    /// Match case-insensitively
    #[arg(short, long)]
    pub ignore_case: bool,

    /// Descend at most this many directory levels
    #[arg(long, value_name = "N")]
    pub max_depth: Option<usize>,

    /// Read settings from a JSON file ({"patterns": [...], "exclude": [...],
    /// "ignore_case": bool, "max_depth": n})
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Print one JSON object per match
    #[arg(long)]
    pub json: bool,

    /// Print only the totals, as JSON
    #[arg(long)]
    pub stats: bool,
}

/// Runs a search as the command line asks, writing to `out`; returns
/// whether anything matched (grep's exit status convention).
pub fn run(args: &Args, out: &mut impl Write) -> Result<bool> {
    let mut config = match &args.config {
        Some(path) => Config::load(path)?,
        None => Config::default(),
    };
    let mut paths = args.paths.clone();
    if args.regexp.is_empty() && args.config.is_none() {
        config.patterns.extend(args.pattern.iter().cloned());
    } else if let Some(p) = &args.pattern {
        // As in grep: with -e (or a config file) the first positional
        // argument is a path too.
        paths.insert(0, PathBuf::from(p));
    }
    if paths.is_empty() {
        paths.push(PathBuf::from("."));
    }
    config.patterns.extend(args.regexp.iter().cloned());
    config.exclude.extend(args.exclude.iter().cloned());
    config.ignore_case |= args.ignore_case;
    if args.max_depth.is_some() {
        config.max_depth = args.max_depth;
    }
    if config.patterns.is_empty() {
        anyhow::bail!("no pattern given");
    }
    let searcher = Searcher::new(&config)?;

    let stats = searcher
        .run(&paths, |m| {
            if args.stats {
                Ok(())
            } else if args.json {
                write_json(out, m)
            } else {
                write_text(out, m)
            }
        })
        .context("search failed")?;
    if args.stats {
        serde_json::to_writer_pretty(&mut *out, &stats)?;
        writeln!(out)?;
    }
    out.flush()?;
    Ok(stats.lines_matched > 0)
}
