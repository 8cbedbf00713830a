/*
 * AWS Signature V4 as the remote cache's transport sends it
 * (cache_remote.c): the request that configures libcurl for s3:// is
 * captured by a loopback server in this process and its Authorization
 * header compared with AWS's published test suite (aws-sig-v4-test-suite,
 * "get-vanilla": GET / on example.amazonaws.com, credentials AKIDEXAMPLE,
 * region us-east-1, service "service", 20150830T123600Z).  The same path
 * with the real service name sends the payload hash S3 requires and
 * signs it, and never puts the secret on the wire.
 */
#include "tap.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>

#include "xrust/buf.h"
#include "xrust/cache.h"
#include "xrust/cache_remote.h"

/* get-vanilla.authz of the published suite. */
#define VANILLA_AUTHZ                                                     \
  "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"  \
  "aws4_request, SignedHeaders=host;x-amz-date, "                        \
  "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

/* One request captured: its head and body, answered with STATUS. */
struct capture {
  int fd;
  int port;
  int status;
  char req[8192];
  size_t len;
};

static void *serve_one(void *arg)
{
  struct capture *c = arg;
  char reply[128];
  int s = accept(c->fd, NULL, NULL);
  size_t want = 0;

  if (s < 0)
    return NULL;
  for (;;) {
    ssize_t n = recv(s, c->req + c->len, sizeof(c->req) - 1 - c->len, 0);
    char *end;

    if (n <= 0)
      break;
    c->len += (size_t)n;
    c->req[c->len] = '\0';
    end = strstr(c->req, "\r\n\r\n");
    if (end && !want) {
      const char *cl = strstr(c->req, "Content-Length: ");

      want = (size_t)(end + 4 - c->req) +
             (cl && cl < end ? (size_t)strtoul(cl + 16, NULL, 10) : 0);
    }
    if (want && c->len >= want)
      break;
  }
  snprintf(reply, sizeof(reply), "HTTP/1.1 %d X\r\nContent-Length: 0\r\n"
           "Connection: close\r\n\r\n", c->status);
  (void)send(s, reply, strlen(reply), 0);
  close(s);
  return NULL;
}

static void listen_loopback(struct capture *c)
{
  struct sockaddr_in a;
  socklen_t al = sizeof(a);

  memset(c, 0, sizeof(*c));
  c->status = 200;
  c->fd = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(c->fd >= 0);
  memset(&a, 0, sizeof(a));
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(c->fd, (struct sockaddr *)&a, sizeof(a)) == 0);
  REQUIRE(listen(c->fd, 1) == 0);
  REQUIRE(getsockname(c->fd, (struct sockaddr *)&a, &al) == 0);
  c->port = ntohs(a.sin_port);
}

/* The value of header NAME in the captured request, copied into OUT. */
static const char *header(const struct capture *c, const char *name,
                          char *out, size_t n)
{
  const char *p = c->req;
  size_t nl = strlen(name);

  out[0] = '\0';
  for (p = strstr(p, "\r\n"); p; p = strstr(p, "\r\n")) {
    p += 2;
    if (!strncasecmp(p, name, nl) && p[nl] == ':') {
      const char *v = p + nl + 1, *e;

      while (*v == ' ')
        v++;
      e = strstr(v, "\r\n");
      snprintf(out, n, "%.*s", (int)(e ? e - v : (long)strlen(v)), v);
      return out;
    }
  }
  return NULL;
}

/* An s3:// cache for bucket "example" on endpoint http://amazonaws.com,
 * virtual-hosted, so the request goes to example.amazonaws.com, which
 * libcurl is told to reach on the capture server. */
static void vanilla(struct xr_cache_url *u, struct xr_s3_config *s3,
                    const char *service)
{
  struct xr_err err;

  REQUIRE(xr_cache_url_parse("s3://example", u, &err) == 0);
  xr_s3_config_init(s3);
  s3->region = xr_strdup("us-east-1");
  s3->endpoint = xr_strdup("http://amazonaws.com");
  s3->path_style = 0;
  s3->access_key = xr_strdup("AKIDEXAMPLE");
  s3->secret_key = xr_strdup(SECRET);
  s3->service = service ? xr_strdup(service) : NULL;
  s3->amz_date = xr_strdup("20150830T123600Z");
}

struct run {
  struct capture c;
  pthread_t th;
  struct xr_remote *r;
  struct xr_remote_opts o;
  char connect_to[96];
};

