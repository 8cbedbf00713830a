/*
 * Unit tests of the text-based stub writer (module/lib/macho_tbd.c): the
 * symbol-list syntax (comments, blanks, the characters a name may use and
 * the file:line of a bad one) and the exact TAPI v4 text of a stub.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "xrust/buf.h"
#include "xrust/error.h"
#include "xrust/fs.h"
#include "xrust/macho_tbd.h"

TEST(symbol_list_skips_comments_and_blanks)
{
  const char *t = "# header\n\n  _a  \n_fstat$INODE64\r\n"
                  "\t# indented comment\n___bzero\ndyld_stub_binder";
  struct xr_strv s = XR_STRV_INIT;
  struct xr_err e;

  CHECK(xr_tbd_parse_syms(t, strlen(t), "l.syms", &s, &e) == 0);
  REQUIRE(s.n == 4);
  CHECK_STR(s.v[0], "_a");
  CHECK_STR(s.v[1], "_fstat$INODE64");
  CHECK_STR(s.v[2], "___bzero");
  CHECK_STR(s.v[3], "dyld_stub_binder");
  xr_strv_release(&s);
}

TEST(symbol_list_names_the_line_of_a_bad_name)
{
  const char *t = "_a\n# c\n_b c\n";
  struct xr_strv s = XR_STRV_INIT;
  struct xr_err e;

  xr_err_clear(&e);
  CHECK(xr_tbd_parse_syms(t, strlen(t), "l.syms", &s, &e) == XR_EUSAGE);
  CHECK_STR(e.msg, "l.syms:3: invalid symbol name '_b c' (expected "
            "letters, digits, '_', '$' or '.')");
  t = "_x'\n";
  CHECK(xr_tbd_parse_syms(t, strlen(t), "m", &s, &e) == XR_EUSAGE);
  CHECK(strstr(e.msg, "m:1: invalid symbol name '_x''") == e.msg);
  xr_strv_release(&s);
}

TEST(stub_text_is_tapi_v4)
{
  struct xr_strv s = XR_STRV_INIT;
  struct xr_buf b = XR_BUF_INIT;
  struct xr_err e;

  REQUIRE(xr_strv_push(&s, "_puts") == 0);
  REQUIRE(xr_strv_push(&s, "_stat$INODE64") == 0);
  CHECK(xr_tbd_format(&b, XR_TBD_LIBSYSTEM, &s, &e) == 0);
  CHECK_STR(xr_buf_str(&b),
            "--- !tapi-tbd\n"
            "tbd-version:     4\n"
            "targets:         [ x86_64-macos, arm64-macos ]\n"
            "install-name:    '/usr/lib/libSystem.B.dylib'\n"
            "exports:\n"
            "  - targets:         [ x86_64-macos, arm64-macos ]\n"
            "    symbols:\n"
            "      - '_puts'\n"
            "      - '_stat$INODE64'\n"
            "...\n");
  xr_strv_release(&s);
  xr_buf_reset(&b);
  CHECK(xr_tbd_format(&b, "/usr/lib/libz.dylib", &s, &e) == 0);
  CHECK(strstr(xr_buf_str(&b), "exports") == NULL);
  xr_buf_reset(&b);
  CHECK(xr_tbd_format(&b, "libz.dylib", &s, &e) == XR_EUSAGE);
  CHECK_STR(e.msg, "install name 'libz.dylib' is not an absolute path");
  CHECK(xr_tbd_format(&b, "/a'b", &s, &e) == XR_EUSAGE);
  xr_buf_release(&b);
}

TEST(read_and_write_files)
{
  const char *t = getenv("TMPDIR");
  char dir[4096], p[4200], q[4200];
  struct xr_strv s = XR_STRV_INIT;
  struct xr_buf b = XR_BUF_INIT;
  struct xr_err e;

  snprintf(dir, sizeof(dir), "%s/xrust-tbd-XXXXXX", t && *t ? t : "/tmp");
  REQUIRE(mkdtemp(dir) != NULL);
  snprintf(p, sizeof(p), "%s/l.syms", dir);
  snprintf(q, sizeof(q), "%s/libSystem.tbd", dir);
  CHECK(xr_tbd_read_syms(p, &s, &e) == XR_ENOTFOUND);
  REQUIRE(xr_fs_write(p, "_a\n", 3, 0, &e) == 0);
  CHECK(xr_tbd_read_syms(p, &s, &e) == 0);
  CHECK(s.n == 1);
  CHECK(xr_tbd_write(q, XR_TBD_LIBSYSTEM, &s, &e) == 0);
  CHECK(xr_fs_read(q, 4096, &b, &e) == 0);
  CHECK(strstr(xr_buf_str(&b), "      - '_a'\n...\n") != NULL);
  xr_strv_release(&s);
  xr_buf_release(&b);
  CHECK(xr_fs_rmtree(dir, &e) == 0);
}

TAP_MAIN(TAP_CASE(symbol_list_skips_comments_and_blanks),
         TAP_CASE(symbol_list_names_the_line_of_a_bad_name),
         TAP_CASE(stub_text_is_tapi_v4),
         TAP_CASE(read_and_write_files))
