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
#include "xrust/fetch_config.h"

struct xr_buf;
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


/* Initialises an item (zeroes results, default unpack options). */
void xr_fetch_item_init(struct xr_fetch_item *it);

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
