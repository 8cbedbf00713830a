//! Runs `grepper`'s command line on a small tree the test writes itself,
//! in-process through the library: under qemu-user without binfmt_misc a
//! test cannot start another foreign binary.

use std::fs;
use std::path::PathBuf;

use clap::Parser;
use grepper::cli::{run, Args};

fn tree(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("grepper-test-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(dir.join("sub")).unwrap();
    fs::write(dir.join("a.txt"), "alpha\nbeta\nGamma ray\n").unwrap();
    fs::write(dir.join("sub/b.txt"), "gamma\ndelta\n").unwrap();
    fs::write(dir.join("sub/c.bin"), [0xff, 0xfe, b'g', b'a']).unwrap();
    dir
}

/// (exit status as the binary would return it, stdout)
fn grepper(args: &[&str]) -> (i32, String) {
    let argv = std::iter::once("grepper").chain(args.iter().copied());
    let args = Args::try_parse_from(argv).unwrap();
    let mut out = Vec::new();
    let rc = match run(&args, &mut out) {
        Ok(true) => 0,
        Ok(false) => 1,
        Err(_) => 2,
    };
    (rc, String::from_utf8(out).unwrap())
}

#[test]
fn text_json_and_stats() {
    let dir = tree("out");
    let d = dir.to_str().unwrap();
    // walkdir joins with the platform's separator (`\` on Windows).
    let s = std::path::MAIN_SEPARATOR;
    let (rc, text) = grepper(&["-i", "gamma", d]);
    assert_eq!(rc, 0);
    assert_eq!(
        text,
        format!("{d}{s}a.txt:3:Gamma ray\n{d}{s}sub{s}b.txt:1:gamma\n")
    );

    let (rc, json) = grepper(&["--json", "^delta$", d]);
    assert_eq!(rc, 0);
    let v: serde_json::Value = serde_json::from_str(json.trim()).unwrap();
    assert_eq!(v["line"], 2);
    assert_eq!(v["spans"][0][1], 5);

    let (rc, stats) = grepper(&["--stats", "-x", "sub", "a", d]);
    assert_eq!(rc, 0);
    let v: serde_json::Value = serde_json::from_str(&stats).unwrap();
    assert_eq!(v["files_searched"], 1);
    assert_eq!(v["lines_matched"], 3);

    let sub = format!("{d}{s}sub");
    let (rc, text) = grepper(&["-e", "elt", "-e", "^gam", &sub]);
    assert_eq!(rc, 0);
    assert_eq!(text, format!("{sub}{s}b.txt:1:gamma\n{sub}{s}b.txt:2:delta\n"));

    let cfg = dir.join("cfg.json");
    fs::write(
        &cfg,
        r#"{"patterns": ["^[ab]"], "exclude": ["cfg"], "max_depth": 1}"#,
    )
    .unwrap();
    let (rc, text) = grepper(&["--config", cfg.to_str().unwrap(), d]);
    assert_eq!(rc, 0);
    assert_eq!(text, format!("{d}{s}a.txt:1:alpha\n{d}{s}a.txt:2:beta\n"));

    let (rc, _) = grepper(&["nomatch-anywhere", d]);
    assert_eq!(rc, 1);
    let (rc, _) = grepper(&["(", d]);
    assert_eq!(rc, 2);
    assert!(Args::try_parse_from(["grepper"]).is_err());
    fs::remove_dir_all(dir).unwrap();
}
