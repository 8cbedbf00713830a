/*
 * Channel names and dist-server URLs.  This file owns the grammar of the
 * toolchain names rustup accepts (a channel, an optional -YYYY-MM-DD
 * archive date, an optional host triple), the manifest path derived from
 * them, the rewrite of https://static.rust-lang.org URLs to a mirror (and
 * back, for lockfiles), and the choice of archive format per artifact.
 * Everything here is string work: no I/O.
 */
#include "xrust/channel.h"

#include <ctype.h>
#include <string.h>

#include "xrust/buf.h"

static const char default_server[] = XR_DIST_DEFAULT_SERVER;

static int is_digit(char c)
{
  return c >= '0' && c <= '9';
}

/* Counts leading digits of S, at most MAX + 1 (so "too many" shows). */
static size_t digits(const char *s, size_t max)
{
  size_t n = 0;

  while (n <= max && is_digit(s[n]))
    n++;
  return n;
}

/*
 * A number of 1..MAX digits without a leading zero (except "0" itself),
 * as rustup's (0|[1-9][0-9]{0,N}).  Returns its length or 0.
 */
static size_t number(const char *s, size_t max)
{
  size_t n = digits(s, max);

  if (n == 0 || n > max)
    return 0;
  if (s[0] == '0' && n > 1)
    return 0;
  return n;
}

/*
 * Matches the channel part at the start of S and returns its length, or
 * 0.  The match must end at the end of S or before a '-'.
 */
static size_t match_channel(const char *s)
{
  static const char *const named[] = { "nightly", "beta", "stable" };
  size_t i, n, k;

  for (i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
    n = strlen(named[i]);
    if (!strncmp(s, named[i], n) && (s[n] == '\0' || s[n] == '-'))
      return n;
  }
  if (!is_digit(s[0]) || s[1] != '.')
    return 0;
  n = 2;
  k = number(s + n, 3);
  if (!k)
    return 0;
  n += k;
  if (s[n] == '.') {
    k = number(s + n + 1, 2);
    if (!k)
      return 0;
    n += 1 + k;
  }
  if (!strncmp(s + n, "-beta", 5) &&
      (s[n + 5] == '\0' || s[n + 5] == '-' || s[n + 5] == '.')) {
    n += 5;
    if (s[n] == '.') {
      k = digits(s + n + 1, 2);
      if (k == 0 || k > 2)
        return 0;
      n += 1 + k;
    }
  }
  if (s[n] != '\0' && s[n] != '-')
    return 0;
  return n;
}

/* 1 when S starts with the shape DDDD-DD-DD followed by end or '-'. */
static int looks_like_date(const char *s)
{
  static const char shape[] = "dddd-dd-dd";
  size_t i;

  for (i = 0; shape[i]; i++) {
    if (shape[i] == 'd' ? !is_digit(s[i]) : s[i] != '-')
      return 0;
  }
  return s[i] == '\0' || s[i] == '-';
}

static int valid_date(const char *s)
{
  static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30,
                               31 };
  int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
          (s[3] - '0');
  int m = (s[5] - '0') * 10 + (s[6] - '0');
  int d = (s[8] - '0') * 10 + (s[9] - '0');
  int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

  if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
    return 0;
  if (m == 2 && d == 29 && !leap)
    return 0;
  return 1;
}

/* A host triple: [A-Za-z0-9_.-], at least two '-'-separated parts. */
static int valid_triple(const char *s)
{
  size_t i;
  int dash = 0;

  if (!*s || *s == '-')
    return 0;
  for (i = 0; s[i]; i++) {
    if (s[i] == '-') {
      if (s[i + 1] == '-' || s[i + 1] == '\0')
        return 0;
      dash = 1;
    } else if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '.') {
      return 0;
    }
  }
  return dash;
}

int xr_channel_parse(const char *s, struct xr_channel *ch,
                     struct xr_err *err)
{
  size_t n;
  const char *rest;

