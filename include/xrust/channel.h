/*
 * Channel names and dist-server URLs (module/lib/channel.c): rustup's
 * channel names ("stable", "1.96", "1.96.0", "nightly-2026-05-01",
 * "1.96.0-beta.2-2026-05-01"), the manifest path
 * dist[/DATE]/channel-rust-<c>.toml, the rewrite of
 * https://static.rust-lang.org URLs to the configured server (so a
 * verbatim mirror works) and back for lockfiles, and the choice of
 * archive format per artifact.  String work only, no I/O.
 */
#ifndef XRUST_CHANNEL_H
#define XRUST_CHANNEL_H

#include "xrust/error.h"

struct xr_buf;

#define XR_DIST_DEFAULT_SERVER "https://static.rust-lang.org"

/*
 * A parsed channel name.  NAME is what goes into channel-rust-NAME.toml
 * ("stable", "1.96", "1.96.0", "1.96.0-beta.2"; "1.8" becomes "1.8.0" as
 * rustup does for 1.0 to 1.8).  DATE is "YYYY-MM-DD" or "".  HOST is a
 * trailing target triple rustup allows ("stable-x86_64-unknown-linux-gnu")
 * or "".
 */
struct xr_channel {
  char name[32];
  char date[11];
  char host[96];
};

/*
 * Parses S.  Errors (XR_EUSAGE) say what is wrong: "invalid channel 'x':
 * expected stable, beta, nightly or a version like 1.96.0".
 */
int xr_channel_parse(const char *s, struct xr_channel *ch,
                     struct xr_err *err);
/* The canonical text back: "nightly-2026-05-01", "1.96.0". */
int xr_channel_format(const struct xr_channel *ch, struct xr_buf *out);
/*
 * 1 when CH names one release for good: a date, or a full version
 * ("1.96.0", "1.96.0-beta.2"); 0 for stable, beta, nightly and "1.96".
 */
int xr_channel_is_pinned(const struct xr_channel *ch);
/* Appends "dist[/DATE]/channel-rust-NAME.toml" to OUT. */
int xr_channel_manifest_path(const struct xr_channel *ch, struct xr_buf *out);
/*
 * Appends SERVER (trailing slashes dropped) + "/" + the manifest path.
 * SERVER NULL or "" means the default server.
 */
int xr_channel_manifest_url(const char *server, const struct xr_channel *ch,
                            struct xr_buf *out);
/*
 * Appends URL to OUT with a leading https://static.rust-lang.org replaced
 * by SERVER (trailing slashes dropped), as rustup does for manifest URLs;
 * other URLs are kept.  SERVER NULL or "" keeps every URL.
 */
int xr_dist_rewrite_url(const char *url, const char *server,
                        struct xr_buf *out);
/*
 * The inverse, for lockfiles: a URL under SERVER is written back under
 * the default server, so a lock stays valid against any mirror.
 */
int xr_dist_canonical_url(const char *url, const char *server,
                          struct xr_buf *out);
/* 1 when SERVER is file:// or an http(s) URL on a loopback host. */
int xr_dist_server_is_local(const char *server);

enum xr_dist_format {
  XR_FMT_GZ,
  XR_FMT_XZ,
  XR_FMT_ZST
};

enum xr_format_pref {
  XR_FMT_PREF_AUTO,
  XR_FMT_PREF_GZ,
  XR_FMT_PREF_XZ,
  XR_FMT_PREF_ZST
};

/* "gz", "xz", "zst". */
const char *xr_dist_format_name(enum xr_dist_format f);
/* Parses "gz", "xz", "zst"; -1 for anything else. */
int xr_dist_format_parse(const char *s, enum xr_dist_format *f);
/* Parses XRUST_DIST_FORMAT ("auto", "", NULL = auto); XR_EUSAGE if bad. */
int xr_format_pref_parse(const char *s, enum xr_format_pref *p,
                         struct xr_err *err);
/*
 * Chooses among the formats an artifact has (HAVE is a bit set of
 * 1 << enum xr_dist_format, never 0).  Decompression, not the transfer,
 * dominates on a fast link (xz decodes about 3x slower than gzip), while
 * on a slow link the bytes dominate.  PREF (XRUST_DIST_FORMAT) picks;
 * auto means zst when the artifact has it (small and fast to decode),
 * else gz when SERVER is loopback or file://, else xz.  A preferred
 * format the artifact lacks falls back to the auto rule.
 */
enum xr_dist_format xr_dist_format_choose(enum xr_format_pref pref,
                                          const char *server,
                                          unsigned have);

#endif
