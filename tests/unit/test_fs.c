/*
 * Unit tests of the file-system layer (module/lib/fs.c) and the string
 * list (module/lib/strv.c): size caps, atomic writes and their
 * temporaries, mkdir -p and rm -rf on read-only and unreadable trees,
 * tree mirroring with a filter, and the NULL-terminated list.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "xrust/buf.h"
#include "xrust/error.h"
#include "xrust/fs.h"
#include "xrust/strv.h"

static void put(const char *path, const char *text)
{
  FILE *f = fopen(path, "wb");

  REQUIRE(f != NULL);
  fputs(text, f);
  fclose(f);
}

TEST(read_whole_file_under_a_cap)
{
  char *d = tap_scratch("fs"), p[4200];
  struct xr_buf b = XR_BUF_INIT;
  struct xr_err e;

  snprintf(p, sizeof(p), "%s/a", d);
  put(p, "hello");
  CHECK(xr_fs_read(p, 5, &b, &e) == 0);
  CHECK_STR(xr_buf_str(&b), "hello");
  xr_buf_reset(&b);
  CHECK(xr_fs_read(p, 4, &b, &e) == XR_ELIMIT);
  CHECK(strstr(e.msg, "is larger than 4 bytes") != NULL);
  CHECK(strstr(e.msg, p) != NULL);
  snprintf(p, sizeof(p), "%s/missing", d);
  CHECK(xr_fs_read(p, 10, &b, &e) == XR_ENOTFOUND);
  CHECK(strstr(e.msg, "cannot open '") == e.msg);
  xr_buf_release(&b);
  CHECK(xr_fs_rmtree(d, &e) == 0);
}

TEST(atomic_write_replaces_and_leaves_no_temporary)
{
  char *d = tap_scratch("fs"), p[4200];
  struct xr_buf b = XR_BUF_INIT;
  struct xr_err e;
  struct stat st;
  mode_t mask = umask(022);

  snprintf(p, sizeof(p), "%s/out", d);
  put(p, "old");
  CHECK(xr_fs_write(p, "new text", 8, XR_FS_SYNC, &e) == 0);
  CHECK(xr_fs_read(p, 100, &b, &e) == 0);
  CHECK_STR(xr_buf_str(&b), "new text");
  CHECK(tap_entries(d) == 1);
  REQUIRE(stat(p, &st) == 0);
  CHECK((st.st_mode & 0777) == 0644);
  CHECK(xr_fs_write(p, "#!", 2, XR_FS_EXEC, &e) == 0);
  REQUIRE(stat(p, &st) == 0);
  CHECK((st.st_mode & 0777) == 0755);
  /* A directory that cannot take the temporary: an error, nothing left. */
  snprintf(p, sizeof(p), "%s/no/such/dir/out", d);
  CHECK(xr_fs_write(p, "x", 1, 0, &e) == XR_EIO);
  CHECK(strstr(e.msg, "cannot create a temporary file for '") == e.msg);
  /* A temporary directory: the same rule, the mode of a plain mkdir. */
  snprintf(p, sizeof(p), "%s/tree", d);
  CHECK(xr_fs_mkdtemp(p, &b, &e) == 0);
  CHECK(strncmp(b.data, p, strlen(p)) == 0);
  CHECK(strncmp(b.data + strlen(p), ".tmp-", 5) == 0);
  REQUIRE(stat(b.data, &st) == 0);
  CHECK(S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0755);
  CHECK(rename(b.data, p) == 0 && xr_fs_is_dir(p));
  snprintf(p, sizeof(p), "%s/no/tree", d);
  CHECK(xr_fs_mkdtemp(p, &b, &e) == XR_EIO);
  CHECK(strstr(e.msg, "cannot create a temporary directory for '") ==
        e.msg);
  umask(mask);
  xr_buf_release(&b);
  CHECK(xr_fs_rmtree(d, &e) == 0);
}

TEST(write_all_writes_everything_or_fails)
{
  char *d = tap_scratch("fs"), p[4200];
  static char big[300000];
  struct xr_buf b = XR_BUF_INIT;
  struct xr_err e;
  int fd;

  memset(big, 'x', sizeof(big));
  snprintf(p, sizeof(p), "%s/big", d);
  fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0644);
  REQUIRE(fd >= 0);
  CHECK(xr_fs_write_all(fd, big, sizeof(big)) == 0);
  CHECK(xr_fs_write_all(fd, "", 0) == 0);
  CHECK(close(fd) == 0);
  CHECK(xr_fs_read(p, sizeof(big), &b, &e) == 0);
  CHECK(b.len == sizeof(big) && !memcmp(b.data, big, sizeof(big)));
  errno = 0;
  CHECK(xr_fs_write_all(fd, "x", 1) == -1);
  CHECK(errno == EBADF);
  xr_buf_release(&b);
  CHECK(xr_fs_rmtree(d, &e) == 0);
}

