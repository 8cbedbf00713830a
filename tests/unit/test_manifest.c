/*
 * Channel manifest parsing and plan selection (manifest.c), on a small
 * inline manifest shaped like the real ones (and like the loopback
 * fixture's): pkg.rust with components and extensions, renames,
 * profiles, an unavailable target, a "*" target, zst for one package.
 */
#include "tap.h"

#include "xrust/buf.h"
#include "xrust/channel.h"
#include "xrust/manifest.h"

#define H1 "1111111111111111111111111111111111111111111111111111111111111111"
#define H2 "2222222222222222222222222222222222222222222222222222222222222222"
#define H3 "3333333333333333333333333333333333333333333333333333333333333333"
#define H4 "4444444444444444444444444444444444444444444444444444444444444444"
#define H5 "5555555555555555555555555555555555555555555555555555555555555555"
#define H6 "6666666666666666666666666666666666666666666666666666666666666666"
#define H7 "7777777777777777777777777777777777777777777777777777777777777777"
#define H8 "8888888888888888888888888888888888888888888888888888888888888888"
#define H9 "9999999999999999999999999999999999999999999999999999999999999999"
#define HA "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

#define D "https://static.rust-lang.org/dist/2026-05-25/"
#define HOST "x86_64-unknown-linux-gnu"
#define ARM "aarch64-unknown-linux-musl"

static const char manifest[] =
  "manifest-version = \"2\"\n"
  "date = \"2026-05-25\"\n"
  "[pkg.rust]\n"
  "version = \"1.96.0 (abc 2026-05-25)\"\n"
  "[pkg.rust.target." HOST "]\n"
  "available = false\n"
  "components = [{pkg = \"rustc\", target = \"" HOST "\"},\n"
  "              {pkg = \"cargo\", target = \"" HOST "\"},\n"
  "              {pkg = \"rust-std\", target = \"" HOST "\"}]\n"
  "extensions = [{pkg = \"rust-std\", target = \"" ARM "\"},\n"
  "              {pkg = \"rust-src\", target = \"*\"}]\n"
  "[pkg.rustc]\n"
  "version = \"1.96.0 (abc 2026-05-25)\"\n"
  "git_commit_hash = \"abc\"\n"
  "[pkg.rustc.target." HOST "]\n"
  "available = true\n"
  "url = \"" D "rustc-1.96.0-" HOST ".tar.gz\"\n"
  "hash = \"" H1 "\"\n"
  "xz_url = \"" D "rustc-1.96.0-" HOST ".tar.xz\"\n"
  "xz_hash = \"" H2 "\"\n"
  "[pkg.cargo.target." HOST "]\n"
  "available = true\n"
  "url = \"" D "cargo-1.96.0-" HOST ".tar.gz\"\n"
  "hash = \"" H3 "\"\n"
  "xz_url = \"" D "cargo-1.96.0-" HOST ".tar.xz\"\n"
  "xz_hash = \"" H4 "\"\n"
  "zst_url = \"" D "cargo-1.96.0-" HOST ".tar.zst\"\n"
  "zst_hash = \"" HA "\"\n"
  "[pkg.rust-std.target." HOST "]\n"
  "available = true\n"
  "url = \"" D "rust-std-1.96.0-" HOST ".tar.gz\"\n"
  "hash = \"" H5 "\"\n"
  "xz_url = \"" D "rust-std-1.96.0-" HOST ".tar.xz\"\n"
  "xz_hash = \"" H6 "\"\n"
  "[pkg.rust-std.target." ARM "]\n"
  "available = true\n"
  "url = \"" D "rust-std-1.96.0-" ARM ".tar.gz\"\n"
  "hash = \"" H7 "\"\n"
  "[pkg.rust-std.target.riscv64gc-unknown-linux-musl]\n"
  "available = false\n"
  "url = \"\"\n"
  "hash = \"\"\n"
  "[pkg.rust-src.target.\"*\"]\n"
  "available = true\n"
  "xz_url = \"" D "rust-src-1.96.0.tar.xz\"\n"
  "xz_hash = \"" H8 "\"\n"
  "[pkg.rust-mingw.target.x86_64-pc-windows-gnu]\n"
  "available = true\n"
  "url = \"" D "rust-mingw-1.96.0-x86_64-pc-windows-gnu.tar.gz\"\n"
  "hash = \"" H9 "\"\n"
  "[pkg.clippy-preview.target." HOST "]\n"
  "available = false\n"
  "[renames.clippy]\n"
  "to = \"clippy-preview\"\n"
  "[renames.rls]\n"
  "to = \"rls-preview\"\n"
  "[profiles]\n"
  "minimal = [\"rustc\", \"cargo\", \"rust-std\", \"rust-mingw\"]\n"
  "default = [\"rustc\", \"cargo\", \"rust-std\", \"rust-mingw\",\n"
  "           \"clippy-preview\"]\n"
  "[artifacts.source-code.target.\"*\"]\n"
  "x = 1\n";

