/*
 * Unit tests for module/engine/archive.c through its public API: the
 * pull-style stream (fed in tiny chunks it must give the same tree as a
 * file), the rewrite hook, limits, errors and modes.  The archives are
 * plain ustar built here byte by byte, so the tests need no libarchive
 * writer and no fixture files; tests/cli/unpack.sh covers compression and
 * hostile input.
 */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "xrust/archive.h"
#include "xrust/buf.h"
#include "xrust/error.h"

/* Writes V as WIDTH-1 octal digits and a NUL, as ustar numbers are. */
static void octal(unsigned char *dst, size_t width, unsigned long v)
{
  size_t i = width - 1;

  dst[i] = '\0';
  while (i--) {
    dst[i] = (unsigned char)('0' + (v & 7));
    v >>= 3;
  }
}

/* Appends one ustar header (and DATA padded to 512 bytes) to TAR. */
static void tar_add(struct xr_buf *tar, const char *name, char type,
                    unsigned mode, const char *data, size_t len,
                    const char *link)
{
  unsigned char h[512];
  unsigned sum = 0;
  size_t i;

  REQUIRE(strlen(name) < 100 && (!link || strlen(link) < 100));
  memset(h, 0, sizeof(h));
  memcpy(h, name, strlen(name));
  octal(h + 100, 8, mode);
  octal(h + 108, 8, 1000);
  octal(h + 116, 8, 1000);
  octal(h + 124, 12, (unsigned long)len);
  octal(h + 136, 12, 1000000000ul);
  h[156] = (unsigned char)type;
  if (link)
    memcpy(h + 157, link, strlen(link));
  memcpy(h + 257, "ustar", 6);
  memcpy(h + 263, "00", 2);
  memset(h + 148, ' ', 8);
  for (i = 0; i < sizeof(h); i++)
    sum += h[i];
  octal(h + 148, 7, sum);
  REQUIRE(xr_buf_add(tar, h, sizeof(h)) == 0);
  if (len) {
    static const char zeros[512];

    REQUIRE(xr_buf_add(tar, data, len) == 0);
    if (len % 512)
      REQUIRE(xr_buf_add(tar, zeros, 512 - len % 512) == 0);
  }
}

static void tar_end(struct xr_buf *tar)
{
  static const char zeros[1024];

  REQUIRE(xr_buf_add(tar, zeros, sizeof(zeros)) == 0);
}

static void tar_file(struct xr_buf *tar, const char *name, unsigned mode,
                     const char *text)
{
  tar_add(tar, name, '0', mode, text, strlen(text), NULL);
}

/* A small tree with every kind of entry the extractor writes. */
static void sample_tar(struct xr_buf *tar)
{
  tar_add(tar, "top/", '5', 0700, NULL, 0, NULL);
  tar_file(tar, "top/bin/tool", 04775, "#!/bin/sh\n");
  tar_file(tar, "top/lib/deep/x.txt", 0600, "x\n");
  tar_add(tar, "top/lib/link", '2', 0777, NULL, 0, "deep/x.txt");
  tar_add(tar, "top/lib/hard", '1', 0644, NULL, 0, "top/lib/deep/x.txt");
  tar_add(tar, "top/empty/", '5', 0500, NULL, 0, NULL);
  tar_file(tar, "./top//share/./doc", 0444, "doc\n");
  tar_end(tar);
}

static char *make_tmpdir(void)
{
  const char *base = getenv("TMPDIR");
  struct xr_buf b = XR_BUF_INIT;

  REQUIRE(xr_buf_printf(&b, "%s/xrust-archive.XXXXXX",
                        base && *base ? base : "/tmp") == 0);
  REQUIRE(mkdtemp(b.data) != NULL);
  return xr_buf_detach(&b);
}

static int rm_one(const char *path, const struct stat *st, int flag,
                  struct FTW *ftw)
{
  (void)st;
  (void)flag;
  (void)ftw;
  return remove(path);
}

static void rm_tree(char *dir)
{
  nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
  free(dir);
}

static char *sub(const char *dir, const char *name)
{
  struct xr_buf b = XR_BUF_INIT;

  REQUIRE(xr_buf_printf(&b, "%s/%s", dir, name) == 0);
  REQUIRE(mkdir(b.data, 0755) == 0 || errno == EEXIST);
  return xr_buf_detach(&b);
}

