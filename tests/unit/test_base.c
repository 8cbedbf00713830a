/*
 * Unit tests of the small shared pieces: the error struct, the growable
 * buffer and the target table (SHA-256: test_sha256.c).
 */
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "xrust/buf.h"
#include "xrust/error.h"
#include "xrust/target.h"

TEST(error_format_and_prefix)
{
  struct xr_err e;
  int rc;

  xr_err_clear(&e);
  CHECK(e.code == XR_EOK);
  rc = xr_fail(&e, XR_EIO, "cannot open '%s'", "x");
  CHECK(rc == XR_EIO);
  CHECK_STR(e.msg, "cannot open 'x'");
  CHECK(xr_err_prefix(&e, "reading %d: ", 3) == XR_EIO);
  CHECK_STR(e.msg, "reading 3: cannot open 'x'");
  CHECK_STR(xr_code_name(XR_ECHECKSUM), "CHECKSUM");
  CHECK_STR(xr_code_text(XR_ECHECKSUM), "checksum mismatch");
  CHECK_STR(xr_code_name((enum xr_code)999), "UNKNOWN");
  CHECK(xr_fail(NULL, XR_ENOMEM, "x") == XR_ENOMEM);
}

TEST(error_message_truncates_safely)
{
  struct xr_err e;
  char big[4000];

  memset(big, 'a', sizeof(big) - 1);
  big[sizeof(big) - 1] = '\0';
  xr_fail(&e, XR_EIO, "%s", big);
  CHECK(strlen(e.msg) == XR_ERR_MSG_MAX - 1);
}

TEST(buffer_appends_and_detaches)
{
  struct xr_buf b = XR_BUF_INIT;
  char *p;
  int i;

  CHECK_STR(xr_buf_str(&b), "");
  for (i = 0; i < 1000; i++)
    REQUIRE(xr_buf_printf(&b, "%d,", i) == 0);
  CHECK(b.len == strlen(b.data));
  CHECK(strncmp(b.data, "0,1,2,", 6) == 0);
  REQUIRE(xr_buf_add(&b, "x\0y", 3) == 0);
  CHECK(b.data[b.len - 2] == '\0' && b.data[b.len] == '\0');
  xr_buf_reset(&b);
  CHECK(b.len == 0);
  CHECK_STR(xr_buf_str(&b), "");
  REQUIRE(xr_buf_adds(&b, "abc") == 0);
  p = xr_buf_detach(&b);
  CHECK_STR(p, "abc");
  CHECK(b.data == NULL && b.len == 0);
  free(p);
  p = xr_buf_detach(&b);
  CHECK_STR(p, "");
  free(p);
  xr_buf_release(&b);
}

TEST(buffer_rejects_overflowing_growth)
{
  struct xr_buf b = XR_BUF_INIT;

  REQUIRE(xr_buf_adds(&b, "x") == 0);
  CHECK(xr_buf_grow(&b, (size_t)-1) == -1);
  CHECK_STR(xr_buf_str(&b), "x");
  xr_buf_release(&b);
}

TEST(target_table_and_triples)
{
  struct xr_err e;
  unsigned i;

  CHECK_STR(xr_target_triple("x86_64-linux", &e), "x86_64-unknown-linux-musl");
  CHECK_STR(xr_target_triple("aarch64-linux", &e),
            "aarch64-unknown-linux-musl");
  CHECK_STR(xr_target_triple("aarch64-darwin", &e), "aarch64-apple-darwin");
  CHECK_STR(xr_target_triple("aarch64-linux-gnu", &e),
            "aarch64-unknown-linux-gnu");
  CHECK_STR(xr_target_triple("x86_64-windows", &e), "x86_64-pc-windows-gnu");
  CHECK_STR(xr_target_triple("armv7-linux", &e),
            "armv7-unknown-linux-musleabihf");
  CHECK_STR(xr_target_triple("riscv64-linux", &e),
            "riscv64gc-unknown-linux-musl");
  CHECK_STR(xr_target_triple("x86_64-pc-windows-gnu", &e),
            "x86_64-pc-windows-gnu");
  CHECK_STR(xr_target_short_name("riscv64gc-unknown-linux-musl"),
            "riscv64-linux");
  CHECK_STR(xr_target_short_name("x86_64-pc-windows-gnu"), "x86_64-windows");
  CHECK_STR(xr_target_triple("wasm32-unknown-unknown", &e),
            "wasm32-unknown-unknown");
  CHECK(xr_target_triple("nonsense", &e) == NULL);
  CHECK(e.code == XR_ETARGET);
  CHECK(strstr(e.msg, "unknown target 'nonsense' (known: x86_64-linux ") ==
        e.msg);
  CHECK(xr_target_triple("", &e) == NULL);
  CHECK(xr_target_triple("a-b-", &e) == NULL);
  CHECK(xr_target_triple("A-b-c", &e) == NULL);
  CHECK_STR(xr_target_short_name("x86_64-apple-darwin"), "x86_64-darwin");
  CHECK(xr_target_short_name("x-y-z") == NULL);
  CHECK(xr_target_count() == 9);
  for (i = 0; i < xr_target_count(); i++)
    CHECK_STR(xr_target_triple(xr_target_name_at(i), &e),
              xr_target_triple_at(i));
  CHECK(xr_target_name_at(9) == NULL);
  CHECK(xr_host_triple() != NULL);
}

TAP_MAIN(TAP_CASE(error_format_and_prefix),
         TAP_CASE(error_message_truncates_safely),
         TAP_CASE(buffer_appends_and_detaches),
         TAP_CASE(buffer_rejects_overflowing_growth),
         TAP_CASE(target_table_and_triples))
