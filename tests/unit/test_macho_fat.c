/*
 * Unit tests of the fat Mach-O writer (module/lib/macho_fat.c) on
 * synthetic inputs: what the probe accepts and the one-line reason for
 * what it refuses, the slice layout (order, alignment, offsets) and the
 * bytes of a written fat file, and that a failed write leaves the old
 * output and no temporary behind.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "xrust/error.h"
#include "xrust/fs.h"
#include "xrust/macho_fat.h"

static void put_le32(unsigned char *p, uint32_t v)
{
  p[0] = (unsigned char)v;
  p[1] = (unsigned char)(v >> 8);
  p[2] = (unsigned char)(v >> 16);
  p[3] = (unsigned char)(v >> 24);
}

static uint32_t get_be32(const unsigned char *p)
{
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
         (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static void put_bytes(const char *path, const void *data, size_t n,
                      mode_t mode)
{
  FILE *f = fopen(path, "wb");

  REQUIRE(f != NULL);
  REQUIRE(fwrite(data, 1, n, f) == n);
  REQUIRE(fclose(f) == 0);
  REQUIRE(chmod(path, mode) == 0);
}

/* A thin 64-bit Mach-O of SIZE bytes (>= 32): a header for CPU and SUB,
 * then a pattern that depends on SEED. */
static void thin(const char *path, uint32_t cpu, uint32_t sub, size_t size,
                 unsigned seed, mode_t mode)
{
  unsigned char *b = malloc(size);
  size_t i;

  REQUIRE(b != NULL && size >= 32);
  for (i = 0; i < size; i++)
    b[i] = (unsigned char)(i * 7 + seed);
  put_le32(b, XR_MACHO_MAGIC_64);
  put_le32(b + 4, cpu);
  put_le32(b + 8, sub);
  put_le32(b + 12, 2);  /* MH_EXECUTE */
  put_bytes(path, b, size, mode);
  free(b);
}

static unsigned char *slurp(const char *path, size_t *n)
{
  FILE *f = fopen(path, "rb");
  unsigned char *b;
  long len;

  REQUIRE(f != NULL);
  REQUIRE(fseek(f, 0, SEEK_END) == 0);
  len = ftell(f);
  REQUIRE(len >= 0);
  rewind(f);
  b = malloc((size_t)len + 1);
  REQUIRE(b != NULL);
  REQUIRE(fread(b, 1, (size_t)len, f) == (size_t)len);
  fclose(f);
  *n = (size_t)len;
  return b;
}

TEST(probe_reads_cpu_subtype_size_and_alignment)
{
  char *d = tap_scratch("macho"), p[4200];
  struct xr_macho_slice s;
  struct xr_err e;

  snprintf(p, sizeof(p), "%s/arm", d);
  thin(p, XR_MACHO_CPU_ARM64, 0, 5000, 1, 0755);
  CHECK(xr_macho_probe(p, &s, &e) == 0);
  CHECK(s.cputype == XR_MACHO_CPU_ARM64);
  CHECK(s.cpusubtype == 0);
  CHECK(s.size == 5000);
  CHECK(s.align == 14);
  snprintf(p, sizeof(p), "%s/x86", d);
  thin(p, XR_MACHO_CPU_X86_64, 0x80000003u, 100, 2, 0644);
  CHECK(xr_macho_probe(p, &s, &e) == 0);
  CHECK(s.cputype == XR_MACHO_CPU_X86_64);
  CHECK(s.cpusubtype == 0x80000003u);
  CHECK(s.align == 12);
  CHECK_STR(xr_macho_cpu_name(XR_MACHO_CPU_ARM64), "arm64");
  CHECK_STR(xr_macho_cpu_name(XR_MACHO_CPU_X86_64), "x86_64");
  CHECK(xr_macho_cpu_name(7) == NULL);
  CHECK(xr_fs_rmtree(d, &e) == 0);
}

/* Probing a file made of the N bytes DATA fails with CODE and a message
 * naming the file and containing WANT. */
static void refused(const char *dir, const void *data, size_t n,
                    enum xr_code code, const char *want)
{
  char p[4200];
  struct xr_macho_slice s;
  struct xr_err e;

