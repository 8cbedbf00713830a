/*
 * The plain-C half of the remote layer cache (cache.h): XRUST_CACHE_URL
 * in every scheme and its bad forms, the S3 settings from a fake
 * environment, the AWS credentials file with its errors, the index
 * object (round trip, garbage refused), the cache key (the same bytes in
 * two directories give the same key), the --exclude-crate rule, and gc
 * of a file:// cache.
 */
#include "tap.h"

#include <sys/stat.h>
#include <utime.h>

#include "xrust/buf.h"
#include "xrust/cache.h"
#include "xrust/fs.h"
#include "xrust/settings.h"

/* A fake environment: NAME=VALUE pairs, nothing else. */
static const char *fake_get(void *ctx, const char *name)
{
  const char *const *v = ctx;
  size_t n = strlen(name), i;

  for (i = 0; v[i]; i++)
    if (!strncmp(v[i], name, n) && v[i][n] == '=')
      return v[i] + n + 1;
  return NULL;
}

static struct xr_settings_src fake(const char *const *vars)
{
  struct xr_settings_src s;

  s.get = fake_get;
  s.ctx = (void *)vars;
  return s;
}

/* ---- URLs ---- */

TEST(file_urls)
{
  struct xr_cache_url u;
  struct xr_err err;

  REQUIRE(xr_cache_url_parse("file:///srv/cache/team/", &u, &err) == 0);
  CHECK(u.scheme == XR_CACHE_FILE);
  CHECK_STR(u.root, "/srv/cache/team");
  CHECK_STR(u.display, "file:///srv/cache/team/");
  xr_cache_url_release(&u);
  REQUIRE(xr_cache_url_parse("file://localhost/a%20b", &u, &err) == 0);
  CHECK_STR(u.root, "/a b");
  xr_cache_url_release(&u);
  REQUIRE(xr_cache_url_parse("file:///", &u, &err) == 0);
  CHECK_STR(u.root, "/");
  xr_cache_url_release(&u);
}

TEST(http_urls)
{
  struct xr_cache_url u;
  struct xr_err err;
  struct xr_buf k = XR_BUF_INIT;

  REQUIRE(xr_cache_url_parse("https://dav.example:8443/cache/x/", &u,
                             &err) == 0);
  CHECK(u.scheme == XR_CACHE_HTTP);
  CHECK_STR(u.root, "https://dav.example:8443/cache/x");
  CHECK(u.user == NULL && u.password == NULL);
  REQUIRE(xr_cache_object_key(&u, "index/abc", &k) == 0);
  CHECK_STR(k.data, "xrust-v1/index/abc");
  xr_cache_url_release(&u);

  REQUIRE(xr_cache_url_parse("http://ci%40corp:p%3Ass@host/c", &u,
                             &err) == 0);
  CHECK_STR(u.user, "ci@corp");
  CHECK_STR(u.password, "p:ss");
  CHECK_STR(u.root, "http://host/c");
  CHECK_STR(u.display, "http://host/c");
  xr_cache_url_release(&u);

  REQUIRE(xr_cache_url_parse("http://user@host", &u, &err) == 0);
  CHECK_STR(u.user, "user");
  CHECK(u.password == NULL);
  CHECK_STR(u.root, "http://host");
  xr_cache_url_release(&u);
  xr_buf_release(&k);
}

TEST(s3_urls)
{
  struct xr_cache_url u;
  struct xr_err err;
  struct xr_buf k = XR_BUF_INIT;

  REQUIRE(xr_cache_url_parse("s3://my-bucket.x/team/layers/", &u,
                             &err) == 0);
  CHECK(u.scheme == XR_CACHE_S3);
  CHECK_STR(u.bucket, "my-bucket.x");
  CHECK_STR(u.prefix, "team/layers");
  REQUIRE(xr_cache_object_key(&u, "objects/f.tar.zst", &k) == 0);
  CHECK_STR(k.data, "team/layers/xrust-v1/objects/f.tar.zst");
  xr_cache_url_release(&u);
  REQUIRE(xr_cache_url_parse("s3://bkt", &u, &err) == 0);
  CHECK_STR(u.prefix, "");
  xr_buf_reset(&k);
  REQUIRE(xr_cache_object_key(&u, "index/k", &k) == 0);
  CHECK_STR(k.data, "xrust-v1/index/k");
  xr_cache_url_release(&u);
  xr_buf_release(&k);
}

