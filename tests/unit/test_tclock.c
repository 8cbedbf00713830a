/*
 * xrust.lock (tclock.c): deterministic text, round trip through the
 * parser, atomic writes, validation errors at FILE:LINE:COLUMN, and the
 * coverage test that decides whether a lock must be extended.
 */
#include "tap.h"

#include <sys/stat.h>

#include "xrust/buf.h"
#include "xrust/channel.h"
#include "xrust/manifest.h"
#include "xrust/tclock.h"

#define H1 "1111111111111111111111111111111111111111111111111111111111111111"
#define H2 "2222222222222222222222222222222222222222222222222222222222222222"
#define H3 "3333333333333333333333333333333333333333333333333333333333333333"
#define HM "abcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcd"
#define HOST "x86_64-unknown-linux-gnu"
#define ARM "aarch64-unknown-linux-musl"
#define D "https://static.rust-lang.org/dist/2026-05-25/"

static void sample(struct xr_tclock *l)
{
  struct xr_err err;

  xr_tclock_init(l);
  REQUIRE(xr_tclock_set(&l->channel, "1.96.0", &err) == 0);
  REQUIRE(xr_tclock_set(&l->date, "2026-05-25", &err) == 0);
  REQUIRE(xr_tclock_set(&l->manifest_sha256, HM, &err) == 0);
  REQUIRE(xr_tclock_set(&l->server, "http://127.0.0.1:8080", &err) == 0);
  REQUIRE(xr_tclock_set(&l->host, HOST, &err) == 0);
  REQUIRE(xr_tclock_list_add(&l->targets, &l->ntargets, ARM, &err) == 0);
  REQUIRE(xr_tclock_list_add(&l->targets, &l->ntargets, "a-b", &err) == 0);
  REQUIRE(xr_tclock_list_add(&l->targets, &l->ntargets, ARM, &err) == 0);
  REQUIRE(xr_tclock_list_add(&l->components, &l->ncomponents, "rust-src",
                             &err) == 0);
  REQUIRE(xr_plan_add(&l->plan, "rustc", HOST, D "rustc.tar.gz", H1,
                      XR_FMT_GZ, &err) == 0);
  REQUIRE(xr_plan_add(&l->plan, "rust-std", ARM, D "std \"q\".tar.xz", H2,
                      XR_FMT_XZ, &err) == 0);
  REQUIRE(xr_plan_add(&l->plan, "cargo", HOST, D "cargo.tar.zst", H3,
                      XR_FMT_ZST, &err) == 0);
}

static const char expected[] =
  "# xrust.lock: the Rust toolchain of this project, as resolved from the\n"
  "# channel manifest.  Written by xrust; `make xrust-update` re-resolves "
  "it.\n"
  "version = 1\n"
  "\n"
  "[toolchain]\n"
  "channel = \"1.96.0\"\n"
  "date = \"2026-05-25\"\n"
  "manifest-sha256 = \"" HM "\"\n"
  "server = \"http://127.0.0.1:8080\"\n"
  "host = \"" HOST "\"\n"
  "profile = \"minimal\"\n"
  "targets = [\"a-b\", \"" ARM "\"]\n"
  "components = [\"rust-src\"]\n"
  "\n"
  "[[component]]\n"
  "name = \"cargo\"\n"
  "target = \"" HOST "\"\n"
  "format = \"zst\"\n"
  "sha256 = \"" H3 "\"\n"
  "url = \"" D "cargo.tar.zst\"\n"
  "\n"
  "[[component]]\n"
  "name = \"rust-std\"\n"
  "target = \"" ARM "\"\n"
  "format = \"xz\"\n"
  "sha256 = \"" H2 "\"\n"
  "url = \"" D "std \\\"q\\\".tar.xz\"\n"
  "\n"
  "[[component]]\n"
  "name = \"rustc\"\n"
  "target = \"" HOST "\"\n"
  "format = \"gz\"\n"
  "sha256 = \"" H1 "\"\n"
  "url = \"" D "rustc.tar.gz\"\n";

TEST(format_is_deterministic)
{
  struct xr_tclock l;
  struct xr_buf b = XR_BUF_INIT;
  struct xr_err err;

  sample(&l);
  CHECK(l.ntargets == 2);
  REQUIRE(xr_tclock_format(&l, &b, &err) == 0);
  CHECK_STR(xr_buf_str(&b), expected);
  xr_buf_release(&b);
  xr_tclock_release(&l);
}

