/*
 * Unit tests of stub.h: the stub workspace keeps every manifest and the
 * lockfile byte for byte, empties the sources that need nothing and gives
 * binaries, examples, build scripts and target paths named in a manifest
 * `fn main() {}`; a second run replaces the first whole, and a workspace
 * without a lockfile is refused with the way out, leaving DST alone.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "xrust/buf.h"
#include "xrust/error.h"
#include "xrust/fs.h"
#include "xrust/stub.h"

static char dir[4096];

static void put(const char *rel, const char *text)
{
  char path[4400], *slash;
  struct xr_err err;

  snprintf(path, sizeof(path), "%s/%s", dir, rel);
  slash = strrchr(path, '/');
  *slash = '\0';
  REQUIRE(xr_fs_mkdirs(path, &err) == 0);
  *slash = '/';
  REQUIRE(xr_fs_write(path, text, strlen(text), 0, &err) == 0);
}

/* The contents of DIR/REL, or "(missing)". */
static const char *get(const char *rel)
{
  static struct xr_buf b = XR_BUF_INIT;
  char path[4400];
  struct xr_err err;

  snprintf(path, sizeof(path), "%s/%s", dir, rel);
  xr_buf_reset(&b);
  if (xr_fs_read(path, 1 << 20, &b, &err))
    return "(missing)";
  return xr_buf_str(&b);
}

static const char *const app_toml =
  "[package]\nname = \"app\"\nversion = \"0.1.0\"\nbuild = \"gen.rs\"\n"
  "\n[[bin]]\nname = \"tool\"\npath = \"tools/tool.rs\"\n";
static const char *const lib_toml =
  "[package]\nname = \"lib\"\nversion = \"0.1.0\"\n";
static const char *const ws_toml = "[workspace]\nmembers = [\"app\", "
                                   "\"lib\"]\nresolver = \"2\"\n";
static const char *const fn_main = "fn main() {}\n";

static void make_workspace(void)
{
  const char *t = getenv("TMPDIR");

  snprintf(dir, sizeof(dir), "%s/xrust-stub-XXXXXX", t && *t ? t : "/tmp");
  REQUIRE(mkdtemp(dir) != NULL);
  put("ws/Cargo.toml", ws_toml);
  put("ws/Cargo.lock", "# lock\nversion = 3\n");
  put("ws/app/Cargo.toml", app_toml);
  put("ws/app/src/main.rs", "fn main() { app::run(); }\n");
  put("ws/app/src/util.rs", "pub fn x() {}\n");
  put("ws/app/src/bin/other.rs", "fn main() { other(); }\n");
  put("ws/app/src/.hidden.rs", "x\n");
  put("ws/app/tools/tool.rs", "fn main() { tool(); }\n");
  put("ws/app/gen.rs", "fn main() { generate(); }\n");
  put("ws/app/examples/ex.rs", "fn main() { example(); }\n");
  put("ws/app/README.md", "not a source\n");
  put("ws/lib/Cargo.toml", lib_toml);
  put("ws/lib/src/lib.rs", "pub fn f() {}\n");
  put("ws/lib/build.rs", "fn main() { build(); }\n");
  put("ws/lib/tests/t.rs", "#[test] fn t() {}\n");
  put("ws/lib/benches/b.rs", "fn b() {}\n");
}

/* Entries of DIR whose name starts with PREFIX. */
static int count(const char *prefix)
{
  DIR *d = opendir(dir);
  struct dirent *e;
  int n = 0;

  REQUIRE(d != NULL);
  for (e = readdir(d); e; e = readdir(d))
    if (!strncmp(e->d_name, prefix, strlen(prefix)))
      n++;
  closedir(d);
  return n;
}

TEST(stub_of_a_workspace)
{
  char src[4200], dst[4200];
  struct xr_err err;

  make_workspace();
  snprintf(src, sizeof(src), "%s/ws/app", dir);
  snprintf(dst, sizeof(dst), "%s/stub", dir);
  REQUIRE(xr_stub_workspace(src, dst, &err) == 0);
  CHECK_STR(get("stub/Cargo.toml"), ws_toml);
  CHECK_STR(get("stub/Cargo.lock"), "# lock\nversion = 3\n");
  CHECK_STR(get("stub/app/Cargo.toml"), app_toml);
  CHECK_STR(get("stub/lib/Cargo.toml"), lib_toml);
  CHECK_STR(get("stub/app/src/main.rs"), fn_main);
  CHECK_STR(get("stub/app/src/util.rs"), "");
  CHECK_STR(get("stub/app/src/bin/other.rs"), fn_main);
  CHECK_STR(get("stub/app/tools/tool.rs"), fn_main);
  CHECK_STR(get("stub/app/gen.rs"), fn_main);
  CHECK_STR(get("stub/app/examples/ex.rs"), fn_main);
  CHECK_STR(get("stub/app/src/.hidden.rs"), "(missing)");
  CHECK_STR(get("stub/app/README.md"), "(missing)");
  CHECK_STR(get("stub/lib/src/lib.rs"), "");
  CHECK_STR(get("stub/lib/build.rs"), fn_main);
  CHECK_STR(get("stub/lib/tests/t.rs"), "");
  CHECK_STR(get("stub/lib/benches/b.rs"), "");
  CHECK(count("stub") == 1);

  /* Into a directory whose parents are gone (`make clean all`). */
  snprintf(dst, sizeof(dst), "%s/gone/.xrust/stub", dir);
  CHECK(xr_stub_workspace(src, dst, &err) == 0);
  CHECK_STR(get("gone/.xrust/stub/lib/src/lib.rs"), "");

  /* A second run replaces the first whole. */
  snprintf(dst, sizeof(dst), "%s/stub", dir);
  put("stub/stale.rs", "old\n");
  put("ws/lib/src/new.rs", "pub fn g() {}\n");
  REQUIRE(xr_stub_workspace(src, dst, &err) == 0);
  CHECK_STR(get("stub/stale.rs"), "(missing)");
  CHECK_STR(get("stub/lib/src/new.rs"), "");
  CHECK(count("stub") == 1);

  /* No lockfile: refused with the way out, the old stub left alone. */
  snprintf(src, sizeof(src), "%s/ws/Cargo.lock", dir);
  REQUIRE(unlink(src) == 0);
  snprintf(src, sizeof(src), "%s/ws", dir);
  CHECK(xr_stub_workspace(src, dst, &err) == XR_ENOTFOUND);
  CHECK(strstr(err.msg, "/ws/Cargo.lock': No such file or directory "
                "(run 'cargo generate-lockfile' and commit the "
                "lockfile)") != NULL);
  CHECK_STR(get("stub/lib/src/new.rs"), "");
  CHECK(count("stub") == 1);
  CHECK(xr_fs_rmtree(dir, &err) == 0);
}

TAP_MAIN(TAP_CASE(stub_of_a_workspace))
