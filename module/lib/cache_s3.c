/*
 * The S3 settings of the remote layer cache (cache.h): region, endpoint,
 * addressing style and credentials, read through a settings source (the
 * environment for the tool, a fake one in the tests), and the parser of
 * the AWS shared credentials file (~/.aws/credentials: INI sections named
 * after profiles, aws_access_key_id, aws_secret_access_key,
 * aws_session_token).  No secret ever enters an error message.
 */
#include "xrust/cache.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xrust/fs.h"
#include "xrust/settings.h"

/* A credentials file larger than this is not one. */
#define CREDS_MAX (1024 * 1024)

void xr_s3_config_init(struct xr_s3_config *c)
{
  memset(c, 0, sizeof(*c));
}

/* Frees a secret after overwriting it. */
static void free_secret(char *s)
{
  if (s)
    memset(s, 0, strlen(s));
  free(s);
}

void xr_s3_config_release(struct xr_s3_config *c)
{
  free(c->region);
  free(c->endpoint);
  free(c->access_key);
  free_secret(c->secret_key);
  free_secret(c->session_token);
  free(c->cred_source);
  free(c->service);
  free(c->amz_date);
  xr_s3_config_init(c);
}

void xr_aws_creds_init(struct xr_aws_creds *c)
{
  memset(c, 0, sizeof(*c));
}

void xr_aws_creds_release(struct xr_aws_creds *c)
{
  free(c->access_key);
  free_secret(c->secret_key);
  free_secret(c->session_token);
  xr_aws_creds_init(c);
}

/* The non-empty value of NAME in SRC, or NULL. */
static const char *var(const struct xr_settings_src *src, const char *name)
{
  const char *v = src->get(src->ctx, name);

  return v && *v ? v : NULL;
}

/* S[0..N) without surrounding blanks. */
static void trim(const char **s, size_t *n)
{
  while (*n && strchr(" \t\r", (*s)[0])) {
    (*s)++;
    (*n)--;
  }
  while (*n && strchr(" \t\r", (*s)[*n - 1]))
    (*n)--;
}

static int same(const char *s, size_t n, const char *word)
{
  return strlen(word) == n && !strncasecmp(s, word, n);
}

struct ini {
  const char *name, *profile;
  struct xr_aws_creds *out;
  struct xr_err *err;
  unsigned line, section_line;
  int in_profile, found;
  char **seen;           /* section names met so far */
  size_t nseen;
};

static int syntax(struct ini *p, const char *what)
{
  return xr_fail(p->err, XR_EUSAGE, "%s:%u: %s", p->name, p->line, what);
}

static int section(struct ini *p, const char *s, size_t n)
{
  const char *close = memchr(s, ']', n);
  char *title, **grown;
  size_t i, tn;

  if (!close)
    return syntax(p, "unterminated section header (expected "
                  "'[profile]')");
  s++;
  tn = (size_t)(close - s);
  trim(&s, &tn);
  if (!tn)
    return syntax(p, "empty profile name");
  for (i = 0; i < p->nseen; i++)
    if (strlen(p->seen[i]) == tn && !strncmp(p->seen[i], s, tn))
      return xr_fail(p->err, XR_EUSAGE, "%s:%u: profile '%s' is defined "
                     "twice", p->name, p->line, p->seen[i]);
  title = xr_strndup(s, tn);
  grown = title ? realloc(p->seen, (p->nseen + 1) * sizeof(*grown)) : NULL;
  if (!grown) {
    free(title);
    return xr_nomem(p->err);
  }
  p->seen = grown;
  p->seen[p->nseen++] = title;
  p->in_profile = strlen(p->profile) == tn && !strncmp(p->profile, s, tn);
  if (p->in_profile) {
    p->found = 1;
    p->section_line = p->line;
  }
  return 0;
}

static int assign(struct ini *p, char **slot, const char *key,
                  const char *v, size_t vn)
{
  if (*slot)
    return xr_fail(p->err, XR_EUSAGE, "%s:%u: '%s' is set twice in profile "
                   "'%s'", p->name, p->line, key, p->profile);
  *slot = xr_strndup(v, vn);
  return *slot ? 0 : xr_nomem(p->err);
}