TEST(round_trip)
{
  struct xr_tclock l, r;
  struct xr_buf a = XR_BUF_INIT, b = XR_BUF_INIT;
  struct xr_err err;

  sample(&l);
  REQUIRE(xr_tclock_format(&l, &a, &err) == 0);
  xr_err_clear(&err);
  if (xr_tclock_parse(&r, a.data, a.len, "xrust.lock", &err))
    fprintf(stderr, "# %s\n", err.msg);
  REQUIRE(err.code == XR_EOK);
  CHECK_STR(r.channel, "1.96.0");
  CHECK_STR(r.profile, "minimal");
  CHECK_STR(r.server, "http://127.0.0.1:8080");
  CHECK(r.plan.n == 3 && r.ntargets == 2 && r.ncomponents == 1);
  CHECK_STR(r.plan.items[1].url, D "std \"q\".tar.xz");
  CHECK(r.plan.items[0].format == XR_FMT_ZST);
  REQUIRE(xr_tclock_format(&r, &b, &err) == 0);
  CHECK_STR(xr_buf_str(&b), xr_buf_str(&a));
  xr_buf_release(&a);
  xr_buf_release(&b);
  xr_tclock_release(&l);
  xr_tclock_release(&r);
}

TEST(write_and_read)
{
  char tmpl[] = "/tmp/xrust-tclock.XXXXXX";
  char *dir = mkdtemp(tmpl);
  struct xr_buf path = XR_BUF_INIT, cmd = XR_BUF_INIT;
  struct xr_tclock l, r;
  struct xr_err err;
  struct stat st;
  int found = 1;

  REQUIRE(dir);
  REQUIRE(xr_buf_printf(&path, "%s/xrust.lock", dir) == 0);
  REQUIRE(xr_tclock_read(&r, path.data, &found, &err) == 0);
  CHECK(found == 0);
  sample(&l);
  REQUIRE(xr_tclock_write(&l, path.data, &err) == 0);
  /* rewriting replaces the file */
  REQUIRE(xr_tclock_write(&l, path.data, &err) == 0);
  REQUIRE(stat(path.data, &st) == 0);
  CHECK((st.st_mode & 0777) == 0644);
  REQUIRE(xr_tclock_read(&r, path.data, &found, &err) == 0);
  CHECK(found == 1);
  CHECK(r.plan.n == 3);
  /* only the lock is left in the directory: no temporaries */
  REQUIRE(xr_buf_printf(&cmd, "test \"$(ls -A '%s')\" = xrust.lock", dir)
          == 0);
  CHECK(system(cmd.data) == 0);
  /* a directory that does not exist */
  xr_buf_reset(&path);
  REQUIRE(xr_buf_printf(&path, "%s/no/xrust.lock", dir) == 0);
  CHECK(xr_tclock_write(&l, path.data, &err) == XR_EIO);
  CHECK(strstr(err.msg, "cannot create") != NULL);
  xr_buf_reset(&cmd);
  REQUIRE(xr_buf_printf(&cmd, "rm -rf '%s'", dir) == 0);
  CHECK(system(cmd.data) == 0);
  xr_buf_release(&path);
  xr_buf_release(&cmd);
  xr_tclock_release(&l);
  xr_tclock_release(&r);
}

TEST(covers)
{
  static const char *const t1[] = { ARM };
  static const char *const t2[] = { ARM, HOST, "a-b" };
  static const char *const t3[] = { "riscv64gc-unknown-linux-gnu" };
  static const char *const c1[] = { "rust-src" };
  static const char *const c2[] = { "clippy" };
  struct xr_tclock l;

  sample(&l);
  CHECK(xr_tclock_covers(&l, "1.96.0", HOST, NULL, NULL, 0, NULL, 0));
  CHECK(xr_tclock_covers(&l, "1.96.0", HOST, "minimal", t1, 1, c1, 1));
  CHECK(xr_tclock_covers(&l, "1.96.0", HOST, "", t2, 3, NULL, 0));
  CHECK(!xr_tclock_covers(&l, "1.96.0", HOST, NULL, t3, 1, NULL, 0));
  CHECK(!xr_tclock_covers(&l, "1.96.0", HOST, NULL, NULL, 0, c2, 1));
  CHECK(!xr_tclock_covers(&l, "stable", HOST, NULL, NULL, 0, NULL, 0));
  CHECK(!xr_tclock_covers(&l, "1.96.0", ARM, NULL, NULL, 0, NULL, 0));
  CHECK(!xr_tclock_covers(&l, "1.96.0", HOST, "default", NULL, 0, NULL,
                          0));
  xr_tclock_release(&l);
  xr_tclock_init(&l);
  CHECK(!xr_tclock_covers(&l, "1.96.0", HOST, NULL, NULL, 0, NULL, 0));
}

#define HEAD "version = 1\n[toolchain]\nchannel = \"stable\"\n" \
             "date = \"2026-05-25\"\nmanifest-sha256 = \"" HM "\"\n" \
             "host = \"h-h\"\n"
#define COMP "[[component]]\nname = \"rustc\"\ntarget = \"h-h\"\n" \
             "url = \"u\"\nsha256 = \"" H1 "\"\nformat = \"gz\"\n"

