/*
 * Unit tests for module/lib/cargo_manifest.c.  Each case builds a small cargo
 * project or workspace in a temporary directory and reads it: names,
 * versions (inherited too), binary targets (explicit, implicit, autobins
 * off), library crate types, members with globs, exclude and
 * default-members, path dependencies, sources, errors with line and
 * column, package search and manifest normalisation.
 */
#include "tap.h"

#include <limits.h>
#include <sys/stat.h>

#include "xrust/buf.h"
#include "xrust/cargo.h"
#include "xrust/strv.h"
#include "xrust/toml.h"

static char tmp[1024];

/* Creates the temporary directory (resolved, since results are). */
static void setup(void)
{
  char templ[] = "/tmp/xrust-manifest.XXXXXX", real[PATH_MAX];

  REQUIRE(mkdtemp(templ) != NULL);
  REQUIRE(realpath(templ, real) != NULL);
  REQUIRE(strlen(real) < sizeof(tmp));
  snprintf(tmp, sizeof(tmp), "%s", real);
}

static void teardown(void)
{
  char cmd[PATH_MAX + 16];

  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
  if (system(cmd) != 0)
    fprintf(stderr, "# cannot remove %s\n", tmp);
}

/* Writes TEXT to tmp/REL, creating directories. */
static void put(const char *rel, const char *text)
{
  char path[PATH_MAX];
  char *p;
  FILE *f;

  snprintf(path, sizeof(path), "%s/%s", tmp, rel);
  for (p = path + strlen(tmp) + 1; *p; p++) {
    if (*p == '/') {
      *p = '\0';
      mkdir(path, 0755);
      *p = '/';
    }
  }
  f = fopen(path, "w");
  REQUIRE(f != NULL);
  fputs(text, f);
  fclose(f);
}

static const char *at(const char *rel)
{
  static char path[4][PATH_MAX];
  static int next;

  next = (next + 1) % 4;
  if (*rel)
    snprintf(path[next], sizeof(path[next]), "%s/%s", tmp, rel);
  else
    snprintf(path[next], sizeof(path[next]), "%s", tmp);
  return path[next];
}

/* The list as one space-separated string. */
static const char *joined(const struct xr_strv *l)
{
  static char out[8192];
  size_t i, n = 0;

  out[0] = '\0';
  for (i = 0; i < l->n; i++) {
    const char *s = l->v[i];

    if (!strncmp(s, tmp, strlen(tmp)))
      s += strlen(tmp) + 1;
    n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s", i ? " " : "",
                          s);
  }
  return out;
}

TEST(single_package)
{
  struct xr_crate c;
  struct xr_err err;

  setup();
  put("Cargo.toml",
      "[package]\nname = \"hello\"\nversion = \"0.3.1\"\n"
      "[lib]\ncrate-type = [\"staticlib\", \"cdylib\"]\n"
      "[[bin]]\nname = \"extra\"\npath = \"tools/x.rs\"\n");
  put("src/main.rs", "fn main() {}\n");
  put("src/lib.rs", "\n");
  put("src/util/mod.rs", "\n");
  put("src/bin/a.rs", "fn main() {}\n");
  put("src/bin/b/main.rs", "fn main() {}\n");
  put("src/bin/b/helper.rs", "\n");
  put("src/bin/notes.txt", "\n");
  put("tools/x.rs", "fn main() {}\n");
  put("build.rs", "fn main() {}\n");
  put("target/debug/build/x.rs", "\n");
  xr_err_clear(&err);
  REQUIRE(xr_crate_read(tmp, &c, &err) == 0);
  CHECK_STR(c.name, "hello");
  CHECK_STR(c.version, "0.3.1");
  CHECK_STR(joined(&c.bins), "extra hello a b");
  CHECK_STR(joined(&c.libs), "staticlib cdylib");
  CHECK_STR(c.lib_name, "hello");
  CHECK_STR(joined(&c.manifests), "Cargo.toml");
  CHECK_STR(c.lock, at("Cargo.lock"));
  CHECK_STR(c.root, tmp);
  CHECK_STR(joined(&c.sources), "build.rs src/bin/a.rs src/bin/b/helper.rs "
            "src/bin/b/main.rs src/lib.rs src/main.rs src/util/mod.rs "
            "tools/x.rs");
  xr_crate_release(&c);
  teardown();
}

