//! tally: counts the lines, words, bytes and characters of a UTF-8 buffer,
//! for C.  The C interface is this file alone (cbindgen reads it in
//! single-file mode to write tally.h): a struct filled through a pointer
//! (`tally_count`), a callback into C per word (`tally_words`), a string
//! allocated here and freed here (`tally_summary`, `tally_string_free`),
//! and status codes, negative for bad input (`TallyStatus`,
//! `tally_strerror`).  No function panics (and a panic in an extern "C"
//! function aborts), so nothing unwinds into C.

use std::ffi::{c_char, c_void, CString};
use std::ptr;

/// What the functions return: 0 or more for success, negative for an
/// error.  `tally_strerror` gives each one a message.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TallyStatus {
    /// Success.
    Ok = 0,
    /// The word callback returned false before the last word.
    Stopped = 1,
    /// A pointer argument was NULL.
    NullPointer = -1,
    /// The buffer is not valid UTF-8.
    InvalidUtf8 = -2,
    /// The length is larger than any buffer can be.
    TooLarge = -3,
}

/// The counts of one buffer, as `wc` gives them: `lines` is the number of
/// newlines; words are separated by Unicode white space.
#[repr(C)]
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TallyCounts {
    pub lines: u64,
    pub words: u64,
    pub bytes: u64,
    pub chars: u64,
}

/// Called once per word, in order, with the caller's `user` pointer and
/// the word (pointing into the caller's buffer, `len` bytes, not
/// NUL-terminated).  Returning false stops the walk.
pub type TallyWordFn =
    Option<unsafe extern "C" fn(user: *mut c_void, word: *const c_char, len: usize) -> bool>;

/// The buffer as UTF-8 text, or the status that says why it is not.
///
/// # Safety
/// `buf`, when not NULL, points to `len` readable bytes.
unsafe fn text<'a>(buf: *const u8, len: usize) -> Result<&'a str, TallyStatus> {
    if buf.is_null() {
        return Err(TallyStatus::NullPointer);
    }
    if len > isize::MAX as usize {
        return Err(TallyStatus::TooLarge);
    }
    let bytes = std::slice::from_raw_parts(buf, len);
    std::str::from_utf8(bytes).map_err(|_| TallyStatus::InvalidUtf8)
}

fn counts_of(s: &str) -> TallyCounts {
    TallyCounts {
        lines: s.bytes().filter(|&b| b == b'\n').count() as u64,
        words: s.split_whitespace().count() as u64,
        bytes: s.len() as u64,
        chars: s.chars().count() as u64,
    }
}

/// Counts the `len` bytes at `buf` into `*out`.  `*out` is zeroed on error.
///
/// # Safety
/// `buf` points to `len` readable bytes; `out` to a writable TallyCounts.
#[no_mangle]
pub unsafe extern "C" fn tally_count(
    buf: *const u8,
    len: usize,
    out: *mut TallyCounts,
) -> TallyStatus {
    if out.is_null() {
        return TallyStatus::NullPointer;
    }
    match text(buf, len) {
        Ok(s) => {
            *out = counts_of(s);
            TallyStatus::Ok
        }
        Err(e) => {
            *out = TallyCounts::default();
            e
        }
    }
}

/// Calls `cb(user, word, len)` for each word of the `len` bytes at `buf`.
/// Returns TALLY_STATUS_STOPPED when `cb` returned false, and an error,
/// before any call, for a NULL pointer or invalid UTF-8.
///
/// # Safety
/// `buf` points to `len` readable bytes; `cb` is safe to call with `user`.
#[no_mangle]
pub unsafe extern "C" fn tally_words(
    buf: *const u8,
    len: usize,
    cb: TallyWordFn,
    user: *mut c_void,
) -> TallyStatus {
    let cb = match cb {
        Some(cb) => cb,
        None => return TallyStatus::NullPointer,
    };
    let s = match text(buf, len) {
        Ok(s) => s,
        Err(e) => return e,
    };
    for word in s.split_whitespace() {
        if !cb(user, word.as_ptr().cast(), word.len()) {
            return TallyStatus::Stopped;
        }
    }
    TallyStatus::Ok
}

/// A sentence saying what `*counts` holds, e.g. "2 lines, 5 words, 31
/// bytes, 29 characters"; NULL when `counts` is NULL.  The caller frees it
/// with tally_string_free, never with free().
///
/// # Safety
/// `counts`, when not NULL, points to a readable TallyCounts.
#[no_mangle]
pub unsafe extern "C" fn tally_summary(counts: *const TallyCounts) -> *mut c_char {
    let c = match counts.as_ref() {
        Some(c) => c,
        None => return ptr::null_mut(),
    };
    let plural =
        |n: u64, one: &str, many: &str| format!("{} {}", n, if n == 1 { one } else { many });
    let s = [
        plural(c.lines, "line", "lines"),
        plural(c.words, "word", "words"),
        plural(c.bytes, "byte", "bytes"),
        plural(c.chars, "character", "characters"),
    ]
    .join(", ");
    // The text has no NUL byte, so this never fails.
    match CString::new(s) {
        Ok(cs) => cs.into_raw(),
        Err(_) => ptr::null_mut(),
    }
}

/// Frees a string that tally returned; NULL is ignored.
///
/// # Safety
/// `s` is NULL or came from tally_summary and was not freed before.
#[no_mangle]
pub unsafe extern "C" fn tally_string_free(s: *mut c_char) {
    if !s.is_null() {
        drop(CString::from_raw(s));
    }
}

/// A static message for a status, "unknown status" for a value that is
/// none of them.
#[no_mangle]
pub extern "C" fn tally_strerror(status: i32) -> *const c_char {
    let m: &[u8] = match status {
        0 => b"success\0",
        1 => b"stopped by the callback\0",
        -1 => b"null pointer argument\0",
        -2 => b"input is not valid UTF-8\0",
        -3 => b"length too large\0",
        _ => b"unknown status\0",
    };
    m.as_ptr().cast()
}

/// The crate's version, e.g. "0.1.0" (static).
#[no_mangle]
pub extern "C" fn tally_version() -> *const c_char {
    const V: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");
    V.as_ptr().cast()
}

/// What the library was compiled for, as "<arch>-<libc>" ("x86_64-gnu",
/// "aarch64-musl", ...), so that a C program can check that it links a
/// library built for its own target (static).
#[no_mangle]
pub extern "C" fn tally_target() -> *const c_char {
    const GNU: bool = cfg!(target_env = "gnu");
    const MUSL: bool = cfg!(target_env = "musl");
    let t: &[u8] = if cfg!(target_arch = "x86_64") {
        if MUSL {
            b"x86_64-musl\0"
        } else if GNU {
            b"x86_64-gnu\0"
        } else {
            b"x86_64\0"
        }
    } else if cfg!(target_arch = "aarch64") {
        if MUSL {
            b"aarch64-musl\0"
        } else if GNU {
            b"aarch64-gnu\0"
        } else {
            b"aarch64\0"
        }
    } else if cfg!(target_arch = "arm") {
        if MUSL {
            b"arm-musl\0"
        } else if GNU {
            b"arm-gnu\0"
        } else {
            b"arm\0"
        }
    } else if cfg!(target_arch = "riscv64") {
        if MUSL {
            b"riscv64-musl\0"
        } else if GNU {
            b"riscv64-gnu\0"
        } else {
            b"riscv64\0"
        }
    } else {
        b"other\0"
    };
    t.as_ptr().cast()
}
