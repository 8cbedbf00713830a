/*
 * XRUST_CACHE_URL (cache.h): the three schemes of the remote layer cache
 * parsed into a struct xr_cache_url, the userinfo stripped for every
 * message, and the names of the layout under the URL (xrust-v1/index/KEY,
 * xrust-v1/objects/SHA.tar.zst).  String work only: nothing is resolved,
 * opened or fetched here.
 */
#include "xrust/cache.h"

#include <stdlib.h>
#include <string.h>

void xr_cache_url_init(struct xr_cache_url *u)
{
  memset(u, 0, sizeof(*u));
}

void xr_cache_url_release(struct xr_cache_url *u)
{
  free(u->display);
  free(u->root);
  /* The password is a secret: wipe it before it goes back to malloc. */
  if (u->password)
    memset(u->password, 0, strlen(u->password));
  free(u->password);
  free(u->user);
  free(u->bucket);
  free(u->prefix);
  xr_cache_url_init(u);
}

/* Length of "scheme://" in URL, or 0 when it has none. */
static size_t scheme_len(const char *url)
{
  const char *p = strstr(url, "://");
  size_t i;

  if (!p || p == url)
    return 0;
  for (i = 0; url + i < p; i++)
    if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                 "0123456789+-.", url[i]))
      return 0;
  return (size_t)(p - url) + 3;
}

int xr_cache_url_strip(const char *url, struct xr_buf *out)
{
  size_t s = scheme_len(url), alen;
  const char *auth = url + s, *at = NULL, *p;

  if (!s)
    return xr_buf_adds(out, url);
  alen = strcspn(auth, "/?#");
  for (p = auth; p < auth + alen; p++)
    if (*p == '@')
      at = p;
  if (!at)
    return xr_buf_adds(out, url);
  if (xr_buf_add(out, url, s))
    return -1;
  return xr_buf_adds(out, at + 1);
}

/* Decodes %XX escapes of S[0..N) into OUT; -1 on a bad escape or NUL. */
static int pct_decode(const char *s, size_t n, struct xr_buf *out)
{
  size_t i;

  for (i = 0; i < n; i++) {
    int c = (unsigned char)s[i];

    if (c == '%') {
      int hi, lo;

      if (i + 2 >= n)
        return -1;
      hi = xr_hexval(s[i + 1]);
      lo = xr_hexval(s[i + 2]);
      if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
        return -1;
      c = hi * 16 + lo;
      i += 2;
    }
    if (xr_buf_addc(out, (char)c))
      return -1;
  }
  return 0;
}

static char *dup_decoded(const char *s, size_t n)
{
  struct xr_buf b = XR_BUF_INIT;

  if (pct_decode(s, n, &b) || xr_buf_adds(&b, "")) {
    xr_buf_release(&b);
    return NULL;
  }
  return xr_buf_detach(&b);
}

static int bad(struct xr_err *err, const char *shown, const char *what)
{
  return xr_fail(err, XR_EUSAGE, "invalid cache URL '%s': %s", shown, what);
}

/* Strips trailing '/' from B, keeping a lone "/". */
static void trim_slashes(struct xr_buf *b)
{
  while (b->len > 1 && b->data[b->len - 1] == '/')
    b->data[--b->len] = '\0';
}

static int parse_file(const char *rest, const char *shown,
                      struct xr_cache_url *u, struct xr_err *err)
{
  struct xr_buf path = XR_BUF_INIT;
  int rc = 0;

  /* file:///abs and file://localhost/abs, as curl and browsers read
   * them; another host would be a network share we cannot reach. */
  if (!strncmp(rest, "localhost/", 10))
    rest += 9;
  if (*rest != '/')
    return bad(err, shown, "a file:// URL needs an absolute path "
               "(file:///path)");
  if (strchr(rest, '?') || strchr(rest, '#'))
    return bad(err, shown, "a file:// URL takes no query or fragment");
  if (pct_decode(rest, strlen(rest), &path) || xr_buf_adds(&path, "")) {
    rc = bad(err, shown, "bad %-escape in the path");
    goto out;
  }
  trim_slashes(&path);
  u->scheme = XR_CACHE_FILE;
  u->root = xr_buf_detach(&path);
out:
  xr_buf_release(&path);
  return rc;
}

static int parse_http(const char *url, size_t slen, const char *shown,
                      struct xr_cache_url *u, struct xr_err *err)
{
  const char *auth = url + slen, *host, *at = NULL, *p, *colon;
  size_t alen = strcspn(auth, "/?#");
  struct xr_buf root = XR_BUF_INIT;
  int rc = 0;

  for (p = auth; p < auth + alen; p++)
    if (*p == '@')
      at = p;
  host = at ? at + 1 : auth;
  if (host == auth + alen || *host == ':')
    return bad(err, shown, "no host");
  if (strchr(auth + alen, '?') || strchr(auth + alen, '#'))
    return bad(err, shown, "a cache URL takes no query or fragment");
  if (at) {
    colon = memchr(auth, ':', (size_t)(at - auth));
    u->user = dup_decoded(auth, (size_t)((colon ? colon : at) - auth));
    if (colon)
      u->password = dup_decoded(colon + 1, (size_t)(at - colon - 1));
    if (!u->user || (colon && !u->password))
      return bad(err, shown, "bad %-escape in the user name or password");
  }
  if (xr_buf_add(&root, url, slen) || xr_buf_adds(&root, host)) {
    rc = xr_nomem(err);
    goto out;
  }
  while (root.len && root.data[root.len - 1] == '/')
    root.data[--root.len] = '\0';
  u->scheme = XR_CACHE_HTTP;
  u->root = xr_buf_detach(&root);
out:
  xr_buf_release(&root);
  return rc;
}

