/*
 * rust-toolchain.toml and legacy rust-toolchain files (toolfile.c):
 * contents, the walk up the directory tree, precedence, and errors at
 * FILE:LINE:COLUMN.
 */
#include "tap.h"

#include <sys/stat.h>

#include "xrust/buf.h"
#include "xrust/toolfile.h"

static int parse(struct xr_toolfile *tf, const char *text, int legacy,
                 struct xr_err *err)
{
  xr_err_clear(err);
  return xr_toolfile_parse(tf, "/p/rust-toolchain.toml", text, strlen(text),
                           legacy, err);
}

TEST(full_file)
{
  struct xr_toolfile tf;
  struct xr_err err;

  REQUIRE(parse(&tf, "[toolchain]\n"
                "channel = \"nightly-2026-05-01\"\n"
                "components = [\"rustfmt\", \"rust-src\"]\n"
                "targets = [\"aarch64-unknown-linux-musl\"]\n"
                "profile = \"minimal\"\n", 0, &err) == 0);
  CHECK_STR(tf.file, "/p/rust-toolchain.toml");
  CHECK_STR(tf.channel, "nightly-2026-05-01");
  CHECK_STR(tf.profile, "minimal");
  REQUIRE(tf.ncomponents == 2 && tf.ntargets == 1);
  CHECK_STR(tf.components[1], "rust-src");
  CHECK_STR(tf.targets[0], "aarch64-unknown-linux-musl");
  CHECK(tf.tc_path == NULL);
  xr_toolfile_release(&tf);
}

TEST(partial_files)
{
  struct xr_toolfile tf;
  struct xr_err err;

  /* no channel: the caller's default applies */
  REQUIRE(parse(&tf, "[toolchain]\ntargets = []\n", 0, &err) == 0);
  CHECK(tf.channel == NULL && tf.ntargets == 0);
  xr_toolfile_release(&tf);
  REQUIRE(parse(&tf, "[toolchain]\npath = \"tc\"\n", 0, &err) == 0);
  CHECK_STR(tf.tc_path, "/p/tc");
  xr_toolfile_release(&tf);
  REQUIRE(parse(&tf, "toolchain.path = \"/opt/rust\"\n", 0, &err) == 0);
  CHECK_STR(tf.tc_path, "/opt/rust");
  xr_toolfile_release(&tf);
}

TEST(legacy_plain_text)
{
  struct xr_toolfile tf;
  struct xr_err err;

  REQUIRE(parse(&tf, "  nightly-2021-01-21\n\n", 1, &err) == 0);
  CHECK_STR(tf.channel, "nightly-2021-01-21");
  xr_toolfile_release(&tf);
  REQUIRE(parse(&tf, "1.96.0", 1, &err) == 0);
  CHECK_STR(tf.channel, "1.96.0");
  xr_toolfile_release(&tf);
  /* the legacy name also takes TOML */
  REQUIRE(parse(&tf, "[toolchain]\nchannel = \"beta\"\n", 1, &err) == 0);
  CHECK_STR(tf.channel, "beta");
  xr_toolfile_release(&tf);
  /* but rust-toolchain.toml must be TOML */
  CHECK(parse(&tf, "stable\n", 0, &err) == XR_ETOML);
  CHECK(parse(&tf, "stabel\n", 1, &err) == XR_ETOML);
  CHECK_STR(err.msg, "/p/rust-toolchain.toml:1:1: invalid channel "
            "'stabel': expected stable, beta, nightly or a version like "
            "1.96.0, optionally followed by -YYYY-MM-DD");
}

static void bad(const char *text, int legacy, const char *want)
{
  struct xr_toolfile tf;
  struct xr_err err;

  CHECK(parse(&tf, text, legacy, &err) == XR_ETOML);
  if (strcmp(err.msg, want)) {
    fprintf(stderr, "# got  '%s'\n# want '%s'\n", err.msg, want);
    tap_failures++;
  }
  CHECK(tf.file == NULL && tf.channel == NULL);
}

