/*
 * Unit tests of the C compiler's table of target.c: `$(CC) -dumpmachine`
 * triples to Rust triples (xr_target_from_cc, xr_target_from_cc_libc),
 * every row's examples, the loose parsing, the C library override and
 * the errors (the short-name table: test_base.c).
 */
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "xrust/error.h"
#include "xrust/target.h"

/* The mappings the table must keep, written out apart from it. */
static const char *const required[][2] = {
  { "x86_64-linux-gnu", "x86_64-unknown-linux-gnu" },
  { "x86_64-pc-linux-gnu", "x86_64-unknown-linux-gnu" },
  { "x86_64-redhat-linux", "x86_64-unknown-linux-gnu" },
  { "x86_64-suse-linux", "x86_64-unknown-linux-gnu" },
  { "x86_64-unknown-linux", "x86_64-unknown-linux-gnu" },
  { "x86_64-unknown-linux-gnu", "x86_64-unknown-linux-gnu" },
  { "x86_64-linux-musl", "x86_64-unknown-linux-musl" },
  { "x86_64-alpine-linux-musl", "x86_64-unknown-linux-musl" },
  { "x86_64-unknown-linux-musl", "x86_64-unknown-linux-musl" },
  { "aarch64-linux-gnu", "aarch64-unknown-linux-gnu" },
  { "aarch64-unknown-linux-gnu", "aarch64-unknown-linux-gnu" },
  { "aarch64-none-linux-gnu", "aarch64-unknown-linux-gnu" },
  { "aarch64-linux-musl", "aarch64-unknown-linux-musl" },
  { "arm-linux-gnueabihf", "armv7-unknown-linux-gnueabihf" },
  { "arm-unknown-linux-gnueabihf", "armv7-unknown-linux-gnueabihf" },
  { "arm-none-linux-gnueabihf", "armv7-unknown-linux-gnueabihf" },
  { "armv7l-linux-gnueabihf", "armv7-unknown-linux-gnueabihf" },
  { "armv7a-unknown-linux-gnueabihf", "armv7-unknown-linux-gnueabihf" },
  { "armv7-unknown-linux-gnueabihf", "armv7-unknown-linux-gnueabihf" },
  { "arm-linux-gnueabi", "arm-unknown-linux-gnueabi" },
  { "arm-linux-musleabihf", "arm-unknown-linux-musleabihf" },
  { "armv6-alpine-linux-musleabihf", "arm-unknown-linux-musleabihf" },
  { "armv7-alpine-linux-musleabihf", "armv7-unknown-linux-musleabihf" },
  { "armv7l-linux-musleabihf", "armv7-unknown-linux-musleabihf" },
  { "arm-linux-musleabi", "arm-unknown-linux-musleabi" },
  { "riscv64-linux-gnu", "riscv64gc-unknown-linux-gnu" },
  { "riscv64-unknown-linux-gnu", "riscv64gc-unknown-linux-gnu" },
  { "riscv64gc-unknown-linux-gnu", "riscv64gc-unknown-linux-gnu" },
  { "riscv64-linux-musl", "riscv64gc-unknown-linux-musl" },
  { "i686-linux-gnu", "i686-unknown-linux-gnu" },
  { "i386-linux-gnu", "i686-unknown-linux-gnu" },
  { "i486-linux-gnu", "i686-unknown-linux-gnu" },
  { "i686-pc-linux-gnu", "i686-unknown-linux-gnu" },
  { "i686-redhat-linux", "i686-unknown-linux-gnu" },
  { "i586-linux-gnu", "i586-unknown-linux-gnu" },
  { "i686-linux-musl", "i686-unknown-linux-musl" },
  { "i586-alpine-linux-musl", "i586-unknown-linux-musl" },
  { "powerpc64le-linux-gnu", "powerpc64le-unknown-linux-gnu" },
  { "ppc64le-redhat-linux", "powerpc64le-unknown-linux-gnu" },
  { "powerpc64le-alpine-linux-musl", "powerpc64le-unknown-linux-musl" },
  { "powerpc64-linux-gnu", "powerpc64-unknown-linux-gnu" },
  { "powerpc-linux-gnu", "powerpc-unknown-linux-gnu" },
  { "s390x-linux-gnu", "s390x-unknown-linux-gnu" },
  { "s390x-redhat-linux", "s390x-unknown-linux-gnu" },
  { "loongarch64-linux-gnu", "loongarch64-unknown-linux-gnu" },
  { "loongarch64-linux-musl", "loongarch64-unknown-linux-musl" },
  { "mips64el-linux-gnuabi64", "mips64el-unknown-linux-gnuabi64" },
  { "x86_64-w64-mingw32", "x86_64-pc-windows-gnu" },
  { "x86_64-w64-windows-gnu", "x86_64-pc-windows-gnu" },
  { "x86_64-pc-windows-gnu", "x86_64-pc-windows-gnu" },
  { "i686-w64-mingw32", "i686-pc-windows-gnu" },
  { "arm64-apple-darwin23.1.0", "aarch64-apple-darwin" },
  { "aarch64-apple-darwin", "aarch64-apple-darwin" },
  { "aarch64-apple-darwin24.0.0", "aarch64-apple-darwin" },
  { "arm64-apple-macos14", "aarch64-apple-darwin" },
  { "arm64-apple-macosx14.0.0", "aarch64-apple-darwin" },
  { "x86_64-apple-darwin23.1.0", "x86_64-apple-darwin" },
  { "x86_64-apple-darwin", "x86_64-apple-darwin" },
  { "x86_64-unknown-freebsd14.0", "x86_64-unknown-freebsd" },
  { "x86_64-unknown-freebsd", "x86_64-unknown-freebsd" },
  { "aarch64-unknown-freebsd13.2", "aarch64-unknown-freebsd" },
};

