/*
 * Unit tests of the store (module/lib/store.c, store_gc.c) and of the
 * fetch engine's parts that need no server (module/engine/fetch.c):
 * layout, locks, temporaries and their cleanup, publication races,
 * copies, gc roots, the URL policy, configuration from the environment
 * and offline failures.
 */
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
#include "xrust/fetch.h"
#include "xrust/fs.h"
#include "xrust/sha256.h"
#include "xrust/store.h"

#define SHA_A \
  "ab00000000000000000000000000000000000000000000000000000000000001"

static void cleanup(const char *dir)
{
  CHECK(xr_fs_rmtree(dir, NULL) == 0);
}

static int exists(const char *p)
{
  struct stat st;

  return lstat(p, &st) == 0;
}

static void write_file(const char *p, const char *s)
{
  FILE *f = fopen(p, "w");

  REQUIRE(f != NULL);
  fputs(s, f);
  fclose(f);
}

TEST(open_creates_layout)
{
  char *d = tap_scratch("unit-store");
  struct xr_store *s = NULL;
  struct xr_err err;
  struct xr_buf p = XR_BUF_INIT;

  REQUIRE(xr_store_open(&s, d, &err) == 0);
  xr_buf_printf(&p, "%s/v1/blobs/sha256", d);
  CHECK(exists(p.data));
  xr_buf_reset(&p);
  xr_buf_printf(&p, "%s/v1/locks", d);
  CHECK(exists(p.data));
  CHECK(xr_store_blob_path(s, SHA_A, &p) == 0);
  xr_buf_reset(&p);
  xr_store_blob_path(s, "AB00000000000000000000000000000000000000000000000"
                        "000000000000001", &p);
  CHECK(strstr(p.data, "/v1/blobs/sha256/ab/" SHA_A) != NULL);
  CHECK(!xr_store_has_blob(s, SHA_A));
  xr_store_free(s);
  xr_buf_release(&p);
  cleanup(d);
}

TEST(default_root_from_env)
{
  struct xr_buf b = XR_BUF_INIT;
  struct xr_err err;

  setenv("XRUST_HOME", "/x/home", 1);
  CHECK(xr_store_default_root(&b, &err) == 0);
  CHECK_STR(b.data, "/x/home");
  unsetenv("XRUST_HOME");
  setenv("XDG_CACHE_HOME", "/x/cache", 1);
  CHECK(xr_store_default_root(&b, &err) == 0);
  CHECK_STR(b.data, "/x/cache/xrust");
  unsetenv("XDG_CACHE_HOME");
  setenv("HOME", "/x/me", 1);
  CHECK(xr_store_default_root(&b, &err) == 0);
  CHECK_STR(b.data, "/x/me/.cache/xrust");
  xr_buf_release(&b);
}

TEST(locks_exclude_other_handles)
{
  char *d = tap_scratch("unit-store");
  struct xr_store *s = NULL;
  struct xr_store_lock a = XR_STORE_LOCK_INIT, b = XR_STORE_LOCK_INIT;
  struct xr_err err;

  REQUIRE(xr_store_open(&s, d, &err) == 0);
  CHECK(xr_store_trylock(s, "blob-" SHA_A, &a, &err) == 0);
  CHECK(xr_store_trylock(s, "blob-" SHA_A, &b, &err) == 1);
  CHECK(b.fd == -1);
  xr_store_unlock(&a);
  CHECK(xr_store_lock(s, "blob-" SHA_A, &b, &err) == 0);
  xr_store_unlock(&b);
  CHECK(xr_store_trylock(s, "../evil", &a, &err) == XR_EUSAGE);
  CHECK(strstr(err.msg, "'../evil'") != NULL);
  xr_store_free(s);
  cleanup(d);
}

TEST(temporaries_are_removed_with_the_handle)
{
  char *d = tap_scratch("unit-store");
  struct xr_store *s = NULL;
  struct xr_buf t = XR_BUF_INIT, st = XR_BUF_INIT;
  struct xr_err err;
  int fd = -1;

  REQUIRE(xr_store_open(&s, d, &err) == 0);
  REQUIRE(xr_store_mktemp(s, &t, &fd, &err) == 0);
  CHECK(write(fd, "x", 1) == 1);
  close(fd);
  REQUIRE(xr_store_mkstage(s, &st, &err) == 0);
  CHECK(exists(t.data) && exists(st.data));
  CHECK(strstr(t.data, "/v1/tmp/o") != NULL);
  xr_store_free(s);
  CHECK(!exists(t.data));
  CHECK(!exists(st.data));
  xr_buf_release(&t);
  xr_buf_release(&st);
  cleanup(d);
}