TEST(errors)
{
  bad("", 0, "/p/rust-toolchain.toml:1:1: empty toolchain file");
  bad(" \n\t\n", 1, "/p/rust-toolchain.toml:1:1: empty toolchain file");
  bad("channel = \"stable\"\n", 0,
      "/p/rust-toolchain.toml:1:11: unknown key 'channel' (a toolchain "
      "file holds only [toolchain])");
  bad("[other]\nx = 1\n", 0,
      "/p/rust-toolchain.toml:1:1: unknown key 'other' (a toolchain file "
      "holds only [toolchain])");
  bad("# nothing\n\n", 0,
      "/p/rust-toolchain.toml:1:1: missing [toolchain] table");
  bad("[toolchain]\n", 0,
      "/p/rust-toolchain.toml:1:1: [toolchain] is empty: set 'channel' or "
      "'path'");
  bad("[toolchain]\nchannel = \"stabel\"\n", 0,
      "/p/rust-toolchain.toml:2:11: invalid channel 'stabel': expected "
      "stable, beta, nightly or a version like 1.96.0, optionally "
      "followed by -YYYY-MM-DD");
  bad("[toolchain]\nchannel = \"nightly-2026-02-30\"\n", 0,
      "/p/rust-toolchain.toml:2:11: invalid channel 'nightly-2026-02-30': "
      "'2026-02-30' is not a valid date");
  bad("[toolchain]\nchannel = 1.96\n", 0,
      "/p/rust-toolchain.toml:2:11: 'toolchain.channel' must be a string");
  bad("[toolchain]\nchannel = \"\"\n", 0,
      "/p/rust-toolchain.toml:2:11: 'toolchain.channel' must be a "
      "non-empty string");
  bad("[toolchain]\nchannel = \"stable\"\ntarget = [\"x\"]\n", 0,
      "/p/rust-toolchain.toml:3:10: unknown key 'toolchain.target' "
      "(expected channel, components, targets, profile or path)");
  bad("[toolchain]\ncomponents = \"rustfmt\"\n", 0,
      "/p/rust-toolchain.toml:2:14: 'toolchain.components' must be an "
      "array of strings");
  bad("[toolchain]\ntargets = [\"a\", 2]\n", 0,
      "/p/rust-toolchain.toml:2:17: 'toolchain.targets' must hold "
      "non-empty strings");
  bad("[toolchain]\nprofile = \"tiny\"\n", 0,
      "/p/rust-toolchain.toml:2:11: unknown profile 'tiny' (expected "
      "minimal, default or complete)");
  bad("[toolchain]\nchannel = \"stable\"\npath = \"/x\"\n", 0,
      "/p/rust-toolchain.toml:3:8: 'toolchain.path' cannot be used with "
      "'toolchain.channel'");
  bad("toolchain = 3\n", 0,
      "/p/rust-toolchain.toml:1:13: 'toolchain' must be a table");
}

TEST(toml_syntax_error)
{
  struct xr_toolfile tf;
  struct xr_err err;

  CHECK(parse(&tf, "[toolchain]\nchannel = \"stable\n", 0, &err) ==
        XR_ETOML);
  CHECK(strncmp(err.msg, "/p/rust-toolchain.toml:2:", 25) == 0);
}

static char *mktree(void)
{
  char tmpl[] = "/tmp/xrust-toolfile.XXXXXX";
  char *d = mkdtemp(tmpl);

  REQUIRE(d);
  return xr_strdup(d);
}

static void put(const char *dir, const char *rel, const char *text)
{
  struct xr_buf p = XR_BUF_INIT;
  FILE *f;

  REQUIRE(xr_buf_printf(&p, "%s/%s", dir, rel) == 0);
  f = fopen(p.data, "w");
  REQUIRE(f);
  fputs(text, f);
  fclose(f);
  xr_buf_release(&p);
}

