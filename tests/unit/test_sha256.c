/*
 * SHA-256 (module/lib/sha256.c).  Built twice: test_sha256 runs against the
 * libcrypto back end of the library, test_sha256_portable against the
 * plain-C one the module uses; both must give the same digests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "xrust/error.h"
#include "xrust/sha256.h"

static void digest(const void *p, size_t n, char hex[XR_SHA256_HEX])
{
  struct xr_err e;

  hex[0] = '\0';
  if (xr_sha256_mem(p, n, hex, &e) != 0)
    snprintf(hex, XR_SHA256_HEX, "error");
}

TEST(sha256_known_vectors)
{
  char hex[XR_SHA256_HEX];

  digest("", 0, hex);
  CHECK_STR(hex,
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  digest("abc", 3, hex);
  CHECK_STR(hex,
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
  CHECK_STR(hex,
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  digest("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
         "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu", 112, hex);
  CHECK_STR(hex,
    "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

/* Lengths around the 55/56/64-byte padding boundaries. */
TEST(sha256_padding_boundaries)
{
  static const struct { size_t n; const char *hex; } v[] = {
    { 55,
      "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318" },
    { 56,
      "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a" },
    { 63,
      "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34" },
    { 64,
      "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb" },
    { 65,
      "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0" },
    { 119,
      "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb" },
    { 120,
      "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c" },
  };
  char a[128], hex[XR_SHA256_HEX];
  size_t i;

  memset(a, 'a', sizeof(a));
  for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
    digest(a, v[i].n, hex);
    CHECK_STR(hex, v[i].hex);
  }
}

/* A million 'a' in uneven pieces; and a pattern cut at every offset. */
TEST(sha256_streaming_in_any_pieces)
{
  static unsigned char pat[100000];
  char hex[XR_SHA256_HEX], whole[XR_SHA256_HEX];
  struct xr_sha256 h;
  struct xr_err e;
  size_t i, done, step;

  memset(pat, 'a', sizeof(pat));
  REQUIRE(xr_sha256_init(&h, &e) == 0);
  for (done = 0, step = 1; done < 1000000;
       done += step, step = step * 3 % 997 + 1)
    xr_sha256_update(&h, pat, done + step > 1000000 ? 1000000 - done : step);
  xr_sha256_final(&h, hex);
  CHECK_STR(hex,
    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");

  for (i = 0; i < sizeof(pat); i++)
    pat[i] = (unsigned char)(i * 7 % 251);
  digest(pat, sizeof(pat), whole);
  CHECK_STR(whole,
    "96ad0ddabe9c733d4550fde750255a94806811029be67504bd9bd68e556686b9");
  for (i = 0; i <= 200; i++) {
    REQUIRE(xr_sha256_init(&h, &e) == 0);
    xr_sha256_update(&h, pat, i);
    xr_sha256_update(&h, pat + i, 0);
    xr_sha256_update(&h, pat + i, sizeof(pat) - i);
    xr_sha256_final(&h, hex);
    if (strcmp(hex, whole) != 0) {
      CHECK_STR(hex, whole);
      break;
    }
  }
  CHECK(i == 201);
}

TEST(sha256_release_without_final)
{
  struct xr_sha256 h;
  struct xr_err e;
  char hex[XR_SHA256_HEX];

  REQUIRE(xr_sha256_init(&h, &e) == 0);
  xr_sha256_update(&h, "x", 1);
  xr_sha256_release(&h);
  xr_sha256_release(&h);
  CHECK(h.ctx == NULL);
  xr_sha256_final(&h, hex);
  CHECK_STR(hex, "");
}

TEST(sha256_file_streams_and_reports_errors)
{
  char path[] = "/tmp/xrust-sha-XXXXXX";
  char hex[XR_SHA256_HEX], want[XR_SHA256_HEX];
  struct xr_sha256 h;
  struct xr_err e;
  static char block[100000];
  FILE *f;
  int fd, i;

  fd = mkstemp(path);
  REQUIRE(fd >= 0);
  f = fdopen(fd, "wb");
  REQUIRE(f != NULL);
  memset(block, 'z', sizeof(block));
  REQUIRE(xr_sha256_init(&h, &e) == 0);
  for (i = 0; i < 7; i++) {
    fwrite(block, 1, sizeof(block), f);
    xr_sha256_update(&h, block, sizeof(block));
  }
  fclose(f);
  xr_sha256_final(&h, want);
  REQUIRE(xr_sha256_file(path, hex, &e) == 0);
  CHECK_STR(hex, want);
  unlink(path);
  CHECK(xr_sha256_file(path, hex, &e) == XR_ENOTFOUND);
  CHECK(strstr(e.msg, "cannot open '/tmp/xrust-sha-") == e.msg);
  CHECK(xr_sha256_valid(want));
  CHECK(!xr_sha256_valid("abc"));
  want[10] = 'g';
  CHECK(!xr_sha256_valid(want));
}

TAP_MAIN(TAP_CASE(sha256_known_vectors),
         TAP_CASE(sha256_padding_boundaries),
         TAP_CASE(sha256_streaming_in_any_pieces),
         TAP_CASE(sha256_release_without_final),
         TAP_CASE(sha256_file_streams_and_reports_errors))