TEST(autobins_off_and_default_lib)
{
  struct xr_crate c;
  struct xr_err err;

  setup();
  put("Cargo.toml",
      "[package]\nname = \"my-crate\"\nversion = \"1.0.0\"\n"
      "autobins = false\nbuild = false\n"
      "[[bin]]\nname = \"only\"\npath = \"src/main.rs\"\n");
  put("src/main.rs", "fn main() {}\n");
  put("src/lib.rs", "\n");
  put("src/bin/a.rs", "fn main() {}\n");
  put("build.rs", "fn main() {}\n");
  xr_err_clear(&err);
  REQUIRE(xr_crate_read(tmp, &c, &err) == 0);
  CHECK_STR(joined(&c.bins), "only");
  CHECK_STR(joined(&c.libs), "lib");
  CHECK_STR(c.lib_name, "my_crate");
  CHECK(strstr(joined(&c.sources), "build.rs") == NULL);
  xr_crate_release(&c);
  teardown();
}

TEST(explicit_path_replaces_implicit)
{
  struct xr_crate c;
  struct xr_err err;

  setup();
  put("Cargo.toml",
      "[package]\nname = \"p\"\nversion = \"1.0.0\"\n"
      "[lib]\nproc-macro = true\n"
      "[[bin]]\nname = \"renamed\"\npath = \"src/main.rs\"\n");
  put("src/main.rs", "fn main() {}\n");
  put("src/lib.rs", "\n");
  xr_err_clear(&err);
  REQUIRE(xr_crate_read(tmp, &c, &err) == 0);
  CHECK_STR(joined(&c.bins), "renamed");
  CHECK_STR(joined(&c.libs), "proc-macro");
  xr_crate_release(&c);
  teardown();
}

/* A virtual workspace with two binaries and a shared library. */
static void make_workspace(const char *extra)
{
  char root[2048];

  snprintf(root, sizeof(root),
           "[workspace]\nmembers = [\"crates/*\"]\n"
           "exclude = [\"crates/skip\"]\n%s"
           "[workspace.package]\nversion = \"1.2.3\"\nedition = \"2021\"\n"
           "[workspace.dependencies]\n"
           "shared = { path = \"crates/shared\" }\n"
           "log = { version = \"0.4\", features = [\"std\"], "
           "default-features = true }\n", extra);
  put("Cargo.toml", root);
  put("crates/one/Cargo.toml",
      "[package]\nname = \"one\"\nversion.workspace = true\n"
      "edition.workspace = true\n"
      "[dependencies]\nshared = { workspace = true }\n"
      "log = { workspace = true, features = [\"kv\"], optional = true, "
      "default-features = false }\n");
  put("crates/one/src/main.rs", "fn main() {}\n");
  put("crates/two/Cargo.toml",
      "[package]\nname = \"two\"\nversion = \"0.9.0\"\n"
      "[dependencies]\nshared = { path = \"../shared\" }\n");
  put("crates/two/src/main.rs", "fn main() {}\n");
  put("crates/two/src/bin/two-extra.rs", "fn main() {}\n");
  put("crates/shared/Cargo.toml",
      "[package]\nname = \"shared\"\nversion = { workspace = true }\n");
  put("crates/shared/src/lib.rs", "\n");
  put("crates/skip/Cargo.toml",
      "[package]\nname = \"skip\"\nversion = \"0.1.0\"\n");
  put("crates/skip/src/main.rs", "fn main() {}\n");
  put("crates/README.md", "not a member\n");
}

