/*
 * Universal (fat) Mach-O files, written without Apple's lipo
 * (include/xrust/macho_fat.h): probing thin 64-bit inputs (executables,
 * dylibs, and static libraries by their first Mach-O member), laying the
 * slices out as llvm-lipo does, and streaming them into the output
 * behind a big-endian fat header.  The inputs are copied byte for byte,
 * so their code signatures stay valid.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xrust/buf.h"
#include "xrust/fs.h"
#include "xrust/macho_fat.h"

#define FAT_HEADER_SIZE 8u
#define FAT_ARCH_SIZE 20u
#define COPY_BLOCK 65536

static uint32_t le32(const unsigned char *p)
{
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}

static uint32_t be32(const unsigned char *p)
{
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
         (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static void put_be32(unsigned char *p, uint32_t v)
{
  p[0] = (unsigned char)(v >> 24);
  p[1] = (unsigned char)(v >> 16);
  p[2] = (unsigned char)(v >> 8);
  p[3] = (unsigned char)v;
}

const char *xr_macho_cpu_name(uint32_t cputype)
{
  switch (cputype) {
  case XR_MACHO_CPU_X86_64:
    return "x86_64";
  case XR_MACHO_CPU_ARM64:
    return "arm64";
  default:
    return NULL;
  }
}

/* Page size of the CPU as log2: what Apple's lipo and llvm-lipo use. */
static uint32_t cpu_align(uint32_t cputype)
{
  return cputype == XR_MACHO_CPU_ARM64 ? 14 : 12;
}

/* Reads up to N bytes at the start of FD; returns the count or -1. */
static ssize_t read_head(int fd, unsigned char *buf, size_t n)
{
  size_t got = 0;

  while (got < n) {
    ssize_t r = read(fd, buf + got, n - got);

    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0)
      return -1;
    if (r == 0)
      break;
    got += (size_t)r;
  }
  return (ssize_t)got;
}

#define EXPECTED "expected a thin 64-bit Mach-O file or a static library " \
  "of them"
#define AR_MAGIC "!<arch>\n"
#define AR_HEADER 60
/* Members looked at before a static library counts as holding no Mach-O. */
#define AR_MAX_MEMBERS 4096

/* What the first bytes of a file that is not a thin 64-bit Mach-O are. */
static const char *what_else(const unsigned char *h, size_t n)
{
  uint32_t m = n >= 4 ? be32(h) : 0;

  if (m == XR_MACHO_FAT_MAGIC || m == 0xbebafecau ||
      m == 0xcafebabfu || m == 0xbfbafecau)
    return "a fat Mach-O file";
  if (m == 0xcefaedfeu || m == 0xfeedfaceu)
    return "a 32-bit Mach-O file";
  if (m == 0xfeedfacfu)
    return "a big-endian Mach-O file";
  if (n >= 4 && !memcmp(h, "\177ELF", 4))
    return "an ELF file";
  return "not a Mach-O file";
}

/* A decimal field of an ar header: digits, then spaces; -1 otherwise. */
static long ar_field(const unsigned char *p, size_t n)
{
  long v = 0;
  size_t i = 0;

  if (n == 0 || p[0] < '0' || p[0] > '9')
    return -1;
  for (; i < n && p[i] >= '0' && p[i] <= '9'; i++) {
    if (v > (LONG_MAX - 9) / 10)
      return -1;
    v = v * 10 + (p[i] - '0');
  }
  for (; i < n; i++)
    if (p[i] != ' ')
      return -1;
  return v;
}

/*
 * A static library (ar, System V or BSD names) of PATH, of SIZE bytes:
 * the CPU of its first member that is a 64-bit Mach-O object goes into
 * SLICE, as llvm-lipo takes it; the slice is aligned at 8 bytes.
 */
static int probe_archive(int fd, const char *path, off_t size,
                         struct xr_macho_slice *slice, struct xr_err *err)
{
  unsigned char h[AR_HEADER], m[12];
  off_t pos = 8;
  unsigned members = 0;