  snprintf(p, sizeof(p), "%s/bad", dir);
  put_bytes(p, data, n, 0644);
  xr_err_clear(&e);
  CHECK(xr_macho_probe(p, &s, &e) == (int)code);
  CHECK(strstr(e.msg, p) != NULL);
  if (!strstr(e.msg, want))
    fprintf(stderr, "# message '%s' lacks '%s'\n", e.msg, want);
  CHECK(strstr(e.msg, want) != NULL);
}

/* Appends an ar member header for NAME (BSD "#1/N" when LONG) of LEN
 * bytes of data (the name included for BSD) to B at *N. */
static void ar_member(unsigned char *b, size_t *n, const char *name,
                      int bsd, size_t len)
{
  char h[61];

  if (bsd)
    snprintf(h, sizeof(h), "#1/%-13zu%-12d%-6d%-6d%-8o%-10zu`\n",
             strlen(name), 0, 0, 0, 0644, len + strlen(name));
  else
    snprintf(h, sizeof(h), "%-16s%-12d%-6d%-6d%-8o%-10zu`\n", name, 0, 0,
             0, 0644, len);
  memcpy(b + *n, h, 60);
  *n += 60;
  if (bsd) {
    memcpy(b + *n, name, strlen(name));
    *n += strlen(name);
  }
}

TEST(probe_takes_a_static_library_by_its_first_mach_o_member)
{
  char *d = tap_scratch("macho"), p[4200];
  unsigned char b[512];
  size_t n = 0;
  struct xr_macho_slice s;
  struct xr_err e;

  memset(b, 0, sizeof(b));
  memcpy(b, "!<arch>\n", 8);
  n = 8;
  /* a symbol table (GNU name, odd length: one byte of padding) */
  ar_member(b, &n, "/", 0, 5);
  memcpy(b + n, "syms", 5);
  n += 6;
  /* a text member, then an arm64 object under a BSD long name */
  ar_member(b, &n, "README/", 0, 4);
  memcpy(b + n, "text", 4);
  n += 4;
  ar_member(b, &n, "lib.rlib-0.o", 1, 32);
  put_le32(b + n, XR_MACHO_MAGIC_64);
  put_le32(b + n + 4, XR_MACHO_CPU_ARM64);
  put_le32(b + n + 8, 0);
  n += 32;
  snprintf(p, sizeof(p), "%s/lib.a", d);
  put_bytes(p, b, n, 0644);
  CHECK(xr_macho_probe(p, &s, &e) == 0);
  CHECK(s.cputype == XR_MACHO_CPU_ARM64);
  CHECK(s.cpusubtype == 0);
  CHECK(s.align == 3);
  CHECK(s.size == n);
  /* the same archive whose object is for ppc64 */
  put_le32(b + n - 32 + 4, 0x01000012u);
  put_bytes(p, b, n, 0644);
  CHECK(xr_macho_probe(p, &s, &e) == XR_EUSAGE);
  CHECK(strstr(e.msg, "is a static library for CPU type 0x01000012") !=
        NULL);
  CHECK(xr_fs_rmtree(d, &e) == 0);
}