/* URL fails with a message containing WANT and never "hunter2". */
static void bad_url(const char *url, const char *want)
{
  struct xr_cache_url u;
  struct xr_err err;

  xr_err_clear(&err);
  CHECK(xr_cache_url_parse(url, &u, &err) == XR_EUSAGE);
  if (!strstr(err.msg, want))
    fprintf(stderr, "# %s: got '%s', want '%s'\n", url, err.msg, want);
  CHECK(strstr(err.msg, want) != NULL);
  CHECK(strstr(err.msg, "hunter2") == NULL);
  CHECK(u.display == NULL && u.root == NULL && u.password == NULL);
}

TEST(bad_urls)
{
  bad_url("", "no cache URL");
  bad_url("ftp://u:hunter2@host/x", "invalid cache URL 'ftp://host/x': "
          "expected file:///PATH");
  bad_url("/srv/cache", "expected file:///PATH");
  bad_url("file://server/share", "needs an absolute path");
  bad_url("file:///a?b", "no query");
  bad_url("file:///a%zz", "bad %-escape");
  bad_url("http://u:hunter2@/x", "invalid cache URL 'http:///x': no host");
  bad_url("http://u:hunter2@h/x?y", "no query or fragment");
  bad_url("http://u:hunter%2@h/x", "bad %-escape in the user name or "
          "password");
  bad_url("https://h/x y", "white space");
  bad_url("s3://AB", "bucket names are 3 to 63 characters");
  bad_url("s3://-bucket", "bucket names");
  bad_url("s3://key:hunter2@bucket/p", "credentials do not belong in an "
          "s3:// URL");
  bad_url("s3://bucket:9000/p", "without port");
  bad_url("s3://bucket/a//b", "the prefix may hold only");
  bad_url("s3://bucket/a/../b", "the prefix may hold only");
  bad_url("s3://bucket/a b", "white space");
  bad_url("s3://bucket/a%20b", "the prefix may hold only");
}

TEST(strip_userinfo)
{
  struct xr_buf b = XR_BUF_INIT;

  REQUIRE(xr_cache_url_strip("https://a:b@c@host:1/p@q", &b) == 0);
  CHECK_STR(b.data, "https://host:1/p@q");
  xr_buf_reset(&b);
  REQUIRE(xr_cache_url_strip("not a url @ all", &b) == 0);
  CHECK_STR(b.data, "not a url @ all");
  xr_buf_release(&b);
}

TEST(names)
{
  struct xr_buf b = XR_BUF_INIT;
  const char *k =
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

  CHECK(xr_cache_key_valid(k));
  CHECK(!xr_cache_key_valid("0123"));
  CHECK(!xr_cache_key_valid(
    "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"));
  REQUIRE(xr_cache_index_name(k, &b) == 0);
  CHECK(!strncmp(b.data, "index/0123", 10) && b.len == 70);
  xr_buf_reset(&b);
  REQUIRE(xr_cache_object_name(k, &b) == 0);
  CHECK(!strcmp(b.data + b.len - 8, ".tar.zst"));
  xr_buf_release(&b);
}

/* ---- S3 settings ---- */

TEST(s3_settings_from_environment)
{
  static const char *const env[] = {
    "AWS_ACCESS_KEY_ID=AKID", "AWS_SECRET_ACCESS_KEY=hunter2",
    "AWS_SESSION_TOKEN=tok", "AWS_DEFAULT_REGION=eu-west-3", NULL
  };
  struct xr_settings_src src = fake(env);
  struct xr_s3_config c;
  struct xr_err err;

  REQUIRE(xr_s3_config_read(&c, &src, &err) == 0);
  CHECK_STR(c.region, "eu-west-3");
  CHECK_STR(c.endpoint, "https://s3.eu-west-3.amazonaws.com");
  CHECK(c.path_style == 0);
  CHECK_STR(c.access_key, "AKID");
  CHECK_STR(c.secret_key, "hunter2");
  CHECK_STR(c.session_token, "tok");
  CHECK_STR(c.cred_source, "environment");
  xr_s3_config_release(&c);
}