  memset(ch, 0, sizeof(*ch));
  if (!s || !*s)
    return xr_fail(err, XR_EUSAGE, "empty channel name");
  n = match_channel(s);
  if (!n)
    return xr_fail(err, XR_EUSAGE,
                   "invalid channel '%s': expected stable, beta, nightly "
                   "or a version like 1.96.0, optionally followed by "
                   "-YYYY-MM-DD", s);
  memcpy(ch->name, s, n);
  ch->name[n] = '\0';
  /* rustup maps the versions 1.0 to 1.8 to 1.x.0. */
  if (n == 3 && s[0] == '1' && s[2] >= '0' && s[2] <= '8') {
    ch->name[3] = '.';
    ch->name[4] = '0';
    ch->name[5] = '\0';
  }
  rest = s + n;
  if (*rest == '-' && looks_like_date(rest + 1)) {
    if (!valid_date(rest + 1))
      return xr_fail(err, XR_EUSAGE,
                     "invalid channel '%s': '%.10s' is not a valid date",
                     s, rest + 1);
    memcpy(ch->date, rest + 1, 10);
    ch->date[10] = '\0';
    rest += 11;
  }
  if (*rest == '-') {
    rest++;
    if (!valid_triple(rest) || strlen(rest) >= sizeof(ch->host))
      return xr_fail(err, XR_EUSAGE,
                     "invalid channel '%s': '%s' is neither a date "
                     "(YYYY-MM-DD) nor a target triple", s, rest);
    memcpy(ch->host, rest, strlen(rest) + 1);
  }
  return 0;
}

int xr_channel_is_pinned(const struct xr_channel *ch)
{
  const char *p;
  int dots = 0;

  if (ch->date[0])
    return 1;
  if (!is_digit(ch->name[0]))
    return 0;
  for (p = ch->name; *p && *p != '-'; p++)
    dots += *p == '.';
  return dots == 2;
}

int xr_channel_format(const struct xr_channel *ch, struct xr_buf *out)
{
  if (xr_buf_adds(out, ch->name))
    return XR_ENOMEM;
  if (ch->date[0] && xr_buf_printf(out, "-%s", ch->date))
    return XR_ENOMEM;
  if (ch->host[0] && xr_buf_printf(out, "-%s", ch->host))
    return XR_ENOMEM;
  return 0;
}

int xr_channel_manifest_path(const struct xr_channel *ch, struct xr_buf *out)
{
  int rc;

  if (ch->date[0])
    rc = xr_buf_printf(out, "dist/%s/channel-rust-%s.toml", ch->date,
                       ch->name);
  else
    rc = xr_buf_printf(out, "dist/channel-rust-%s.toml", ch->name);
  return rc ? XR_ENOMEM : 0;
}

/* The length of SERVER without trailing slashes; NULL/"" is the default. */
static const char *server_or_default(const char *server, size_t *len)
{
  size_t n;

  if (!server || !*server)
    server = default_server;
  n = strlen(server);
  while (n > 0 && server[n - 1] == '/')
    n--;
  *len = n;
  return server;
}

int xr_channel_manifest_url(const char *server, const struct xr_channel *ch,
                            struct xr_buf *out)
{
  size_t n;

  server = server_or_default(server, &n);
  if (xr_buf_add(out, server, n) || xr_buf_addc(out, '/'))
    return XR_ENOMEM;
  return xr_channel_manifest_path(ch, out);
}

/* 1 when URL starts with PREFIX (N bytes) at a path boundary. */
static int has_prefix(const char *url, const char *prefix, size_t n)
{
  return n > 0 && !strncmp(url, prefix, n) &&
         (url[n] == '\0' || url[n] == '/' || url[n] == '?');
}

int xr_dist_rewrite_url(const char *url, const char *server,
                        struct xr_buf *out)
{
  size_t dn = sizeof(default_server) - 1, sn;

  if (!server || !*server) {
    if (xr_buf_adds(out, url))
      return XR_ENOMEM;
    return 0;
  }
  server = server_or_default(server, &sn);
  if (has_prefix(url, default_server, dn)) {
    if (xr_buf_add(out, server, sn) || xr_buf_adds(out, url + dn))
      return XR_ENOMEM;
    return 0;
  }
  return xr_buf_adds(out, url) ? XR_ENOMEM : 0;
}