static void bad(const char *text, const char *want)
{
  struct xr_tclock l;
  struct xr_err err;

  xr_err_clear(&err);
  CHECK(xr_tclock_parse(&l, text, strlen(text), "xrust.lock", &err) ==
        XR_ETOML);
  if (strcmp(err.msg, want)) {
    fprintf(stderr, "# got  '%s'\n# want '%s'\n", err.msg, want);
    tap_failures++;
  }
  CHECK(l.channel == NULL && l.plan.n == 0);
}

TEST(minimal_lock_parses)
{
  struct xr_tclock l;
  struct xr_err err;
  const char text[] = HEAD COMP;

  REQUIRE(xr_tclock_parse(&l, text, sizeof(text) - 1, "xrust.lock", &err)
          == 0);
  CHECK(l.profile == NULL && l.server == NULL && l.ntargets == 0);
  CHECK(xr_tclock_covers(&l, "stable", "h-h", NULL, NULL, 0, NULL, 0));
  xr_tclock_release(&l);
}

TEST(invalid_toml)
{
  struct xr_tclock l;
  struct xr_err err;

  /* the parser's own message, at the spot */
  CHECK(xr_tclock_parse(&l, "[toolchain\n", 11, "xrust.lock", &err) ==
        XR_ETOML);
  CHECK(strncmp(err.msg, "xrust.lock:1:11: ", 17) == 0);
}

TEST(invalid_contents)
{
  bad("[toolchain]\n", "xrust.lock: not an xrust lock (no 'version')");
  bad("version = \"1\"\n", "xrust.lock:1:11: 'version' must be an integer");
  bad("version = 2\n", "xrust.lock:1:11: unsupported lock version 2 (this "
      "xrust reads 1)");
  bad("version = 1\n", "xrust.lock: no [toolchain] table");
  bad("version = 1\nextra = 1\n[toolchain]\n",
      "xrust.lock:2:9: unknown key 'extra'");
  bad("version = 1\n[toolchain]\nchannel = \"stable\"\n",
      "xrust.lock:2:1: [toolchain] needs channel, date, manifest-sha256 "
      "and host");
  bad(HEAD "chanel = \"x\"\n", "xrust.lock:7:10: unknown key "
      "'toolchain.chanel'");
  bad(HEAD "targets = \"x\"\n", "xrust.lock:7:11: 'toolchain.targets' "
      "must be an array of strings");
  bad(HEAD "targets = [1]\n", "xrust.lock:7:12: 'toolchain.targets' must "
      "be a non-empty string");
  bad("version = 1\n[toolchain]\nchannel = \"stable\"\n"
      "date = \"2026-05-25\"\nmanifest-sha256 = \"abc\"\nhost = \"h\"\n",
      "xrust.lock:5:19: 'toolchain.manifest-sha256' is not a sha256 "
      "digest");
  bad(HEAD, "xrust.lock: no [[component]] entries");
  bad(HEAD COMP "bogus = 1\n", "xrust.lock:13:9: unknown key "
      "'component.bogus'");
  bad(HEAD "[[component]]\nname = \"rustc\"\n", "xrust.lock:7:1: "
      "[[component]] needs name, target, url, sha256 and format (no "
      "'target')");
  bad(HEAD "[[component]]\nname = \"rustc\"\ntarget = \"h-h\"\n"
      "url = \"u\"\nsha256 = \"" H1 "\"\nformat = \"bz2\"\n",
      "xrust.lock:12:10: unknown format 'bz2' (expected gz, xz or zst)");
  bad(HEAD "[[component]]\nname = \"rustc\"\ntarget = \"h-h\"\n"
      "url = \"u\"\nsha256 = \"123\"\nformat = \"gz\"\n",
      "xrust.lock:11:10: 'component.sha256' is not a sha256 digest");
  bad(HEAD COMP COMP, "xrust.lock:13:1: component 'rustc' for 'h-h' is "
      "listed twice");
}

TEST(incomplete_lock_not_written)
{
  struct xr_tclock l;
  struct xr_buf b = XR_BUF_INIT;
  struct xr_err err;

  xr_tclock_init(&l);
  CHECK(xr_tclock_format(&l, &b, &err) == XR_EINTERNAL);
  CHECK(xr_tclock_write(&l, "/nonexistent/xrust.lock", &err) ==
        XR_EINTERNAL);
  xr_buf_release(&b);
}

TAP_MAIN(TAP_CASE(format_is_deterministic), TAP_CASE(round_trip),
         TAP_CASE(write_and_read), TAP_CASE(covers),
         TAP_CASE(minimal_lock_parses), TAP_CASE(invalid_toml),
         TAP_CASE(invalid_contents), TAP_CASE(incomplete_lock_not_written))
