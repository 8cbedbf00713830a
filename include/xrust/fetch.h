/*
 * The fetch engine: a batch of downloads through the store, in parallel,
 * verified, resumable, optionally extracted while the bytes arrive.  Only
 * module/engine/fetch.c talks to libcurl; the extraction that tails a
 * download is module/engine/fetch_tail.c.
 *
 * For each item the engine looks for the blob sha256 in the store; if it is
 * there, no request is made.  Otherwise it takes the blob's lock (another
 * process fetching the same artifact makes this item wait, then find the
 * blob), downloads into v1/tmp while hashing, retries transient failures
 * with exponential backoff and Range resume, and publishes the blob only
 * when the digest matches.  DEST, when given, then receives a copy (never
 * partial).  UNPACK_DIR, when given, is fed the same bytes as they arrive:
 * one extraction thread per item tails the temporary file as it grows, so
 * several archives decompress on several cores at once, memory stays
 * bounded and no transfer waits for decompression; a cached blob is
 * extracted from the store.  UNPACK_DIR must exist and should be a staging
 * directory: after a failure its contents are undefined.  If a server
 * ignores a Range request, the extraction is restarted on an emptied
 * directory.
 *
 * Failures are per item (status and err); the batch runs every item to the
 * end (no fail-fast: the other downloads are useful later) and then
 * returns the first failing item's code with its message copied to ERR.
 *
 * Policy: certificates are always verified (CURL_CA_BUNDLE, else
 * SSL_CERT_FILE, names the CA bundle and SSL_CERT_DIR a CA directory, as
 * for curl(1); https_proxy and no_proxy work as in curl); http:// is
 * refused before any connection unless the host is loopback (127.0.0.0/8,
 * ::1, localhost) or the URL starts with one of the allow_http origins;
 * file:// works; other schemes are refused.
 */
#ifndef XRUST_FETCH_H
#define XRUST_FETCH_H

#include <stdint.h>
#include <stdio.h>

#include "xrust/archive.h"
#include "xrust/error.h"

struct xr_buf;
struct xr_settings_src;
struct xr_store;

struct xr_fetch_item {
  /* Inputs, owned by the caller. */
  const char *url;
  const char *sha256;     /* expected digest, required (64 hex digits) */
  const char *dest;       /* optional: file to publish a copy to */
  const char *unpack_dir; /* optional: existing directory to extract into */
  struct xr_unpack_opts unpack; /* used with unpack_dir (set with
                                   xr_unpack_opts_init) */
  uint64_t size_hint;     /* expected size, 0 if unknown: used for
                             progress, and more bytes are an error */
  const char *name;       /* display name; NULL: the URL's last part */

  /* Results. */
  int status;             /* 0 or the error code of err */
  struct xr_err err;
  int from_cache;         /* 1: the blob was in the store, no request */
  uint64_t bytes;         /* bytes received over the network */
  unsigned attempts;      /* requests made */
  struct xr_unpack_stats unpacked;
};

/* The default read block of each extraction (ring_size 0). */
#define XR_FETCH_RING_DEFAULT (256 * 1024)

/* Initialises an item (zeroes results, default unpack options). */
void xr_fetch_item_init(struct xr_fetch_item *it);

struct xr_fetch_config {
  const char *store_root;   /* NULL: xr_store_default_root */
  struct xr_store *store;   /* an open store to use instead, or NULL */
  unsigned jobs;            /* parallel transfers (default 8) */
  unsigned unpack_jobs;     /* archives decoded at once (0: the CPUs
                               online); the others keep downloading into
                               the store and are decoded after */
  int offline;              /* never touch the network */

  FILE *out;                /* progress and verbose lines; NULL: silent */
  int quiet;                /* no progress (make -s); errors are returned */
  int verbose;              /* V=1: print each URL and each retry */
  int tty;                  /* -1: isatty(out); 0 or 1 to force */

  unsigned retries;         /* transient failures retried (default 5) */
  unsigned backoff_ms;      /* first delay, doubled each time (500) */
  unsigned backoff_max_ms;  /* cap of the delay (30000) */
  unsigned retry_after_max_ms; /* cap of a server's Retry-After (60000) */
  long low_speed_limit;     /* bytes/s under which a transfer stalls (1) */
  long low_speed_time;      /* seconds below that limit before retry (30) */
  long connect_timeout;     /* seconds (30) */

  const char *allow_http;   /* space-separated origins allowed over
                               http://, e.g. "http://mirror.lan:8080" */
  const char *cainfo;       /* CA bundle; NULL: CURL_CA_BUNDLE, then
                               SSL_CERT_FILE, then libcurl's default */
  size_t ring_size;         /* read block of each extraction */
};

/* Defaults, without looking at the environment. */
void xr_fetch_config_init(struct xr_fetch_config *c);

/*
 * Applies the knobs of settings.h that SRC holds: XRUST_JOBS,
 * XRUST_UNPACK_JOBS, XRUST_OFFLINE, XRUST_HOME (the store root),
 * XRUST_ALLOW_HTTP (origins), V (>=1 verbose), MAKEFLAGS (-s quiet), and
 * for tests XRUST_FETCH_RETRIES, XRUST_FETCH_BACKOFF_MS,
 * XRUST_FETCH_STALL_SECONDS.  Strings point into SRC's values.  A bad
 * value is an error naming the variable, the value and what is expected.
 */
int xr_fetch_config_read(struct xr_fetch_config *c,
                         const struct xr_settings_src *src,
                         struct xr_err *err);
/* xr_fetch_config_read from the environment. */
int xr_fetch_config_env(struct xr_fetch_config *c, struct xr_err *err);

/*
 * Checks a URL against the scheme policy above; 0 when allowed, else
 * XR_EUSAGE with a message naming the URL.  Nothing is resolved.
 */
int xr_fetch_url_allowed(const char *url, const char *allow_http,
                         struct xr_err *err);

/* Runs the batch; see the top of this file. */
int xr_fetch_batch(const struct xr_fetch_config *cfg,
                   struct xr_fetch_item *items, size_t n,
                   struct xr_err *err);

/*
 * A small download kept in memory, for metadata whose digest is not known
 * in advance (a manifest's .sha256 file, then the manifest, checked against
 * it by the caller).  Appends the body of URL to OUT; more than MAX bytes
 * is XR_ELIMIT.  Same policy, TLS settings and retries as a batch (from
 * CFG; no Range resume, a retry starts over); nothing goes to the store,
 * nothing is printed but the URL under verbose.  Offline mode fails with
 * XR_EOFFLINE "offline: cannot download 'URL'".  Blocks until done.
 */
int xr_fetch_text(const struct xr_fetch_config *cfg, const char *url,
                  size_t max, struct xr_buf *out, struct xr_err *err);

#endif
