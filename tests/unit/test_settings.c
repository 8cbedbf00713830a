/*
 * The settings table and its readers (settings.c), the fetch and
 * toolchain configuration read through a settings source (fetch_config.c,
 * toolchain_choice.c) with a fake getter standing for Make (its variables,
 * then the environment), and the Make text of makevars.c.
 */
#include "tap.h"

#include <sys/stat.h>

#include "xrust/buf.h"
#include "xrust/fetch.h"
#include "xrust/fs.h"
#include "xrust/makevars.h"
#include "xrust/settings.h"
#include "xrust/toolchain_choice.h"

/* A fake Make: NAME=VALUE pairs, then the environment. */
struct fake {
  const char *const *vars;
};

static const char *fake_get(void *ctx, const char *name)
{
  const struct fake *f = ctx;
  size_t n = strlen(name), i;

  for (i = 0; f->vars[i]; i++)
    if (!strncmp(f->vars[i], name, n) && f->vars[i][n] == '=')
      return f->vars[i] + n + 1;
  return getenv(name);
}

static struct xr_settings_src fake_src(struct fake *f)
{
  struct xr_settings_src s;

  s.get = fake_get;
  s.ctx = f;
  return s;
}

TEST(table_is_consistent)
{
  const struct xr_setting *t;
  size_t n, i, j;

  t = xr_settings_table(&n);
  REQUIRE(n > 10);
  for (i = 0; i < n; i++) {
    CHECK(t[i].name && *t[i].name && t[i].doc && *t[i].doc);
    CHECK(xr_setting_find(t[i].name) == &t[i]);
    if (t[i].kind == XR_SETTING_NUMBER)
      CHECK(t[i].min <= t[i].def && t[i].def <= t[i].max);
    if (t[i].kind == XR_SETTING_FLAG)
      CHECK(t[i].def <= 1);
    for (j = i + 1; j < n; j++)
      CHECK(strcmp(t[i].name, t[j].name) != 0);
  }
  CHECK(xr_setting_find("XRUST_NOPE") == NULL);
}

TEST(flag_spellings)
{
  static const char *const on[] = { "1", "yes", "true", "TRUE", "Yes" };
  static const char *const off[] = { "0", "no", "false", "False", "" };
  struct xr_err err;
  size_t i;
  int v;

  for (i = 0; i < 5; i++) {
    v = 0;
    setenv("XRUST_OFFLINE", on[i], 1);
    CHECK(xr_setting_flag(xr_settings_env(), "XRUST_OFFLINE", &v, &err) ==
          0 && v == 1);
    v = 1;
    setenv("XRUST_OFFLINE", off[i], 1);
    CHECK(xr_setting_flag(xr_settings_env(), "XRUST_OFFLINE", &v, &err) ==
          0 && v == 0);
  }
  unsetenv("XRUST_OFFLINE");
  v = 1;
  CHECK(xr_setting_flag(xr_settings_env(), "XRUST_OFFLINE", &v, &err) == 0);
  CHECK(v == 0);
  setenv("XRUST_OFFLINE", "on", 1);
  CHECK(xr_setting_flag(xr_settings_env(), "XRUST_OFFLINE", &v, &err) ==
        XR_EUSAGE);
  CHECK_STR(err.msg, "invalid 'XRUST_OFFLINE': 'on' (expected 1, yes or "
            "true, or 0, no or false)");
  CHECK(xr_setting_flag(xr_settings_env(), "XRUST_JOBS", &v, &err) ==
        XR_EINTERNAL);
}

TEST(number_ranges)
{
  static const char *const bad[] = { "0", "257", "lots", "-1", "+3", " 3",
                                     "3 ", "99999999999999999999999" };
  struct xr_err err;
  unsigned long x;
  size_t i;

  x = 42;
  unsetenv("XRUST_JOBS");
  CHECK(xr_setting_number(xr_settings_env(), "XRUST_JOBS", &x, &err) == 0);
  CHECK(x == 42);
  setenv("XRUST_JOBS", "", 1);
  CHECK(xr_setting_number(xr_settings_env(), "XRUST_JOBS", &x, &err) == 0);
  CHECK(x == 42);
  setenv("XRUST_JOBS", "1", 1);
  CHECK(xr_setting_number(xr_settings_env(), "XRUST_JOBS", &x, &err) == 0);
  CHECK(x == 1);
  setenv("XRUST_JOBS", "256", 1);
  CHECK(xr_setting_number(xr_settings_env(), "XRUST_JOBS", &x, &err) == 0);
  CHECK(x == 256);
  for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    setenv("XRUST_JOBS", bad[i], 1);
    CHECK(xr_setting_number(xr_settings_env(), "XRUST_JOBS", &x, &err) ==
          XR_EUSAGE);
  }
  setenv("XRUST_JOBS", "257", 1);
  xr_setting_number(xr_settings_env(), "XRUST_JOBS", &x, &err);
  CHECK_STR(err.msg, "invalid 'XRUST_JOBS': '257' (expected a number from "
            "1 to 256)");
  setenv("XRUST_UNPACK_JOBS", "0", 1);
  CHECK(xr_setting_number(xr_settings_env(), "XRUST_UNPACK_JOBS", &x,
                          &err) == 0 && x == 0);
  setenv("V", "3", 1);
  CHECK(xr_setting_number(xr_settings_env(), "V", &x, &err) == XR_EUSAGE);
  CHECK_STR(err.msg, "invalid 'V': '3' (expected a number from 0 to 2)");
}

