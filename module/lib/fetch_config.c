/*
 * The fetch engine's configuration and URL policy (fetch.h): defaults,
 * the knobs read through settings.h (from the environment or from Make),
 * and which URLs may be fetched at all.  Plain C with no network library,
 * so the module Make loads can read the settings without loading libcurl.
 */
#include "xrust/fetch_config.h"

#include <string.h>
#include <strings.h>

#include "xrust/settings.h"

/* ---- configuration ---- */

/* The default of the number knob NAME (settings.c holds it). */
static unsigned long def(const char *name)
{
  const struct xr_setting *s = xr_setting_find(name);

  return s ? s->def : 0;
}

void xr_fetch_config_init(struct xr_fetch_config *c)
{
  memset(c, 0, sizeof(*c));
  c->jobs = (unsigned)def("XRUST_JOBS");
  c->unpack_jobs = (unsigned)def("XRUST_UNPACK_JOBS");
  c->tty = -1;
  c->retries = (unsigned)def("XRUST_FETCH_RETRIES");
  c->backoff_ms = (unsigned)def("XRUST_FETCH_BACKOFF_MS");
  c->backoff_max_ms = 30000;
  c->retry_after_max_ms = 60000;
  c->low_speed_limit = 1000;
  c->low_speed_time = (long)def("XRUST_FETCH_STALL_SECONDS");
  c->connect_timeout = 30;
  c->ring_size = XR_FETCH_RING_DEFAULT;
}

/* The number knob NAME into an unsigned field, when it is set. */
static int number(const struct xr_settings_src *src, const char *name,
                  unsigned *out, struct xr_err *err)
{
  unsigned long x = *out;
  int rc = xr_setting_number(src, name, &x, err);

  if (!rc)
    *out = (unsigned)x;
  return rc;
}

int xr_fetch_config_read(struct xr_fetch_config *c,
                         const struct xr_settings_src *src,
                         struct xr_err *err)
{
  unsigned stall = (unsigned)c->low_speed_time, v = 0;
  const char *s;
  int offline = 0, rc;

  rc = number(src, "XRUST_JOBS", &c->jobs, err);
  if (!rc)
    rc = number(src, "XRUST_UNPACK_JOBS", &c->unpack_jobs, err);
  if (!rc)
    rc = number(src, "XRUST_FETCH_RETRIES", &c->retries, err);
  if (!rc)
    rc = number(src, "XRUST_FETCH_BACKOFF_MS", &c->backoff_ms, err);
  if (!rc)
    rc = number(src, "XRUST_FETCH_STALL_SECONDS", &stall, err);
  if (!rc)
    rc = number(src, "V", &v, err);
  if (!rc)
    rc = xr_setting_flag(src, "XRUST_OFFLINE", &offline, err);
  if (rc)
    return rc;
  c->low_speed_time = (long)stall;
  c->verbose = c->verbose || v > 0;
  c->offline = c->offline || offline;
  c->quiet = c->quiet || xr_settings_silent(src);
  s = xr_setting_string(src, "XRUST_ALLOW_HTTP");
  if (s)
    c->allow_http = s;
  s = xr_setting_string(src, "XRUST_HOME");
  if (s)
    c->store_root = s;
  return 0;
}

int xr_fetch_config_env(struct xr_fetch_config *c, struct xr_err *err)
{
  return xr_fetch_config_read(c, xr_settings_env(), err);
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
