//! `hello`: the xrust template project.  A small `wc`: counts lines, words,
//! characters (grapheme clusters) and bytes of files or standard input.

use std::fs::File;
use std::io::{self, Read, Write};

use anyhow::{Context, Result};
use clap::{Arg, ArgAction, Command};
use hello::{Columns, Counts};

fn cli() -> Command {
    let flag = |id: &'static str, short: char, help: &'static str| {
        Arg::new(id)
            .short(short)
            .long(id)
            .action(ArgAction::SetTrue)
            .help(help)
    };
    Command::new("hello")
        .version(env!("CARGO_PKG_VERSION"))
        .about("Count lines, words, characters and bytes (built with xrust)")
        .arg(flag("lines", 'l', "Print the line count"))
        .arg(flag("words", 'w', "Print the word count"))
        .arg(flag("chars", 'm', "Print the character (grapheme) count"))
        .arg(flag("bytes", 'c', "Print the byte count"))
        .arg(flag(
            "max-line-width",
            'L',
            "Print the width of the widest line",
        ))
        .arg(
            Arg::new("files")
                .value_name("FILE")
                .num_args(0..)
                .help("Files to read; standard input when none or '-'"),
        )
}

fn read_input(name: &str) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    if name == "-" {
        io::stdin()
            .lock()
            .read_to_end(&mut buf)
            .context("cannot read standard input")?;
    } else {
        File::open(name)
            .and_then(|mut f| f.read_to_end(&mut buf))
            .with_context(|| format!("cannot read '{name}'"))?;
    }
    Ok(buf)
}

fn main() -> Result<()> {
    let m = cli().get_matches();
    let cols = Columns {
        lines: m.get_flag("lines"),
        words: m.get_flag("words"),
        chars: m.get_flag("chars"),
        bytes: m.get_flag("bytes"),
        max_width: m.get_flag("max-line-width"),
    }
    .or_default();
    let files: Vec<String> = m
        .get_many::<String>("files")
        .map(|v| v.cloned().collect())
        .unwrap_or_default();
    let named = !files.is_empty();
    let files = if named { files } else { vec!["-".to_string()] };

    let mut results = Vec::new();
    for f in &files {
        results.push((f.as_str(), Counts::of(&read_input(f)?)));
    }
    let mut total = Counts::default();
    for (_, c) in &results {
        total.add(c);
    }
    let width = total.bytes.max(total.chars).to_string().len().max(1);
    let width = if named || results.len() > 1 {
        width.max(3)
    } else {
        width
    };

    let stdout = io::stdout();
    let mut out = stdout.lock();
    for (name, c) in &results {
        writeln!(out, "{}", cols.format(c, width, named.then_some(*name)))?;
    }
    if results.len() > 1 {
        writeln!(out, "{}", cols.format(&total, width, Some("total")))?;
    }
    Ok(())
}