  while (pos + AR_HEADER <= size && members++ < AR_MAX_MEMBERS) {
    long len, name = 0;

    if (pread(fd, h, AR_HEADER, pos) != AR_HEADER)
      return xr_fail(err, XR_EIO, "cannot read '%s': %s", path,
                     strerror(errno));
    len = ar_field(h + 48, 10);
    if (len < 0 || h[58] != '`' || h[59] != '\n' ||
        len > (long)(size - pos - AR_HEADER))
      return xr_fail(err, XR_EUSAGE, "'%s': broken archive member header "
                     "at offset %ld (%s)", path, (long)pos, EXPECTED);
    if (!memcmp(h, "#1/", 3)) {  /* BSD: the name follows the header */
      name = ar_field(h + 3, 13);
      if (name < 0 || name > len)
        return xr_fail(err, XR_EUSAGE, "'%s': broken archive member name "
                       "at offset %ld (%s)", path, (long)pos, EXPECTED);
    }
    if (len - name >= (long)sizeof(m) &&
        pread(fd, m, sizeof(m), pos + AR_HEADER + name) ==
            (ssize_t)sizeof(m) &&
        le32(m) == XR_MACHO_MAGIC_64) {
      slice->cputype = le32(m + 4);
      slice->cpusubtype = le32(m + 8);
      if (!xr_macho_cpu_name(slice->cputype))
        return xr_fail(err, XR_EUSAGE, "'%s' is a static library for CPU "
                       "type 0x%08lx (expected x86_64 or arm64)", path,
                       (unsigned long)slice->cputype);
      slice->align = 3;
      return 0;
    }
    pos += AR_HEADER + len + (len & 1);
  }
  return xr_fail(err, XR_EUSAGE, "'%s' is an archive with no 64-bit Mach-O "
                 "member (%s)", path, EXPECTED);
}

/* Probes the open file FD named PATH; ST is its fstat. */
static int probe_fd(int fd, const char *path, const struct stat *st,
                    struct xr_macho_slice *slice, struct xr_err *err)
{
  unsigned char h[32];
  ssize_t n;
  const char *what;

  if (!S_ISREG(st->st_mode))
    return xr_fail(err, XR_EUSAGE, "'%s' is not a regular file (%s)",
                   path, EXPECTED);
  n = read_head(fd, h, sizeof(h));
  if (n < 0)
    return xr_fail(err, XR_EIO, "cannot read '%s': %s", path,
                   strerror(errno));
  if ((uint64_t)st->st_size > UINT32_MAX)
    return xr_fail(err, XR_ELIMIT, "'%s' is larger than 4 GiB, too "
                   "large for a fat Mach-O slice", path);
  slice->size = (uint32_t)st->st_size;
  slice->offset = 0;
  if (n >= 8 && !memcmp(h, AR_MAGIC, 8))
    return probe_archive(fd, path, st->st_size, slice, err);
  if (n >= 4 && le32(h) == XR_MACHO_MAGIC_64 && n < (ssize_t)sizeof(h))
    return xr_fail(err, XR_EUSAGE, "'%s' is too short for a Mach-O header "
                   "(%ld bytes; %s)", path, (long)n, EXPECTED);
  if (n < 4 || le32(h) != XR_MACHO_MAGIC_64) {
    what = what_else(h, (size_t)n);
    return xr_fail(err, XR_EUSAGE, "'%s' is %s (%s)", path, what,
                   EXPECTED);
  }
  slice->cputype = le32(h + 4);
  slice->cpusubtype = le32(h + 8);
  if (!xr_macho_cpu_name(slice->cputype))
    return xr_fail(err, XR_EUSAGE, "'%s' is a Mach-O file for CPU type "
                   "0x%08lx (expected x86_64 or arm64)", path,
                   (unsigned long)slice->cputype);
  slice->align = cpu_align(slice->cputype);
  return 0;
}

int xr_macho_probe(const char *path, struct xr_macho_slice *slice,
                   struct xr_err *err)
{
  struct stat st;
  int fd = open(path, O_RDONLY), rc;

