//! The searching half of `grepper`: which files to look at, which lines
//! match, and how a match is written out (plain text or one JSON object per
//! line).  `main.rs` only parses the command line.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use regex::{Regex, RegexBuilder, RegexSet};
use serde::{Deserialize, Serialize};
use walkdir::WalkDir;

pub mod cli;

/// Everything that can go wrong while setting up or running a search.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("invalid pattern '{pattern}'")]
    Pattern {
        pattern: String,
        #[source]
        source: regex::Error,
    },
    #[error("cannot read config '{}'", path.display())]
    ConfigIo {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("invalid config '{}'", path.display())]
    ConfigJson {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    // walkdir's message already includes its I/O error, which it also
    // returns as its source: keep it out of the chain to say it once.
    #[error("cannot walk '{}': {cause}", path.display())]
    Walk {
        path: PathBuf,
        cause: walkdir::Error,
    },
}

/// Search settings; also the format of the `--config` JSON file, where
/// every field is optional.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Regular expressions; a line matches if any of them does.
    pub patterns: Vec<String>,
    /// Regular expressions over paths; matching files are skipped.
    pub exclude: Vec<String>,
    pub ignore_case: bool,
    /// How deep to descend into directories (unlimited when absent).
    pub max_depth: Option<usize>,
}

impl Config {
    pub fn load(path: &Path) -> Result<Config, Error> {
        let text = fs::read_to_string(path).map_err(|source| Error::ConfigIo {
            path: path.to_owned(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|source| Error::ConfigJson {
            path: path.to_owned(),
            source,
        })
    }
}

/// One matching line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Match {
    pub path: String,
    pub line: usize,
    pub text: String,
    /// Byte ranges `[start, end)` of every match within `text`.
    pub spans: Vec<(usize, usize)>,
}

/// Totals over a whole search.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct Stats {
    pub files_searched: usize,
    pub files_matched: usize,
    pub lines_matched: usize,
    pub binary_skipped: usize,
}

pub struct Searcher {
    patterns: Vec<Regex>,
    any: RegexSet,
    exclude: Option<RegexSet>,
    max_depth: Option<usize>,
}

fn build(pattern: &str, ignore_case: bool) -> Result<Regex, Error> {
    RegexBuilder::new(pattern)
        .case_insensitive(ignore_case)
        .build()
        .map_err(|source| Error::Pattern {
            pattern: pattern.to_owned(),
            source,
        })
}

impl Searcher {
    pub fn new(config: &Config) -> Result<Searcher, Error> {
        let patterns = config
            .patterns
            .iter()
            .map(|p| build(p, config.ignore_case))
            .collect::<Result<Vec<_>, _>>()?;
        let flags = if config.ignore_case { "(?i)" } else { "" };
        let any = RegexSet::new(patterns.iter().map(|r| format!("{flags}{}", r.as_str())))
            .expect("patterns already compiled");
        for e in &config.exclude {
            build(e, false)?;
        }
        let exclude = if config.exclude.is_empty() {
            None
        } else {
            Some(RegexSet::new(&config.exclude).expect("patterns already compiled"))
        };
        Ok(Searcher {
            patterns,
            any,
            exclude,
            max_depth: config.max_depth,
        })
    }

    /// The matching lines of `text`, numbered from 1.
    pub fn search_text(&self, path: &str, text: &str) -> Vec<Match> {
        let mut out = Vec::new();
        for (i, line) in text.lines().enumerate() {
            if !self.any.is_match(line) {
                continue;
            }
            let mut spans: Vec<(usize, usize)> = self
                .patterns
                .iter()
                .flat_map(|r| r.find_iter(line).map(|m| (m.start(), m.end())))
                .collect();
            spans.sort_unstable();
            spans.dedup();
            out.push(Match {
                path: path.to_owned(),
                line: i + 1,
                text: line.to_owned(),
                spans,
            });
        }
        out
    }

