/*
 * libFuzzer target for the remote cache's parsers of untrusted text
 * (cache.h): the index object a server returns (when it parses, written
 * back it must give the same bytes: the format has one spelling), the
 * AWS shared credentials file (for the profile "default" and for the
 * input's first line as a profile name; a parsed profile has both keys),
 * and the input's first line as XRUST_CACHE_URL (the form shown in
 * messages never holds the password, and a parsed URL has a root or a
 * bucket).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xrust/buf.h"
#include "xrust/cache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void index_case(const char *text, size_t size)
{
  struct xr_cache_index ix;
  struct xr_buf back = XR_BUF_INIT;
  struct xr_err err;

  if (xr_cache_index_parse(text, size, "ix", &ix, &err) != 0)
    return;
  if (!xr_cache_key_valid(ix.object) || ix.size == 0)
    abort();
  if (xr_cache_index_write(&ix, &back) == 0 &&
      (back.len != size || memcmp(back.data, text, size)))
    abort();
  xr_buf_release(&back);
}

static void creds_case(const char *text, size_t size, const char *profile)
{
  struct xr_aws_creds c;
  struct xr_err err;

  if (xr_aws_credentials_parse(text, size, "creds", profile, &c, &err))
    return;
  if (!c.access_key || !*c.access_key || !c.secret_key || !*c.secret_key)
    abort();
  xr_aws_creds_release(&c);
}

static void url_case(const char *line)
{
  struct xr_cache_url u;
  struct xr_err err;
  const char *auth;

  if (xr_cache_url_parse(line, &u, &err) != 0)
    return;
  if (!u.display || (!u.root && !u.bucket))
    abort();
  /* The authority of the shown form has no userinfo left. */
  auth = strstr(u.display, "://");
  if (!auth || memchr(auth + 3, '@', strcspn(auth + 3, "/?#")))
    abort();
  if (u.scheme == XR_CACHE_HTTP && strchr(u.root, '@') &&
      u.root + strcspn(u.root + 8, "/") + 8 > strchr(u.root, '@'))
    abort();
  xr_cache_url_release(&u);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const char *text = (const char *)data;
  const uint8_t *nl = memchr(data, '\n', size);
  char *first = xr_strndup(text, nl ? (size_t)(nl - data) : size);

  index_case(text, size);
  creds_case(text, size, "default");
  if (first) {
    if (*first && !memchr(first, '\0', nl ? (size_t)(nl - data) : size))
      creds_case(text, size, first);
    url_case(first);
  }
  free(first);
  return 0;
}
