/*
 * Unit tests of depfile.h: the grammar of cargo's dep-info lines (escaped
 * spaces and colons, repeated prerequisites), reading the .d files of one
 * directory, and the exact Make fragment `xrust depfile` prints.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "xrust/buf.h"
#include "xrust/depfile.h"
#include "xrust/error.h"
#include "xrust/fs.h"
#include "xrust/strv.h"

static void put(const char *dir, const char *name, const char *text)
{
  char path[4200];
  FILE *f;

  snprintf(path, sizeof(path), "%s/%s", dir, name);
  f = fopen(path, "wb");
  REQUIRE(f != NULL);
  fputs(text, f);
  fclose(f);
}

TEST(lines_with_escapes)
{
  struct xr_strv v = XR_STRV_INIT;
  struct xr_err err;

  CHECK(xr_depfile_parse("/t/a: /s/main.rs /s/my\\ mod.rs\n"
                         "\n/t/a.d: /s/main.rs  /s/x\\:y.rs\n"
                         "c\\:\\ d: e\n"
                         "no target here\n"
                         "/t/b:\n/t/c: last", &v, &err) == 0);
  REQUIRE(v.n == 5);
  CHECK_STR(v.v[0], "/s/main.rs");
  CHECK_STR(v.v[1], "/s/my\\ mod.rs");
  CHECK_STR(v.v[2], "/s/x\\:y.rs");
  CHECK_STR(v.v[3], "e");
  CHECK_STR(v.v[4], "last");
  CHECK(v.v[5] == NULL);
  xr_strv_release(&v);
}

TEST(directory_and_fragment)
{
  char *d = tap_scratch("depfile"), sub[4200];
  struct xr_strv v = XR_STRV_INIT;
  struct xr_buf out = XR_BUF_INIT;
  struct xr_err err;

  put(d, "app.d", "/o/app: /s/b.rs /s/a.rs\n\n/o/app.d: /s/b.rs /s/a.rs\n");
  put(d, "libx.d", "/o/libx.rlib: /s/lib.rs /s/a.rs\n");
  put(d, "notes.txt", "/o/z: /s/ignored.rs\n");
  put(d, ".d", "/o/z: /s/ignored-too.rs\n");
  snprintf(sub, sizeof(sub), "%s/deps", d);
  REQUIRE(xr_fs_mkdirs(sub, &err) == 0);
  put(sub, "deep.d", "/o/deep: /s/below.rs\n");
  REQUIRE(xr_depfile_read_dir(d, &v, &err) == 0);
  REQUIRE(xr_depfile_make("/o/.stamp", &v, &out, &err) == 0);
  CHECK_STR(out.data, "/o/.stamp: \\\n  /s/a.rs \\\n  /s/b.rs \\\n"
            "  /s/lib.rs\n/s/a.rs:\n/s/b.rs:\n/s/lib.rs:\n");
  xr_strv_release(&v);
  /* Nothing built yet: the stamp alone. */
  xr_buf_reset(&out);
  REQUIRE(xr_depfile_make("s", &v, &out, &err) == 0);
  CHECK_STR(out.data, "s:\n");
  /* A missing directory names itself. */
  snprintf(sub, sizeof(sub), "%s/missing", d);
  CHECK(xr_depfile_read_dir(sub, &v, &err) == XR_ENOTFOUND);
  CHECK(strncmp(err.msg, "cannot open '", 13) == 0);
  CHECK(strstr(err.msg, "/missing': No such file or directory") != NULL);
  CHECK(xr_fs_rmtree(d, &err) == 0);
  xr_buf_release(&out);
  xr_strv_release(&v);
}

TAP_MAIN(TAP_CASE(lines_with_escapes), TAP_CASE(directory_and_fragment))