static int entry(struct ini *p, const char *s, size_t n)
{
  const char *eq = memchr(s, '=', n), *k = s, *v;
  size_t kn, vn;

  if (!eq)
    return syntax(p, "expected 'key = value' or '[profile]'");
  kn = (size_t)(eq - s);
  trim(&k, &kn);
  if (!kn)
    return syntax(p, "expected a key before '='");
  if (!p->seen)
    return syntax(p, "'key = value' before any '[profile]' header");
  if (!p->in_profile)
    return 0;
  v = eq + 1;
  vn = n - (size_t)(v - s);
  trim(&v, &vn);
  if (same(k, kn, "aws_access_key_id"))
    return assign(p, &p->out->access_key, "aws_access_key_id", v, vn);
  if (same(k, kn, "aws_secret_access_key"))
    return assign(p, &p->out->secret_key, "aws_secret_access_key", v, vn);
  if (same(k, kn, "aws_session_token"))
    return assign(p, &p->out->session_token, "aws_session_token", v, vn);
  return 0;
}

int xr_aws_credentials_parse(const char *text, size_t len, const char *name,
                             const char *profile, struct xr_aws_creds *out,
                             struct xr_err *err)
{
  struct ini p;
  size_t pos = 0, i;
  int rc = 0, indented_ok = 0;

  memset(&p, 0, sizeof(p));
  p.name = name;
  p.profile = profile;
  p.out = out;
  p.err = err;
  xr_aws_creds_init(out);
  if (memchr(text, '\0', len)) {
    rc = xr_fail(err, XR_EUSAGE, "%s: not a text file", name);
    goto out;
  }
  while (pos < len && !rc) {
    const char *s = text + pos, *nl = memchr(s, '\n', len - pos);
    size_t n = nl ? (size_t)(nl - s) : len - pos, tn = n;
    const char *t = s;

    pos += n + (nl ? 1 : 0);
    p.line++;
    trim(&t, &tn);
    if (!tn || *t == '#' || *t == ';')
      continue;
    /* An indented line continues the previous value (the nested
     * settings of ~/.aws/config, "s3 =" and its lines): not ours. */
    if (t != s && indented_ok)
      continue;
    if (*t == '[') {
      rc = section(&p, t, tn);
      indented_ok = 0;
    } else {
      rc = entry(&p, t, tn);
      indented_ok = 1;
    }
  }
  if (rc)
    goto out;
  if (!p.found) {
    rc = xr_fail(err, XR_ENOTFOUND, "%s: no profile '%s'", name, profile);
  } else if (!out->access_key || !*out->access_key) {
    rc = xr_fail(err, XR_EUSAGE, "%s:%u: profile '%s' has no "
                 "aws_access_key_id", name, p.section_line, profile);
  } else if (!out->secret_key || !*out->secret_key) {
    rc = xr_fail(err, XR_EUSAGE, "%s:%u: profile '%s' has no "
                 "aws_secret_access_key", name, p.section_line, profile);
  } else if (out->session_token && !*out->session_token) {
    free(out->session_token);
    out->session_token = NULL;
  }
out:
  for (i = 0; i < p.nseen; i++)
    free(p.seen[i]);
  free(p.seen);
  if (rc)
    xr_aws_creds_release(out);
  return rc;
}

static int dup_into(char **slot, const char *v, struct xr_err *err)
{
  *slot = xr_strdup(v);
  return *slot ? 0 : xr_nomem(err);
}

static int creds_from_file(struct xr_s3_config *c,
                           const struct xr_settings_src *src,
                           struct xr_err *err)
{
  const char *file = var(src, "AWS_SHARED_CREDENTIALS_FILE");
  const char *profile = var(src, "AWS_PROFILE"), *home = var(src, "HOME");
  struct xr_buf path = XR_BUF_INIT, text = XR_BUF_INIT;
  struct xr_aws_creds cr;
  int rc;

  xr_aws_creds_init(&cr);
  if (!profile)
    profile = "default";
  if (file)
    rc = xr_buf_adds(&path, file);
  else if (home)
    rc = xr_buf_printf(&path, "%s/.aws/credentials", home);
  else
    rc = xr_buf_adds(&path, "~/.aws/credentials");
  if (rc) {
    rc = xr_nomem(err);
    goto out;
  }
  rc = file || home ? xr_fs_read(path.data, CREDS_MAX, &text, err)
                    : XR_ENOTFOUND;
  if (rc == XR_ENOTFOUND) {
    rc = xr_fail(err, XR_EUSAGE, "no S3 credentials: set "
                 "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or write "
                 "profile '%s' to '%s'", profile, path.data);
    goto out;
  }
  if (rc)
    goto out;
  rc = xr_aws_credentials_parse(xr_buf_str(&text), text.len, path.data,
                                profile, &cr, err);
  if (rc)
    goto out;
  c->access_key = cr.access_key;
  c->secret_key = cr.secret_key;
  c->session_token = cr.session_token;
  xr_aws_creds_init(&cr);
  xr_buf_reset(&text);
  if (xr_buf_printf(&text, "%s (profile %s)", path.data, profile)) {
    rc = xr_nomem(err);
    goto out;
  }
  c->cred_source = xr_buf_detach(&text);
out:
  if (text.data)
    memset(text.data, 0, text.len);
  xr_buf_release(&text);
  xr_buf_release(&path);
  xr_aws_creds_release(&cr);
  return rc;
}

