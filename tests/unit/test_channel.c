/*
 * Channel names, manifest paths and URLs, dist-server URL rewriting and
 * the archive-format rule of channel.c.
 */
#include "tap.h"

#include "xrust/buf.h"
#include "xrust/channel.h"

static struct xr_channel parse_ok(const char *s)
{
  struct xr_channel ch;
  struct xr_err err;

  xr_err_clear(&err);
  if (xr_channel_parse(s, &ch, &err)) {
    fprintf(stderr, "# parsing '%s': %s\n", s, err.msg);
    exit(1);
  }
  return ch;
}

static const char *path_of(const char *s)
{
  static struct xr_buf b;
  struct xr_channel ch = parse_ok(s);

  xr_buf_reset(&b);
  REQUIRE(xr_channel_manifest_path(&ch, &b) == 0);
  return xr_buf_str(&b);
}

TEST(named_channels)
{
  struct xr_channel ch = parse_ok("stable");

  CHECK_STR(ch.name, "stable");
  CHECK_STR(ch.date, "");
  CHECK_STR(ch.host, "");
  CHECK_STR(path_of("stable"), "dist/channel-rust-stable.toml");
  CHECK_STR(path_of("beta"), "dist/channel-rust-beta.toml");
  CHECK_STR(path_of("nightly"), "dist/channel-rust-nightly.toml");
}

TEST(versions)
{
  CHECK_STR(path_of("1.96"), "dist/channel-rust-1.96.toml");
  CHECK_STR(path_of("1.96.0"), "dist/channel-rust-1.96.0.toml");
  CHECK_STR(path_of("1.80.1"), "dist/channel-rust-1.80.1.toml");
  CHECK_STR(path_of("1.100.0"), "dist/channel-rust-1.100.0.toml");
  /* rustup maps 1.0 to 1.8 onto 1.x.0, and only those. */
  CHECK_STR(path_of("1.8"), "dist/channel-rust-1.8.0.toml");
  CHECK_STR(path_of("1.0"), "dist/channel-rust-1.0.0.toml");
  CHECK_STR(path_of("1.9"), "dist/channel-rust-1.9.toml");
  CHECK_STR(path_of("1.96.0-beta"), "dist/channel-rust-1.96.0-beta.toml");
  CHECK_STR(path_of("1.96.0-beta.2"),
            "dist/channel-rust-1.96.0-beta.2.toml");
}

TEST(dated)
{
  struct xr_channel ch = parse_ok("nightly-2026-05-01");

  CHECK_STR(ch.name, "nightly");
  CHECK_STR(ch.date, "2026-05-01");
  CHECK_STR(path_of("nightly-2026-05-01"),
            "dist/2026-05-01/channel-rust-nightly.toml");
  CHECK_STR(path_of("1.96.0-2026-05-25"),
            "dist/2026-05-25/channel-rust-1.96.0.toml");
  CHECK_STR(path_of("1.96.0-beta.2-2026-05-01"),
            "dist/2026-05-01/channel-rust-1.96.0-beta.2.toml");
  CHECK_STR(path_of("nightly-2024-02-29"),
            "dist/2024-02-29/channel-rust-nightly.toml");
}

TEST(host_suffix)
{
  struct xr_channel ch = parse_ok("stable-x86_64-unknown-linux-gnu");
  struct xr_buf b = XR_BUF_INIT;

  CHECK_STR(ch.name, "stable");
  CHECK_STR(ch.host, "x86_64-unknown-linux-gnu");
  ch = parse_ok("nightly-2026-05-01-aarch64-apple-darwin");
  CHECK_STR(ch.date, "2026-05-01");
  CHECK_STR(ch.host, "aarch64-apple-darwin");
  REQUIRE(xr_channel_format(&ch, &b) == 0);
  CHECK_STR(xr_buf_str(&b), "nightly-2026-05-01-aarch64-apple-darwin");
  xr_buf_release(&b);
}

static void parse_bad(const char *s, const char *needle)
{
  struct xr_channel ch;
  struct xr_err err;

  xr_err_clear(&err);
  CHECK(xr_channel_parse(s, &ch, &err) == XR_EUSAGE);
  if (!strstr(err.msg, needle)) {
    fprintf(stderr, "# '%s': message '%s' lacks '%s'\n", s, err.msg,
            needle);
    tap_failures++;
  }
}

