/*
 * The fetch engine's settings and URL policy (fetch.h): defaults, the
 * XRUST_* environment, and which URLs may be fetched at all.  Plain C with
 * no network library, so the module Make loads can read the settings
 * without loading libcurl.
 */
#include "xrust/fetch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- configuration ---- */


void xr_fetch_config_init(struct xr_fetch_config *c)
{
  memset(c, 0, sizeof(*c));
  c->jobs = 8;
  c->tty = -1;
  c->retries = 5;
  c->backoff_ms = 500;
  c->backoff_max_ms = 30000;
  c->retry_after_max_ms = 60000;
  c->low_speed_limit = 1000;
  c->low_speed_time = 30;
  c->connect_timeout = 30;
  c->ring_size = XR_FETCH_RING_DEFAULT;
}

static int env_num(const char *name, long min, long max, long *out,
                   struct xr_err *err)
{
  const char *v = getenv(name);
  char *end;
  long x;

  if (!v || !*v)
    return 0;
  errno = 0;
  x = strtol(v, &end, 10);
  if (errno || *end || x < min || x > max)
    return xr_fail(err, XR_EUSAGE, "invalid '%s': '%s' (expected %ld to %ld)",
                   name, v, min, max);
  *out = x;
  return 0;
}

/* env_num into an unsigned field. */
static int env_unsigned(const char *name, long min, long max, unsigned *out,
                        struct xr_err *err)
{
  long x = (long)*out;
  int rc = env_num(name, min, max, &x, err);

  if (!rc)
    *out = (unsigned)x;
  return rc;
}

int xr_fetch_config_env(struct xr_fetch_config *c, struct xr_err *err)
{
  const char *v;
  int rc;

  rc = env_unsigned("XRUST_JOBS", 1, 256, &c->jobs, err);
  if (!rc)
    rc = env_unsigned("XRUST_UNPACK_JOBS", 0, 256, &c->unpack_jobs, err);
  if (!rc)
    rc = env_unsigned("XRUST_FETCH_RETRIES", 0, 100, &c->retries, err);
  if (!rc)
    rc = env_unsigned("XRUST_FETCH_BACKOFF_MS", 0, 600000, &c->backoff_ms,
                      err);
  if (!rc)
    rc = env_num("XRUST_FETCH_STALL_SECONDS", 1, 3600, &c->low_speed_time,
                 err);
  if (rc)
    return rc;
  v = getenv("XRUST_OFFLINE");
  if (v && *v && strcmp(v, "0") != 0)
    c->offline = 1;
  v = getenv("XRUST_ALLOW_HTTP");
  if (v && *v)
    c->allow_http = v;
  /* make -s: single-letter flags come first in MAKEFLAGS. */
  v = getenv("MAKEFLAGS");
  if (v && *v && *v != '-' && *v != ' ' && memchr(v, 's', strcspn(v, " ")))
    c->quiet = 1;
  v = getenv("V");
  if (v && *v && strcmp(v, "0") != 0)
    c->verbose = 1;
  return 0;
}

/* ---- URL policy ---- */

static int starts_ci(const char *s, const char *prefix)
{
  return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/* 1 for "127.a.b.c" written as a dotted decimal IPv4 address. */
static int is_loop4(const char *h, size_t len)
{
  size_t i, parts = 1, digits = 0;

  if (len < 9 || strncmp(h, "127.", 4) != 0)
    return 0;
  for (i = 0; i < len; i++) {
    if (h[i] == '.') {
      if (!digits)
        return 0;
      parts++;
      digits = 0;
    } else if (h[i] >= '0' && h[i] <= '9' && digits < 3) {
      digits++;
    } else {
      return 0;
    }
  }
  return parts == 4 && digits > 0;
}

static int is_loopback(const char *h, size_t len)
{
  if (len == 9 && !strncasecmp(h, "localhost", 9))
    return 1;
  if ((len == 5 && !strncmp(h, "[::1]", 5)) ||
      (len == 17 && !strncmp(h, "[0:0:0:0:0:0:0:1]", 17)))
    return 1;
  return is_loop4(h, len);
}

/* 1 when URL begins with one of the space-separated ORIGINS. */
static int origin_allowed(const char *url, const char *origins)
{
  const char *p = origins;

  while (p && *p) {
    size_t len;

    while (*p == ' ' || *p == '\t' || *p == ',')
      p++;
    len = strcspn(p, " \t,");
    if (len && !strncasecmp(url, p, len)) {
      char next = url[len];

      if (p[len - 1] == '/' || next == '\0' || next == '/' || next == '?' ||
          next == '#')
        return 1;
    }
    p += len;
  }
  return 0;
}

int xr_fetch_url_allowed(const char *url, const char *allow_http,
                         struct xr_err *err)
{
  const char *host, *end, *at;
  size_t hlen;

  if (!url || !*url)
    return xr_fail(err, XR_EUSAGE, "empty url");
  if (starts_ci(url, "https://") || starts_ci(url, "file://"))
    return 0;
  if (!starts_ci(url, "http://"))
    return xr_fail(err, XR_EUSAGE,
                   "cannot fetch '%s': unsupported url scheme", url);
  host = url + 7;
  end = host + strcspn(host, "/?#");
  at = memchr(host, '@', (size_t)(end - host));
  while (at) {
    host = at + 1;
    at = memchr(host, '@', (size_t)(end - host));
  }
  if (*host == '[') {
    const char *rb = memchr(host, ']', (size_t)(end - host));

    hlen = rb ? (size_t)(rb - host) + 1 : (size_t)(end - host);
  } else {
    const char *colon = memchr(host, ':', (size_t)(end - host));

    hlen = colon ? (size_t)(colon - host) : (size_t)(end - host);
  }
  if (is_loopback(host, hlen) || origin_allowed(url, allow_http))
    return 0;
  return xr_fail(err, XR_EUSAGE,
                 "cannot fetch '%s': plain http is allowed only to loopback "
                 "hosts and origins listed in XRUST_ALLOW_HTTP", url);
}
