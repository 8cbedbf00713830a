/*
 * The plain-C half of the remote layer cache (README, "Remote cache"):
 * XRUST_CACHE_URL and its schemes (module/lib/cache_url.c), the S3
 * settings and ~/.aws/credentials (module/lib/cache_s3.c), the layout
 * under the URL, the index object and gc of a file:// cache
 * (module/lib/cache_index.c), and the cache key with the
 * --exclude-crate rule (module/lib/cache_key.c).  Nothing here talks to
 * the network: the transport is cache_remote.h (engine), the layer
 * archives layer.h (engine).  Settings come through a settings.h source,
 * so tests pass a fake environment.
 *
 * Remote layout under the URL's prefix:
 *   xrust-v1/index/<KEY>                 "xrust-layer 1\nobject <sha256>\n"
 *                                        "size <bytes>\nformat tar.zst\n"
 *   xrust-v1/objects/<sha256>.tar.zst
 */
#ifndef XRUST_CACHE_H
#define XRUST_CACHE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

#include "xrust/buf.h"
#include "xrust/error.h"
#include "xrust/sha256.h"

struct xr_settings_src;

#define XR_CACHE_LAYOUT "xrust-v1"
/* An index object is small; anything longer is garbage. */
#define XR_CACHE_INDEX_MAX 1024

enum xr_cache_scheme {
  XR_CACHE_FILE = 1,  /* file:///dir */
  XR_CACHE_HTTP,      /* http:// or https:// (WebDAV, plain PUT/GET) */
  XR_CACHE_S3         /* s3://bucket/prefix */
};

struct xr_cache_url {
  enum xr_cache_scheme scheme;
  char *display;   /* the URL as given with the userinfo removed: the
                      only form that messages may show */
  char *root;      /* file: the directory; http: the URL without userinfo,
                      query or trailing '/'; s3: NULL */
  char *user;      /* http: the decoded user of the URL, or NULL */
  char *password;  /* http: the decoded password of the URL, or NULL */
  char *bucket;    /* s3 */
  char *prefix;    /* s3: the key prefix without surrounding '/' ("") */
};

void xr_cache_url_init(struct xr_cache_url *u);
void xr_cache_url_release(struct xr_cache_url *u);

/*
 * Parses XRUST_CACHE_URL.  Errors are XR_EUSAGE and quote the URL with
 * its userinfo removed, never the password.
 */
int xr_cache_url_parse(const char *url, struct xr_cache_url *u,
                       struct xr_err *err);
/* URL with any "user:password@" removed (for messages); -1: no memory. */
int xr_cache_url_strip(const char *url, struct xr_buf *out);

/*
 * The key of NAME ("index/<KEY>", "objects/<sha>.tar.zst") below the
 * cache's root: "xrust-v1/NAME", with the s3 prefix in front.
 */
int xr_cache_object_key(const struct xr_cache_url *u, const char *name,
                        struct xr_buf *out);
/* "index/<KEY>" and "objects/<SHA>.tar.zst". */
int xr_cache_index_name(const char *key, struct xr_buf *out);
int xr_cache_object_name(const char *sha, struct xr_buf *out);
/* 1 when KEY is 64 lowercase hex digits. */
int xr_cache_key_valid(const char *key);

/* ---- S3 (cache_s3.c) ---- */

struct xr_s3_config {
  char *region;        /* AWS_REGION, AWS_DEFAULT_REGION, us-east-1 */
  char *endpoint;      /* "scheme://host[:port]", no trailing '/' */
  int path_style;      /* bucket in the path rather than the host */
  char *access_key;
  char *secret_key;    /* never printed */
  char *session_token; /* never printed; NULL when none */
  char *cred_source;   /* "environment" or "FILE (profile P)", for -v */
  /* For the signing tests only; NULL in real use. */
  char *service;       /* the SigV4 service; NULL: "s3" */
  char *amz_date;      /* a fixed X-Amz-Date; NULL: the clock */
};

void xr_s3_config_init(struct xr_s3_config *c);
void xr_s3_config_release(struct xr_s3_config *c);

/*
 * Reads the S3 settings of the contract from SRC: credentials from
 * AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, else the
 * profile AWS_PROFILE (default "default") of AWS_SHARED_CREDENTIALS_FILE
 * or $HOME/.aws/credentials; region; endpoint (AWS_ENDPOINT_URL_S3,
 * AWS_ENDPOINT_URL, else https://s3.REGION.amazonaws.com); path style
 * (XRUST_S3_PATH_STYLE, default 1 with an endpoint, else 0).
 */
int xr_s3_config_read(struct xr_s3_config *c,
                      const struct xr_settings_src *src,
                      struct xr_err *err);