TEST(invalid_names)
{
  parse_bad("", "empty channel");
  parse_bad("stabel", "invalid channel 'stabel': expected stable");
  parse_bad("stablex", "invalid channel");
  parse_bad("1", "invalid channel");
  parse_bad("1.", "invalid channel");
  parse_bad("1.096", "invalid channel");
  parse_bad("1.1000", "invalid channel");
  parse_bad("1.96.0.1", "invalid channel");
  parse_bad("1.96.123", "invalid channel");
  parse_bad("10.1", "invalid channel");
  parse_bad("1.96.0-beta.123", "invalid channel");
  parse_bad("1.96.0-rc", "neither a date");
  parse_bad("nightly-20260501", "neither a date");
  parse_bad("nightly-", "neither a date");
  parse_bad("nightly-2026-13-01", "'2026-13-01' is not a valid date");
  parse_bad("nightly-2026-02-29", "is not a valid date");
  parse_bad("nightly-2026-04-31", "is not a valid date");
  parse_bad("nightly-2026-00-10", "is not a valid date");
  parse_bad("stable-x86_64--linux", "neither a date");
  parse_bad("stable-x86 64-linux", "neither a date");
}

TEST(manifest_url)
{
  struct xr_buf b = XR_BUF_INIT;
  struct xr_channel ch = parse_ok("1.96.0");

  REQUIRE(xr_channel_manifest_url(NULL, &ch, &b) == 0);
  CHECK_STR(xr_buf_str(&b),
            "https://static.rust-lang.org/dist/channel-rust-1.96.0.toml");
  xr_buf_reset(&b);
  REQUIRE(xr_channel_manifest_url("http://127.0.0.1:8080//", &ch, &b) == 0);
  CHECK_STR(xr_buf_str(&b),
            "http://127.0.0.1:8080/dist/channel-rust-1.96.0.toml");
  xr_buf_reset(&b);
  ch = parse_ok("nightly-2026-05-01");
  REQUIRE(xr_channel_manifest_url("file:///srv/mirror", &ch, &b) == 0);
  CHECK_STR(xr_buf_str(&b),
            "file:///srv/mirror/dist/2026-05-01/channel-rust-nightly.toml");
  xr_buf_release(&b);
}

static const char *rewrite(const char *url, const char *server)
{
  static struct xr_buf b;

  xr_buf_reset(&b);
  REQUIRE(xr_dist_rewrite_url(url, server, &b) == 0);
  return xr_buf_str(&b);
}

static const char *canonical(const char *url, const char *server)
{
  static struct xr_buf b;

  xr_buf_reset(&b);
  REQUIRE(xr_dist_canonical_url(url, server, &b) == 0);
  return xr_buf_str(&b);
}

TEST(url_rewrite)
{
  const char *u = "https://static.rust-lang.org/dist/2026-05-25/"
                  "rustc-1.96.0-x86_64-unknown-linux-gnu.tar.xz";

  CHECK_STR(rewrite(u, "http://127.0.0.1:9/"),
            "http://127.0.0.1:9/dist/2026-05-25/"
            "rustc-1.96.0-x86_64-unknown-linux-gnu.tar.xz");
  CHECK_STR(rewrite(u, "file:///m"),
            "file:///m/dist/2026-05-25/"
            "rustc-1.96.0-x86_64-unknown-linux-gnu.tar.xz");
  CHECK_STR(rewrite(u, NULL), u);
  CHECK_STR(rewrite(u, ""), u);
  CHECK_STR(rewrite(u, "https://static.rust-lang.org"), u);
  /* Other hosts, and look-alike prefixes, are left alone. */
  CHECK_STR(rewrite("https://example.com/dist/x.tar.gz", "http://m"),
            "https://example.com/dist/x.tar.gz");
  CHECK_STR(rewrite("https://static.rust-lang.org.evil/x", "http://m"),
            "https://static.rust-lang.org.evil/x");
  CHECK_STR(rewrite("http://static.rust-lang.org/x", "http://m"),
            "http://static.rust-lang.org/x");
}

TEST(url_canonical)
{
  CHECK_STR(canonical("http://127.0.0.1:9/dist/a.tar.gz",
                      "http://127.0.0.1:9/"),
            "https://static.rust-lang.org/dist/a.tar.gz");
  CHECK_STR(canonical("https://static.rust-lang.org/dist/a.tar.gz",
                      "http://127.0.0.1:9"),
            "https://static.rust-lang.org/dist/a.tar.gz");
  CHECK_STR(canonical("http://127.0.0.1:90/dist/a.tar.gz",
                      "http://127.0.0.1:9"),
            "http://127.0.0.1:90/dist/a.tar.gz");
  CHECK_STR(canonical("https://x/a", NULL), "https://x/a");
  /* Round trip through another mirror. */
  CHECK_STR(rewrite(canonical("http://127.0.0.1:9/dist/a.tar.gz",
                              "http://127.0.0.1:9"), "file:///copy"),
            "file:///copy/dist/a.tar.gz");
}