TEST(live_handles_keep_their_work)
{
  char *d = tap_scratch("unit-store");
  struct xr_store *s1 = NULL, *s2 = NULL;
  struct xr_buf st = XR_BUF_INIT, dead = XR_BUF_INIT;
  struct xr_err err;

  REQUIRE(xr_store_open(&s1, d, &err) == 0);
  REQUIRE(xr_store_mkstage(s1, &st, &err) == 0);
  /* Debris of an owner that no longer exists. */
  xr_buf_printf(&dead, "%s/v1/tmp/o99x1.stage.0", d);
  REQUIRE(mkdir(dead.data, 0755) == 0);
  REQUIRE(xr_store_open(&s2, d, &err) == 0);
  CHECK(exists(st.data));
  CHECK(!exists(dead.data));
  xr_store_free(s2);
  CHECK(exists(st.data));
  xr_store_free(s1);
  xr_buf_release(&st);
  xr_buf_release(&dead);
  cleanup(d);
}

TEST(publish_race_keeps_the_first)
{
  char *d = tap_scratch("unit-store");
  struct xr_store *s = NULL;
  struct xr_buf a = XR_BUF_INIT, b = XR_BUF_INIT, fin = XR_BUF_INIT;
  struct xr_buf f = XR_BUF_INIT;
  struct xr_err err;

  REQUIRE(xr_store_open(&s, d, &err) == 0);
  REQUIRE(xr_store_mkstage(s, &a, &err) == 0);
  REQUIRE(xr_store_mkstage(s, &b, &err) == 0);
  xr_buf_printf(&f, "%s/first", a.data);
  write_file(f.data, "1");
  xr_buf_reset(&f);
  xr_buf_printf(&f, "%s/second", b.data);
  write_file(f.data, "2");
  xr_buf_printf(&fin, "%s/v1/toolchains/tc", d);
  CHECK(xr_store_publish(a.data, fin.data, &err) == 0);
  CHECK(xr_store_publish(b.data, fin.data, &err) == 0);
  CHECK(!exists(b.data));
  xr_buf_reset(&f);
  xr_buf_printf(&f, "%s/first", fin.data);
  CHECK(exists(f.data));
  xr_buf_reset(&f);
  xr_buf_printf(&f, "%s/second", fin.data);
  CHECK(!exists(f.data));
  xr_store_free(s);
  xr_buf_release(&a);
  xr_buf_release(&b);
  xr_buf_release(&fin);
  xr_buf_release(&f);
  cleanup(d);
}

TEST(blob_publish_and_copy_out)
{
  char *d = tap_scratch("unit-store");
  struct xr_store *s = NULL;
  struct xr_buf t = XR_BUF_INIT, bp = XR_BUF_INIT, dest = XR_BUF_INIT;
  struct xr_err err;
  struct stat st;
  char buf[16] = "";
  int fd = -1;
  FILE *f;

  REQUIRE(xr_store_open(&s, d, &err) == 0);
  REQUIRE(xr_store_mktemp(s, &t, &fd, &err) == 0);
  CHECK(write(fd, "hello", 5) == 5);
  close(fd);
  CHECK(xr_store_publish_blob(s, t.data, SHA_A, &err) == 0);
  CHECK(xr_store_has_blob(s, SHA_A));
  xr_store_blob_path(s, SHA_A, &bp);
  CHECK(stat(bp.data, &st) == 0 && (st.st_mode & 0222) == 0);
  xr_buf_printf(&dest, "%s/out", d);
  CHECK(xr_store_copy_out(bp.data, dest.data, &err) == 0);
  f = fopen(dest.data, "r");
  REQUIRE(f != NULL);
  CHECK(fread(buf, 1, sizeof(buf) - 1, f) == 5);
  fclose(f);
  CHECK_STR(buf, "hello");
  CHECK(stat(dest.data, &st) == 0 && (st.st_mode & 0200));
  CHECK(xr_store_copy_out("/nonexistent/x", dest.data, &err) == XR_EIO);
  CHECK(strstr(err.msg, "cannot open '/nonexistent/x'") != NULL);
  xr_store_free(s);
  xr_buf_release(&t);
  xr_buf_release(&bp);
  xr_buf_release(&dest);
  cleanup(d);
}

