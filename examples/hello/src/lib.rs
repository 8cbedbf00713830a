//! Counting for the `hello` example: lines, words, user-perceived
//! characters (grapheme clusters), bytes and the widest line in terminal
//! columns.  Kept apart from `main.rs` so that it can be unit tested.

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// What was counted in one input.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub lines: u64,
    pub words: u64,
    pub chars: u64,
    pub bytes: u64,
    pub max_width: u64,
}

impl Counts {
    /// Counts `text`.  Invalid UTF-8 is counted as U+FFFD, one per bad
    /// sequence, except for `bytes`, which is always the input's length.
    pub fn of(text: &[u8]) -> Counts {
        let s = String::from_utf8_lossy(text);
        let mut c = Counts {
            bytes: text.len() as u64,
            ..Counts::default()
        };
        for line in s.split_inclusive('\n') {
            if line.ends_with('\n') {
                c.lines += 1;
            }
            let body = line.trim_end_matches(['\n', '\r']);
            c.words += body.unicode_words().count() as u64;
            c.chars += line.graphemes(true).count() as u64;
            c.max_width = c.max_width.max(body.width() as u64);
        }
        c
    }

    /// Adds `other` to a running total (the widest line is a maximum).
    pub fn add(&mut self, other: &Counts) {
        self.lines += other.lines;
        self.words += other.words;
        self.chars += other.chars;
        self.bytes += other.bytes;
        self.max_width = self.max_width.max(other.max_width);
    }
}

/// Which columns to print, in the fixed order lines, words, chars, bytes,
/// max width.  With none selected, `wc`'s default: lines, words, bytes.
#[derive(Debug, Default, Clone, Copy)]
pub struct Columns {
    pub lines: bool,
    pub words: bool,
    pub chars: bool,
    pub bytes: bool,
    pub max_width: bool,
}

impl Columns {
    pub fn or_default(self) -> Columns {
        if self.lines || self.words || self.chars || self.bytes || self.max_width {
            self
        } else {
            Columns {
                lines: true,
                words: true,
                bytes: true,
                ..self
            }
        }
    }

    /// One output line: the selected numbers right-aligned in `width`
    /// columns, then the name if there is one.
    pub fn format(&self, c: &Counts, width: usize, name: Option<&str>) -> String {
        let mut fields = Vec::new();
        for (on, n) in [
            (self.lines, c.lines),
            (self.words, c.words),
            (self.chars, c.chars),
            (self.bytes, c.bytes),
            (self.max_width, c.max_width),
        ] {
            if on {
                fields.push(format!("{n:>width$}"));
            }
        }
        let mut out = fields.join(" ");
        if let Some(name) = name {
            out.push(' ');
            out.push_str(name);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_ascii() {
        let c = Counts::of(b"hello world\nsecond line here\n");
        assert_eq!(
            c,
            Counts {
                lines: 2,
                words: 5,
                chars: 29,
                bytes: 29,
                max_width: 16
            }
        );
    }

    #[test]
    fn counts_graphemes_and_width() {
        // "e" + combining acute is one character; each CJK ideograph is
        // two columns wide.
        let c = Counts::of("cafe\u{301} 日本\n".as_bytes());
        assert_eq!(c.lines, 1);
        assert_eq!(c.words, 3);
        assert_eq!(c.chars, 8);
        assert_eq!(c.bytes, 14);
        assert_eq!(c.max_width, 9);
    }

    #[test]
    fn last_line_without_newline_is_not_a_line() {
        let c = Counts::of(b"one\ntwo");
        assert_eq!((c.lines, c.words), (1, 2));
    }

    #[test]
    fn default_columns_and_format() {
        let cols = Columns::default().or_default();
        let c = Counts {
            lines: 1,
            words: 2,
            chars: 3,
            bytes: 4,
            max_width: 5,
        };
        assert_eq!(cols.format(&c, 3, Some("f")), "  1   2   4 f");
        let mut total = c;
        total.add(&c);
        assert_eq!(total.bytes, 8);
        assert_eq!(total.max_width, 5);
    }
}