int xr_dist_canonical_url(const char *url, const char *server,
                          struct xr_buf *out)
{
  size_t sn;

  server = server_or_default(server, &sn);
  if (has_prefix(url, server, sn)) {
    if (xr_buf_adds(out, default_server) || xr_buf_adds(out, url + sn))
      return XR_ENOMEM;
    return 0;
  }
  return xr_buf_adds(out, url) ? XR_ENOMEM : 0;
}

static int prefix_nocase(const char *s, const char *p)
{
  size_t i;

  for (i = 0; p[i]; i++)
    if (tolower((unsigned char)s[i]) != p[i])
      return 0;
  return 1;
}

int xr_dist_server_is_local(const char *server)
{
  const char *h, *end, *at;
  size_t n;

  if (!server || !*server)
    return 0;
  if (prefix_nocase(server, "file:"))
    return 1;
  if (prefix_nocase(server, "http://"))
    h = server + 7;
  else if (prefix_nocase(server, "https://"))
    h = server + 8;
  else
    return 0;
  end = h + strcspn(h, "/?#");
  at = memchr(h, '@', (size_t)(end - h));
  if (at)
    h = at + 1;
  if (*h == '[')
    return !strncmp(h, "[::1]", 5);
  n = strcspn(h, ":/?#");
  if (n == 9 && prefix_nocase(h, "localhost"))
    return 1;
  /* 127.0.0.0/8 as a dotted address, not a name like 127.x.com */
  return n >= 4 && !strncmp(h, "127.", 4) && strspn(h, "0123456789.") == n;
}

const char *xr_dist_format_name(enum xr_dist_format f)
{
  switch (f) {
  case XR_FMT_GZ:
    return "gz";
  case XR_FMT_XZ:
    return "xz";
  case XR_FMT_ZST:
    return "zst";
  }
  return "?";
}

int xr_dist_format_parse(const char *s, enum xr_dist_format *f)
{
  if (!s)
    return -1;
  if (!strcmp(s, "gz"))
    *f = XR_FMT_GZ;
  else if (!strcmp(s, "xz"))
    *f = XR_FMT_XZ;
  else if (!strcmp(s, "zst"))
    *f = XR_FMT_ZST;
  else
    return -1;
  return 0;
}

int xr_format_pref_parse(const char *s, enum xr_format_pref *p,
                         struct xr_err *err)
{
  enum xr_dist_format f;

  if (!s || !*s || !strcmp(s, "auto")) {
    *p = XR_FMT_PREF_AUTO;
    return 0;
  }
  if (xr_dist_format_parse(s, &f))
    return xr_fail(err, XR_EUSAGE,
                   "invalid archive format '%s': expected gz, xz, zst or "
                   "auto", s);
  *p = f == XR_FMT_GZ ? XR_FMT_PREF_GZ
       : f == XR_FMT_XZ ? XR_FMT_PREF_XZ : XR_FMT_PREF_ZST;
  return 0;
}

#define HAVE(f) (have & (1u << (f)))

enum xr_dist_format xr_dist_format_choose(enum xr_format_pref pref,
                                          const char *server,
                                          unsigned have)
{
  if (pref == XR_FMT_PREF_GZ && HAVE(XR_FMT_GZ))
    return XR_FMT_GZ;
  if (pref == XR_FMT_PREF_XZ && HAVE(XR_FMT_XZ))
    return XR_FMT_XZ;
  if (pref == XR_FMT_PREF_ZST && HAVE(XR_FMT_ZST))
    return XR_FMT_ZST;
  /* The auto rule, also the fallback for a format an artifact lacks. */
  if (HAVE(XR_FMT_ZST))
    return XR_FMT_ZST;
  if (xr_dist_server_is_local(server))
    return HAVE(XR_FMT_GZ) ? XR_FMT_GZ : XR_FMT_XZ;
  return HAVE(XR_FMT_XZ) ? XR_FMT_XZ : XR_FMT_GZ;
}