static int cmp_str(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends "type mode path [target|content]" lines for the tree at DIR. */
static void list_into(const char *dir, const char *rel, char ***lines,
                      size_t *n)
{
  struct xr_buf p = XR_BUF_INIT;
  char *names[64];
  size_t count = 0, i;
  DIR *d;
  struct dirent *de;

  REQUIRE(xr_buf_printf(&p, "%s%s%s", dir, *rel ? "/" : "", rel) == 0);
  d = opendir(p.data);
  REQUIRE(d != NULL);
  for (;;) {
    de = readdir(d);
    if (!de)
      break;
    if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
      continue;
    REQUIRE(count < 64);
    names[count++] = xr_strdup(de->d_name);
  }
  closedir(d);
  qsort(names, count, sizeof(names[0]), cmp_str);
  for (i = 0; i < count; i++) {
    struct xr_buf r = XR_BUF_INIT, full = XR_BUF_INIT, line = XR_BUF_INIT;
    struct stat st;
    char buf[256];
    ssize_t len;

    REQUIRE(xr_buf_printf(&r, "%s%s%s", rel, *rel ? "/" : "",
                          names[i]) == 0);
    REQUIRE(xr_buf_printf(&full, "%s/%s", dir, r.data) == 0);
    REQUIRE(lstat(full.data, &st) == 0);
    if (S_ISLNK(st.st_mode)) {
      len = readlink(full.data, buf, sizeof(buf) - 1);
      REQUIRE(len >= 0);
      buf[len] = '\0';
      xr_buf_printf(&line, "l %s -> %s", r.data, buf);
    } else if (S_ISDIR(st.st_mode)) {
      xr_buf_printf(&line, "d %o %s", (unsigned)(st.st_mode & 07777),
                    r.data);
    } else {
      FILE *f = fopen(full.data, "rb");

      REQUIRE(f != NULL);
      len = (ssize_t)fread(buf, 1, sizeof(buf) - 1, f);
      fclose(f);
      buf[len] = '\0';
      xr_buf_printf(&line, "f %o %lu %s %s", (unsigned)(st.st_mode & 07777),
                    (unsigned long)st.st_nlink, r.data, buf);
    }
    *lines = realloc(*lines, (*n + 1) * sizeof(**lines));
    REQUIRE(*lines != NULL);
    (*lines)[(*n)++] = xr_buf_detach(&line);
    if (S_ISDIR(st.st_mode))
      list_into(dir, r.data, lines, n);
    xr_buf_release(&r);
    xr_buf_release(&full);
    free(names[i]);
  }
  xr_buf_release(&p);
}

/* The whole tree under DIR as one string, one line per entry. */
static char *listing(const char *dir)
{
  char **lines = NULL;
  size_t n = 0, i;
  struct xr_buf out = XR_BUF_INIT;

  list_into(dir, "", &lines, &n);
  for (i = 0; i < n; i++) {
    xr_buf_printf(&out, "%s\n", lines[i]);
    free(lines[i]);
  }
  free(lines);
  xr_buf_adds(&out, "");
  return xr_buf_detach(&out);
}

/* A pull source over memory that hands out at most CHUNK bytes a call. */
struct chunks {
  const char *data;
  size_t len, pos, chunk;
  size_t fail_at;       /* fail once pos reaches this; 0: never */
  int ended;            /* a read returned 0 */
};

static ssize_t chunk_read(void *ctx, const void **buf)
{
  struct chunks *c = ctx;
  size_t n = c->len - c->pos;

  if (c->fail_at && c->pos >= c->fail_at)
    return -1;
  if (n > c->chunk)
    n = c->chunk;
  *buf = c->data + c->pos;
  c->pos += n;
  if (!n)
    c->ended = 1;
  return (ssize_t)n;
}

static int unpack_mem(const struct xr_buf *tar, size_t chunk,
                      const char *dir, const struct xr_unpack_opts *o,
                      struct xr_unpack_stats *st, struct xr_err *err)
{
  struct chunks c = { NULL, 0, 0, 0, 0, 0 };

  c.data = tar->data;
  c.len = tar->len;
  c.chunk = chunk;
  return xr_unpack_stream(chunk_read, &c, "mem.tar", dir, o, st, err);
}

static void write_file(const char *path, const struct xr_buf *b)
{
  FILE *f = fopen(path, "wb");

  REQUIRE(f != NULL);
  REQUIRE(fwrite(b->data, 1, b->len, f) == b->len);
  REQUIRE(fclose(f) == 0);
}

static const char sample_listing[] =
  "d 755 top\n"
  "d 755 top/bin\n"
  "f 755 1 top/bin/tool #!/bin/sh\n\n"
  "d 755 top/empty\n"
  "d 755 top/lib\n"
  "d 755 top/lib/deep\n"
  "f 644 2 top/lib/deep/x.txt x\n\n"
  "f 644 2 top/lib/hard x\n\n"
  "l top/lib/link -> deep/x.txt\n"
  "d 755 top/share\n"
  "f 644 1 top/share/doc doc\n\n";

TEST(file_gives_expected_tree)
{
  struct xr_buf tar = XR_BUF_INIT, path = XR_BUF_INIT;
  struct xr_unpack_stats st;
  struct xr_err err;
  char *tmp = make_tmpdir(), *out = sub(tmp, "out"), *got;

  sample_tar(&tar);
  xr_buf_printf(&path, "%s/sample.tar", tmp);
  write_file(path.data, &tar);
  umask(077);
  CHECK(xr_unpack_file(path.data, out, NULL, &st, &err) == 0);
  CHECK_STR(err.msg, "");
  got = listing(out);
  CHECK_STR(got, sample_listing);
  CHECK(st.entries == 7);
  CHECK(st.bytes == 16);
  free(got);
  free(out);
  xr_buf_release(&tar);
  xr_buf_release(&path);
  rm_tree(tmp);
}

TEST(stream_in_small_chunks_gives_same_tree)
{
  static const size_t sizes[] = { 1, 7, 511, 513, 4096, 1 << 20 };
  struct xr_buf tar = XR_BUF_INIT;
  struct xr_err err;
  char *tmp = make_tmpdir();
  size_t i;

  sample_tar(&tar);
  for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
    struct xr_buf name = XR_BUF_INIT;
    char *out, *got;

    xr_buf_printf(&name, "out%zu", sizes[i]);
    out = sub(tmp, name.data);
    CHECK(unpack_mem(&tar, sizes[i], out, NULL, NULL, &err) == 0);
    got = listing(out);
    CHECK_STR(got, sample_listing);
    free(got);
    free(out);
    xr_buf_release(&name);
  }
  xr_buf_release(&tar);
  rm_tree(tmp);
}

