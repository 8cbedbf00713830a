/*
 * libFuzzer target for the toolchain inputs that come from outside: a
 * channel manifest (parsed, then planned for a fixed request the way
 * $(rust-toolchain) asks), xrust.lock (parsed, and when it parses,
 * written back and read again, which must succeed) and rust-toolchain /
 * rust-toolchain.toml (legacy and TOML modes), all on the same input so
 * one corpus of TOML documents reaches every parser.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xrust/buf.h"
#include "xrust/channel.h"
#include "xrust/manifest.h"
#include "xrust/sha256.h"
#include "xrust/tclock.h"
#include "xrust/toolfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const targets[] = {
  "aarch64-unknown-linux-gnu", "x86_64-unknown-linux-musl"
};
static const char *const components[] = { "rust-src", "clippy-preview" };

static void check_plan(const struct xr_plan *p)
{
  char id[65];
  struct xr_err err;
  size_t i;

  for (i = 0; i < p->n; i++)
    if (!p->items[i].pkg || !p->items[i].target || !p->items[i].url ||
        !xr_sha256_valid(p->items[i].sha256))
      abort();
  if (xr_plan_id(p, id, &err) == 0 && strlen(id) != 64)
    abort();
}

static void plan(const struct xr_manifest *m, const char *profile,
                 size_t ncomponents, enum xr_format_pref format,
                 const char *server)
{
  struct xr_plan_request req;
  struct xr_plan p;
  struct xr_err err;

  memset(&req, 0, sizeof(req));
  req.channel = "1.96.0";
  req.host = "x86_64-unknown-linux-gnu";
  req.targets = targets;
  req.ntargets = sizeof(targets) / sizeof(targets[0]);
  req.components = components;
  req.ncomponents = ncomponents;
  req.profile = profile;
  req.server = server;
  req.format = format;
  xr_plan_init(&p);
  if (xr_manifest_plan(m, &req, &p, &err) == 0) {
    check_plan(&p);
    xr_plan_sort(&p);
  }
  xr_plan_release(&p);
}

static void fuzz_manifest(const char *data, size_t size)
{
  struct xr_manifest m;
  struct xr_err err;

  if (xr_manifest_parse(&m, data, size, "channel-rust.toml", &err))
    return;
  (void)xr_manifest_rename(&m, "clippy");
  plan(&m, NULL, 0, XR_FMT_PREF_AUTO, NULL);
  plan(&m, "default", 2, XR_FMT_PREF_AUTO, "file:///srv/dist");
  plan(&m, "complete", 1, XR_FMT_PREF_ZST, "https://example.org/");
  xr_manifest_release(&m);
}

static void fuzz_tclock(const char *data, size_t size)
{
  static const char *const want[] = { "clippy" };
  struct xr_tclock l, again;
  struct xr_buf text = XR_BUF_INIT, text2 = XR_BUF_INIT;
  struct xr_err err;

  if (xr_tclock_parse(&l, data, size, "xrust.lock", &err))
    return;
  (void)xr_tclock_covers(&l, l.channel, l.host, l.profile, targets, 2,
                         want, 1);
  /* What xrust writes it must read back, and write the same way. */
  if (xr_tclock_format(&l, &text, &err) == 0) {
    if (xr_tclock_parse(&again, text.data, text.len, "again", &err))
      abort();
    if (xr_tclock_format(&again, &text2, &err) || text.len != text2.len ||
        memcmp(text.data, text2.data, text.len))
      abort();
    xr_tclock_release(&again);
  }
  xr_buf_release(&text);
  xr_buf_release(&text2);
  xr_tclock_release(&l);
}

static void fuzz_toolfile(const char *data, size_t size, const char *file,
                          int legacy)
{
  struct xr_toolfile tf;
  struct xr_err err;
  struct xr_channel ch;

  if (xr_toolfile_parse(&tf, file, data, size, legacy, &err))
    return;
  if (!tf.file || (tf.channel && xr_channel_parse(tf.channel, &ch, &err)))
    abort();
  xr_toolfile_release(&tf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const char *s = (const char *)data;

  fuzz_manifest(s, size);
  fuzz_tclock(s, size);
  fuzz_toolfile(s, size, "/src/proj/rust-toolchain", 1);
  fuzz_toolfile(s, size, "rust-toolchain.toml", 0);
  return 0;
}