TEST(strings_and_fallback)
{
  unsetenv("XRUST_DIST_SERVER");
  unsetenv("RUSTUP_DIST_SERVER");
  CHECK(xr_setting_string(xr_settings_env(), "XRUST_DIST_SERVER") == NULL);
  setenv("RUSTUP_DIST_SERVER", "https://r.example", 1);
  CHECK_STR(xr_setting_string(xr_settings_env(), "XRUST_DIST_SERVER"),
            "https://r.example");
  setenv("XRUST_DIST_SERVER", "", 1);
  CHECK_STR(xr_setting_string(xr_settings_env(), "XRUST_DIST_SERVER"),
            "https://r.example");
  setenv("XRUST_DIST_SERVER", "file:///m", 1);
  CHECK_STR(xr_setting_string(xr_settings_env(), "XRUST_DIST_SERVER"),
            "file:///m");
  CHECK(xr_setting_string(xr_settings_env(), "XRUST_JOBS") == NULL);
}

TEST(makeflags_silent)
{
  CHECK(xr_makeflags_silent("s"));
  CHECK(xr_makeflags_silent("ks -j2 --no-print-directory"));
  CHECK(!xr_makeflags_silent("k -j2"));
  CHECK(!xr_makeflags_silent(" --no-print-directory -s"));
  CHECK(!xr_makeflags_silent("-- V=s"));
  CHECK(!xr_makeflags_silent(""));
  CHECK(!xr_makeflags_silent(NULL));
}

/* The Makefile's value wins over the environment's; unset falls back. */
TEST(make_over_environment)
{
  static const char *const vars[] = {
    "XRUST_JOBS=3", "XRUST_UNPACK_JOBS=1", "XRUST_OFFLINE=0",
    "XRUST_ALLOW_HTTP=http://mk.lan", "MAKEFLAGS=s -j2", "V=", NULL
  };
  struct fake f;
  struct xr_settings_src src;
  struct xr_fetch_config c;
  struct xr_err err;

  f.vars = vars;
  src = fake_src(&f);
  setenv("XRUST_JOBS", "5", 1);
  setenv("XRUST_UNPACK_JOBS", "7", 1);
  setenv("XRUST_OFFLINE", "1", 1);
  setenv("XRUST_ALLOW_HTTP", "http://env.lan", 1);
  setenv("XRUST_FETCH_RETRIES", "2", 1);
  setenv("XRUST_HOME", "/env/home", 1);
  setenv("V", "1", 1);
  unsetenv("MAKEFLAGS");
  xr_fetch_config_init(&c);
  REQUIRE(xr_fetch_config_read(&c, &src, &err) == 0);
  CHECK(c.jobs == 3 && c.unpack_jobs == 1 && !c.offline);
  CHECK_STR(c.allow_http, "http://mk.lan");
  CHECK(c.quiet == 1);
  CHECK(c.verbose == 0);
  CHECK(c.retries == 2);
  CHECK_STR(c.store_root, "/env/home");

  /* The tool reads the same knobs from the environment alone. */
  xr_fetch_config_init(&c);
  REQUIRE(xr_fetch_config_env(&c, &err) == 0);
  CHECK(c.jobs == 5 && c.unpack_jobs == 7 && c.offline && c.verbose);
  CHECK_STR(c.allow_http, "http://env.lan");
  CHECK(c.quiet == 0);
}

