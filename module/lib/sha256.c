/*
 * SHA-256 digests (FIPS 180-4), streaming.  Two back ends behind one
 * interface, chosen when this file is compiled:
 *
 *   default              libcrypto's EVP interface (OpenSSL 1.1 and 3.x;
 *                        SHA-NI/ARMv8 instructions where the CPU has them):
 *                        the tool and the engine, which hash every download
 *   XR_SHA256_PORTABLE   the algorithm in plain C: the module Make loads,
 *                        which hashes only small records and so need not
 *                        pull libcrypto into every make process
 *
 * This is the only file that includes OpenSSL's headers.
 */
#include "xrust/sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xrust/error.h"

static void to_hex(const unsigned char md[32], char hex[XR_SHA256_HEX])
{
  static const char digits[] = "0123456789abcdef";
  int i;

  for (i = 0; i < 32; i++) {
    hex[2 * i] = digits[md[i] >> 4];
    hex[2 * i + 1] = digits[md[i] & 15];
  }
  hex[64] = '\0';
}

#ifndef XR_SHA256_PORTABLE

#include <openssl/evp.h>

int xr_sha256_init(struct xr_sha256 *h, struct xr_err *err)
{
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();

  h->ctx = NULL;
  if (!ctx)
    return xr_nomem(err);
  if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
    EVP_MD_CTX_free(ctx);
    return xr_fail(err, XR_EINTERNAL, "cannot initialise sha256");
  }
  h->ctx = ctx;
  return 0;
}

void xr_sha256_update(struct xr_sha256 *h, const void *p, size_t n)
{
  if (h->ctx && n)
    EVP_DigestUpdate((EVP_MD_CTX *)h->ctx, p, n);
}

void xr_sha256_final(struct xr_sha256 *h, char hex[XR_SHA256_HEX])
{
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;

  hex[0] = '\0';
  if (!h->ctx)
    return;
  if (EVP_DigestFinal_ex((EVP_MD_CTX *)h->ctx, md, &len) == 1 && len == 32)
    to_hex(md, hex);
  xr_sha256_release(h);
}

void xr_sha256_release(struct xr_sha256 *h)
{
  if (h->ctx)
    EVP_MD_CTX_free((EVP_MD_CTX *)h->ctx);
  h->ctx = NULL;
}

#else /* XR_SHA256_PORTABLE */

struct state {
  uint32_t h[8];
  uint64_t bytes;          /* message length so far */
  unsigned char block[64];
  size_t fill;             /* bytes waiting in block */
};

static const uint32_t K[64] = {
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
  0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
  0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
  0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
};

static uint32_t ror(uint32_t x, unsigned n)
{
  return (x >> n) | (x << (32 - n));
}

static void compress(uint32_t h[8], const unsigned char *p)
{
  uint32_t w[64], a, b, c, d, e, f, g, k, t1, t2;
  int i;

  for (i = 0; i < 16; i++)
    w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
           (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
  for (i = 16; i < 64; i++)
    w[i] = w[i - 16] + (ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^
                        (w[i - 15] >> 3)) +
           w[i - 7] + (ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^
                       (w[i - 2] >> 10));
  a = h[0], b = h[1], c = h[2], d = h[3];
  e = h[4], f = h[5], g = h[6], k = h[7];
  for (i = 0; i < 64; i++) {
    t1 = k + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) +
         K[i] + w[i];
    t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) +
         ((a & b) ^ (a & c) ^ (b & c));
    k = g, g = f, f = e, e = d + t1;
    d = c, c = b, b = a, a = t1 + t2;
  }
  h[0] += a, h[1] += b, h[2] += c, h[3] += d;
  h[4] += e, h[5] += f, h[6] += g, h[7] += k;
}

int xr_sha256_init(struct xr_sha256 *h, struct xr_err *err)
{
  static const uint32_t iv[8] = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
  };
  struct state *s = calloc(1, sizeof(*s));

  h->ctx = s;
  if (!s)
    return xr_nomem(err);
  memcpy(s->h, iv, sizeof(iv));
  return 0;
}

void xr_sha256_update(struct xr_sha256 *h, const void *data, size_t n)
{
  struct state *s = h->ctx;
  const unsigned char *p = data;

  if (!s)
    return;
  s->bytes += n;
  if (s->fill) {
    size_t take = 64 - s->fill < n ? 64 - s->fill : n;
    memcpy(s->block + s->fill, p, take);
    s->fill += take, p += take, n -= take;
    if (s->fill < 64)
      return;
    compress(s->h, s->block);
    s->fill = 0;
  }
  for (; n >= 64; p += 64, n -= 64)
    compress(s->h, p);
  memcpy(s->block, p, n);
  s->fill = n;
}

void xr_sha256_final(struct xr_sha256 *h, char hex[XR_SHA256_HEX])
{
  struct state *s = h->ctx;
  unsigned char md[32];
  uint64_t bits;
  int i;

  hex[0] = '\0';
  if (!s)
    return;
  bits = s->bytes * 8;
  s->block[s->fill++] = 0x80;
  if (s->fill > 56) {
    memset(s->block + s->fill, 0, 64 - s->fill);
    compress(s->h, s->block);
    s->fill = 0;
  }
  memset(s->block + s->fill, 0, 56 - s->fill);
  for (i = 0; i < 8; i++)
    s->block[56 + i] = (unsigned char)(bits >> (56 - 8 * i));
  compress(s->h, s->block);
  for (i = 0; i < 32; i++)
    md[i] = (unsigned char)(s->h[i / 4] >> (24 - 8 * (i % 4)));
  to_hex(md, hex);
  xr_sha256_release(h);
}

void xr_sha256_release(struct xr_sha256 *h)
{
  free(h->ctx);
  h->ctx = NULL;
}

#endif /* XR_SHA256_PORTABLE */

int xr_sha256_file(const char *path, char hex[XR_SHA256_HEX],
                   struct xr_err *err)
{
  struct xr_sha256 h;
  unsigned char *block;
  int fd, rc = 0;
  ssize_t n;

  fd = open(path, O_RDONLY);
  if (fd < 0)
    return xr_fail(err, errno == ENOENT ? XR_ENOTFOUND : XR_EIO,
                   "cannot open '%s': %s", path, strerror(errno));
  block = malloc(1 << 16);
  if (!block) {
    close(fd);
    return xr_nomem(err);
  }
  rc = xr_sha256_init(&h, err);
  if (rc)
    goto out;
  for (;;) {
    n = read(fd, block, 1 << 16);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      rc = xr_fail(err, XR_EIO, "cannot read '%s': %s", path,
                   strerror(errno));
      xr_sha256_release(&h);
      goto out;
    }
    if (n == 0)
      break;
    xr_sha256_update(&h, block, (size_t)n);
  }
  xr_sha256_final(&h, hex);
out:
  free(block);
  close(fd);
  return rc;
}

int xr_sha256_mem(const void *p, size_t n, char hex[XR_SHA256_HEX],
                  struct xr_err *err)
{
  struct xr_sha256 h;
  int rc = xr_sha256_init(&h, err);

  if (rc)
    return rc;
  xr_sha256_update(&h, p, n);
  xr_sha256_final(&h, hex);
  return 0;
}

int xr_sha256_valid(const char *s)
{
  size_t i;

  for (i = 0; i < 64; i++) {
    char c = s[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
          (c >= 'A' && c <= 'F')))
      return 0;
  }
  return s[64] == '\0';
}