static void start(struct run *x, const struct xr_cache_url *u,
                  const struct xr_s3_config *s3)
{
  struct xr_err err;

  listen_loopback(&x->c);
  REQUIRE(pthread_create(&x->th, NULL, serve_one, &x->c) == 0);
  xr_remote_opts_init(&x->o);
  x->o.retries = 0;
  snprintf(x->connect_to, sizeof(x->connect_to),
           "example.amazonaws.com:80:127.0.0.1:%d", x->c.port);
  x->o.connect_to = x->connect_to;
  REQUIRE(xr_remote_open(&x->r, u, s3, &x->o, &err) == 0);
}

static void finish(struct run *x)
{
  pthread_join(x->th, NULL);
  close(x->c.fd);
  xr_remote_free(x->r);
}

TEST(get_vanilla_matches_the_published_signature)
{
  struct xr_cache_url u;
  struct xr_s3_config s3;
  struct xr_buf body = XR_BUF_INIT;
  struct xr_err err;
  struct run x;
  char v[512];

  vanilla(&u, &s3, "service");
  start(&x, &u, &s3);
  /* The empty key: the bucket's root, "GET /". */
  CHECK(xr_remote_get_mem(x.r, "", 1024, &body, &err) == 0);
  finish(&x);
  CHECK(!strncmp(x.c.req, "GET / HTTP/1.1\r\n", 16));
  CHECK_STR(header(&x.c, "Host", v, sizeof(v)), "example.amazonaws.com");
  CHECK_STR(header(&x.c, "X-Amz-Date", v, sizeof(v)), "20150830T123600Z");
  CHECK_STR(header(&x.c, "Authorization", v, sizeof(v)), VANILLA_AUTHZ);
  CHECK(strstr(x.c.req, SECRET) == NULL);
  if (tap_failures)
    fprintf(stderr, "# request:\n%s\n", x.c.req);
  xr_buf_release(&body);
  xr_s3_config_release(&s3);
  xr_cache_url_release(&u);
}

TEST(s3_requests_sign_the_payload_hash)
{
  struct xr_cache_url u;
  struct xr_s3_config s3;
  struct xr_err err;
  struct run x;
  char v[512];

  vanilla(&u, &s3, NULL);
  s3.session_token = xr_strdup("SESSION-TOKEN");
  start(&x, &u, &s3);
  CHECK(xr_remote_put_mem(x.r, "xrust-v1/index/k", "abc", 3, &err) == 0);
  finish(&x);
  CHECK(!strncmp(x.c.req, "PUT /xrust-v1/index/k HTTP/1.1\r\n", 32));
  CHECK_STR(header(&x.c, "x-amz-content-sha256", v, sizeof(v)),
            "ba7816bf8f01cfea414140de5dae2223"
            "b00361a396177a9cb410ff61f20015ad");
  CHECK_STR(header(&x.c, "x-amz-security-token", v, sizeof(v)),
            "SESSION-TOKEN");
  header(&x.c, "Authorization", v, sizeof(v));
  CHECK(!strncmp(v, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/"
                 "us-east-1/s3/aws4_request, SignedHeaders=host;"
                 "x-amz-content-sha256;x-amz-date;x-amz-security-token, "
                 "Signature=", 139));
  CHECK(strstr(x.c.req, SECRET) == NULL);
  CHECK(strstr(x.c.req, "\r\n\r\nabc") != NULL);
  if (tap_failures)
    fprintf(stderr, "# request:\n%s\n", x.c.req);
  xr_s3_config_release(&s3);
  xr_cache_url_release(&u);
}

TEST(s3_get_sends_the_empty_payload_hash_path_style)
{
  struct xr_cache_url u;
  struct xr_s3_config s3;
  struct xr_buf body = XR_BUF_INIT;
  struct xr_err err;
  struct run x;
  char v[512];

  vanilla(&u, &s3, NULL);
  free(s3.endpoint);
  s3.endpoint = xr_strdup("http://example.amazonaws.com");
  s3.path_style = 1;
  start(&x, &u, &s3);
  x.c.status = 403;
  CHECK(xr_remote_get_mem(x.r, "p/xrust-v1/index/k", 1024, &body, &err) ==
        XR_EHTTP);
  finish(&x);
  CHECK_STR(err.msg, "GET p/xrust-v1/index/k: access denied (HTTP 403)");
  CHECK(!strncmp(x.c.req, "GET /example/p/xrust-v1/index/k HTTP/1.1\r\n",
                 42));
  CHECK_STR(header(&x.c, "x-amz-content-sha256", v, sizeof(v)),
            "e3b0c44298fc1c149afbf4c8996fb924"
            "27ae41e4649b934ca495991b7852b855");
  xr_buf_release(&body);
  xr_s3_config_release(&s3);
  xr_cache_url_release(&u);
}

TAP_MAIN(TAP_CASE(get_vanilla_matches_the_published_signature),
         TAP_CASE(s3_requests_sign_the_payload_hash),
         TAP_CASE(s3_get_sends_the_empty_payload_hash_path_style))