/* One rule for both: the same bad value is the same error. */
TEST(same_error_from_make_and_environment)
{
  static const char *const vars[] = { "XRUST_UNPACK_JOBS=lots", NULL };
  struct fake f;
  struct xr_settings_src src;
  struct xr_fetch_config c;
  struct xr_err e1, e2;

  f.vars = vars;
  src = fake_src(&f);
  unsetenv("XRUST_JOBS");
  xr_fetch_config_init(&c);
  CHECK(xr_fetch_config_read(&c, &src, &e1) == XR_EUSAGE);
  setenv("XRUST_UNPACK_JOBS", "lots", 1);
  xr_fetch_config_init(&c);
  CHECK(xr_fetch_config_env(&c, &e2) == XR_EUSAGE);
  CHECK_STR(e1.msg, e2.msg);
  CHECK_STR(e1.msg, "invalid 'XRUST_UNPACK_JOBS': 'lots' (expected a "
            "number from 0 to 256)");
}

TEST(defaults_come_from_the_table)
{
  struct xr_fetch_config c;

  xr_fetch_config_init(&c);
  CHECK(c.jobs == xr_setting_find("XRUST_JOBS")->def);
  CHECK(c.retries == xr_setting_find("XRUST_FETCH_RETRIES")->def);
  CHECK(c.backoff_ms == xr_setting_find("XRUST_FETCH_BACKOFF_MS")->def);
  CHECK((unsigned long)c.low_speed_time ==
        xr_setting_find("XRUST_FETCH_STALL_SECONDS")->def);
}

static char *literal(const char *v)
{
  struct xr_buf b = XR_BUF_INIT;

  REQUIRE(xr_make_literal(&b, v) == 0);
  return xr_buf_detach(&b);
}

TEST(make_literal)
{
  static const char *const cases[][2] = {
    { "plain", "plain" },
    { "a b", "a b" },
    { "$x $(y)", "$$x $$(y)" },
    { "a#b", "a\\#b" },
    { "a\\#b", "a\\\\\\#b" },
    { "a\\\\#b", "a\\\\\\\\\\#b" },
    { "a\\b", "a\\b" },
    { "end\\", "end\\$()" },
    { "  lead", "$()  lead" },
    { "two\nlines\r", "two lines " },
    { "", "" },
  };
  size_t i;

  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char *got = literal(cases[i][0]);

    CHECK_STR(got, cases[i][1]);
    free(got);
  }
}

TEST(make_assign_and_names)
{
  struct xr_buf b = XR_BUF_INIT;

  REQUIRE(xr_make_assign(&b, "override X", "1#$") == 0);
  CHECK_STR(xr_buf_str(&b), "override X := 1\\#$$");
  xr_buf_release(&b);
  CHECK(xr_make_name_ok("CRATE"));
  CHECK(xr_make_name_ok("my.app-2"));
  CHECK(!xr_make_name_ok(""));
  CHECK(!xr_make_name_ok("a b"));
  CHECK(!xr_make_name_ok("a#b"));
  CHECK(!xr_make_name_ok("a$b"));
  CHECK(!xr_make_name_ok("a:b"));
  CHECK(!xr_make_name_ok("a=b"));
  CHECK(!xr_make_name_ok("a(b"));
}

static int collect(void *ctx, const char *name, const char *value)
{
  return xr_buf_printf(ctx, "%s=%s\n", name, value);
}

TEST(crate_vars)
{
  struct xr_crate c;
  struct xr_buf b = XR_BUF_INIT;

  xr_crate_init(&c);
  c.name = xr_strdup("app");
  c.dir = xr_strdup("/w/a #1");
  c.root = xr_strdup("/w");
  c.lock = xr_strdup("/w/Cargo.lock");
  REQUIRE(c.name && c.dir && c.root && c.lock);
  REQUIRE(xr_strv_push(&c.bins, "app") == 0);
  REQUIRE(xr_strv_push(&c.bins, "tool") == 0);
  REQUIRE(xr_strv_push(&c.packages, "app") == 0);
  REQUIRE(xr_strv_push(&c.inputs, "/w") == 0);
  REQUIRE(xr_strv_push(&c.inputs, "/w/Cargo.toml") == 0);
  REQUIRE(xr_crate_vars(&c, "P", collect, &b) == 0);
  CHECK_STR(xr_buf_str(&b), "P_NAME=app\nP_VERSION=\nP_BINS=app tool\n"
            "P_LIBS=\nP_MANIFESTS=\nP_LOCK=/w/Cargo.lock\nP_SOURCES=\n"
            "P_PACKAGES=app\nP_DIR=/w/a #1\nP_ROOT=/w\n"
            "P_INPUTS=/w /w/Cargo.toml\n");
  xr_buf_reset(&b);
  REQUIRE(xr_crate_vars(&c, NULL, collect, &b) == 0);
  CHECK(strncmp(xr_buf_str(&b), "NAME=app\nVERSION=\n", 18) == 0);
  xr_buf_release(&b);
  xr_crate_release(&c);
}