  if (fd < 0)
    return xr_fail(err, errno == ENOENT ? XR_ENOTFOUND : XR_EIO,
                   "cannot open '%s': %s", path, strerror(errno));
  if (fstat(fd, &st) != 0)
    rc = xr_fail(err, XR_EIO, "cannot stat '%s': %s", path,
                 strerror(errno));
  else
    rc = probe_fd(fd, path, &st, slice, err);
  close(fd);
  return rc;
}

int xr_macho_fat_layout(struct xr_macho_slice *slices, size_t n,
                        struct xr_err *err)
{
  uint64_t off = FAT_HEADER_SIZE + (uint64_t)FAT_ARCH_SIZE * n;
  size_t i, j;

  /* Insertion sort (N is tiny) by alignment, then CPU, as llvm-lipo. */
  for (i = 1; i < n; i++) {
    struct xr_macho_slice s = slices[i];

    for (j = i; j > 0 && (slices[j - 1].align > s.align ||
                          (slices[j - 1].align == s.align &&
                           slices[j - 1].cputype > s.cputype)); j--)
      slices[j] = slices[j - 1];
    slices[j] = s;
  }
  for (i = 0; i < n; i++) {
    uint64_t a = (uint64_t)1 << slices[i].align;

    off = (off + a - 1) & ~(a - 1);
    if (off + slices[i].size > UINT32_MAX)
      return xr_fail(err, XR_ELIMIT, "the slices do not fit in a fat "
                     "Mach-O file (4 GiB)");
    slices[i].offset = (uint32_t)off;
    off += slices[i].size;
  }
  return 0;
}

static int write_all(int fd, const void *data, size_t len)
{
  const unsigned char *p = data;

  while (len > 0) {
    ssize_t w = write(fd, p, len);

    if (w < 0 && errno == EINTR)
      continue;
    if (w < 0)
      return -1;
    p += w;
    len -= (size_t)w;
  }
  return 0;
}

/* One open input: its descriptor, its name and where it goes. */
struct input {
  int fd;
  const char *path;
  struct xr_macho_slice slice;
};

/* Appends input IN at the current end POS of OUT_FD (zeros up to the
 * slice's offset first). */
static int copy_slice(int out_fd, const char *out, uint64_t *pos,
                      const struct input *in, unsigned char *block,
                      struct xr_err *err)
{
  uint64_t left = in->slice.size;

  memset(block, 0, COPY_BLOCK);
  while (*pos < in->slice.offset) {
    uint64_t pad = in->slice.offset - *pos;
    size_t k = pad > COPY_BLOCK ? COPY_BLOCK : (size_t)pad;

    if (write_all(out_fd, block, k))
      return xr_fail(err, XR_EIO, "cannot write '%s': %s", out,
                     strerror(errno));
    *pos += k;
  }
  if (lseek(in->fd, 0, SEEK_SET) != 0)
    return xr_fail(err, XR_EIO, "cannot read '%s': %s", in->path,
                   strerror(errno));
  while (left > 0) {
    size_t want = left > COPY_BLOCK ? COPY_BLOCK : (size_t)left;
    ssize_t r = read(in->fd, block, want);

    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0)
      return xr_fail(err, XR_EIO, "cannot read '%s': %s", in->path,
                     strerror(errno));
    if (r == 0)
      return xr_fail(err, XR_EIO, "'%s' shrank while being copied",
                     in->path);
    if (write_all(out_fd, block, (size_t)r))
      return xr_fail(err, XR_EIO, "cannot write '%s': %s", out,
                     strerror(errno));
    left -= (uint64_t)r;
    *pos += (uint64_t)r;
  }
  return 0;
}