/* "scheme://host[:port]" with an optional path of '/' only. */
static int endpoint_ok(const char *e)
{
  const char *h;
  size_t n;

  if (!strncmp(e, "http://", 7))
    h = e + 7;
  else if (!strncmp(e, "https://", 8))
    h = e + 8;
  else
    return 0;
  n = strcspn(h, "/?#@");
  if (!n || h[n] == '?' || h[n] == '#' || h[n] == '@')
    return 0;
  return strspn(h + n, "/") == strlen(h + n);
}

int xr_s3_config_read(struct xr_s3_config *c,
                      const struct xr_settings_src *src,
                      struct xr_err *err)
{
  const char *id = var(src, "AWS_ACCESS_KEY_ID");
  const char *secret = var(src, "AWS_SECRET_ACCESS_KEY");
  const char *region = var(src, "AWS_REGION"), *endpoint, *style;
  struct xr_buf b = XR_BUF_INIT;
  int rc;

  xr_s3_config_init(c);
  if (!region)
    region = var(src, "AWS_DEFAULT_REGION");
  if (!region)
    region = "us-east-1";
  if (strcspn(region, "abcdefghijklmnopqrstuvwxyz0123456789-") ||
      region[strspn(region, "abcdefghijklmnopqrstuvwxyz0123456789-")]) {
    rc = xr_fail(err, XR_EUSAGE, "invalid AWS region '%s' (expected "
                 "something like us-east-1)", region);
    goto out;
  }
  rc = dup_into(&c->region, region, err);
  if (rc)
    goto out;

  endpoint = var(src, "AWS_ENDPOINT_URL_S3");
  if (!endpoint)
    endpoint = var(src, "AWS_ENDPOINT_URL");
  if (endpoint) {
    if (!endpoint_ok(endpoint)) {
      struct xr_buf shown = XR_BUF_INIT;

      rc = xr_cache_url_strip(endpoint, &shown) || xr_buf_adds(&shown, "")
           ? xr_nomem(err)
           : xr_fail(err, XR_EUSAGE, "invalid S3 endpoint '%s' (expected "
                     "http://HOST[:PORT] or https://HOST[:PORT])",
                     shown.data);
      xr_buf_release(&shown);
      goto out;
    }
    /* Without the trailing '/'s endpoint_ok allows. */
    rc = xr_buf_add(&b, endpoint, strcspn(endpoint + 8, "/") + 8);
  } else {
    rc = xr_buf_printf(&b, "https://s3.%s.amazonaws.com", region);
  }
  if (rc || xr_buf_adds(&b, "")) {
    rc = xr_nomem(err);
    goto out;
  }
  c->endpoint = xr_buf_detach(&b);

  /* Path style is what MinIO, s3rver and other local servers want; AWS
   * itself prefers the bucket in the host name. */
  c->path_style = endpoint != NULL;
  style = var(src, "XRUST_S3_PATH_STYLE");
  if (style) {
    if (!strcmp(style, "1") || !strcasecmp(style, "yes") ||
        !strcasecmp(style, "true")) {
      c->path_style = 1;
    } else if (!strcmp(style, "0") || !strcasecmp(style, "no") ||
               !strcasecmp(style, "false")) {
      c->path_style = 0;
    } else {
      rc = xr_fail(err, XR_EUSAGE, "invalid 'XRUST_S3_PATH_STYLE': '%s' "
                   "(expected 1, yes or true, or 0, no or false)", style);
      goto out;
    }
  }

  if (id && secret) {
    const char *token = var(src, "AWS_SESSION_TOKEN");

    rc = dup_into(&c->access_key, id, err);
    if (!rc)
      rc = dup_into(&c->secret_key, secret, err);
    if (!rc && token)
      rc = dup_into(&c->session_token, token, err);
    if (!rc)
      rc = dup_into(&c->cred_source, "environment", err);
  } else if (id || secret) {
    rc = xr_fail(err, XR_EUSAGE, "%s is set but %s is not",
                 id ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
                 id ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
  } else {
    rc = creds_from_file(c, src, err);
  }
out:
  xr_buf_release(&b);
  if (rc)
    xr_s3_config_release(c);
  return rc;
}