TEST(probe_refuses_what_is_not_a_thin_64_bit_mach_o)
{
  char *d = tap_scratch("macho"), p[4200];
  unsigned char h[64];
  struct xr_macho_slice s;
  struct xr_err e;
  const char *exp = "(expected a thin 64-bit Mach-O file or a static "
                    "library of them)";

  refused(d, "", 0, XR_EUSAGE, "is not a Mach-O file");
  refused(d, "#!/bin/sh\n", 10, XR_EUSAGE, "is not a Mach-O file");
  refused(d, "\177ELF\2\1\1\0", 8, XR_EUSAGE, "is an ELF file");
  refused(d, "!<arch>\n", 8, XR_EUSAGE,
          "is an archive with no 64-bit Mach-O member");
  refused(d, "!<arch>\nx.o/           0           0     0     644     "
          "99999     `\n", 68, XR_EUSAGE,
          "broken archive member header at offset 8");
  refused(d, "!<arch>\n#1/x            0           0     0     644     "
          "2         `\nab", 70, XR_EUSAGE,
          "broken archive member name at offset 8");
  refused(d, "\xca\xfe\xba\xbe\0\0\0\2", 8, XR_EUSAGE,
          "is a fat Mach-O file");
  refused(d, "\xce\xfa\xed\xfe\7\0\0\0", 8, XR_EUSAGE,
          "is a 32-bit Mach-O file");
  refused(d, "\xfe\xed\xfa\xcf\1\0\0\7", 8, XR_EUSAGE,
          "is a big-endian Mach-O file");
  refused(d, "\xcf\xfa\xed\xfe\7\0\0\1", 8, XR_EUSAGE,
          "is too short for a Mach-O header (8 bytes;");
  memset(h, 0, sizeof(h));
  put_le32(h, XR_MACHO_MAGIC_64);
  put_le32(h + 4, 0x01000012u);  /* ppc64 */
  refused(d, h, sizeof(h), XR_EUSAGE,
          "is a Mach-O file for CPU type 0x01000012 (expected x86_64 or "
          "arm64)");
  refused(d, "\177ELF", 4, XR_EUSAGE, exp);
  snprintf(p, sizeof(p), "%s/missing", d);
  CHECK(xr_macho_probe(p, &s, &e) == XR_ENOTFOUND);
  CHECK(strstr(e.msg, "cannot open '") == e.msg);
  CHECK(xr_macho_probe(d, &s, &e) == XR_EUSAGE);
  CHECK(strstr(e.msg, "is not a regular file") != NULL);
  CHECK(xr_fs_rmtree(d, &e) == 0);
}

TEST(layout_orders_by_alignment_and_rounds_offsets)
{
  struct xr_macho_slice s[3];
  struct xr_err e;

  memset(s, 0, sizeof(s));
  s[0].cputype = XR_MACHO_CPU_ARM64;
  s[0].size = 49968;
  s[0].align = 14;
  s[1].cputype = XR_MACHO_CPU_X86_64;
  s[1].size = 0x3110;
  s[1].align = 12;
  CHECK(xr_macho_fat_layout(s, 2, &e) == 0);
  CHECK(s[0].cputype == XR_MACHO_CPU_X86_64);
  CHECK(s[0].offset == 0x1000);
  CHECK(s[1].cputype == XR_MACHO_CPU_ARM64);
  CHECK(s[1].offset == 0x8000);
  /* Equal alignments keep their order (a stable sort). */
  memset(s, 0, sizeof(s));
  s[0].cputype = 1;
  s[0].align = 14;
  s[0].size = 1;
  s[1].cputype = 2;
  s[1].align = 12;
  s[1].size = 0x1001;
  s[2].cputype = 3;
  s[2].align = 12;
  s[2].size = 1;
  CHECK(xr_macho_fat_layout(s, 3, &e) == 0);
  CHECK(s[0].cputype == 2 && s[0].offset == 0x1000);
  CHECK(s[1].cputype == 3 && s[1].offset == 0x3000);
  CHECK(s[2].cputype == 1 && s[2].offset == 0x4000);
  /* Offsets must fit in 32 bits. */
  memset(s, 0, sizeof(s));
  s[0].align = 12;
  s[0].size = 0xfffff000u;
  s[1].align = 14;
  s[1].size = 1;
  xr_err_clear(&e);
  CHECK(xr_macho_fat_layout(s, 2, &e) == XR_ELIMIT);
  CHECK(strstr(e.msg, "do not fit in a fat Mach-O file") != NULL);
}