TEST(gc_follows_roots)
{
  char *d = tap_scratch("unit-store");
  struct xr_store *s = NULL;
  struct xr_store_gc_opts o = { 0, 0 };
  struct xr_store_gc_stats st;
  struct xr_buf t = XR_BUF_INIT, root = XR_BUF_INIT;
  struct xr_err err;
  const char *other =
    "cd00000000000000000000000000000000000000000000000000000000000002";
  int fd;

  REQUIRE(xr_store_open(&s, d, &err) == 0);
  REQUIRE(xr_store_mktemp(s, &t, &fd, &err) == 0);
  close(fd);
  REQUIRE(xr_store_publish_blob(s, t.data, SHA_A, &err) == 0);
  REQUIRE(xr_store_mktemp(s, &t, &fd, &err) == 0);
  close(fd);
  REQUIRE(xr_store_publish_blob(s, t.data, other, &err) == 0);
  xr_buf_printf(&root, "# test\nblob %s\n", SHA_A);
  CHECK(xr_store_root_write(s, "unit", root.data, &err) == 0);
  CHECK(xr_store_gc(s, &o, &st, &err) == 0);
  CHECK(st.removed == 1 && st.kept == 1);
  CHECK(xr_store_has_blob(s, SHA_A));
  CHECK(!xr_store_has_blob(s, other));
  CHECK(xr_store_root_write(s, "../x", "", &err) == XR_EUSAGE);
  xr_store_free(s);
  xr_buf_release(&t);
  xr_buf_release(&root);
  cleanup(d);
}

TEST(url_policy)
{
  struct xr_err err;

  CHECK(xr_fetch_url_allowed("https://static.rust-lang.org/x", NULL,
                             &err) == 0);
  CHECK(xr_fetch_url_allowed("file:///mnt/usb/x.tar.xz", NULL, &err) == 0);
  CHECK(xr_fetch_url_allowed("http://127.0.0.1:8080/x", NULL, &err) == 0);
  CHECK(xr_fetch_url_allowed("http://127.1.2.3/x", NULL, &err) == 0);
  CHECK(xr_fetch_url_allowed("http://LOCALHOST/x", NULL, &err) == 0);
  CHECK(xr_fetch_url_allowed("http://[::1]:99/x", NULL, &err) == 0);
  CHECK(xr_fetch_url_allowed("http://u:p@127.0.0.1/x", NULL, &err) == 0);
  CHECK(xr_fetch_url_allowed("http://127.0.0.1.evil.com/x", NULL, &err) ==
        XR_EUSAGE);
  CHECK(xr_fetch_url_allowed("http://localhost.evil/x", NULL, &err) ==
        XR_EUSAGE);
  CHECK(xr_fetch_url_allowed("http://127.0.0.1@evil.com/x", NULL, &err) ==
        XR_EUSAGE);
  CHECK(xr_fetch_url_allowed("http://example.invalid/a", NULL, &err) ==
        XR_EUSAGE);
  CHECK(strstr(err.msg, "cannot fetch 'http://example.invalid/a': plain "
                        "http") == err.msg);
  CHECK(xr_fetch_url_allowed("http://mirror.lan:8080/d/x",
                             "http://other http://mirror.lan:8080",
                             &err) == 0);
  CHECK(xr_fetch_url_allowed("http://mirror.lan.evil/x", "http://mirror.lan",
                             &err) == XR_EUSAGE);
  CHECK(xr_fetch_url_allowed("ftp://127.0.0.1/x", NULL, &err) == XR_EUSAGE);
  CHECK(strstr(err.msg, "unsupported url scheme") != NULL);
}

TEST(config_from_env)
{
  struct xr_fetch_config c;
  struct xr_err err;

  xr_fetch_config_init(&c);
  CHECK(c.jobs == 8 && c.retries == 5 && !c.offline);
  setenv("XRUST_JOBS", "3", 1);
  setenv("XRUST_OFFLINE", "1", 1);
  setenv("V", "1", 1);
  CHECK(xr_fetch_config_env(&c, &err) == 0);
  CHECK(c.jobs == 3 && c.offline && c.verbose);
  setenv("XRUST_JOBS", "lots", 1);
  CHECK(xr_fetch_config_env(&c, &err) == XR_EUSAGE);
  CHECK(strstr(err.msg, "invalid 'XRUST_JOBS': 'lots'") == err.msg);
  setenv("XRUST_JOBS", "0", 1);
  CHECK(xr_fetch_config_env(&c, &err) == XR_EUSAGE);
}