TEST(mkdirs_and_rmtree_of_a_read_only_tree)
{
  char *d = tap_scratch("fs"), p[4200], q[4300];
  struct xr_err e;

  snprintf(p, sizeof(p), "%s/a/b/c", d);
  CHECK(xr_fs_mkdirs(p, &e) == 0);
  CHECK(xr_fs_is_dir(p));
  CHECK(xr_fs_mkdirs(p, &e) == 0);
  snprintf(q, sizeof(q), "%s/f", p);
  put(q, "x");
  snprintf(q, sizeof(q), "%s/a/b", d);
  CHECK(chmod(p, 0500) == 0);
  CHECK(chmod(q, 0500) == 0);
  snprintf(q, sizeof(q), "%s/a", d);
  CHECK(xr_fs_rmtree(q, &e) == 0);
  CHECK(access(q, F_OK) != 0);
  CHECK(xr_fs_rmtree(q, &e) == 0);
  /* Directories that cannot even be read (as a crash may leave them). */
  snprintf(p, sizeof(p), "%s/u/v", d);
  CHECK(xr_fs_mkdirs(p, &e) == 0);
  snprintf(q, sizeof(q), "%s/f", p);
  put(q, "x");
  CHECK(chmod(p, 0) == 0);
  snprintf(q, sizeof(q), "%s/u", d);
  CHECK(chmod(q, 0200) == 0);
  CHECK(xr_fs_rmtree(q, &e) == 0);
  CHECK(access(q, F_OK) != 0);
  /* A file where a directory is wanted. */
  snprintf(p, sizeof(p), "%s/file", d);
  put(p, "x");
  CHECK(xr_fs_is_file(p) && !xr_fs_is_dir(p));
  CHECK(!xr_fs_is_file(d) && !xr_fs_is_file(q));
  snprintf(q, sizeof(q), "%s/file/sub", d);
  CHECK(xr_fs_mkdirs(q, &e) == XR_EIO);
  CHECK(strstr(e.msg, "cannot create directory '") == e.msg);
  CHECK(xr_fs_clear_dir(d, &e) == 0);
  CHECK(tap_entries(d) == 0);
  CHECK(xr_fs_rmtree(d, &e) == 0);
}

/* Skips "skip" anywhere and the top-level "top-only". */
static int filter(void *ctx, const char *rel, const char *src,
                  const struct stat *st, int depth)
{
  int *calls = ctx;

  (void)src;
  (void)st;
  (*calls)++;
  if (!strcmp(rel, "top-only") && depth == 0)
    return 1;
  return strlen(rel) >= 4 && !strcmp(rel + strlen(rel) - 4, "skip");
}

TEST(link_tree_mirrors_with_a_filter)
{
  char *d = tap_scratch("fs"), s[4200], t[4200], p[4300];
  struct xr_err e;
  struct stat a, b;
  int calls = 0;

  snprintf(s, sizeof(s), "%s/src/sub/deeper", d);
  REQUIRE(xr_fs_mkdirs(s, &e) == 0);
  snprintf(s, sizeof(s), "%s/src", d);
  snprintf(p, sizeof(p), "%s/file", s);
  put(p, "1");
  snprintf(p, sizeof(p), "%s/top-only", s);
  put(p, "2");
  snprintf(p, sizeof(p), "%s/sub/skip", s);
  put(p, "3");
  snprintf(p, sizeof(p), "%s/sub/deeper/top-only", s);
  put(p, "4");
  snprintf(p, sizeof(p), "%s/link", s);
  REQUIRE(symlink("file", p) == 0);
  snprintf(t, sizeof(t), "%s/dst", d);
  CHECK(xr_fs_link_tree(s, t, 0, filter, &calls, &e) == 0);
  CHECK(calls == 7);
  snprintf(p, sizeof(p), "%s/file", s);
  REQUIRE(stat(p, &a) == 0);
  snprintf(p, sizeof(p), "%s/file", t);
  REQUIRE(stat(p, &b) == 0);
  CHECK(a.st_ino == b.st_ino);
  snprintf(p, sizeof(p), "%s/top-only", t);
  CHECK(access(p, F_OK) != 0);
  snprintf(p, sizeof(p), "%s/sub/skip", t);
  CHECK(access(p, F_OK) != 0);
  snprintf(p, sizeof(p), "%s/sub/deeper/top-only", t);
  CHECK(access(p, F_OK) == 0);
  snprintf(p, sizeof(p), "%s/link", t);
  REQUIRE(lstat(p, &b) == 0);
  CHECK(S_ISLNK(b.st_mode));
  /* Into the same place again: an error unless existing paths are kept. */
  CHECK(xr_fs_link_tree(s, t, 0, NULL, NULL, &e) == XR_EIO);
  CHECK(xr_fs_link_tree(s, t, XR_FS_KEEP, NULL, NULL, &e) == 0);
  CHECK(xr_fs_rmtree(d, &e) == 0);
}