TEST(create_writes_header_padding_and_unchanged_slices)
{
  char *d = tap_scratch("macho"), a[4200], x[4200], o[4200];
  const char *in[2];
  unsigned char *fat, *ta, *tx;
  size_t nf, na, nx, i;
  struct stat st;
  struct xr_err e;

  snprintf(a, sizeof(a), "%s/arm", d);
  snprintf(x, sizeof(x), "%s/x86", d);
  snprintf(o, sizeof(o), "%s/fat", d);
  thin(a, XR_MACHO_CPU_ARM64, 0, 70000, 3, 0755);
  thin(x, XR_MACHO_CPU_X86_64, 0x80000003u, 8000, 4, 0644);
  /* Given arm64 first, written x86_64 first. */
  in[0] = a;
  in[1] = x;
  CHECK(xr_macho_fat_create(o, in, 2, &e) == 0);
  fat = slurp(o, &nf);
  ta = slurp(a, &na);
  tx = slurp(x, &nx);
  REQUIRE(nf == 0x4000 + 70000);
  CHECK(get_be32(fat) == 0xcafebabeu);
  CHECK(get_be32(fat + 4) == 2);
  CHECK(get_be32(fat + 8) == XR_MACHO_CPU_X86_64);
  CHECK(get_be32(fat + 12) == 0x80000003u);
  CHECK(get_be32(fat + 16) == 0x1000);
  CHECK(get_be32(fat + 20) == 8000);
  CHECK(get_be32(fat + 24) == 12);
  CHECK(get_be32(fat + 28) == XR_MACHO_CPU_ARM64);
  CHECK(get_be32(fat + 32) == 0);
  CHECK(get_be32(fat + 36) == 0x4000);
  CHECK(get_be32(fat + 40) == 70000);
  CHECK(get_be32(fat + 44) == 14);
  for (i = 48; i < 0x1000; i++)
    if (fat[i])
      break;
  CHECK(i == 0x1000);
  CHECK(memcmp(fat + 0x1000, tx, nx) == 0);
  for (i = 0x1000 + nx; i < 0x4000; i++)
    if (fat[i])
      break;
  CHECK(i == 0x4000);
  CHECK(memcmp(fat + 0x4000, ta, na) == 0);
  /* Executable since one input is; nothing else left in the directory. */
  REQUIRE(stat(o, &st) == 0);
  CHECK((st.st_mode & 0100) != 0);
  CHECK(tap_entries(d) == 3);
  free(fat);
  free(ta);
  free(tx);
  CHECK(xr_fs_rmtree(d, &e) == 0);
}

TEST(create_refuses_and_keeps_the_old_output)
{
  char *d = tap_scratch("macho"), a[4200], b[4200], o[4200], c[4200];
  const char *in[2];
  unsigned char *got;
  size_t n;
  struct stat st;
  struct xr_err e;

  snprintf(a, sizeof(a), "%s/a", d);
  snprintf(b, sizeof(b), "%s/b", d);
  snprintf(c, sizeof(c), "%s/c.txt", d);
  snprintf(o, sizeof(o), "%s/out", d);
  thin(a, XR_MACHO_CPU_ARM64, 0, 64, 5, 0644);
  thin(b, XR_MACHO_CPU_ARM64, 2, 64, 6, 0644);
  put_bytes(c, "text\n", 5, 0644);
  put_bytes(o, "old", 3, 0644);
  in[0] = a;
  in[1] = b;
  xr_err_clear(&e);
  CHECK(xr_macho_fat_create(o, in, 2, &e) == XR_EUSAGE);
  CHECK(strstr(e.msg, "are both arm64 (one input per CPU expected)") !=
        NULL);
  in[1] = c;
  CHECK(xr_macho_fat_create(o, in, 2, &e) == XR_EUSAGE);
  CHECK(strstr(e.msg, "c.txt' is not a Mach-O file") != NULL);
  CHECK(xr_macho_fat_create(o, in, 0, &e) == XR_EUSAGE);
  CHECK(strstr(e.msg, "takes 1 to 16 inputs, not 0") != NULL);
  got = slurp(o, &n);
  CHECK(n == 3 && !memcmp(got, "old", 3));
  free(got);
  CHECK(tap_entries(d) == 4);
  /* One input makes a fat file of one slice; not executable here. */
  CHECK(xr_macho_fat_create(o, in, 1, &e) == 0);
  REQUIRE(stat(o, &st) == 0);
  CHECK(st.st_size == 0x4000 + 64);
  CHECK((st.st_mode & 0111) == 0);
  CHECK(xr_fs_rmtree(d, &e) == 0);
}

TAP_MAIN(TAP_CASE(probe_reads_cpu_subtype_size_and_alignment),
         TAP_CASE(probe_takes_a_static_library_by_its_first_mach_o_member),
         TAP_CASE(probe_refuses_what_is_not_a_thin_64_bit_mach_o),
         TAP_CASE(layout_orders_by_alignment_and_rounds_offsets),
         TAP_CASE(create_writes_header_padding_and_unchanged_slices),
         TAP_CASE(create_refuses_and_keeps_the_old_output))