TEST(batch_offline_and_invalid)
{
  char *d = tap_scratch("unit-store");
  struct xr_fetch_config c;
  struct xr_fetch_item it[3];
  struct xr_err err;

  xr_fetch_config_init(&c);
  c.store_root = d;
  c.offline = 1;
  CHECK(xr_fetch_batch(&c, it, 0, &err) == 0);
  xr_fetch_item_init(&it[0]);
  it[0].url = "https://example.invalid/a.tar.gz";
  it[0].sha256 = SHA_A;
  xr_fetch_item_init(&it[1]);
  it[1].url = "https://example.invalid/b";
  it[1].sha256 = "123";
  xr_fetch_item_init(&it[2]);
  it[2].url = "http://example.invalid/c";
  it[2].sha256 = SHA_A;
  CHECK(xr_fetch_batch(&c, it, 3, &err) == XR_EOFFLINE);
  CHECK_STR(err.msg, "offline: 'https://example.invalid/a.tar.gz' is not "
                     "in the store");
  CHECK(it[0].status == XR_EOFFLINE);
  CHECK(it[1].status == XR_EUSAGE);
  CHECK(strstr(it[1].err.msg, "invalid sha256 '123'") != NULL);
  CHECK(it[2].status == XR_EUSAGE);
  CHECK(it[0].attempts == 0 && it[0].bytes == 0);
  cleanup(d);
}

TEST(batch_file_url_and_size_cap)
{
  char *d = tap_scratch("unit-store");
  struct xr_fetch_config c;
  struct xr_fetch_item it;
  struct xr_buf src = XR_BUF_INIT, url = XR_BUF_INIT, dest = XR_BUF_INIT;
  struct xr_err err;
  char hex[XR_SHA256_HEX];
  FILE *f;
  char buf[32] = "";

  xr_buf_printf(&src, "%s/src.txt", d);
  write_file(src.data, "some bytes\n");
  REQUIRE(xr_sha256_file(src.data, hex, &err) == 0);
  xr_buf_printf(&url, "file://%s", src.data);
  xr_buf_printf(&dest, "%s/dest.txt", d);
  xr_fetch_config_init(&c);
  c.store_root = d;
  xr_fetch_item_init(&it);
  it.url = url.data;
  it.sha256 = hex;
  it.dest = dest.data;
  it.size_hint = 4;
  CHECK(xr_fetch_batch(&c, &it, 1, &err) == XR_ELIMIT);
  CHECK(strstr(err.msg, "more than the expected 4 bytes") != NULL);
  CHECK(!exists(dest.data));
  it.size_hint = 11;
  CHECK(xr_fetch_batch(&c, &it, 1, &err) == 0);
  CHECK(it.status == 0 && !it.from_cache && it.bytes == 11);
  CHECK(it.attempts == 1);
  f = fopen(dest.data, "r");
  REQUIRE(f != NULL);
  CHECK(fread(buf, 1, sizeof(buf) - 1, f) == 11);
  fclose(f);
  CHECK_STR(buf, "some bytes\n");
  unlink(src.data);
  CHECK(xr_fetch_batch(&c, &it, 1, &err) == 0);
  CHECK(it.from_cache && it.bytes == 0 && it.attempts == 0);
  xr_buf_release(&src);
  xr_buf_release(&url);
  xr_buf_release(&dest);
  cleanup(d);
}

TAP_MAIN(TAP_CASE(open_creates_layout), TAP_CASE(default_root_from_env),
         TAP_CASE(locks_exclude_other_handles),
         TAP_CASE(temporaries_are_removed_with_the_handle),
         TAP_CASE(live_handles_keep_their_work),
         TAP_CASE(publish_race_keeps_the_first),
         TAP_CASE(blob_publish_and_copy_out), TAP_CASE(gc_follows_roots),
         TAP_CASE(url_policy), TAP_CASE(config_from_env),
         TAP_CASE(batch_offline_and_invalid),
         TAP_CASE(batch_file_url_and_size_cap))