static void load(struct xr_manifest *m)
{
  struct xr_err err;

  xr_err_clear(&err);
  if (xr_manifest_parse(m, manifest, sizeof(manifest) - 1, "m.toml",
                        &err)) {
    fprintf(stderr, "# %s\n", err.msg);
    exit(1);
  }
}

TEST(parses_structure)
{
  struct xr_manifest m;
  const struct xr_mf_pkg *p;
  const struct xr_mf_target *t;

  load(&m);
  CHECK_STR(m.version, "2");
  CHECK_STR(m.date, "2026-05-25");
  CHECK(m.npkgs == 7);
  p = xr_manifest_pkg(&m, "rustc");
  REQUIRE(p);
  CHECK_STR(p->version, "1.96.0 (abc 2026-05-25)");
  CHECK_STR(p->git_commit_hash, "abc");
  REQUIRE(p->ntargets == 1);
  t = &p->targets[0];
  CHECK_STR(t->triple, HOST);
  CHECK(t->available == 1);
  CHECK_STR(t->hash, H1);
  CHECK_STR(t->xz_hash, H2);
  CHECK(t->zst_url == NULL);
  p = xr_manifest_pkg(&m, "rust");
  REQUIRE(p && p->ntargets == 1);
  t = &p->targets[0];
  CHECK(!t->available);
  REQUIRE(t->ncomponents == 3 && t->nextensions == 2);
  CHECK_STR(t->components[1].pkg, "cargo");
  CHECK_STR(t->extensions[0].target, ARM);
  CHECK_STR(t->extensions[1].pkg, "rust-src");
  CHECK(xr_manifest_pkg(&m, "miri") == NULL);
  CHECK_STR(xr_manifest_rename(&m, "clippy"), "clippy-preview");
  CHECK_STR(xr_manifest_rename(&m, "rust-src"), "rust-src");
  REQUIRE(m.nprofiles == 2);
  CHECK(xr_manifest_profile(&m, "default")->ncomponents == 5);
  CHECK(xr_manifest_profile(&m, "complete") == NULL);
  /* "*" is the fallback of any triple */
  p = xr_manifest_pkg(&m, "rust-src");
  CHECK_STR(xr_mf_pkg_target(p, HOST)->triple, "*");
  xr_manifest_release(&m);
}

static int plan(struct xr_plan *out, const char *const *targets, size_t nt,
                const char *const *comps, size_t nc, const char *server,
                enum xr_format_pref fmt, struct xr_err *err)
{
  struct xr_manifest m;
  struct xr_plan_request req;
  int rc;

  load(&m);
  memset(&req, 0, sizeof(req));
  req.channel = "1.96.0";
  req.host = HOST;
  req.targets = targets;
  req.ntargets = nt;
  req.components = comps;
  req.ncomponents = nc;
  req.server = server;
  req.format = fmt;
  xr_plan_init(out);
  xr_err_clear(err);
  rc = xr_manifest_plan(&m, &req, out, err);
  xr_manifest_release(&m);
  return rc;
}

