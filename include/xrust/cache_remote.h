/*
 * The transport of the remote layer cache (module/engine/cache_remote.c):
 * GET into memory or a file, PUT from memory or a file, HEAD, on a
 * file:// cache (plain file-system calls, temporary and rename) and over
 * http(s):// and s3:// through libcurl (S3 requests signed with
 * libcurl's CURLOPT_AWS_SIGV4).  Every call is bounded in time: a short
 * connect timeout, a stall limit, one retry of a transient failure, and
 * a total cap on the small requests.  A missing object is XR_ENOTFOUND;
 * 401 and 403 are XR_EHTTP "access denied (HTTP 403)".  No message holds
 * a credential: URLs are shown without their userinfo and the signing
 * keys never leave the curl handle.
 */
#ifndef XRUST_CACHE_REMOTE_H
#define XRUST_CACHE_REMOTE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "xrust/buf.h"
#include "xrust/cache.h"
#include "xrust/error.h"

struct xr_settings_src;

struct xr_remote_opts {
  long connect_timeout;  /* seconds (3; XRUST_CACHE_CONNECT_TIMEOUT) */
  long stall_seconds;    /* below 1 byte/s this long aborts (10) */
  long small_timeout;    /* total cap of index GETs, HEADs and index
                            PUTs, in seconds (10) */
  unsigned retries;      /* transient failures retried (1) */
  const char *cainfo;    /* CA bundle; NULL: CURL_CA_BUNDLE, then
                            SSL_CERT_FILE, then libcurl's default */
  const char *connect_to;/* tests: a CURLOPT_CONNECT_TO entry
                            ("HOST:PORT:ADDR:PORT"), or NULL */
  FILE *log;             /* -v: one line per request (no credentials) */
};

void xr_remote_opts_init(struct xr_remote_opts *o);
/* XRUST_CACHE_CONNECT_TIMEOUT from SRC. */
int xr_remote_opts_read(struct xr_remote_opts *o,
                        const struct xr_settings_src *src,
                        struct xr_err *err);

struct xr_remote;

/*
 * A transport for U (and S3, which must be set for an s3:// URL; both
 * must outlive the transport).
 */
int xr_remote_open(struct xr_remote **out, const struct xr_cache_url *u,
                   const struct xr_s3_config *s3,
                   const struct xr_remote_opts *o, struct xr_err *err);
void xr_remote_free(struct xr_remote *r);

/*
 * KEY is a path below the cache's root as xr_cache_object_key makes it
 * ("xrust-v1/index/<KEY>"; with s3 the prefix in front).
 *
 * xr_remote_get_mem appends at most MAX bytes to OUT (more is
 * XR_ELIMIT); it is one of the small requests.  xr_remote_get_file
 * writes the object to the new file PATH (removed on failure), hashing
 * it as it arrives: SHA gets its SHA-256, *SIZE its length.  More than
 * MAX bytes is XR_ELIMIT.
 */
int xr_remote_get_mem(struct xr_remote *r, const char *key, size_t max,
                      struct xr_buf *out, struct xr_err *err);
int xr_remote_get_file(struct xr_remote *r, const char *key,
                       const char *path, uint64_t max,
                       char sha[XR_SHA256_HEX], uint64_t *size,
                       struct xr_err *err);
/* PUT; a reader sees the old object or the whole new one. */
int xr_remote_put_mem(struct xr_remote *r, const char *key,
                      const void *data, size_t len, struct xr_err *err);
/* SHA: the file's SHA-256 (S3 signs it); NULL to have it computed. */
int xr_remote_put_file(struct xr_remote *r, const char *key,
                       const char *path, const char *sha,
                       struct xr_err *err);
/* *EXISTS 1 or 0; an error only when the answer is unknown. */
int xr_remote_head(struct xr_remote *r, const char *key, int *exists,
                   struct xr_err *err);

/* Bytes received and sent so far (for the progress line). */
uint64_t xr_remote_bytes_in(const struct xr_remote *r);
uint64_t xr_remote_bytes_out(const struct xr_remote *r);

#endif