struct xr_aws_creds {
  char *access_key;
  char *secret_key;
  char *session_token;  /* NULL when the profile has none */
};

void xr_aws_creds_init(struct xr_aws_creds *c);
void xr_aws_creds_release(struct xr_aws_creds *c);

/*
 * Parses the shared credentials file TEXT (named NAME in messages) and
 * takes PROFILE's keys.  Syntax errors are XR_EUSAGE "NAME:LINE: what";
 * a missing profile is XR_ENOTFOUND; a profile without both keys names
 * the profile's line.  Values never appear in messages.
 */
int xr_aws_credentials_parse(const char *text, size_t len, const char *name,
                             const char *profile, struct xr_aws_creds *out,
                             struct xr_err *err);

/* ---- the index object (cache_index.c) ---- */

struct xr_cache_index {
  char object[XR_SHA256_HEX];  /* sha256 of the object, lowercase hex */
  uint64_t size;               /* its size in bytes */
};

int xr_cache_index_write(const struct xr_cache_index *ix,
                         struct xr_buf *out);
/*
 * Strict: exactly the four lines of the format, in order, lowercase hex,
 * a decimal size above 0 without leading zeros.  Anything else is
 * XR_EARCHIVE "NAME:LINE: what was expected".
 */
int xr_cache_index_parse(const char *text, size_t len, const char *name,
                         struct xr_cache_index *ix, struct xr_err *err);

struct xr_cache_gc_stats {
  unsigned long indexes_removed, indexes_kept;
  unsigned long objects_removed, objects_kept;
  uint64_t bytes_removed;
};

/*
 * gc of a file:// cache rooted at ROOT (the directory holding xrust-v1/):
 * index entries older than MAX_AGE seconds (by mtime, against NOW) are
 * removed, then every object no remaining index names, and temporaries
 * older than a day.
 */
int xr_cache_gc_dir(const char *root, long long max_age, time_t now,
                    struct xr_cache_gc_stats *st, struct xr_err *err);

/* ---- the key and the exclusion rule (cache_key.c) ---- */

/*
 * The cache key of a layer: SHA-256 over "xrust-cache-key 1\n", then
 * "record <size>\n" and the bytes of the file RECORD, then for every
 * regular file under STUBDIR (recursively, sorted by relative path,
 * skipping directories named "target"): "file <relpath> <size>\n" and
 * its bytes.  Only relative paths enter, so the key does not depend on
 * where STUBDIR is.
 */
int xr_cache_key(const char *record, const char *stubdir,
                 char hex[XR_SHA256_HEX], struct xr_err *err);

enum xr_cache_where {
  XR_CACHE_IN_OUTPUTS = 1, /* directly under deps/, .fingerprint/, build/ */
  XR_CACHE_IN_PROFILE      /* directly in a profile directory (the one
                              holding deps/ and .fingerprint/) */
};

/*
 * 1 when the entry named BASE, found at WHERE, is an output of the
 * workspace package NAME (with '-' read as '_' too): under WHERE =
 * outputs, "NAME-<16 hex>" or "libNAME-<16 hex>" followed by nothing or
 * '.'; in a profile directory, "NAME", "NAME.d", "NAME.exe" and
 * "libNAME.*".  A package "NAME-core" is never an output of NAME.
 */
int xr_cache_crate_output(const char *name, const char *base,
                          enum xr_cache_where where);
/* 1 when any of the N package NAMES owns the entry (see above). */
int xr_cache_excluded(const char *const *names, size_t n, const char *base,
                      enum xr_cache_where where);

/*
 * A directory tree listed for hashing or packing: every entry below ROOT
 * (directories too), sorted by relative path (strcmp), each with its
 * lstat.  SKIP (may be NULL) is asked about each entry before it is
 * listed: 1 leaves it out, and a directory with all it holds.  WHERE is
 * XR_CACHE_IN_OUTPUTS when the parent is named deps, .fingerprint or
 * build, XR_CACHE_IN_PROFILE when the parent holds a deps/ or
 * .fingerprint/ directory, else 0.  Nesting deeper than 64 is XR_ELIMIT.
 */
struct xr_cache_entry {
  char *rel;        /* "a/b/c" */
  struct stat st;
};

typedef int xr_cache_skip_fn(void *ctx, const char *rel, const char *base,
                             const struct stat *st, int where);

int xr_cache_list(const char *root, xr_cache_skip_fn *skip, void *ctx,
                  struct xr_cache_entry **out, size_t *n,
                  struct xr_err *err);
void xr_cache_list_free(struct xr_cache_entry *v, size_t n);

#endif