TEST(stream_is_read_past_the_end_marker)
{
  struct xr_buf tar = XR_BUF_INIT;
  struct chunks c = { NULL, 0, 0, 100, 0, 0 };
  struct xr_err err;
  char *tmp = make_tmpdir();
  static const char junk[8192];

  tar_file(&tar, "a", 0644, "a\n");
  tar_end(&tar);
  xr_buf_add(&tar, junk, sizeof(junk));
  c.data = tar.data;
  c.len = tar.len;
  CHECK(xr_unpack_stream(chunk_read, &c, "mem", tmp, NULL, NULL, &err) ==
        0);
  CHECK(c.pos == c.len);
  CHECK(c.ended);
  xr_buf_release(&tar);
  rm_tree(tmp);
}

TEST(source_error_is_an_io_error)
{
  struct xr_buf tar = XR_BUF_INIT;
  struct chunks c = { NULL, 0, 0, 512, 1024, 0 };
  struct xr_err err;
  char *tmp = make_tmpdir();
  static const char big[4096];

  tar_add(&tar, "big", '0', 0644, big, sizeof(big), NULL);
  tar_end(&tar);
  c.data = tar.data;
  c.len = tar.len;
  CHECK(xr_unpack_stream(chunk_read, &c, "mem", tmp, NULL, NULL, &err) ==
        XR_EIO);
  CHECK(err.code == XR_EIO);
  CHECK_STR(err.msg, "cannot read 'mem': input error");
  xr_buf_release(&tar);
  rm_tree(tmp);
}

/* The toolchain installer's mapping: component/x -> x, no metadata. */
static int installer_rewrite(void *ctx, const char *path, struct xr_buf *out,
                             struct xr_err *err)
{
  const char *comp = ctx;
  size_t n = strlen(comp);

  (void)err;
  if (strncmp(path, comp, n) || path[n] != '/')
    return 0;
  if (!strcmp(path + n + 1, "manifest.in"))
    return 0;
  return xr_buf_adds(out, path + n + 1) ? XR_ENOMEM : 1;
}