TEST(cc_required_mappings)
{
  struct xr_err e;
  size_t i;

  for (i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
    xr_err_clear(&e);
    CHECK_STR(xr_target_from_cc(required[i][0], &e), required[i][1]);
    CHECK(e.code == XR_EOK);
  }
}

/* Each example of each row maps to that row; no Rust triple twice. */
TEST(cc_every_row_and_example)
{
  char ex[256], *w, *end;
  struct xr_err e;
  unsigned i, j, n = xr_target_cc_count(), words;

  CHECK(n >= 25);
  for (i = 0; i < n; i++) {
    const char *rust = xr_target_cc_rust_at(i);
    REQUIRE(rust != NULL && xr_target_cc_examples_at(i) != NULL);
    REQUIRE(strlen(xr_target_cc_examples_at(i)) < sizeof(ex));
    memcpy(ex, xr_target_cc_examples_at(i),
           strlen(xr_target_cc_examples_at(i)) + 1);
    words = 0;
    for (w = ex; *w; w = end) {
      end = w + strcspn(w, " ");
      if (*end)
        *end++ = '\0';
      xr_err_clear(&e);
      CHECK_STR(xr_target_from_cc(w, &e), rust);
      words++;
    }
    CHECK(words >= 1);
    for (j = 0; j < i; j++)
      CHECK(strcmp(xr_target_cc_rust_at(j), rust) != 0);
  }
  CHECK(xr_target_cc_rust_at(n) == NULL);
  CHECK(xr_target_cc_examples_at(n) == NULL);
}

