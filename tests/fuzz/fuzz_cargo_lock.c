/*
 * libFuzzer target for the Cargo.lock reader: parses the input as a
 * lockfile of any version and, when it parses, writes the cargo source
 * replacement for it and the download URL of every package, so ASan and
 * UBSan see what `rust-vendor` does with an untrusted lockfile.  The
 * generated cargo configuration must itself be valid TOML: a lockfile
 * must not be able to inject tables into it.  The input's first line
 * doubles as a download template (XRUST_CRATES_DL is untrusted too) and
 * its next two lines as a crate name and version.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xrust/buf.h"
#include "xrust/cargo_lock.h"
#include "xrust/vendor.h"
#include "xrust/toml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Copies the line of DATA starting at *POS (without '\n') and moves on. */
static char *next_line(const uint8_t *data, size_t size, size_t *pos)
{
  const uint8_t *nl;
  size_t start = *pos, n;

  if (start >= size)
    return calloc(1, 1);
  nl = memchr(data + start, '\n', size - start);
  n = nl ? (size_t)(nl - (data + start)) : size - start;
  *pos = start + n + (nl ? 1 : 0);
  return xr_strndup((const char *)data + start, n);
}

static void check_url(const char *tmpl, const char *name,
                      const char *version, const char *sha256)
{
  struct xr_buf url = XR_BUF_INIT;

  if (xr_crate_dl_url(tmpl, name, version, sha256, &url) == 0 && !url.data)
    abort();
  xr_buf_release(&url);
}

static void fuzz_templates(const uint8_t *data, size_t size)
{
  size_t pos = 0;
  char *tmpl = next_line(data, size, &pos);
  char *name = next_line(data, size, &pos);
  char *version = next_line(data, size, &pos);

  if (tmpl && name && version) {
    check_url(tmpl, name, version, NULL);
    check_url(tmpl, name, version, "");
    check_url(XR_CRATES_DL_DEFAULT, name, version, NULL);
    check_url("x/{lowerprefix}/{prefix}/{sha256-checksum}", name, version,
              tmpl);
  }
  free(tmpl);
  free(name);
  free(version);
}

static void walk_lock(const struct xr_lock *l, const char *tmpl)
{
  struct xr_buf conf = XR_BUF_INIT;
  struct xr_toml *doc;
  struct xr_err err;
  size_t i;

  for (i = 0; i < l->n; i++) {
    const struct xr_lock_pkg *p = &l->pkgs[i];

    if (!p->name || !p->version)
      abort();
    (void)xr_lock_is_crates_io(p);
    check_url(XR_CRATES_DL_DEFAULT, p->name, p->version, p->checksum);
    check_url("https://dl/{prefix}/{lowerprefix}/{crate}/{version}/"
              "{sha256-checksum}", p->name, p->version, p->checksum);
    check_url(tmpl, p->name, p->version, p->checksum);
  }
  if (xr_vendor_cargo_config(l, "/tmp/vendor \"dir\"", &conf) == 0) {
    doc = xr_toml_parse(conf.data, conf.len, "config.toml", &err);
    if (!doc)
      abort();
    xr_toml_free(doc);
  }
  xr_buf_release(&conf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct xr_lock lock;
  struct xr_err err;
  size_t pos = 0;
  char *tmpl;

  if (xr_lock_parse((const char *)data, size, "Cargo.lock", &lock,
                    &err) == 0) {
    if (lock.version < 1 || lock.version > 4)
      abort();
    tmpl = next_line(data, size, &pos);
    if (tmpl)
      walk_lock(&lock, tmpl);
    free(tmpl);
    xr_lock_release(&lock);
  }
  fuzz_templates(data, size);
  return 0;
}