TEST(rewrite_maps_and_skips)
{
  struct xr_buf tar = XR_BUF_INIT;
  struct xr_unpack_opts o;
  struct xr_unpack_stats st;
  struct xr_err err;
  char *tmp = make_tmpdir(), *got;

  tar_add(&tar, "rustc-1.0-x/", '5', 0755, NULL, 0, NULL);
  tar_file(&tar, "rustc-1.0-x/install.sh", 0755, "#!/bin/sh\n");
  tar_file(&tar, "rustc-1.0-x/components", 0644, "rustc\n");
  tar_file(&tar, "rustc-1.0-x/rustc/manifest.in", 0644, "file:bin/rustc\n");
  tar_file(&tar, "rustc-1.0-x/rustc/bin/rustc", 0755, "ELF\n");
  tar_file(&tar, "rustc-1.0-x/rustc/lib/libstd.so", 0644, "so\n");
  tar_file(&tar, "rustc-1.0-x/rustcx/bin/no", 0755, "no\n");
  tar_end(&tar);
  xr_unpack_opts_init(&o);
  o.strip = 1;
  o.rewrite = installer_rewrite;
  o.rewrite_ctx = (void *)"rustc";
  CHECK(unpack_mem(&tar, 300, tmp, &o, &st, &err) == 0);
  got = listing(tmp);
  CHECK_STR(got, "d 755 bin\n"
                 "f 755 1 bin/rustc ELF\n\n"
                 "d 755 lib\n"
                 "f 644 1 lib/libstd.so so\n\n");
  CHECK(st.entries == 2);
  free(got);
  xr_buf_release(&tar);
  rm_tree(tmp);
}

static int failing_rewrite(void *ctx, const char *path, struct xr_buf *out,
                           struct xr_err *err)
{
  (void)ctx;
  (void)out;
  return xr_fail(err, XR_EMANIFEST, "no component for '%s'", path);
}

TEST(rewrite_error_aborts_with_its_message)
{
  struct xr_buf tar = XR_BUF_INIT;
  struct xr_unpack_opts o;
  struct xr_err err;
  char *tmp = make_tmpdir();

  tar_file(&tar, "top/a", 0644, "a\n");
  tar_end(&tar);
  xr_unpack_opts_init(&o);
  o.strip = 1;
  o.rewrite = failing_rewrite;
  CHECK(unpack_mem(&tar, 512, tmp, &o, NULL, &err) == XR_EMANIFEST);
  CHECK_STR(err.msg, "no component for 'a'");
  CHECK(access(tmp, F_OK) == 0);
  xr_buf_release(&tar);
  rm_tree(tmp);
}

static int escaping_rewrite(void *ctx, const char *path, struct xr_buf *out,
                            struct xr_err *err)
{
  (void)ctx;
  (void)err;
  return xr_buf_printf(out, "../%s", path) ? XR_ENOMEM : 1;
}

TEST(rewrite_output_is_checked)
{
  struct xr_buf tar = XR_BUF_INIT;
  struct xr_unpack_opts o;
  struct xr_err err;
  char *tmp = make_tmpdir(), *out = sub(tmp, "out"), *got;

  tar_file(&tar, "a", 0644, "a\n");
  tar_end(&tar);
  xr_unpack_opts_init(&o);
  o.rewrite = escaping_rewrite;
  CHECK(unpack_mem(&tar, 512, out, &o, NULL, &err) == XR_EUNSAFE);
  CHECK_STR(err.msg, "unsafe path 'a' in 'mem.tar': parent directory "
                     "component");
  got = listing(out);
  CHECK_STR(got, "");
  free(got);
  free(out);
  xr_buf_release(&tar);
  rm_tree(tmp);
}

TEST(strip_skips_entries_left_empty)
{
  struct xr_buf tar = XR_BUF_INIT;
  struct xr_unpack_opts o;
  struct xr_unpack_stats st;
  struct xr_err err;
  char *tmp = make_tmpdir(), *got;

  tar_add(&tar, "a/", '5', 0755, NULL, 0, NULL);
  tar_add(&tar, "a/b/", '5', 0755, NULL, 0, NULL);
  tar_file(&tar, "top-file", 0644, "skipped\n");
  tar_file(&tar, "a/b/c", 0644, "c\n");
  tar_end(&tar);
  xr_unpack_opts_init(&o);
  o.strip = 2;
  CHECK(unpack_mem(&tar, 4096, tmp, &o, &st, &err) == 0);
  got = listing(tmp);
  CHECK_STR(got, "f 644 1 c c\n\n");
  CHECK(st.entries == 1);
  CHECK(st.bytes == 2);
  free(got);
  xr_buf_release(&tar);
  rm_tree(tmp);
}