TEST(copy_file_keeps_the_mode_and_refuses_to_overwrite)
{
  char *d = tap_scratch("fs"), s[4200], t[4200];
  struct xr_buf b = XR_BUF_INIT;
  struct xr_err e;
  struct stat st;

  snprintf(s, sizeof(s), "%s/s", d);
  snprintf(t, sizeof(t), "%s/t", d);
  put(s, "content");
  CHECK(xr_fs_copy_file(s, t, 0700, &e) == 0);
  REQUIRE(stat(t, &st) == 0);
  CHECK((st.st_mode & 0700) == 0700);
  CHECK(xr_fs_read(t, 100, &b, &e) == 0);
  CHECK_STR(xr_buf_str(&b), "content");
  CHECK(xr_fs_copy_file(s, t, 0644, &e) == XR_EIO);
  xr_buf_release(&b);
  CHECK(xr_fs_rmtree(d, &e) == 0);
}

TEST(stable_link_is_made_repointed_and_refused_when_not_ours)
{
  char *d = tap_scratch("fs"), links[4200], p[4300], q[4300];
  char got[4300];
  struct xr_err e;
  ssize_t n;

  snprintf(links, sizeof(links), "%s/links", d);
  snprintf(p, sizeof(p), "%s/one", d);
  snprintf(q, sizeof(q), "%s/links/k", d);
  /* Made, with its directory. */
  CHECK(xr_fs_stable_link(links, "k", p, NULL, NULL, &e) == 0);
  n = readlink(q, got, sizeof(got) - 1);
  REQUIRE(n > 0);
  got[n] = 0;
  CHECK_STR(got, p);
  /* Kept, then pointed elsewhere; no temporary is left. */
  CHECK(xr_fs_stable_link(links, "k", p, NULL, NULL, &e) == 0);
  snprintf(p, sizeof(p), "%s/two", d);
  CHECK(xr_fs_stable_link(links, "k", p, NULL, NULL, &e) == 0);
  n = readlink(q, got, sizeof(got) - 1);
  REQUIRE(n > 0);
  got[n] = 0;
  CHECK_STR(got, p);
  CHECK(tap_entries(links) == 1);
  /* A file in its place is not ours to replace. */
  REQUIRE(unlink(q) == 0);
  put(q, "x");
  CHECK(xr_fs_stable_link(links, "k", p, NULL, NULL, &e) == XR_EUNSAFE);
  CHECK(strstr(e.msg, "not a symbolic link") != NULL);
  /* Nor a directory others may write to. */
  REQUIRE(chmod(links, 0777) == 0);
  CHECK(xr_fs_stable_link(links, "j", p, NULL, NULL, &e) == XR_EUNSAFE);
  CHECK(strstr(e.msg, "only it can write") != NULL);
  REQUIRE(chmod(links, 0755) == 0);
  CHECK(xr_fs_rmtree(d, &e) == 0);
}

TEST(strv_is_null_terminated_and_splits_words)
{
  struct xr_strv l = XR_STRV_INIT;
  size_t i;

  CHECK(xr_strv_split(&l, "  b a\tc\n b ") == 0);
  REQUIRE(l.n == 4);
  CHECK(l.v[4] == NULL);
  CHECK(xr_strv_push_unique(&l, "a") == 0);
  CHECK(l.n == 4);
  xr_strv_sort(&l);
  CHECK_STR(l.v[0], "a");
  CHECK_STR(l.v[3], "c");
  for (i = 0; i < 40; i++)
    CHECK(xr_strv_pushn(&l, "xyz", 2) == 0);
  CHECK(l.n == 44);
  CHECK_STR(l.v[43], "xy");
  CHECK(l.v[44] == NULL);
  CHECK(xr_strv_has(&l, "xy"));
  CHECK(!xr_strv_has(&l, "xyz"));
  CHECK(xr_strv_take(&l, NULL) == -1);
  xr_strv_release(&l);
  CHECK(l.n == 0 && l.v == NULL);
}

TEST(nomem_is_one_report)
{
  struct xr_err e;

  CHECK(xr_nomem(&e) == XR_ENOMEM);
  CHECK(e.code == XR_ENOMEM);
  CHECK_STR(e.msg, "out of memory");
  CHECK(xr_nomem(NULL) == XR_ENOMEM);
}

TAP_MAIN(TAP_CASE(read_whole_file_under_a_cap),
         TAP_CASE(atomic_write_replaces_and_leaves_no_temporary),
         TAP_CASE(write_all_writes_everything_or_fails),
         TAP_CASE(mkdirs_and_rmtree_of_a_read_only_tree),
         TAP_CASE(link_tree_mirrors_with_a_filter),
         TAP_CASE(copy_file_keeps_the_mode_and_refuses_to_overwrite),
         TAP_CASE(stable_link_is_made_repointed_and_refused_when_not_ours),
         TAP_CASE(strv_is_null_terminated_and_splits_words),
         TAP_CASE(nomem_is_one_report))