/* Writes the fat header and the slices of the N inputs to OUT_FD. */
static int write_fat(int out_fd, const char *out, struct input *ins,
                     size_t n, struct xr_err *err)
{
  unsigned char head[FAT_HEADER_SIZE + FAT_ARCH_SIZE * XR_MACHO_FAT_MAX];
  unsigned char *block = malloc(COPY_BLOCK), *p;
  uint64_t pos;
  size_t i;
  int rc = 0;

  if (!block)
    return xr_nomem(err);
  put_be32(head, XR_MACHO_FAT_MAGIC);
  put_be32(head + 4, (uint32_t)n);
  for (i = 0, p = head + FAT_HEADER_SIZE; i < n; i++, p += FAT_ARCH_SIZE) {
    put_be32(p, ins[i].slice.cputype);
    put_be32(p + 4, ins[i].slice.cpusubtype);
    put_be32(p + 8, ins[i].slice.offset);
    put_be32(p + 12, ins[i].slice.size);
    put_be32(p + 16, ins[i].slice.align);
  }
  pos = (uint64_t)(p - head);
  if (write_all(out_fd, head, (size_t)pos))
    rc = xr_fail(err, XR_EIO, "cannot write '%s': %s", out,
                 strerror(errno));
  for (i = 0; i < n && !rc; i++)
    rc = copy_slice(out_fd, out, &pos, &ins[i], block, err);
  free(block);
  return rc;
}

/* Opens and probes the N inputs into INS (fd -1 where not opened);
 * *EXEC is set when any input is executable. */
static int open_inputs(const char *const *inputs, size_t n,
                       struct input *ins, int *exec, struct xr_err *err)
{
  struct stat st;
  size_t i, j;
  int rc;

  for (i = 0; i < n; i++) {
    ins[i].path = inputs[i];
    ins[i].fd = open(inputs[i], O_RDONLY);
    if (ins[i].fd < 0)
      return xr_fail(err, errno == ENOENT ? XR_ENOTFOUND : XR_EIO,
                     "cannot open '%s': %s", inputs[i], strerror(errno));
    if (fstat(ins[i].fd, &st) != 0)
      return xr_fail(err, XR_EIO, "cannot stat '%s': %s", inputs[i],
                     strerror(errno));
    rc = probe_fd(ins[i].fd, inputs[i], &st, &ins[i].slice, err);
    if (rc)
      return rc;
    if (st.st_mode & 0111)
      *exec = 1;
    for (j = 0; j < i; j++)
      if (ins[j].slice.cputype == ins[i].slice.cputype)
        return xr_fail(err, XR_EUSAGE, "'%s' and '%s' are both %s (one "
                       "input per CPU expected)", ins[j].path, inputs[i],
                       xr_macho_cpu_name(ins[i].slice.cputype));
  }
  return 0;
}

int xr_macho_fat_create(const char *out, const char *const *inputs,
                        size_t n, struct xr_err *err)
{
  struct input ins[XR_MACHO_FAT_MAX];
  struct xr_macho_slice slices[XR_MACHO_FAT_MAX];
  struct xr_buf tmp = XR_BUF_INIT;
  size_t i, j;
  int rc, exec = 0, fd = -1;

  if (n < 1 || n > XR_MACHO_FAT_MAX)
    return xr_fail(err, XR_EUSAGE, "a fat Mach-O file takes 1 to %d "
                   "inputs, not %lu", XR_MACHO_FAT_MAX, (unsigned long)n);
  for (i = 0; i < n; i++)
    ins[i].fd = -1;
  rc = open_inputs(inputs, n, ins, &exec, err);
  for (i = 0; i < n && !rc; i++)
    slices[i] = ins[i].slice;
  if (!rc)
    rc = xr_macho_fat_layout(slices, n, err);
  /* Put the inputs in the layout's order (cputypes are distinct). */
  for (i = 0; i < n && !rc; i++)
    for (j = i; j < n; j++)
      if (ins[j].slice.cputype == slices[i].cputype) {
        struct input t = ins[i];

        ins[i] = ins[j];
        ins[j] = t;
        ins[i].slice = slices[i];
        break;
      }
  if (!rc)
    rc = xr_fs_mktemp(out, &tmp, &fd, err);
  if (!rc) {
    rc = write_fat(fd, out, ins, n, err);
    if (rc) {
      close(fd);
      (void)unlink(xr_buf_str(&tmp));
    } else {
      rc = xr_fs_commit(fd, xr_buf_str(&tmp), out,
                        exec ? XR_FS_EXEC : 0, err);
    }
  }
  for (i = 0; i < n; i++)
    if (ins[i].fd >= 0)
      close(ins[i].fd);
  xr_buf_release(&tmp);
  return rc;
}