TEST(limits)
{
  struct xr_buf tar = XR_BUF_INIT;
  struct xr_unpack_opts o;
  struct xr_err err;
  char *tmp = make_tmpdir();
  char data[1000];

  memset(data, 'z', sizeof(data));
  tar_add(&tar, "a", '0', 0644, data, sizeof(data), NULL);
  tar_add(&tar, "b", '0', 0644, data, sizeof(data), NULL);
  tar_add(&tar, "c", '0', 0644, data, sizeof(data), NULL);
  tar_end(&tar);

  xr_unpack_opts_init(&o);
  o.max_entry_size = 999;
  CHECK(unpack_mem(&tar, 512, tmp, &o, NULL, &err) == XR_ELIMIT);
  CHECK_STR(err.msg, "entry 'a' in 'mem.tar' is larger than the limit of "
                     "999 bytes");

  xr_unpack_opts_init(&o);
  o.max_total_size = 2500;
  CHECK(unpack_mem(&tar, 512, tmp, &o, NULL, &err) == XR_ELIMIT);
  CHECK_STR(err.msg, "'mem.tar' expands to more than the limit of 2500 "
                     "bytes");

  xr_unpack_opts_init(&o);
  o.max_entries = 2;
  CHECK(unpack_mem(&tar, 512, tmp, &o, NULL, &err) == XR_ELIMIT);
  CHECK_STR(err.msg, "'mem.tar' has more than the limit of 2 entries");

  xr_unpack_opts_init(&o);
  o.max_entries = 3;
  o.max_total_size = 3000;
  o.max_entry_size = 1000;
  CHECK(unpack_mem(&tar, 512, tmp, &o, NULL, &err) == 0);
  xr_buf_release(&tar);
  rm_tree(tmp);
}

TEST(unsafe_entries)
{
  static const struct {
    const char *name;
    char type;
    const char *link;
    enum xr_code code;
    const char *msg;
  } cases[] = {
    { "../x", '0', NULL, XR_EUNSAFE,
      "unsafe path '../x' in 'mem.tar': parent directory component" },
    { "/x", '0', NULL, XR_EUNSAFE,
      "unsafe path '/x' in 'mem.tar': absolute path" },
    { "d/l", '2', "../../x", XR_EUNSAFE,
      "unsafe symlink 'd/l' -> '../../x' in 'mem.tar': target outside "
      "the directory" },
    { "l", '2', "/etc", XR_EUNSAFE,
      "unsafe symlink 'l' -> '/etc' in 'mem.tar': absolute target" },
    { "h", '1', "nowhere", XR_EUNSAFE,
      "unsafe hard link 'h' -> 'nowhere' in 'mem.tar': target not "
      "extracted before the link" },
    { "dev", '3', NULL, XR_EUNSAFE,
      "unsafe entry 'dev' in 'mem.tar': character device" },
    { "p", '6', NULL, XR_EUNSAFE, "unsafe entry 'p' in 'mem.tar': fifo" },
    { "bad\nname/../x", '0', NULL, XR_EUNSAFE,
      "unsafe path 'bad\\x0aname/../x' in 'mem.tar': parent directory "
      "component" },
  };
  size_t i;

  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct xr_buf tar = XR_BUF_INIT;
    struct xr_err err;
    char *tmp = make_tmpdir(), *got;

    tar_add(&tar, cases[i].name, cases[i].type, 0644, NULL, 0,
            cases[i].link);
    tar_end(&tar);
    CHECK(unpack_mem(&tar, 512, tmp, NULL, NULL, &err) ==
          (int)cases[i].code);
    CHECK_STR(err.msg, cases[i].msg);
    got = listing(tmp);
    CHECK_STR(got, "");
    free(got);
    xr_buf_release(&tar);
    rm_tree(tmp);
  }
}