TEST(virtual_workspace_root)
{
  struct xr_crate c;
  struct xr_err err;
  const char *base;

  setup();
  make_workspace("");
  xr_err_clear(&err);
  REQUIRE(xr_crate_read(tmp, &c, &err) == 0);
  base = strrchr(tmp, '/') + 1;
  CHECK_STR(c.name, base);
  CHECK_STR(c.version, "1.2.3");
  CHECK_STR(joined(&c.bins), "one two two-extra");
  CHECK_STR(joined(&c.libs), "lib");
  CHECK_STR(joined(&c.manifests), "Cargo.toml crates/one/Cargo.toml "
            "crates/shared/Cargo.toml crates/two/Cargo.toml");
  CHECK_STR(joined(&c.packages), "one shared two");
  CHECK_STR(joined(&c.sources), "crates/one/src/main.rs "
            "crates/shared/src/lib.rs crates/two/src/bin/two-extra.rs "
            "crates/two/src/main.rs");
  CHECK_STR(c.lock, at("Cargo.lock"));
  xr_crate_release(&c);
  teardown();
}

TEST(default_members)
{
  struct xr_crate c;
  struct xr_err err;

  setup();
  make_workspace("default-members = [\"crates/one\"]\n");
  xr_err_clear(&err);
  REQUIRE(xr_crate_read(tmp, &c, &err) == 0);
  CHECK_STR(joined(&c.bins), "one");
  CHECK_STR(joined(&c.sources), "crates/one/src/main.rs "
            "crates/shared/src/lib.rs");
  xr_crate_release(&c);
  teardown();
}

TEST(member_finds_its_root)
{
  struct xr_crate c;
  struct xr_err err;

  setup();
  make_workspace("");
  xr_err_clear(&err);
  REQUIRE(xr_crate_read(at("crates/one"), &c, &err) == 0);
  CHECK_STR(c.name, "one");
  CHECK_STR(c.version, "1.2.3");
  CHECK_STR(c.root, tmp);
  CHECK_STR(c.dir, at("crates/one"));
  CHECK_STR(c.lock, at("Cargo.lock"));
  CHECK_STR(joined(&c.bins), "one");
  CHECK(c.libs.n == 0);
  CHECK_STR(joined(&c.sources), "crates/one/src/main.rs "
            "crates/shared/src/lib.rs");
  xr_crate_release(&c);
  /* The excluded package is its own root. */
  REQUIRE(xr_crate_read(at("crates/skip"), &c, &err) == 0);
  CHECK_STR(c.root, at("crates/skip"));
  CHECK_STR(c.lock, at("crates/skip/Cargo.lock"));
  xr_crate_release(&c);
  teardown();
}

TEST(package_workspace_key)
{
  struct xr_crate c;
  struct xr_err err;

  setup();
  put("ws/Cargo.toml", "[workspace]\nmembers = [\"../pkg\"]\n"
      "[workspace.package]\nversion = \"7.0.0\"\n");
  put("pkg/Cargo.toml", "[package]\nname = \"pkg\"\nworkspace = \"../ws\"\n"
      "version.workspace = true\n");
  put("pkg/src/main.rs", "fn main() {}\n");
  xr_err_clear(&err);
  REQUIRE(xr_crate_read(at("pkg"), &c, &err) == 0);
  CHECK_STR(c.version, "7.0.0");
  CHECK_STR(c.lock, at("ws/Cargo.lock"));
  xr_crate_release(&c);
  teardown();
}

TEST(root_package_with_members)
{
  struct xr_crate c;
  struct xr_err err;

  setup();
  put("Cargo.toml", "[package]\nname = \"top\"\nversion = \"0.1.0\"\n"
      "[workspace]\nmembers = [\"sub\"]\n");
  put("src/main.rs", "fn main() {}\n");
  put("sub/Cargo.toml", "[package]\nname = \"sub\"\nversion = \"0.1.0\"\n");
  put("sub/src/main.rs", "fn main() {}\n");
  xr_err_clear(&err);
  REQUIRE(xr_crate_read(tmp, &c, &err) == 0);
  CHECK_STR(c.name, "top");
  CHECK_STR(joined(&c.bins), "top");
  CHECK_STR(joined(&c.manifests), "Cargo.toml sub/Cargo.toml");
  CHECK_STR(joined(&c.sources), "src/main.rs");
  xr_crate_release(&c);
  teardown();
}

