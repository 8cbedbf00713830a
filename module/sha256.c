/*
 * SHA-256 digests.  This is the only file that talks to libcrypto; it uses
 * the EVP interface, which works with OpenSSL 1.1 and 3.x alike.
 */
#include "xrust/sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

int xr_sha256_init(struct xr_sha256 *h, struct xr_err *err)
{
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();

  h->ctx = NULL;
  if (!ctx)
    return xr_fail(err, XR_ENOMEM, "cannot allocate a sha256 context");
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
  static const char digits[] = "0123456789abcdef";
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0, i;

  hex[0] = '\0';
  if (!h->ctx)
    return;
  if (EVP_DigestFinal_ex((EVP_MD_CTX *)h->ctx, md, &len) == 1 && len == 32) {
    for (i = 0; i < len; i++) {
      hex[2 * i] = digits[md[i] >> 4];
      hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[64] = '\0';
  }
  xr_sha256_release(h);
}

void xr_sha256_release(struct xr_sha256 *h)
{
  if (h->ctx)
    EVP_MD_CTX_free((EVP_MD_CTX *)h->ctx);
  h->ctx = NULL;
}

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
    return xr_fail(err, XR_ENOMEM, "out of memory");
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