TEST(cc_unmapped_triples_fail_naming_them)
{
  static const char *const bad[] = {
    "arm-none-eabi", "riscv32-unknown-elf", "avr", "x86_64", "x86_64-elf",
    "x86_64-linux-android", "aarch64-linux-android", "aarch64-apple-ios17",
    "x86_64-pc-windows-msvc", "x86_64-windows", "x86_64-apple-darwinx",
    "x86_64-linux3-gnu", "x86_64-apple-darwin-gnu", "mips-linux-gnu",
    "armv7hl-redhat-linux-gnueabi", "armv5te-linux-gnueabihf",
    "X86_64-linux-gnu", "x86_64--linux-gnu", "-linux-gnu", "x86_64-linux-",
    "x86_64-linux-gnu ", " x86_64-linux-gnu", "x86_64-linux-gnu\n",
    "x86_64-a-b-linux-gnu", "x86_64-linux-gnu-x-y-z-w",
    "x86_64-linux-gnuxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "linux-gnu", "garbage", "x86_64-linux-gnu;rm",
  };
  struct xr_err e;
  char want[512];
  size_t i;

  for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    xr_err_clear(&e);
    CHECK(xr_target_from_cc(bad[i], &e) == NULL);
    CHECK(e.code == XR_ETARGET);
    snprintf(want, sizeof(want),
             "no Rust target for the C compiler's target '%s' "
             "($(CC) -dumpmachine); set XRUST_TARGET to the Rust triple",
             bad[i]);
    CHECK_STR(e.msg, want);
  }
}

TEST(cc_empty_triple_fails)
{
  struct xr_err e;

  xr_err_clear(&e);
  CHECK(xr_target_from_cc("", &e) == NULL);
  CHECK(e.code == XR_ETARGET);
  CHECK_STR(e.msg, "empty C compiler target (expected what $(CC) "
                   "-dumpmachine prints, e.g. x86_64-linux-gnu); set "
                   "XRUST_TARGET to the Rust triple");
  xr_err_clear(&e);
  CHECK(xr_target_from_cc_libc("", "musl", &e) == NULL);
  CHECK(e.code == XR_ETARGET);
}

/* Debian's musl-gcc prints gcc's own triple, x86_64-linux-gnu. */
TEST(cc_libc_override)
{
  struct xr_err e;

  xr_err_clear(&e);
  CHECK_STR(xr_target_from_cc_libc("x86_64-linux-gnu", "musl", &e),
            "x86_64-unknown-linux-musl");
  CHECK_STR(xr_target_from_cc_libc("x86_64-redhat-linux", "musl", &e),
            "x86_64-unknown-linux-musl");
  CHECK_STR(xr_target_from_cc_libc("aarch64-linux-gnu", "musl", &e),
            "aarch64-unknown-linux-musl");
  CHECK_STR(xr_target_from_cc_libc("arm-linux-gnueabihf", "musl", &e),
            "armv7-unknown-linux-musleabihf");
  CHECK_STR(xr_target_from_cc_libc("armv7l-linux-gnueabihf", "musl", &e),
            "armv7-unknown-linux-musleabihf");
  CHECK_STR(xr_target_from_cc_libc("arm-linux-gnueabi", "musl", &e),
            "arm-unknown-linux-musleabi");
  CHECK_STR(xr_target_from_cc_libc("x86_64-linux-musl", "musl", &e),
            "x86_64-unknown-linux-musl");
  CHECK_STR(xr_target_from_cc_libc("aarch64-linux-musl", "gnu", &e),
            "aarch64-unknown-linux-gnu");
  CHECK_STR(xr_target_from_cc_libc("x86_64-linux-gnu", "gnu", &e),
            "x86_64-unknown-linux-gnu");
  CHECK_STR(xr_target_from_cc_libc("x86_64-linux-musl", "", &e),
            "x86_64-unknown-linux-musl");
  CHECK_STR(xr_target_from_cc_libc("x86_64-linux-gnu", NULL, &e),
            "x86_64-unknown-linux-gnu");
  CHECK(e.code == XR_EOK);

  CHECK(xr_target_from_cc_libc("x86_64-apple-darwin23.1.0", "musl", &e) ==
        NULL);
  CHECK(e.code == XR_ETARGET);
  CHECK_STR(e.msg, "no Rust target for the C compiler's target "
                   "'x86_64-apple-darwin23.1.0' with the musl C library "
                   "($(CC) -dumpmachine); set XRUST_TARGET to the Rust "
                   "triple");
  xr_err_clear(&e);
  CHECK(xr_target_from_cc_libc("x86_64-w64-mingw32", "gnu", &e) == NULL);
  CHECK(e.code == XR_ETARGET);
  xr_err_clear(&e);
  CHECK(xr_target_from_cc_libc("mips64el-linux-gnuabi64", "musl", &e) ==
        NULL);
  CHECK(strstr(e.msg, "'mips64el-linux-gnuabi64' with the musl C") != NULL);
  xr_err_clear(&e);
  CHECK(xr_target_from_cc_libc("x86_64-linux-gnu", "glibc", &e) == NULL);
  CHECK(e.code == XR_EUSAGE);
  CHECK_STR(e.msg, "unknown C library 'glibc' (expected gnu or musl)");
}

