/*
 * The fetch engine's configuration (module/lib/fetch_config.c): parallel
 * transfers, retries, timeouts, output, the store, and the http:// policy
 * of fetch.h, read from settings.h's knobs.  Plain C: the library, the
 * plugin and the tool read and check it without libcurl; only the engine
 * (fetch.h) acts on it.
 */
#ifndef XRUST_FETCH_CONFIG_H
#define XRUST_FETCH_CONFIG_H

#include <stddef.h>
#include <stdio.h>

#include "xrust/error.h"

struct xr_settings_src;
struct xr_store;

/* The default read block of each extraction (ring_size 0). */
#define XR_FETCH_RING_DEFAULT (256 * 1024)

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

#endif