    /// Regular files under `roots` in a stable (sorted) order, skipping
    /// excluded paths.
    pub fn files(&self, roots: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
        let mut files = Vec::new();
        for root in roots {
            let mut walk = WalkDir::new(root).sort_by_file_name();
            if let Some(d) = self.max_depth {
                walk = walk.max_depth(d);
            }
            for entry in walk {
                let entry = entry.map_err(|cause| Error::Walk {
                    path: root.clone(),
                    cause,
                })?;
                if !entry.file_type().is_file() {
                    continue;
                }
                let p = entry.path();
                if let Some(ex) = &self.exclude {
                    if ex.is_match(&p.to_string_lossy()) {
                        continue;
                    }
                }
                files.push(p.to_owned());
            }
        }
        Ok(files)
    }

    /// Searches every file, handing each match to `emit`.  Files that are
    /// not UTF-8 text are counted as binary and skipped.
    pub fn run<F>(&self, roots: &[PathBuf], mut emit: F) -> anyhow::Result<Stats>
    where
        F: FnMut(&Match) -> io::Result<()>,
    {
        let mut stats = Stats::default();
        for path in self.files(roots)? {
            let bytes = fs::read(&path)?;
            stats.files_searched += 1;
            let Ok(text) = std::str::from_utf8(&bytes) else {
                stats.binary_skipped += 1;
                continue;
            };
            let matches = self.search_text(&path.to_string_lossy(), text);
            if !matches.is_empty() {
                stats.files_matched += 1;
                stats.lines_matched += matches.len();
            }
            for m in &matches {
                emit(m)?;
            }
        }
        Ok(stats)
    }
}

/// Writes a match as `path:line:text`.
pub fn write_text(out: &mut impl Write, m: &Match) -> io::Result<()> {
    writeln!(out, "{}:{}:{}", m.path, m.line, m.text)
}

/// Writes a match as one line of JSON.
pub fn write_json(out: &mut impl Write, m: &Match) -> io::Result<()> {
    serde_json::to_writer(&mut *out, m)?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn searcher(patterns: &[&str], ignore_case: bool) -> Searcher {
        Searcher::new(&Config {
            patterns: patterns.iter().map(|s| s.to_string()).collect(),
            ignore_case,
            ..Config::default()
        })
        .unwrap()
    }

    #[test]
    fn finds_lines_and_spans() {
        let s = searcher(&[r"\bfoo\w*", "z+"], false);
        let m = s.search_text("f", "a foo b foobar\nnothing\nzz top\n");
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].line, 1);
        assert_eq!(m[0].spans, vec![(2, 5), (8, 14)]);
        assert_eq!(m[1].line, 3);
        assert_eq!(m[1].spans, vec![(0, 2)]);
    }

    #[test]
    fn ignore_case() {
        assert!(searcher(&["hello"], false)
            .search_text("f", "HeLLo")
            .is_empty());
        assert_eq!(
            searcher(&["hello"], true).search_text("f", "HeLLo").len(),
            1
        );
    }

    #[test]
    fn bad_pattern_is_an_error() {
        let e = Searcher::new(&Config {
            patterns: vec!["(unclosed".into()],
            ..Config::default()
        })
        .err()
        .unwrap();
        assert!(e.to_string().starts_with("invalid pattern '(unclosed'"));
    }

    #[test]
    fn json_round_trip() {
        let m = Match {
            path: "a/b.txt".into(),
            line: 7,
            text: "say \"hi\"".into(),
            spans: vec![(4, 8)],
        };
        let mut buf = Vec::new();
        write_json(&mut buf, &m).unwrap();
        assert_eq!(
            String::from_utf8(buf.clone()).unwrap(),
            "{\"path\":\"a/b.txt\",\"line\":7,\"text\":\"say \\\"hi\\\"\",\"spans\":[[4,8]]}\n"
        );
        let back: Match = serde_json::from_slice(&buf).unwrap();
        assert_eq!(back, m);
    }

    #[test]
    fn config_from_json() {
        let c: Config =
            serde_json::from_str(r#"{"patterns": ["a", "b"], "max_depth": 2}"#).unwrap();
        assert_eq!(c.patterns, vec!["a", "b"]);
        assert_eq!(c.max_depth, Some(2));
        assert!(!c.ignore_case);
        assert!(serde_json::from_str::<Config>(r#"{"bogus": 1}"#).is_err());
    }
}