/* Reads tmp/DIR and expects an error whose text after tmp/ starts WANT. */
static void expect_error(const char *dir, const char *want)
{
  struct xr_crate c;
  struct xr_err err;
  const char *msg;

  xr_err_clear(&err);
  if (xr_crate_read(at(dir), &c, &err) == 0) {
    fprintf(stderr, "# accepted %s\n", dir);
    tap_failures++;
    xr_crate_release(&c);
    return;
  }
  msg = strstr(err.msg, tmp) == err.msg ? err.msg + strlen(tmp) + 1
                                        : err.msg;
  if (strncmp(msg, want, strlen(want))) {
    fprintf(stderr, "# got '%s', want '%s...'\n", msg, want);
    tap_failures++;
  }
}

TEST(errors_name_line_and_column)
{
  setup();
  put("a/Cargo.toml", "[package]\nname = \"a\"\nversion = 1\n");
  expect_error("a", "a/Cargo.toml:3:11: 'version' must be a string");
  put("b/Cargo.toml", "[package\nname = \"b\"\n");
  expect_error("b", "b/Cargo.toml:1:");
  put("c/Cargo.toml", "[package]\nname = \"c\"\nversion.workspace = true\n");
  expect_error("c", "c/Cargo.toml:3:1: 'version' is inherited but");
  put("d/Cargo.toml", "[package]\nname = \"d\"\n[[bin]]\npath = \"x.rs\"\n");
  expect_error("d", "d/Cargo.toml:3:1: binary target without 'name'");
  put("e/Cargo.toml", "[package]\nversion = \"1.0.0\"\n");
  expect_error("e", "e/Cargo.toml:1:1: package without 'name'");
  put("f/Cargo.toml", "[workspace]\nmembers = [\"nope\"]\n");
  expect_error("f", "f/Cargo.toml:2:12: workspace member 'nope' has no");
  put("g/Cargo.toml", "[workspace]\nmembers = [\"m\"]\n");
  put("g/m/Cargo.toml", "[package]\nname = \"m\"\n"
      "[dependencies]\nx = { workspace = true }\n");
  expect_error("g/m", "g/m/Cargo.toml:4:5: dependency 'x' is inherited but "
               "not defined");
  put("h/Cargo.toml", "[workspace]\nmembers = []\n");
  put("h/n/Cargo.toml", "[package]\nname = \"n\"\n");
  expect_error("h/n", "h/n/Cargo.toml: package believes it is in the "
               "workspace");
  put("i/Cargo.toml", "[package]\nname = \"i\"\n"
      "[dependencies]\nz = { path = \"../none\" }\n");
  expect_error("i", "i/Cargo.toml:4:14: path dependency 'z' does not exist");
  put("j/Cargo.toml", "[lib]\nname = \"j\"\n");
  expect_error("j", "j/Cargo.toml:1:1: manifest has neither");
  expect_error("nothing", "cannot read");
  teardown();
}

TEST(find_package_by_name)
{
  struct xr_buf b = XR_BUF_INIT;
  struct xr_err err;

  setup();
  make_workspace("");
  xr_err_clear(&err);
  CHECK(xr_crate_find_package(tmp, "shared", &b, &err) == 0);
  CHECK_STR(b.data, at("crates/shared"));
  CHECK(xr_crate_find_package(tmp, "absent", &b, &err) == XR_ENOTFOUND);
  xr_buf_release(&b);
  teardown();
}

static char *rewrite(void *ctx, const char *dir, int *failed)
{
  (void)ctx;
  (void)failed;
  if (strstr(dir, "/shared"))
    return xr_strdup("../shared-1.2.3");
  return NULL;
}