static void sub(const char *dir, const char *rel)
{
  struct xr_buf p = XR_BUF_INIT;

  REQUIRE(xr_buf_printf(&p, "%s/%s", dir, rel) == 0);
  REQUIRE(mkdir(p.data, 0755) == 0);
  xr_buf_release(&p);
}

static void cleanup(const char *dir)
{
  struct xr_buf cmd = XR_BUF_INIT;

  if (xr_buf_printf(&cmd, "rm -rf '%s'", dir) == 0 && system(cmd.data))
    fprintf(stderr, "# cannot remove %s\n", dir);
  xr_buf_release(&cmd);
}

TEST(walks_up)
{
  char *root = mktree();
  struct xr_buf start = XR_BUF_INIT, want = XR_BUF_INIT;
  struct xr_toolfile tf;
  struct xr_err err;
  int found = 0;

  sub(root, "a");
  sub(root, "a/b");
  sub(root, "a/b/c");
  put(root, "a/rust-toolchain.toml",
      "[toolchain]\nchannel = \"1.96.0\"\ntargets = [\"x-y\"]\n");
  REQUIRE(xr_buf_printf(&start, "%s/a/b/c", root) == 0);
  REQUIRE(xr_toolfile_find(&tf, start.data, &found, &err) == 0);
  CHECK(found == 1);
  REQUIRE(xr_buf_printf(&want, "%s/a/rust-toolchain.toml", root) == 0);
  CHECK_STR(tf.file, want.data);
  CHECK_STR(tf.channel, "1.96.0");
  xr_toolfile_release(&tf);

  /* the nearer file wins */
  put(root, "a/b/rust-toolchain.toml", "[toolchain]\nchannel = \"beta\"\n");
  REQUIRE(xr_toolfile_find(&tf, start.data, &found, &err) == 0);
  CHECK(found == 1);
  CHECK_STR(tf.channel, "beta");
  xr_toolfile_release(&tf);

  /* legacy rust-toolchain wins within one directory */
  put(root, "a/b/rust-toolchain", "nightly\n");
  REQUIRE(xr_toolfile_find(&tf, start.data, &found, &err) == 0);
  CHECK_STR(tf.channel, "nightly");
  xr_buf_reset(&want);
  REQUIRE(xr_buf_printf(&want, "%s/a/b/rust-toolchain", root) == 0);
  CHECK_STR(tf.file, want.data);
  xr_toolfile_release(&tf);

  /* a directory named like the file is not a file */
  sub(root, "a/b/c/rust-toolchain");
  REQUIRE(xr_toolfile_find(&tf, start.data, &found, &err) == 0);
  CHECK_STR(tf.channel, "nightly");
  xr_toolfile_release(&tf);

  /* a malformed nearest file is an error, not skipped */
  put(root, "a/b/c/rust-toolchain.toml", "[toolchain]\nprofile = 1\n");
  CHECK(xr_toolfile_find(&tf, start.data, &found, &err) == XR_ETOML);
  CHECK(found == 0);
  CHECK(strstr(err.msg, "/a/b/c/rust-toolchain.toml:2:11: ") != NULL);
  cleanup(root);
  free(root);
  xr_buf_release(&start);
  xr_buf_release(&want);
}

TEST(none_found)
{
  char *root = mktree();
  struct xr_toolfile tf;
  struct xr_err err;
  int found = 1;

  /* assumes no rust-toolchain file in /tmp or / */
  REQUIRE(xr_toolfile_find(&tf, root, &found, &err) == 0);
  CHECK(found == 0);
  CHECK(tf.channel == NULL);
  CHECK(xr_toolfile_find(&tf, "/nonexistent/dir", &found, &err) == XR_EIO);
  CHECK(strstr(err.msg, "cannot resolve '/nonexistent/dir'") != NULL);
  cleanup(root);
  free(root);
}

TAP_MAIN(TAP_CASE(full_file), TAP_CASE(partial_files),
         TAP_CASE(legacy_plain_text), TAP_CASE(errors),
         TAP_CASE(toml_syntax_error), TAP_CASE(walks_up),
         TAP_CASE(none_found))