/* S3's rules for bucket names that work with both addressing styles. */
static int bucket_ok(const char *b, size_t n)
{
  size_t i;

  if (n < 3 || n > 63)
    return 0;
  for (i = 0; i < n; i++)
    if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789.-", b[i]))
      return 0;
  return b[0] != '.' && b[0] != '-' && b[n - 1] != '.' && b[n - 1] != '-';
}

/*
 * The prefix becomes part of every signed path: only characters that
 * need no escaping, so what curl signs is what the server sees, and no
 * empty, "." or ".." segments.
 */
static int prefix_ok(const char *p)
{
  const char *seg = p;

  for (;; p++) {
    if (*p == '/' || !*p) {
      size_t n = (size_t)(p - seg);

      if (!n || (n == 1 && seg[0] == '.') ||
          (n == 2 && seg[0] == '.' && seg[1] == '.'))
        return 0;
      if (!*p)
        return 1;
      seg = p + 1;
    } else if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                       "0123456789-._~", *p)) {
      return 0;
    }
  }
}

static int parse_s3(const char *rest, const char *shown,
                    struct xr_cache_url *u, struct xr_err *err)
{
  size_t blen = strcspn(rest, "/?#@:");
  struct xr_buf pre = XR_BUF_INIT;
  const char *p;

  if (rest[blen] == '@' || (rest[blen] == ':' && strchr(rest, '@')))
    return bad(err, shown, "credentials do not belong in an s3:// URL "
               "(use AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or "
               "~/.aws/credentials)");
  if (rest[blen] == '?' || rest[blen] == '#' || rest[blen] == ':' ||
      strchr(rest, '?') || strchr(rest, '#'))
    return bad(err, shown, "an s3:// URL is s3://BUCKET/PREFIX, without "
               "port, query or fragment");
  if (!bucket_ok(rest, blen))
    return bad(err, shown, "bucket names are 3 to 63 characters of a-z, "
               "0-9, '.' and '-'");
  p = rest + blen;
  while (*p == '/')
    p++;
  if (xr_buf_adds(&pre, p) || xr_buf_adds(&pre, ""))
    return xr_nomem(err);
  while (pre.len && pre.data[pre.len - 1] == '/')
    pre.data[--pre.len] = '\0';
  if (pre.len && !prefix_ok(pre.data)) {
    xr_buf_release(&pre);
    return bad(err, shown, "the prefix may hold only A-Z, a-z, 0-9, '-', "
               "'.', '_', '~' and non-empty '/'-separated parts");
  }
  u->scheme = XR_CACHE_S3;
  u->bucket = xr_strndup(rest, blen);
  u->prefix = xr_buf_detach(&pre);
  if (!u->bucket || !u->prefix)
    return xr_nomem(err);
  return 0;
}

int xr_cache_url_parse(const char *url, struct xr_cache_url *u,
                       struct xr_err *err)
{
  struct xr_buf shown = XR_BUF_INIT;
  size_t slen = scheme_len(url);
  int rc;

  xr_cache_url_init(u);
  if (xr_cache_url_strip(url, &shown) || xr_buf_adds(&shown, "")) {
    rc = xr_nomem(err);
    goto out;
  }
  if (!*url) {
    rc = xr_fail(err, XR_EUSAGE, "no cache URL (XRUST_CACHE_URL is empty)");
    goto out;
  }
  if (strspn(url, " \t\r\n") || url[strcspn(url, " \t\r\n")]) {
    rc = bad(err, shown.data, "white space in the URL");
    goto out;
  }
  if (slen == 7 && !strncmp(url, "file://", 7))
    rc = parse_file(url + 7, shown.data, u, err);
  else if ((slen == 7 && !strncmp(url, "http://", 7)) ||
           (slen == 8 && !strncmp(url, "https://", 8)))
    rc = parse_http(url, slen, shown.data, u, err);
  else if (slen == 5 && !strncmp(url, "s3://", 5))
    rc = parse_s3(url + 5, shown.data, u, err);
  else
    rc = bad(err, shown.data, "expected file:///PATH, http://HOST/PATH, "
             "https://HOST/PATH or s3://BUCKET/PREFIX");
  if (!rc) {
    u->display = xr_buf_detach(&shown);
    if (!u->display)
      rc = xr_nomem(err);
  }
out:
  xr_buf_release(&shown);
  if (rc)
    xr_cache_url_release(u);
  return rc;
}

int xr_cache_object_key(const struct xr_cache_url *u, const char *name,
                        struct xr_buf *out)
{
  if (u->scheme == XR_CACHE_S3 && u->prefix && *u->prefix &&
      (xr_buf_adds(out, u->prefix) || xr_buf_addc(out, '/')))
    return -1;
  return xr_buf_printf(out, "%s/%s", XR_CACHE_LAYOUT, name);
}

int xr_cache_key_valid(const char *key)
{
  size_t i;

  for (i = 0; i < 64; i++)
    if (!key[i] || !strchr("0123456789abcdef", key[i]))
      return 0;
  return key[64] == '\0';
}

int xr_cache_index_name(const char *key, struct xr_buf *out)
{
  return xr_buf_printf(out, "index/%s", key);
}

int xr_cache_object_name(const char *sha, struct xr_buf *out)
{
  return xr_buf_printf(out, "objects/%s.tar.zst", sha);
}