/*
 * Issue 15: the C compilers of the Windows, 32-bit ARM and RISC-V
 * targets.  MinGW-w64's maps to the x86_64-windows target itself; the
 * glibc compilers of armhf and riscv64 map to the gnu Rust triples (a
 * glibc program cannot take a musl staticlib: its std calls musl's
 * symbols), and with the musl C library (XRUST_LIBC=musl, or a musl
 * <features.h>) to the armv7-linux and riscv64-linux targets.
 */
TEST(cc_new_platforms_and_short_names)
{
  static const char *const rows[][3] = {
    { "x86_64-w64-mingw32", "", "x86_64-windows" },
    { "x86_64-w64-windows-gnu", "", "x86_64-windows" },
    { "arm-linux-gnueabihf", "musl", "armv7-linux" },
    { "arm-unknown-linux-gnueabihf", "musl", "armv7-linux" },
    { "armv7l-linux-gnueabihf", "musl", "armv7-linux" },
    { "armv7a-unknown-linux-gnueabihf", "musl", "armv7-linux" },
    { "armv7-alpine-linux-musleabihf", "", "armv7-linux" },
    { "riscv64-linux-gnu", "musl", "riscv64-linux" },
    { "riscv64-unknown-linux-gnu", "musl", "riscv64-linux" },
    { "riscv64-linux-musl", "", "riscv64-linux" },
    { "riscv64-alpine-linux-musl", "", "riscv64-linux" },
  };
  struct xr_err e;
  const char *t;
  size_t i;

  for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
    xr_err_clear(&e);
    t = xr_target_from_cc_libc(rows[i][0], rows[i][1], &e);
    REQUIRE(t != NULL);
    CHECK_STR(xr_target_short_name(t), rows[i][2]);
    CHECK(e.code == XR_EOK);
  }
  xr_err_clear(&e);
  CHECK_STR(xr_target_from_cc("arm-linux-gnueabihf", &e),
            "armv7-unknown-linux-gnueabihf");
  CHECK(xr_target_short_name("armv7-unknown-linux-gnueabihf") == NULL);
  CHECK_STR(xr_target_from_cc("riscv64-linux-gnu", &e),
            "riscv64gc-unknown-linux-gnu");
  CHECK_STR(xr_target_from_cc_libc("riscv64-linux-gnu", "gnu", &e),
            "riscv64gc-unknown-linux-gnu");
  /* The musl override of an ARMv6 musl compiler stays ARMv6. */
  CHECK_STR(xr_target_from_cc_libc("arm-linux-musleabihf", "musl", &e),
            "arm-unknown-linux-musleabihf");
  CHECK(e.code == XR_EOK);
}

TAP_MAIN(TAP_CASE(cc_required_mappings),
         TAP_CASE(cc_every_row_and_example),
         TAP_CASE(cc_unmapped_triples_fail_naming_them),
         TAP_CASE(cc_empty_triple_fails),
         TAP_CASE(cc_libc_override),
         TAP_CASE(cc_new_platforms_and_short_names))