static char *project(const char *toolfile)
{
  char tmpl[] = "/tmp/xrust-settings.XXXXXX";
  struct xr_buf p = XR_BUF_INIT;
  struct xr_err err;
  char *d = mkdtemp(tmpl);

  REQUIRE(d);
  REQUIRE(xr_buf_printf(&p, "%s/sub", d) == 0);
  REQUIRE(mkdir(p.data, 0755) == 0);
  if (toolfile) {
    xr_buf_reset(&p);
    REQUIRE(xr_buf_printf(&p, "%s/rust-toolchain.toml", d) == 0);
    REQUIRE(xr_fs_write(p.data, toolfile, strlen(toolfile), 0, &err) == 0);
  }
  xr_buf_reset(&p);
  REQUIRE(xr_buf_printf(&p, "%s/sub", d) == 0);
  return xr_buf_detach(&p);
}

/*
 * xr_tc_choose with a fake Make defining XRUST_PROJECT_DIR and, unless
 * NULL, XRUST_CHANNEL.  The values live until the next call.
 */
static void choose(const char *dir, const char *chan_var,
                   const char *channel, struct xr_tc_choice *c)
{
  static char a[512], b[64];
  static const char *vars[3];
  static struct fake f;
  struct xr_settings_src src;
  struct xr_err err;

  snprintf(a, sizeof(a), "XRUST_PROJECT_DIR=%s", dir);
  snprintf(b, sizeof(b), "XRUST_CHANNEL=%s", chan_var ? chan_var : "");
  vars[0] = a;
  vars[1] = chan_var ? b : NULL;
  vars[2] = NULL;
  f.vars = vars;
  src = fake_src(&f);
  REQUIRE(xr_tc_choose(c, &src, channel, &err) == 0);
}

TEST(toolchain_choice_precedence)
{
  char *with = project("[toolchain]\nchannel = \"1.95.0\"\n"
                       "targets = [\"x\", \"y\"]\nprofile = \"default\"\n");
  char *without = project(NULL);
  char *pathdir = project("[toolchain]\npath = \"/opt/tc\"\n");
  struct xr_tc_choice c;
  struct xr_tc_request req;

  unsetenv("XRUST_CHANNEL");
  xr_tc_choice_init(&c);
  REQUIRE(xr_strv_push(&c.targets, "y") == 0);
  choose(with, "nightly", NULL, &c);
  CHECK_STR(c.channel, "1.95.0");
  CHECK_STR(c.profile, "default");
  REQUIRE(c.targets.n == 2);
  CHECK_STR(c.targets.v[0], "y");
  CHECK_STR(c.targets.v[1], "x");
  CHECK(c.path == NULL);
  xr_tc_choice_request(&c, "h", &req);
  CHECK_STR(req.channel, "1.95.0");
  CHECK_STR(req.host, "h");
  CHECK(req.ntargets == 2);
  xr_tc_choice_release(&c);

  /* An explicit channel ignores the file. */
  xr_tc_choice_init(&c);
  choose(with, "nightly", "beta", &c);
  CHECK_STR(c.channel, "beta");
  CHECK(c.targets.n == 0 && c.profile == NULL);
  xr_tc_choice_release(&c);

  xr_tc_choice_init(&c);
  choose(without, "nightly", NULL, &c);
  CHECK_STR(c.channel, "nightly");
  xr_tc_choice_release(&c);

  xr_tc_choice_init(&c);
  choose(without, NULL, "", &c);
  CHECK(c.channel == NULL);
  xr_tc_choice_release(&c);

  xr_tc_choice_init(&c);
  choose(pathdir, "nightly", NULL, &c);
  CHECK_STR(c.path, "/opt/tc");
  xr_tc_choice_release(&c);
  free(with);
  free(without);
  free(pathdir);
}

TAP_MAIN(TAP_CASE(table_is_consistent), TAP_CASE(flag_spellings),
         TAP_CASE(number_ranges), TAP_CASE(strings_and_fallback),
         TAP_CASE(makeflags_silent), TAP_CASE(make_over_environment),
         TAP_CASE(same_error_from_make_and_environment),
         TAP_CASE(defaults_come_from_the_table), TAP_CASE(make_literal),
         TAP_CASE(make_assign_and_names), TAP_CASE(crate_vars),
         TAP_CASE(toolchain_choice_precedence))