TEST(local_servers)
{
  CHECK(xr_dist_server_is_local("http://127.0.0.1:8080"));
  CHECK(xr_dist_server_is_local("http://127.1.2.3/"));
  CHECK(xr_dist_server_is_local("HTTP://LocalHost:1/x"));
  CHECK(xr_dist_server_is_local("https://localhost"));
  CHECK(xr_dist_server_is_local("http://[::1]:80"));
  CHECK(xr_dist_server_is_local("http://user@127.0.0.1/"));
  CHECK(xr_dist_server_is_local("file:///srv/mirror"));
  CHECK(!xr_dist_server_is_local("https://static.rust-lang.org"));
  CHECK(!xr_dist_server_is_local("http://127.evil.example/"));
  CHECK(!xr_dist_server_is_local("http://localhost.example/"));
  CHECK(!xr_dist_server_is_local("http://[::2]/"));
  CHECK(!xr_dist_server_is_local("ftp://127.0.0.1/"));
  CHECK(!xr_dist_server_is_local(""));
  CHECK(!xr_dist_server_is_local(NULL));
}

#define GZ (1u << XR_FMT_GZ)
#define XZ (1u << XR_FMT_XZ)
#define ZST (1u << XR_FMT_ZST)

TEST(format_rule)
{
  const char *far = "https://static.rust-lang.org";
  const char *near = "http://127.0.0.1:8080";

  /* auto: zst when present, gz near, xz far */
  CHECK(xr_dist_format_choose(XR_FMT_PREF_AUTO, far, GZ | XZ | ZST) ==
        XR_FMT_ZST);
  CHECK(xr_dist_format_choose(XR_FMT_PREF_AUTO, near, GZ | XZ) ==
        XR_FMT_GZ);
  CHECK(xr_dist_format_choose(XR_FMT_PREF_AUTO, "file:///m", GZ | XZ) ==
        XR_FMT_GZ);
  CHECK(xr_dist_format_choose(XR_FMT_PREF_AUTO, far, GZ | XZ) == XR_FMT_XZ);
  CHECK(xr_dist_format_choose(XR_FMT_PREF_AUTO, NULL, GZ | XZ) ==
        XR_FMT_XZ);
  /* fallbacks when the preferred format is missing */
  CHECK(xr_dist_format_choose(XR_FMT_PREF_AUTO, near, XZ) == XR_FMT_XZ);
  CHECK(xr_dist_format_choose(XR_FMT_PREF_AUTO, far, GZ) == XR_FMT_GZ);
  CHECK(xr_dist_format_choose(XR_FMT_PREF_GZ, far, GZ | XZ | ZST) ==
        XR_FMT_GZ);
  CHECK(xr_dist_format_choose(XR_FMT_PREF_XZ, near, GZ | XZ) == XR_FMT_XZ);
  CHECK(xr_dist_format_choose(XR_FMT_PREF_ZST, near, GZ | XZ) ==
        XR_FMT_GZ);
  CHECK(xr_dist_format_choose(XR_FMT_PREF_XZ, far, GZ | ZST) ==
        XR_FMT_ZST);
}

TEST(format_names)
{
  enum xr_format_pref p;
  enum xr_dist_format f;
  struct xr_err err;

  CHECK(xr_format_pref_parse(NULL, &p, NULL) == 0 && p == XR_FMT_PREF_AUTO);
  CHECK(xr_format_pref_parse("", &p, NULL) == 0 && p == XR_FMT_PREF_AUTO);
  CHECK(xr_format_pref_parse("auto", &p, NULL) == 0 &&
        p == XR_FMT_PREF_AUTO);
  CHECK(xr_format_pref_parse("gz", &p, NULL) == 0 && p == XR_FMT_PREF_GZ);
  CHECK(xr_format_pref_parse("xz", &p, NULL) == 0 && p == XR_FMT_PREF_XZ);
  CHECK(xr_format_pref_parse("zst", &p, NULL) == 0 && p == XR_FMT_PREF_ZST);
  xr_err_clear(&err);
  CHECK(xr_format_pref_parse("bz2", &p, &err) == XR_EUSAGE);
  CHECK_STR(err.msg,
            "invalid archive format 'bz2': expected gz, xz, zst or auto");
  CHECK(xr_dist_format_parse("zst", &f) == 0 && f == XR_FMT_ZST);
  CHECK(xr_dist_format_parse("tar", &f) == -1);
  CHECK_STR(xr_dist_format_name(XR_FMT_XZ), "xz");
}

TAP_MAIN(TAP_CASE(named_channels), TAP_CASE(versions), TAP_CASE(dated),
         TAP_CASE(host_suffix), TAP_CASE(invalid_names),
         TAP_CASE(manifest_url), TAP_CASE(url_rewrite),
         TAP_CASE(url_canonical), TAP_CASE(local_servers),
         TAP_CASE(format_rule), TAP_CASE(format_names))