TEST(s3_endpoint_and_style)
{
  static const char *const env[] = {
    "AWS_ACCESS_KEY_ID=a", "AWS_SECRET_ACCESS_KEY=b",
    "AWS_REGION=us-west-2", "AWS_DEFAULT_REGION=eu-west-3",
    "AWS_ENDPOINT_URL=http://127.0.0.1:4568/", NULL
  };
  static const char *const env2[] = {
    "AWS_ACCESS_KEY_ID=a", "AWS_SECRET_ACCESS_KEY=b",
    "AWS_ENDPOINT_URL=http://nope", "AWS_ENDPOINT_URL_S3=https://minio:9000",
    "XRUST_S3_PATH_STYLE=0", NULL
  };
  static const char *const env3[] = {
    "AWS_ACCESS_KEY_ID=a", "AWS_SECRET_ACCESS_KEY=b",
    "XRUST_S3_PATH_STYLE=yes", NULL
  };
  struct xr_settings_src src = fake(env), src2 = fake(env2),
                         src3 = fake(env3);
  struct xr_s3_config c;
  struct xr_err err;

  REQUIRE(xr_s3_config_read(&c, &src, &err) == 0);
  CHECK_STR(c.region, "us-west-2");
  CHECK_STR(c.endpoint, "http://127.0.0.1:4568");
  CHECK(c.path_style == 1);
  CHECK(c.session_token == NULL);
  xr_s3_config_release(&c);
  REQUIRE(xr_s3_config_read(&c, &src2, &err) == 0);
  CHECK_STR(c.endpoint, "https://minio:9000");
  CHECK_STR(c.region, "us-east-1");
  CHECK(c.path_style == 0);
  xr_s3_config_release(&c);
  REQUIRE(xr_s3_config_read(&c, &src3, &err) == 0);
  CHECK(c.path_style == 1);
  xr_s3_config_release(&c);
}

static void bad_s3(const char *const *env, const char *want)
{
  struct xr_settings_src src = fake(env);
  struct xr_s3_config c;
  struct xr_err err;

  xr_err_clear(&err);
  CHECK(xr_s3_config_read(&c, &src, &err) != 0);
  if (!strstr(err.msg, want))
    fprintf(stderr, "# got '%s', want '%s'\n", err.msg, want);
  CHECK(strstr(err.msg, want) != NULL);
  CHECK(strstr(err.msg, "hunter2") == NULL);
}