TEST(normalize_resolves_inheritance)
{
  struct xr_buf out = XR_BUF_INIT;
  struct xr_err err;
  struct xr_toml *doc;

  setup();
  make_workspace("");
  xr_err_clear(&err);
  REQUIRE(xr_crate_normalize(at("crates/one/Cargo.toml"), tmp, rewrite,
                             NULL, &out, &err) == 0);
  doc = xr_toml_parse(out.data, out.len, "normalised", &err);
  if (!doc)
    fprintf(stderr, "# %s\n%s", err.msg, out.data);
  REQUIRE(doc != NULL);
  CHECK_STR(xr_toml_str(xr_toml_path(doc, "package.version", NULL)),
            "1.2.3");
  CHECK_STR(xr_toml_str(xr_toml_path(doc, "package.edition", NULL)),
            "2021");
  CHECK_STR(xr_toml_str(xr_toml_path(doc, "dependencies.shared.path",
                                     NULL)), "../shared-1.2.3");
  CHECK_STR(xr_toml_str(xr_toml_path(doc, "dependencies.log.version",
                                     NULL)), "0.4");
  CHECK(xr_toml_len(xr_toml_path(doc, "dependencies.log.features", NULL))
        == 2);
  CHECK(xr_toml_path(doc, "dependencies.log.workspace", NULL) == NULL);
  CHECK(xr_toml_bool(xr_toml_path(doc, "dependencies.log.optional", NULL)));
  CHECK(!xr_toml_bool(xr_toml_path(doc, "dependencies.log.default-features",
                                   NULL)));
  CHECK(xr_toml_get(doc, "workspace") == NULL);
  xr_toml_free(doc);
  xr_buf_release(&out);
  teardown();
}

TEST(normalize_keeps_other_tables)
{
  struct xr_buf out = XR_BUF_INIT;
  struct xr_err err;
  struct xr_toml *doc;

  setup();
  put("Cargo.toml", "cargo-features = [\"x\"]\n"
      "[package]\nname = \"k\"\nversion = \"1.0.0\"\n"
      "[package.metadata.docs]\nall = true\n"
      "[features]\ndefault = [\"a\"]\na = []\n"
      "[target.'cfg(unix)'.dependencies]\nlibc = \"0.2\"\n"
      "[[example]]\nname = \"ex\"\n[[example]]\nname = \"ex2\"\n"
      "[profile.release]\nlto = true\n");
  xr_err_clear(&err);
  REQUIRE(xr_crate_normalize(at("Cargo.toml"), tmp, NULL, NULL, &out,
                             &err) == 0);
  doc = xr_toml_parse(out.data, out.len, "normalised", &err);
  if (!doc)
    fprintf(stderr, "# %s\n%s", err.msg, out.data);
  REQUIRE(doc != NULL);
  CHECK(xr_toml_len(xr_toml_get(doc, "cargo-features")) == 1);
  CHECK(xr_toml_bool(xr_toml_path(doc, "package.metadata.docs.all", NULL)));
  CHECK(xr_toml_len(xr_toml_path(doc, "features.default", NULL)) == 1);
  CHECK_STR(xr_toml_str(xr_toml_path(doc,
            "target.'cfg(unix)'.dependencies.libc", NULL)), "0.2");
  CHECK(xr_toml_len(xr_toml_get(doc, "example")) == 2);
  CHECK(xr_toml_bool(xr_toml_path(doc, "profile.release.lto", NULL)));
  xr_toml_free(doc);
  xr_buf_release(&out);
  teardown();
}

TAP_MAIN(TAP_CASE(single_package), TAP_CASE(autobins_off_and_default_lib),
         TAP_CASE(explicit_path_replaces_implicit),
         TAP_CASE(virtual_workspace_root), TAP_CASE(default_members),
         TAP_CASE(member_finds_its_root), TAP_CASE(package_workspace_key),
         TAP_CASE(root_package_with_members),
         TAP_CASE(errors_name_line_and_column),
         TAP_CASE(find_package_by_name),
         TAP_CASE(normalize_resolves_inheritance),
         TAP_CASE(normalize_keeps_other_tables))