TEST(existing_files_are_replaced_not_written_through)
{
  struct xr_buf tar = XR_BUF_INIT, p = XR_BUF_INIT, q = XR_BUF_INIT;
  struct xr_err err;
  char *tmp = make_tmpdir(), *out = sub(tmp, "out"), *got;
  char line[64] = "";
  FILE *f;

  /* A link planted in the target must be replaced, never followed. */
  xr_buf_printf(&p, "%s/victim", tmp);
  f = fopen(p.data, "w");
  REQUIRE(f != NULL);
  fputs("victim\n", f);
  fclose(f);
  xr_buf_printf(&q, "%s/a", out);
  REQUIRE(symlink(p.data, q.data) == 0);
  tar_file(&tar, "a", 0644, "new\n");
  tar_end(&tar);
  CHECK(unpack_mem(&tar, 512, out, NULL, NULL, &err) == 0);
  got = listing(out);
  CHECK_STR(got, "f 644 1 a new\n\n");
  free(got);
  f = fopen(p.data, "r");
  REQUIRE(f != NULL);
  CHECK(fgets(line, sizeof(line), f) != NULL);
  fclose(f);
  CHECK_STR(line, "victim\n");
  free(out);
  xr_buf_release(&tar);
  xr_buf_release(&p);
  xr_buf_release(&q);
  rm_tree(tmp);
}

TEST(directory_in_the_way_is_an_error)
{
  struct xr_buf tar = XR_BUF_INIT;
  struct xr_err err;
  char *tmp = make_tmpdir();

  tar_add(&tar, "a/", '5', 0755, NULL, 0, NULL);
  tar_file(&tar, "a", 0644, "file\n");
  tar_end(&tar);
  CHECK(unpack_mem(&tar, 512, tmp, NULL, NULL, &err) == XR_EIO);
  CHECK_STR(err.msg, "cannot extract 'a' from 'mem.tar': a directory is "
                     "in the way");
  xr_buf_release(&tar);
  rm_tree(tmp);
}

TEST(corrupt_and_missing_inputs)
{
  struct xr_buf tar = XR_BUF_INIT;
  struct xr_err err;
  char *tmp = make_tmpdir();
  size_t cut;

  tar_file(&tar, "a", 0644, "a\n");
  tar_end(&tar);
  /* Cut inside the header block: libarchive reports a truncated header. */
  cut = tar.len;
  tar.len = 300;
  CHECK(unpack_mem(&tar, 512, tmp, NULL, NULL, &err) == XR_EARCHIVE);
  CHECK(strncmp(err.msg, "cannot read 'mem.tar': ", 23) == 0);
  tar.len = cut;
  tar.data[148] ^= 1;   /* bad header checksum */
  CHECK(unpack_mem(&tar, 512, tmp, NULL, NULL, &err) == XR_EARCHIVE);
  CHECK(strncmp(err.msg, "cannot read 'mem.tar': ", 23) == 0);
  CHECK(xr_unpack_file("/nonexistent/x.tar", tmp, NULL, NULL, &err) ==
        XR_ENOTFOUND);
  CHECK_STR(err.msg, "cannot open '/nonexistent/x.tar': No such file or "
                     "directory");
  CHECK(unpack_mem(&tar, 512, "/nonexistent/dir", NULL, NULL, &err) ==
        XR_ENOTFOUND);
  xr_buf_release(&tar);
  rm_tree(tmp);
}

TEST(filters_are_probed)
{
  CHECK(xr_unpack_has_filter("gzip") == 1);
  CHECK(xr_unpack_has_filter("xz") == 1);
  CHECK(xr_unpack_has_filter("rot13") == 0);
}

TAP_MAIN(TAP_CASE(file_gives_expected_tree),
         TAP_CASE(stream_in_small_chunks_gives_same_tree),
         TAP_CASE(stream_is_read_past_the_end_marker),
         TAP_CASE(source_error_is_an_io_error),
         TAP_CASE(rewrite_maps_and_skips),
         TAP_CASE(rewrite_error_aborts_with_its_message),
         TAP_CASE(rewrite_output_is_checked),
         TAP_CASE(strip_skips_entries_left_empty),
         TAP_CASE(limits),
         TAP_CASE(unsafe_entries),
         TAP_CASE(existing_files_are_replaced_not_written_through),
         TAP_CASE(directory_in_the_way_is_an_error),
         TAP_CASE(corrupt_and_missing_inputs),
         TAP_CASE(filters_are_probed))