TEST(s3_settings_errors)
{
  static const char *const half[] = { "AWS_ACCESS_KEY_ID=a", NULL };
  static const char *const half2[] = { "AWS_SECRET_ACCESS_KEY=hunter2",
                                       NULL };
  static const char *const region[] = { "AWS_ACCESS_KEY_ID=a",
    "AWS_SECRET_ACCESS_KEY=b", "AWS_REGION=us east", NULL };
  static const char *const ep[] = { "AWS_ACCESS_KEY_ID=a",
    "AWS_SECRET_ACCESS_KEY=b",
    "AWS_ENDPOINT_URL=http://k:hunter2@h/x", NULL };
  static const char *const style[] = { "AWS_ACCESS_KEY_ID=a",
    "AWS_SECRET_ACCESS_KEY=b", "XRUST_S3_PATH_STYLE=maybe", NULL };
  static const char *const none[] = { "HOME=/nonexistent-home", NULL };

  bad_s3(half, "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
  bad_s3(half2, "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not");
  bad_s3(region, "invalid AWS region 'us east'");
  bad_s3(ep, "invalid S3 endpoint 'http://h/x'");
  bad_s3(style, "invalid 'XRUST_S3_PATH_STYLE': 'maybe'");
  bad_s3(none, "no S3 credentials: set AWS_ACCESS_KEY_ID and "
         "AWS_SECRET_ACCESS_KEY, or write profile 'default' to "
         "'/nonexistent-home/.aws/credentials'");
}

TEST(s3_credentials_file)
{
  char *dir = tap_scratch("creds");
  struct xr_buf path = XR_BUF_INIT, home = XR_BUF_INIT, prof = XR_BUF_INIT;
  const char *env[4];
  struct xr_settings_src src;
  struct xr_s3_config c;
  struct xr_err err;
  static const char text[] =
    "[default]\naws_access_key_id = DEF\naws_secret_access_key = s1\n"
    "\n[ci]\n# a comment\naws_access_key_id=CIKEY\n"
    "aws_secret_access_key=hunter2\naws_session_token = T0K\n";

  REQUIRE(xr_buf_printf(&path, "%s/.aws", dir) == 0);
  REQUIRE(xr_fs_mkdirs(path.data, &err) == 0);
  REQUIRE(xr_buf_adds(&path, "/credentials") == 0);
  REQUIRE(xr_fs_write(path.data, text, strlen(text), 0, &err) == 0);
  REQUIRE(xr_buf_printf(&home, "HOME=%s", dir) == 0);
  env[0] = home.data;
  env[1] = NULL;
  src = fake(env);
  REQUIRE(xr_s3_config_read(&c, &src, &err) == 0);
  CHECK_STR(c.access_key, "DEF");
  CHECK_STR(c.secret_key, "s1");
  CHECK(c.session_token == NULL);
  CHECK(strstr(c.cred_source, "(profile default)") != NULL);
  xr_s3_config_release(&c);

  env[1] = "AWS_PROFILE=ci";
  env[2] = NULL;
  REQUIRE(xr_s3_config_read(&c, &src, &err) == 0);
  CHECK_STR(c.access_key, "CIKEY");
  CHECK_STR(c.secret_key, "hunter2");
  CHECK_STR(c.session_token, "T0K");
  xr_s3_config_release(&c);

  /* AWS_SHARED_CREDENTIALS_FILE wins over HOME. */
  REQUIRE(xr_buf_printf(&prof, "AWS_SHARED_CREDENTIALS_FILE=%s/nope",
                        dir) == 0);
  env[2] = prof.data;
  env[3] = NULL;
  CHECK(xr_s3_config_read(&c, &src, &err) == XR_EUSAGE);
  CHECK(strstr(err.msg, "write profile 'ci' to") != NULL);
  xr_buf_release(&path);
  xr_buf_release(&home);
  xr_buf_release(&prof);
}

/* Parsing TEXT for PROFILE fails with code CODE and exactly WANT. */
static void bad_creds(const char *text, const char *profile, int code,
                      const char *want)
{
  struct xr_aws_creds c;
  struct xr_err err;

  xr_err_clear(&err);
  CHECK(xr_aws_credentials_parse(text, strlen(text), "creds", profile, &c,
                                 &err) == code);
  CHECK_STR(err.msg, want);
  CHECK(c.access_key == NULL && c.secret_key == NULL);
}

TEST(credentials_parser)
{
  struct xr_aws_creds c;
  struct xr_err err;
  static const char ok_text[] =
    "; leading comment\n"
    "[other]\naws_access_key_id = X\n"
    "[p]\r\n"
    "  AWS_Access_Key_Id   =  K  \r\n"
    "aws_secret_access_key=S=with=equals\n"
    "s3 =\n  max_concurrent_requests = 20\n"
    "region = eu-north-1\n";

  REQUIRE(xr_aws_credentials_parse(ok_text, strlen(ok_text), "f", "p", &c,
                                   &err) == 0);
  CHECK_STR(c.access_key, "K");
  CHECK_STR(c.secret_key, "S=with=equals");
  CHECK(c.session_token == NULL);
  xr_aws_creds_release(&c);

  bad_creds("[a]\nx=1\n", "b", XR_ENOTFOUND, "creds: no profile 'b'");
  bad_creds("aws_access_key_id = k\n", "default", XR_EUSAGE,
            "creds:1: 'key = value' before any '[profile]' header");
  bad_creds("[default]\n\njust words\n", "default", XR_EUSAGE,
            "creds:3: expected 'key = value' or '[profile]'");
  bad_creds("[default\n", "default", XR_EUSAGE,
            "creds:1: unterminated section header (expected '[profile]')");
  bad_creds("[ ]\n", "default", XR_EUSAGE, "creds:1: empty profile name");
  bad_creds("[a]\n[b]\n[a]\n", "a", XR_EUSAGE,
            "creds:3: profile 'a' is defined twice");
  bad_creds("[x]\n= v\n", "x", XR_EUSAGE,
            "creds:2: expected a key before '='");
  bad_creds("# c\n[x]\naws_secret_access_key = hunter2\n", "x", XR_EUSAGE,
            "creds:2: profile 'x' has no aws_access_key_id");
  bad_creds("[x]\naws_access_key_id = k\n", "x", XR_EUSAGE,
            "creds:1: profile 'x' has no aws_secret_access_key");
  bad_creds("[x]\naws_access_key_id = k\naws_access_key_id = hunter2\n",
            "x", XR_EUSAGE,
            "creds:3: 'aws_access_key_id' is set twice in profile 'x'");
  {
    static const char nul[] = "[x]\0aws";

    CHECK(xr_aws_credentials_parse(nul, sizeof(nul) - 1, "creds", "x", &c,
                                   &err) == XR_EUSAGE);
    CHECK_STR(err.msg, "creds: not a text file");
  }
}

/* ---- the index ---- */

TEST(index_round_trip)
{
  struct xr_cache_index ix, back;
  struct xr_buf b = XR_BUF_INIT;
  struct xr_err err;

  memset(&ix, 0, sizeof(ix));
  memcpy(ix.object,
         "89abcdef0123456789abcdef0123456789abcdef0123456789abcdef01234567",
         65);
  ix.size = 123456789012ULL;
  REQUIRE(xr_cache_index_write(&ix, &b) == 0);
  CHECK_STR(b.data, "xrust-layer 1\nobject 89abcdef0123456789abcdef0123456"
            "789abcdef0123456789abcdef01234567\nsize 123456789012\n"
            "format tar.zst\n");
  REQUIRE(xr_cache_index_parse(b.data, b.len, "ix", &back, &err) == 0);
  CHECK_STR(back.object, ix.object);
  CHECK(back.size == ix.size);
  xr_buf_release(&b);
}

static void bad_index(const char *text, size_t len, const char *want)
{
  struct xr_cache_index ix;
  struct xr_err err;

  xr_err_clear(&err);
  CHECK(xr_cache_index_parse(text, len, "ix", &ix, &err) == XR_EARCHIVE);
  CHECK_STR(err.msg, want);
}

#define OBJ "object 0123456789abcdef0123456789abcdef0123456789abcdef" \
            "0123456789abcdef\n"
#define BAD(text, want) bad_index(text, sizeof(text) - 1, want)

TEST(index_garbage)
{
  char big[2048];

  BAD("", "ix:1: expected 'xrust-layer 1'");
  BAD("<html>404</html>\n", "ix:1: expected 'xrust-layer 1'");
  BAD("xrust-layer 2\n" OBJ "size 1\nformat tar.zst\n",
      "ix:1: expected 'xrust-layer 1'");
  BAD("xrust-layer 1\nobject 0123\nsize 1\nformat tar.zst\n",
      "ix:2: expected 'object <sha256>'");
  BAD("xrust-layer 1\nobject 0123456789ABCDEF0123456789abcdef0123456789ab"
      "cdef0123456789abcdef\nsize 1\nformat tar.zst\n",
      "ix:2: expected 'object <sha256>' (64 lowercase hex digits)");
  BAD("xrust-layer 1\n" OBJ "size 0\nformat tar.zst\n",
      "ix:3: expected 'size <bytes>'");
  BAD("xrust-layer 1\n" OBJ "size 012\nformat tar.zst\n",
      "ix:3: expected 'size <bytes>'");
  BAD("xrust-layer 1\n" OBJ "size 12a\nformat tar.zst\n",
      "ix:3: expected 'size <bytes>'");
  BAD("xrust-layer 1\n" OBJ "size 99999999999999999999\nformat tar.zst\n",
      "ix:3: expected 'size <bytes>'");
  BAD("xrust-layer 1\n" OBJ "size 1\nformat tar.gz\n",
      "ix:4: expected 'format tar.zst'");
  BAD("xrust-layer 1\n" OBJ "size 1\nformat tar.zst",
      "ix:4: expected 'format tar.zst'");
  BAD("xrust-layer 1\n" OBJ "size 1\nformat tar.zst\nextra\n",
      "ix:5: unexpected text after the format line");
  BAD("xrust-layer 1\r\n" OBJ "size 1\nformat tar.zst\n",
      "ix:1: expected 'xrust-layer 1'");
  BAD("xrust-layer 1\n" OBJ "size 1\0\nformat tar.zst\n",
      "ix:3: expected 'size <bytes>'");
  memset(big, 'x', sizeof(big));
  bad_index(big, sizeof(big), "ix: not an index (2048 bytes)");
}

/* ---- the key ---- */

static void put(const char *dir, const char *rel, const char *text)
{
  struct xr_buf p = XR_BUF_INIT;
  struct xr_err err;
  char *slash;

  REQUIRE(xr_buf_printf(&p, "%s/%s", dir, rel) == 0);
  slash = strrchr(p.data, '/');
  *slash = '\0';
  REQUIRE(xr_fs_mkdirs(p.data, &err) == 0);
  *slash = '/';
  REQUIRE(xr_fs_write(p.data, text, strlen(text), 0, &err) == 0);
  xr_buf_release(&p);
}

static void stub(const char *dir)
{
  put(dir, "Cargo.toml", "[workspace]\n");
  put(dir, "a/Cargo.toml", "[package]\nname = \"a\"\n");
  put(dir, "a/src/lib.rs", "");
  put(dir, "a-b/Cargo.toml", "[package]\nname = \"a-b\"\n");
  put(dir, "target/debug/junk", "varies");
  put(dir, "a/target/x", "varies too");
}

TEST(key_is_path_independent)
{
  char *base = tap_scratch("key");
  struct xr_buf a = XR_BUF_INIT, b = XR_BUF_INIT, rec = XR_BUF_INIT;
  char ka[XR_SHA256_HEX], kb[XR_SHA256_HEX], kc[XR_SHA256_HEX];
  struct xr_err err;

  REQUIRE(xr_buf_printf(&a, "%s/one/stub", base) == 0);
  REQUIRE(xr_buf_printf(&b, "%s/two/much/deeper/stub", base) == 0);
  REQUIRE(xr_buf_printf(&rec, "%s/record", base) == 0);
  stub(a.data);
  stub(b.data);
  put(base, "record", "target x86_64-unknown-linux-musl\n");
  put(b.data, "target/debug/junk", "something else");
  REQUIRE(xr_cache_key(rec.data, a.data, ka, &err) == 0);
  REQUIRE(xr_cache_key(rec.data, b.data, kb, &err) == 0);
  CHECK_STR(ka, kb);
  CHECK(xr_cache_key_valid(ka));
  /* Run twice, the same. */
  REQUIRE(xr_cache_key(rec.data, a.data, kc, &err) == 0);
  CHECK_STR(kc, ka);
  put(b.data, "a/src/lib.rs", " ");
  REQUIRE(xr_cache_key(rec.data, b.data, kb, &err) == 0);
  CHECK(strcmp(ka, kb) != 0);
  put(b.data, "a/src/lib.rs", "");
  REQUIRE(xr_cache_key(rec.data, b.data, kb, &err) == 0);
  CHECK_STR(kb, ka);
  /* Renaming a file changes the key even with the same bytes. */
  put(b.data, "a/src/main.rs", "");
  REQUIRE(xr_cache_key(rec.data, b.data, kb, &err) == 0);
  CHECK(strcmp(ka, kb) != 0);
  put(base, "record", "target aarch64-unknown-linux-musl\n");
  REQUIRE(xr_cache_key(rec.data, a.data, kc, &err) == 0);
  CHECK(strcmp(ka, kc) != 0);
  xr_buf_release(&a);
  xr_buf_release(&b);
  xr_buf_release(&rec);
}

TEST(key_errors)
{
  char *base = tap_scratch("keyerr");
  struct xr_buf rec = XR_BUF_INIT, nope = XR_BUF_INIT;
  char k[XR_SHA256_HEX];
  struct xr_err err;

  REQUIRE(xr_buf_printf(&rec, "%s/record", base) == 0);
  REQUIRE(xr_buf_printf(&nope, "%s/nope", base) == 0);
  CHECK(xr_cache_key(nope.data, base, k, &err) == XR_ENOTFOUND);
  put(base, "record", "x");
  CHECK(xr_cache_key(rec.data, nope.data, k, &err) == XR_ENOTFOUND);
  CHECK(strstr(err.msg, "is not a directory") != NULL);
  CHECK(xr_cache_key(base, base, k, &err) == XR_EIO);
  xr_buf_release(&rec);
  xr_buf_release(&nope);
}

TEST(list_is_sorted_by_whole_path)
{
  char *base = tap_scratch("list");
  struct xr_cache_entry *v;
  struct xr_err err;
  size_t n, i;

  put(base, "a/x", "");
  put(base, "a-b", "");
  put(base, "a.c", "");
  put(base, "B", "");
  REQUIRE(xr_cache_list(base, NULL, NULL, &v, &n, &err) == 0);
  REQUIRE(n == 5);
  CHECK_STR(v[0].rel, "B");
  CHECK_STR(v[1].rel, "a");
  CHECK_STR(v[2].rel, "a-b");
  CHECK_STR(v[3].rel, "a.c");
  CHECK_STR(v[4].rel, "a/x");
  for (i = 1; i < n; i++)
    CHECK(strcmp(v[i - 1].rel, v[i].rel) < 0);
  xr_cache_list_free(v, n);
}

/* ---- --exclude-crate ---- */

TEST(exclude_crate)
{
  const enum xr_cache_where O = XR_CACHE_IN_OUTPUTS, P = XR_CACHE_IN_PROFILE;
  const char *names[] = { "my-app", "tool" };

  CHECK(xr_cache_crate_output("app", "app-0123456789abcdef", O));
  CHECK(xr_cache_crate_output("app", "app-0123456789abcdef.d", O));
  CHECK(xr_cache_crate_output("app", "libapp-0123456789abcdef.rlib", O));
  CHECK(xr_cache_crate_output("app", "libapp-0123456789abcdef.rmeta", O));
  CHECK(xr_cache_crate_output("my-app", "my-app-0123456789abcdef", O));
  CHECK(xr_cache_crate_output("my-app", "my_app-0123456789abcdef.d", O));
  CHECK(xr_cache_crate_output("my-app", "libmy_app-0123456789abcdef.so", O));
  CHECK(!xr_cache_crate_output("app", "app-core-0123456789abcdef", O));
  CHECK(!xr_cache_crate_output("app", "libapp_core-0123456789abcdef.rlib",
                               O));
  CHECK(!xr_cache_crate_output("app", "app-0123456789abcde", O));
  CHECK(!xr_cache_crate_output("app", "app-0123456789abcdef0", O));
  CHECK(!xr_cache_crate_output("app", "app-0123456789ABCDEF", O));
  CHECK(!xr_cache_crate_output("app", "xapp-0123456789abcdef", O));
  CHECK(!xr_cache_crate_output("app", "app", O));
  CHECK(!xr_cache_crate_output("app", "app-0123456789abcdef", 0));

  CHECK(xr_cache_crate_output("app", "app", P));
  CHECK(xr_cache_crate_output("app", "app.d", P));
  CHECK(xr_cache_crate_output("app", "app.exe", P));
  CHECK(xr_cache_crate_output("app", "libapp.rlib", P));
  CHECK(xr_cache_crate_output("app", "libapp.d", P));
  CHECK(xr_cache_crate_output("my-app", "libmy_app.rlib", P));
  CHECK(!xr_cache_crate_output("app", "app-core", P));
  CHECK(!xr_cache_crate_output("app", "libapp-core.rlib", P));
  CHECK(!xr_cache_crate_output("app", "libapp_core.rlib", P));
  CHECK(!xr_cache_crate_output("app", "app.pdb2", P));
  CHECK(!xr_cache_crate_output("app", "app-0123456789abcdef", P));
  CHECK(!xr_cache_crate_output("", "lib.rlib", P));

  CHECK(xr_cache_excluded(names, 2, "tool", P));
  CHECK(xr_cache_excluded(names, 2, "libmy_app-0123456789abcdef.rlib", O));
  CHECK(!xr_cache_excluded(names, 2, "tool-core", P));
  CHECK(!xr_cache_excluded(names, 0, "tool", P));
}

/* The WHERE the walk gives each entry. */
struct seen {
  char log[4096];
};

static int record_where(void *ctx, const char *rel, const char *base,
                        const struct stat *st, int where)
{
  struct seen *s = ctx;
  size_t n = strlen(s->log);

  (void)base;
  (void)st;
  snprintf(s->log + n, sizeof(s->log) - n, "%s=%d;", rel, where);
  return 0;
}

TEST(walk_tells_where)
{
  char *base = tap_scratch("where");
  struct xr_cache_entry *v;
  struct seen s;
  struct xr_err err;
  size_t n;

  memset(&s, 0, sizeof(s));
  put(base, "debug/deps/x", "");
  put(base, "debug/app", "");
  put(base, "debug/build/b-0123456789abcdef/out/y", "");
  REQUIRE(xr_cache_list(base, record_where, &s, &v, &n, &err) == 0);
  CHECK(strstr(s.log, "debug=0;") != NULL);
  CHECK(strstr(s.log, "debug/app=2;") != NULL);
  CHECK(strstr(s.log, "debug/deps=2;") != NULL);
  CHECK(strstr(s.log, "debug/deps/x=1;") != NULL);
  CHECK(strstr(s.log, "debug/build/b-0123456789abcdef=1;") != NULL);
  CHECK(strstr(s.log, "debug/build/b-0123456789abcdef/out=0;") != NULL);
  xr_cache_list_free(v, n);
}

/* ---- gc ---- */

static void age(const char *dir, const char *rel, time_t when)
{
  struct xr_buf p = XR_BUF_INIT;
  struct utimbuf t;

  REQUIRE(xr_buf_printf(&p, "%s/%s", dir, rel) == 0);
  t.actime = t.modtime = when;
  REQUIRE(utime(p.data, &t) == 0);
  xr_buf_release(&p);
}

TEST(gc_of_a_file_cache)
{
  char *root = tap_scratch("gc");
  struct xr_cache_gc_stats st;
  struct xr_err err;
  time_t now = time(NULL);
  struct xr_buf ix = XR_BUF_INIT, p = XR_BUF_INIT;
  struct xr_cache_index i;
  const char *A =
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
  const char *B =
    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

  memcpy(i.object, A, 65);
  i.size = 10;
  REQUIRE(xr_cache_index_write(&i, &ix) == 0);
  put(root, "xrust-v1/index/old", ix.data);
  xr_buf_reset(&ix);
  memcpy(i.object, B, 65);
  REQUIRE(xr_cache_index_write(&i, &ix) == 0);
  put(root, "xrust-v1/index/new", ix.data);
  REQUIRE(xr_buf_printf(&p, "xrust-v1/objects/%s.tar.zst", A) == 0);
  put(root, p.data, "0123456789");
  age(root, p.data, now - 40 * 86400);
  xr_buf_reset(&p);
  REQUIRE(xr_buf_printf(&p, "xrust-v1/objects/%s.tar.zst", B) == 0);
  put(root, p.data, "0123456789");
  age(root, p.data, now - 40 * 86400);
  put(root, "xrust-v1/objects/orphan-fresh.tar.zst", "x");
  put(root, "xrust-v1/objects/orphan-old.tar.zst", "x");
  age(root, "xrust-v1/objects/orphan-old.tar.zst", now - 7200);
  put(root, "xrust-v1/objects/x.tar.zst.tmp-abcdef", "partial");
  age(root, "xrust-v1/index/old", now - 10 * 86400);

  REQUIRE(xr_cache_gc_dir(root, 7 * 86400, now, &st, &err) == 0);
  CHECK(st.indexes_removed == 1 && st.indexes_kept == 1);
  CHECK(st.objects_removed == 2);   /* A and the old orphan */
  CHECK(st.objects_kept == 2);      /* B and the fresh orphan */
  CHECK(st.bytes_removed == 11);
  CHECK(tap_entries(root) == 1);
  xr_buf_reset(&p);
  REQUIRE(xr_buf_printf(&p, "%s/xrust-v1/objects", root) == 0);
  CHECK(tap_entries(p.data) == 3);  /* B, fresh orphan, the temporary */
  xr_buf_reset(&p);
  REQUIRE(xr_buf_printf(&p, "%s/xrust-v1/index", root) == 0);
  CHECK(tap_entries(p.data) == 1);
  /* A missing cache is empty, not an error. */
  xr_buf_reset(&p);
  REQUIRE(xr_buf_printf(&p, "%s/none", root) == 0);
  CHECK(xr_cache_gc_dir(p.data, 0, now, &st, &err) == 0);
  xr_buf_release(&ix);
  xr_buf_release(&p);
}

TAP_MAIN(TAP_CASE(file_urls), TAP_CASE(http_urls), TAP_CASE(s3_urls),
         TAP_CASE(bad_urls), TAP_CASE(strip_userinfo), TAP_CASE(names),
         TAP_CASE(s3_settings_from_environment),
         TAP_CASE(s3_endpoint_and_style), TAP_CASE(s3_settings_errors),
         TAP_CASE(s3_credentials_file), TAP_CASE(credentials_parser),
         TAP_CASE(index_round_trip), TAP_CASE(index_garbage),
         TAP_CASE(key_is_path_independent), TAP_CASE(key_errors),
         TAP_CASE(list_is_sorted_by_whole_path), TAP_CASE(exclude_crate),
         TAP_CASE(walk_tells_where), TAP_CASE(gc_of_a_file_cache))