static const struct xr_artifact *find(const struct xr_plan *p,
                                      const char *pkg, const char *target)
{
  size_t i;

  for (i = 0; i < p->n; i++)
    if (!strcmp(p->items[i].pkg, pkg) && !strcmp(p->items[i].target, target))
      return &p->items[i];
  return NULL;
}

TEST(minimal_plan_far)
{
  static const char *const targets[] = { ARM, HOST };
  struct xr_plan p;
  struct xr_err err;
  const struct xr_artifact *a;

  REQUIRE(plan(&p, targets, 2, NULL, 0, "https://static.rust-lang.org",
               XR_FMT_PREF_AUTO, &err) == 0);
  /* rustc, cargo, rust-std host, rust-std arm; rust-mingw skipped */
  CHECK(p.n == 4);
  CHECK_STR(p.items[0].pkg, "rustc");
  CHECK_STR(p.items[1].pkg, "cargo");
  CHECK_STR(p.items[2].pkg, "rust-std");
  CHECK_STR(p.items[3].target, ARM);
  a = find(&p, "rustc", HOST);
  REQUIRE(a);
  CHECK(a->format == XR_FMT_XZ);
  CHECK_STR(a->sha256, H2);
  CHECK_STR(a->url, D "rustc-1.96.0-" HOST ".tar.xz");
  a = find(&p, "cargo", HOST);
  REQUIRE(a);
  CHECK(a->format == XR_FMT_ZST);
  /* digests are stored in lowercase */
  CHECK_STR(a->sha256, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
  /* only gz exists for the arm std */
  a = find(&p, "rust-std", ARM);
  REQUIRE(a);
  CHECK(a->format == XR_FMT_GZ);
  CHECK_STR(a->sha256, H7);
  CHECK(find(&p, "rust-mingw", "x86_64-pc-windows-gnu") == NULL);
  xr_plan_release(&p);
}

TEST(loopback_prefers_gz)
{
  struct xr_plan p;
  struct xr_err err;

  REQUIRE(plan(&p, NULL, 0, NULL, 0, "http://127.0.0.1:8080",
               XR_FMT_PREF_AUTO, &err) == 0);
  CHECK(p.n == 3);
  CHECK(find(&p, "rustc", HOST)->format == XR_FMT_GZ);
  CHECK(find(&p, "cargo", HOST)->format == XR_FMT_ZST);
  CHECK(find(&p, "rust-std", HOST)->format == XR_FMT_GZ);
  xr_plan_release(&p);
  REQUIRE(plan(&p, NULL, 0, NULL, 0, "http://127.0.0.1:8080",
               XR_FMT_PREF_XZ, &err) == 0);
  CHECK(find(&p, "rustc", HOST)->format == XR_FMT_XZ);
  CHECK(find(&p, "cargo", HOST)->format == XR_FMT_XZ);
  xr_plan_release(&p);
}

TEST(components_through_renames)
{
  static const char *const comps[] = { "rust-src", "rust-src" };
  struct xr_plan p;
  struct xr_err err;
  const struct xr_artifact *a;

  REQUIRE(plan(&p, NULL, 0, comps, 2, NULL, XR_FMT_PREF_GZ, &err) == 0);
  CHECK(p.n == 4);
  a = find(&p, "rust-src", "*");
  REQUIRE(a);
  CHECK(a->format == XR_FMT_XZ);
  CHECK_STR(a->sha256, H8);
  xr_plan_release(&p);
}

TEST(unavailable_target)
{
  static const char *const targets[] = { "riscv64gc-unknown-linux-musl" };
  struct xr_plan p;
  struct xr_err err;

  CHECK(plan(&p, targets, 1, NULL, 0, NULL, XR_FMT_PREF_AUTO, &err) ==
        XR_ENOTFOUND);
  CHECK_STR(err.msg, "component 'rust-std' is not available for target "
            "'riscv64gc-unknown-linux-musl' in channel 1.96.0 (manifest "
            "2026-05-25)");
  CHECK(p.n == 0);
}

TEST(unknown_target)
{
  static const char *const targets[] = { "mips-unknown-none" };
  struct xr_plan p;
  struct xr_err err;

  CHECK(plan(&p, targets, 1, NULL, 0, NULL, XR_FMT_PREF_AUTO, &err) ==
        XR_ENOTFOUND);
  CHECK_STR(err.msg, "component 'rust-std' is not available for target "
            "'mips-unknown-none' in channel 1.96.0 (manifest 2026-05-25)");
}

TEST(unknown_and_unavailable_components)
{
  static const char *const c1[] = { "miri" };
  static const char *const c2[] = { "clippy" };
  struct xr_plan p;
  struct xr_err err;

  CHECK(plan(&p, NULL, 0, c1, 1, NULL, XR_FMT_PREF_AUTO, &err) ==
        XR_ENOTFOUND);
  CHECK_STR(err.msg, "unknown component 'miri' in channel 1.96.0 "
            "(manifest 2026-05-25)");
  CHECK(plan(&p, NULL, 0, c2, 1, NULL, XR_FMT_PREF_AUTO, &err) ==
        XR_ENOTFOUND);
  CHECK_STR(err.msg, "component 'clippy' is not available for target '"
            HOST "' in channel 1.96.0 (manifest 2026-05-25)");
}

TEST(profiles)
{
  struct xr_manifest m;
  struct xr_plan_request req;
  struct xr_plan p;
  struct xr_err err;

  load(&m);
  memset(&req, 0, sizeof(req));
  req.host = HOST;
  req.channel = "stable";
  req.profile = "complete";
  xr_plan_init(&p);
  CHECK(xr_manifest_plan(&m, &req, &p, &err) == XR_ENOTFOUND);
  CHECK_STR(err.msg, "unknown profile 'complete' in channel stable "
            "(manifest 2026-05-25)");
  /* default lists clippy-preview, which is unavailable: an error */
  req.profile = "default";
  CHECK(xr_manifest_plan(&m, &req, &p, &err) == XR_ENOTFOUND);
  CHECK(strstr(err.msg, "'clippy-preview' is not available") != NULL);
  /* a host the manifest lacks */
  req.profile = NULL;
  req.host = "aarch64-unknown-linux-gnu";
  CHECK(xr_manifest_plan(&m, &req, &p, &err) == XR_ENOTFOUND);
  CHECK(strstr(err.msg, "'rust-std' is not available for target "
               "'aarch64-unknown-linux-gnu'") != NULL);
  req.host = NULL;
  CHECK(xr_manifest_plan(&m, &req, &p, &err) == XR_EUSAGE);
  xr_manifest_release(&m);
}

TEST(plan_id_is_order_independent)
{
  struct xr_plan a, b;
  struct xr_err err;
  char ia[65], ib[65], ic[65];

  xr_plan_init(&a);
  xr_plan_init(&b);
  REQUIRE(xr_plan_add(&a, "rustc", HOST, "u1", H1, XR_FMT_GZ, &err) == 0);
  REQUIRE(xr_plan_add(&a, "cargo", HOST, "u2", H2, XR_FMT_GZ, &err) == 0);
  REQUIRE(xr_plan_add(&b, "cargo", HOST, "u2", H2, XR_FMT_GZ, &err) == 0);
  REQUIRE(xr_plan_add(&b, "rustc", HOST, "u1", H1, XR_FMT_GZ, &err) == 0);
  REQUIRE(xr_plan_id(&a, ia, &err) == 0);
  REQUIRE(xr_plan_id(&b, ib, &err) == 0);
  CHECK_STR(ia, ib);
  CHECK(strlen(ia) == 64);
  REQUIRE(xr_plan_add(&b, "rust-std", ARM, "u3", H3, XR_FMT_GZ, &err) == 0);
  REQUIRE(xr_plan_id(&b, ic, &err) == 0);
  CHECK(strcmp(ia, ic) != 0);
  /* duplicates are ignored, bad digests refused */
  CHECK(xr_plan_add(&b, "rustc", HOST, "x", H9, XR_FMT_XZ, &err) == 0);
  CHECK(b.n == 3);
  CHECK(xr_plan_add(&b, "x", HOST, "x", "abc", XR_FMT_XZ, &err) ==
        XR_EMANIFEST);
  xr_plan_sort(&b);
  CHECK_STR(b.items[0].pkg, "cargo");
  CHECK_STR(b.items[2].pkg, "rustc");
  xr_plan_release(&a);
  xr_plan_release(&b);
}

static void parse_bad(const char *text, enum xr_code code, const char *want)
{
  struct xr_manifest m;
  struct xr_err err;

  xr_err_clear(&err);
  CHECK(xr_manifest_parse(&m, text, strlen(text), "bad.toml", &err) ==
        (int)code);
  if (!strstr(err.msg, want)) {
    fprintf(stderr, "# message '%s' lacks '%s'\n", err.msg, want);
    tap_failures++;
  }
  CHECK(m.root == NULL && m.pkgs == NULL);
}

TEST(malformed_manifests)
{
  parse_bad("manifest-version = \"2\"\ndate = \"2026-05-25\"\n[pkg\n",
            XR_ETOML, "bad.toml:3:");
  parse_bad("date = \"x\"\n[pkg]\n", XR_EMANIFEST,
            "bad.toml: not a channel manifest (no 'manifest-version')");
  parse_bad("manifest-version = \"1\"\n", XR_EMANIFEST,
            "bad.toml:1:20: unsupported manifest-version '1'");
  parse_bad("manifest-version = 2\n", XR_EMANIFEST,
            "bad.toml:1:20: '(root).manifest-version' must be a string");
  parse_bad("manifest-version = \"2\"\n[pkg]\n", XR_EMANIFEST,
            "bad.toml: manifest has no 'date'");
  parse_bad("manifest-version = \"2\"\ndate = \"d\"\n", XR_EMANIFEST,
            "manifest has no 'pkg' table");
  parse_bad("manifest-version = \"2\"\ndate = \"d\"\n"
            "[pkg.rustc.target.x]\navailable = \"yes\"\n", XR_EMANIFEST,
            "bad.toml:4:13: 'pkg.rustc.target.x.available' must be a "
            "boolean");
  parse_bad("manifest-version = \"2\"\ndate = \"d\"\n"
            "[pkg.rustc.target.x]\navailable = true\nurl = 3\n",
            XR_EMANIFEST, "bad.toml:5:7: 'pkg.rustc.target.x.url' must be "
            "a string");
  parse_bad("manifest-version = \"2\"\ndate = \"d\"\n"
            "[pkg.rustc.target.x]\navailable = true\nurl = \"u\"\n"
            "hash = \"abc\"\n", XR_EMANIFEST,
            "bad.toml:6:8: 'pkg.rustc.target.x.hash' is not a sha256");
  parse_bad("manifest-version = \"2\"\ndate = \"d\"\n"
            "[pkg.rust.target.x]\ncomponents = [{pkg = \"a\"}]\n",
            XR_EMANIFEST, "entries need 'pkg' and 'target'");
  parse_bad("manifest-version = \"2\"\ndate = \"d\"\n[pkg]\n"
            "[renames.a]\nfrom = \"b\"\n", XR_EMANIFEST,
            "'renames.a' has no 'to'");
  parse_bad("manifest-version = \"2\"\ndate = \"d\"\n[pkg]\n"
            "[profiles]\nminimal = [1]\n", XR_EMANIFEST,
            "bad.toml:5:12: 'profiles.minimal' must hold strings");
}

TEST(truncated_manifest)
{
  struct xr_manifest m;
  struct xr_err err;
  size_t n = sizeof(manifest) - 1;

  /* Cut inside a string: the TOML parser notices. */
  n = (size_t)(strstr(manifest, "rustc-1.96.0") - manifest);
  xr_err_clear(&err);
  CHECK(xr_manifest_parse(&m, manifest, n, "cut.toml", &err) == XR_ETOML);
  CHECK(strncmp(err.msg, "cut.toml:", 9) == 0);
}

/* PIN of channel NAME under manifest M, or the error message. */
static void pin_is(const struct xr_manifest *m, const char *name,
                   int want_rc, const char *want)
{
  struct xr_channel ch;
  struct xr_buf b = XR_BUF_INIT;
  struct xr_err err;
  int rc;

  xr_err_clear(&err);
  REQUIRE(xr_channel_parse(name, &ch, &err) == 0);
  rc = xr_manifest_pin(m, &ch, &b, &err);
  CHECK(rc == want_rc);
  if (!rc)
    CHECK_STR(xr_buf_str(&b), want);
  else if (!strstr(err.msg, want)) {
    fprintf(stderr, "# message '%s' lacks '%s'\n", err.msg, want);
    tap_failures++;
  }
  xr_buf_release(&b);
}

TEST(pins_channels)
{
  static const char no_version[] =
    "manifest-version = \"2\"\ndate = \"2026-05-25\"\n"
    "[pkg.rust]\nversion = \"1.96 (abc)\"\n";
  struct xr_manifest m, bad;
  struct xr_channel ch;
  struct xr_err err;

  load(&m);
  /* moving channels resolve: the release version, or the dated form */
  pin_is(&m, "stable", 0, "1.96.0");
  pin_is(&m, "1.96", 0, "1.96.0");
  pin_is(&m, "stable-" HOST, 0, "1.96.0-" HOST);
  pin_is(&m, "nightly", 0, "nightly-2026-05-25");
  pin_is(&m, "beta", 0, "beta-2026-05-25");
  /* pinned channels are kept as they are */
  pin_is(&m, "1.95.0", 0, "1.95.0");
  pin_is(&m, "1.96.0-beta.2", 0, "1.96.0-beta.2");
  pin_is(&m, "nightly-2026-01-02", 0, "nightly-2026-01-02");
  pin_is(&m, "stable-2026-01-02", 0, "stable-2026-01-02");
  xr_err_clear(&err);
  REQUIRE(xr_channel_parse("1.96", &ch, &err) == 0);
  CHECK(!xr_channel_is_pinned(&ch));
  REQUIRE(xr_channel_parse("1.96.1", &ch, &err) == 0);
  CHECK(xr_channel_is_pinned(&ch));
  REQUIRE(xr_channel_parse("1.8", &ch, &err) == 0);   /* rustup: 1.8.0 */
  CHECK(xr_channel_is_pinned(&ch));
  xr_manifest_release(&m);
  /* a manifest whose pkg.rust version is no release version */
  REQUIRE(xr_manifest_parse(&bad, no_version, sizeof(no_version) - 1,
                            "nv.toml", &err) == 0);
  pin_is(&bad, "stable", XR_EMANIFEST,
         "cannot pin channel 'stable': the manifest's pkg.rust version "
         "'1.96' is not a release version");
  pin_is(&bad, "nightly", 0, "nightly-2026-05-25");
  xr_manifest_release(&bad);
}

TAP_MAIN(TAP_CASE(parses_structure), TAP_CASE(pins_channels),
         TAP_CASE(minimal_plan_far),
         TAP_CASE(loopback_prefers_gz), TAP_CASE(components_through_renames),
         TAP_CASE(unavailable_target), TAP_CASE(unknown_target),
         TAP_CASE(unknown_and_unavailable_components), TAP_CASE(profiles),
         TAP_CASE(plan_id_is_order_independent),
         TAP_CASE(malformed_manifests), TAP_CASE(truncated_manifest))
