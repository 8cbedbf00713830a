/*
 * The fetch engine (fetch.h): one curl_multi loop per batch running up to
 * `jobs` transfers, each with a private job context; bytes are hashed and
 * written to a store temporary as they arrive and, for archives, an
 * extraction thread per item tails that temporary as it grows (the
 * download-tailing reader, fetch_tail.c), so memory stays bounded, the
 * transfer never waits for decompression and several archives decompress
 * on several cores at once.  Transient failures are retried with backoff
 * and resumed with Range; blobs are published to the store only once
 * verified.  Blob locks are taken with trylock and polled from the loop,
 * so waiting for another process never blocks this batch's other
 * transfers.  With cache_remote.c (the remote cache's one-at-a-time
 * transport) the only file that includes <curl/curl.h>; it
 * prints nothing but its status lines, through progress.h, to the
 * configured stream.
 */
#include "xrust/fetch.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "fetch_tail.h"
#include "xrust/archive.h"
#include "xrust/buf.h"
#include "xrust/error.h"
#include "xrust/fs.h"
#include "xrust/progress.h"
#include "xrust/sha256.h"
#include "xrust/store.h"

#define POLL_MS 100

enum jstate {
  J_DONE,        /* finished (status says how) */
  J_WAITLOCK,    /* blob lock held elsewhere, polled */
  J_QUEUED,      /* lock held, waiting for a transfer slot */
  J_ACTIVE,      /* transfer in the multi handle */
  J_BACKOFF,     /* waiting to retry */
  J_FINISHING,   /* download verified, extraction still running */
  J_CACHE_QUEUED /* blob in the store, extraction waiting for a slot */
};

struct batch;

struct job {
  struct batch *b;
  struct xr_fetch_item *it;
  enum jstate st;
  const char *name;
  int is_http;
  struct xr_store_lock lk;
  CURL *easy;
  char errbuf[CURL_ERROR_SIZE];

  struct xr_buf tmp;      /* temporary file in the store */
  int fd;
  struct xr_sha256 h;
  int h_live;
  uint64_t got;           /* bytes in the temporary = resume offset */
  uint64_t expect;        /* total size when known */
  int resumed;            /* some bytes came from a Range response */
  int zero_retry;         /* a from-zero retry after a mismatch was made */
  long long wake_at;      /* J_BACKOFF: monotonic ms */

  /* Per response. */
  int checked;
  long code;              /* HTTP status of the final response */
  long http_fail;         /* non-2xx seen by the write callback */
  long long cr_start;     /* Content-Range start, -1 when absent */
  int fatal;              /* a local error (err set) aborted the transfer */
  int reset_next;         /* next attempt must start from zero */

  /* Extraction. */
  int unpack;
  struct xr_tail tail;
  struct xr_buf blob;     /* extraction source for cached blobs */
  int from_blob;
  int downloaded;         /* verified and published */
  int unreachable;        /* gave up: its server refused every connection */
};

struct batch {
  const struct xr_fetch_config *cfg;
  struct xr_decoders dec;
  struct xr_store *store;
  CURLM *multi;
  struct job *jobs;
  size_t n;
  size_t slots;           /* jobs holding a slot */
  size_t max_slots;       /* cfg->jobs, at least 1 */
  struct xr_progress pr;
  int announced;
  size_t n_work;          /* items not found in the store at the start */
  size_t n_fetched;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

/* libcurl's global init is not thread-safe: once per process. */
static void curl_init(void)
{
  curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static int starts_ci(const char *s, const char *prefix)
{
  return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/* ---- items ---- */

void xr_fetch_item_init(struct xr_fetch_item *it)
{
  memset(it, 0, sizeof(*it));
  xr_unpack_opts_init(&it->unpack);
}

/* ---- progress ---- */

static uint64_t batch_bytes(const struct batch *b)
{
  uint64_t total = 0;
  size_t i;

  for (i = 0; i < b->n; i++)
    total += b->jobs[i].it->bytes;
  return total;
}

static void progress(struct batch *b, int force)
{
  char got[32], rate[32], eta[32] = "";
  uint64_t bytes, want = 0;
  double secs, speed;
  size_t i, done = 0;
  int all_known = 1;

  if (!b->announced || !xr_progress_due(&b->pr, force))
    return;
  bytes = batch_bytes(b);
  for (i = 0; i < b->n; i++) {
    const struct job *j = &b->jobs[i];

    if (j->it->from_cache)
      continue;
    if (j->st == J_DONE || j->st == J_FINISHING)
      done++;
    if (j->expect)
      want += j->expect > j->got ? j->expect - j->got : 0;
    else if (j->st != J_DONE && j->st != J_FINISHING)
      all_known = 0;
  }
  secs = xr_progress_seconds(&b->pr);
  speed = secs > 0.05 ? (double)bytes / secs : 0.0;
  xr_progress_size(got, sizeof(got), (double)bytes);
  xr_progress_size(rate, sizeof(rate), speed);
  if (all_known && speed > 0)
    snprintf(eta, sizeof(eta), "  ETA %.0fs", (double)want / speed);
  xr_progress_draw(&b->pr, "FETCH", "%zu/%zu  %s  %s/s%s", done, b->n_work,
                   got, rate, eta);
}

static void announce(struct batch *b)
{
  if (b->announced)
    return;
  b->announced = 1;
  xr_progress_start(&b->pr);
  if (!b->pr.tty)
    xr_progress_say(&b->pr, "FETCH", "%zu file%s", b->n_work,
                    b->n_work == 1 ? "" : "s");
}

static void finish_progress(struct batch *b)
{
  char got[32];

  if (!b->announced)
    return;
  /* On a terminal the summary replaces the progress line. */
  xr_progress_size(got, sizeof(got), (double)batch_bytes(b));
  xr_progress_say(&b->pr, "FETCH", "%zu file%s, %s in %.1f s", b->n_fetched,
                  b->n_fetched == 1 ? "" : "s", got,
                  xr_progress_seconds(&b->pr));
}

/* ---- extraction ---- */

/* The tailing reader calls this from its thread when it is done. */
static void wake_loop(void *multi)
{
  curl_multi_wakeup(multi);
}

static int extract_start(struct job *j, struct xr_err *err)
{
  size_t cap = j->b->cfg->ring_size ? j->b->cfg->ring_size
                                    : XR_FETCH_RING_DEFAULT;

  return xr_tail_start(&j->tail, j->fd, j->from_blob ? 1 : cap, err);
}

/* 1 when an extraction of J failed (its thread has ended): the item
 * fails with its message. */
static int extract_failed(struct job *j)
{
  if (!j->tail.rc)
    return 0;
  j->it->err = j->tail.err;
  xr_err_prefix(&j->it->err, "cannot unpack '%s': ", j->name);
  return 1;
}

/* ---- per-job lifecycle ---- */

static void job_release(struct job *j)
{
  xr_tail_stop(&j->tail);
  if (j->easy) {
    curl_multi_remove_handle(j->b->multi, j->easy);
    curl_easy_cleanup(j->easy);
    j->easy = NULL;
  }
  if (j->fd >= 0) {
    close(j->fd);
    j->fd = -1;
  }
  if (j->tmp.data && !j->downloaded)
    (void)unlink(j->tmp.data);
  xr_buf_release(&j->tmp);
  xr_buf_release(&j->blob);
  if (j->h_live) {
    xr_sha256_release(&j->h);
    j->h_live = 0;
  }
  xr_tail_release(&j->tail);
  xr_store_unlock(&j->lk);
}

static int holds_slot(enum jstate st)
{
  return st == J_ACTIVE || st == J_BACKOFF || st == J_FINISHING;
}

static void job_end(struct job *j, int rc)
{
  if (holds_slot(j->st))
    j->b->slots--;
  j->it->status = rc;
  if (!rc)
    xr_err_clear(&j->it->err);
  j->st = J_DONE;
  job_release(j);
}

/* Fails the item with the message already in its err. */
static void job_fail(struct job *j)
{
  if (!j->it->err.code)
    xr_fail(&j->it->err, XR_EINTERNAL, "cannot fetch '%s'", j->it->url);
  job_end(j, (int)j->it->err.code);
}

/* Copies the blob out to DEST (if any) and ends the item successfully. */
static void job_succeed(struct job *j)
{
  struct xr_buf p = XR_BUF_INIT;
  int rc = 0;

  if (j->it->dest) {
    if (xr_store_blob_path(j->b->store, j->it->sha256, &p))
      rc = xr_nomem(&j->it->err);
    else
      rc = xr_store_copy_out(p.data, j->it->dest, &j->it->err);
  }
  xr_buf_release(&p);
  job_end(j, rc);
}

/* The cached blob serves the item: copy out, or queue its extraction. */
static void job_cached(struct job *j)
{
  j->it->from_cache = 1;
  xr_store_unlock(&j->lk);
  if (j->it->unpack_dir)
    j->st = J_CACHE_QUEUED;
  else
    job_succeed(j);
}

/* Throws away what was received: the next bytes start the file again. */
static int job_rewind(struct job *j)
{
  struct xr_err *err = &j->it->err;
  int rc;

  if (j->h_live)
    xr_sha256_release(&j->h);
  j->h_live = 0;
  rc = xr_sha256_init(&j->h, err);
  if (rc)
    return rc;
  j->h_live = 1;
  /* The extraction reads the file: stop it before the file shrinks. */
  xr_tail_stop(&j->tail);
  if (ftruncate(j->fd, 0) != 0 || lseek(j->fd, 0, SEEK_SET) != 0)
    return xr_fail(err, XR_EIO, "cannot truncate '%s': %s", j->tmp.data,
                   strerror(errno));
  j->got = 0;
  j->resumed = 0;
  if (j->unpack) {
    rc = xr_fs_clear_dir(j->it->unpack_dir, err);
    if (!rc)
      rc = extract_start(j, err);
  }
  return rc;
}

/* ---- curl callbacks ---- */

static size_t on_header(char *p, size_t size, size_t nmemb, void *ctx)
{
  struct job *j = ctx;
  size_t n = size * nmemb;

  if (n >= 5 && !strncmp(p, "HTTP/", 5)) {
    j->cr_start = -1;
  } else if (n > 14 && !strncasecmp(p, "content-range:", 14)) {
    const char *v = p + 14;
    char *end;
    long long x;

    while (v < p + n && (*v == ' ' || *v == '\t'))
      v++;
    if (p + n - v > 6 && !strncasecmp(v, "bytes ", 6)) {
      x = strtoll(v + 6, &end, 10);
      if (end > v + 6 && *end == '-')
        j->cr_start = x;
    }
  }
  return n;
}

/* Checks the first body bytes of a response: status, Range honoured. */
static int check_response(struct job *j)
{
  curl_off_t len = -1;

  j->checked = 1;
  if (!j->is_http)
    return 0;
  curl_easy_getinfo(j->easy, CURLINFO_RESPONSE_CODE, &j->code);
  if (j->code != 200 && j->code != 206) {
    j->http_fail = j->code;
    return -1;
  }
  curl_easy_getinfo(j->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &len);
  if (j->code == 206) {
    if (j->cr_start != (long long)j->got) {
      /* A range we did not ask for: start over rather than splice. */
      j->reset_next = 1;
      j->http_fail = 206;
      return -1;
    }
    j->resumed = 1;
  } else if (j->got > 0) {
    /* The server ignored Range: everything comes again from zero. */
    if (job_rewind(j)) {
      j->fatal = 1;
      return -1;
    }
  }
  if (len >= 0)
    j->expect = j->got + (uint64_t)len;
  else if (j->it->size_hint)
    j->expect = j->it->size_hint;
  return 0;
}

static size_t on_write(char *p, size_t size, size_t nmemb, void *ctx)
{
  struct job *j = ctx;
  size_t n = size * nmemb;

  if (!j->checked && check_response(j))
    return 0;
  if (j->it->size_hint && j->got + n > j->it->size_hint) {
    /* A server that sends more than the manifest says is not trusted to
     * stop: fail before it fills the disk. */
    xr_fail(&j->it->err, XR_ELIMIT,
            "cannot fetch '%s': more than the expected %llu bytes",
            j->it->url, (unsigned long long)j->it->size_hint);
    j->fatal = 1;
    return 0;
  }
  xr_sha256_update(&j->h, p, n);
  if (xr_fs_write_all(j->fd, p, n) != 0) {
    xr_fail(&j->it->err, XR_EIO, "cannot write '%s': %s", j->tmp.data,
            strerror(errno));
    j->fatal = 1;
    return 0;
  }
  j->got += n;
  j->it->bytes += n;
  if (j->unpack)
    xr_tail_publish(&j->tail, j->got);
  return n;
}

/* ---- attempts ---- */

static int easy_setup(struct job *j)
{
  const struct xr_fetch_config *c = j->b->cfg;
  const char *ca = c->cainfo, *capath = getenv("SSL_CERT_DIR");
  CURL *e = curl_easy_init();

  if (!e)
    return xr_nomem(&j->it->err);
  j->easy = e;
  /* The order of curl(1): CURL_CA_BUNDLE, then SSL_CERT_FILE. */
  if (!ca || !*ca)
    ca = getenv("CURL_CA_BUNDLE");
  if (!ca || !*ca)
    ca = getenv("SSL_CERT_FILE");
  curl_easy_setopt(e, CURLOPT_URL, j->it->url);
  curl_easy_setopt(e, CURLOPT_PRIVATE, j);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, j);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, j);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, j->errbuf);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https,file");
  /* Redirects may not downgrade https, nor leave an allowed http origin
   * for another http host. */
  curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR,
                   j->is_http && starts_ci(j->it->url, "http:")
                   ? "http,https" : "https");
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(e, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, c->connect_timeout);
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, c->low_speed_limit);
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, c->low_speed_time);
  curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
  curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
  /* curl(1)'s receive buffer.  With libcurl's default 16 kB, libcurl 7.88
   * sometimes leaves the last DATA of a multiplexed HTTP/2 stream
   * undelivered until other traffic arrives, so a transfer stalls until
   * the low-speed timer retries it (tests/cli/fetch_h2.sh: 3 stalls in 20
   * batches of 12 against nghttpd; none in 60 with 100 kB). */
  curl_easy_setopt(e, CURLOPT_BUFFERSIZE, 102400L);
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
  curl_easy_setopt(e, CURLOPT_USERAGENT, "xrust/0.1");
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
  if (ca && *ca)
    curl_easy_setopt(e, CURLOPT_CAINFO, ca);
  if (capath && *capath)
    curl_easy_setopt(e, CURLOPT_CAPATH, capath);
  return 0;
}

/* Starts the first or a further request for J (which holds a slot). */
static int attempt_start(struct job *j)
{
  struct batch *b = j->b;
  struct xr_err *err = &j->it->err;
  char range[32];
  int rc = 0;

  if (j->fd < 0) {
    rc = xr_store_mktemp(b->store, &j->tmp, &j->fd, err);
    if (!rc)
      rc = xr_sha256_init(&j->h, err);
    if (rc)
      return rc;
    j->h_live = 1;
    if (j->unpack) {
      rc = extract_start(j, err);
      if (rc)
        return rc;
    }
  }
  if (j->reset_next) {
    j->reset_next = 0;
    rc = job_rewind(j);
    if (rc)
      return rc;
  }
  if (!j->easy) {
    rc = easy_setup(j);
    if (rc)
      return rc;
  }
  j->checked = 0;
  j->code = 0;
  j->http_fail = 0;
  j->cr_start = -1;
  j->errbuf[0] = '\0';
  /* CURLOPT_RANGE rather than RESUME_FROM: libcurl then hands us a 200
   * answer to a range request instead of failing, and we start over. */
  if (j->got) {
    snprintf(range, sizeof(range), "%llu-", (unsigned long long)j->got);
    curl_easy_setopt(j->easy, CURLOPT_RANGE, range);
  } else {
    curl_easy_setopt(j->easy, CURLOPT_RANGE, (char *)NULL);
  }
  if (curl_multi_add_handle(b->multi, j->easy) != CURLM_OK)
    return xr_fail(err, XR_EINTERNAL, "cannot start '%s'", j->it->url);
  j->it->attempts++;
  if (b->cfg->verbose && j->it->attempts == 1)
    xr_progress_say(&b->pr, "FETCH", "%s", j->it->url);
  j->st = J_ACTIVE;
  return 0;
}

static int transient_curl(CURLcode rc)
{
  switch (rc) {
  case CURLE_COULDNT_CONNECT:
  case CURLE_PARTIAL_FILE:
  case CURLE_RECV_ERROR:
  case CURLE_SEND_ERROR:
  case CURLE_OPERATION_TIMEDOUT:
  case CURLE_GOT_NOTHING:
  case CURLE_HTTP2:
  case CURLE_HTTP2_STREAM:
  case CURLE_HTTP3:
    return 1;
  default:
    return 0;
  }
}

/* Length of URL's scheme://authority part (0 if it has none). */
static size_t origin_len(const char *url)
{
  const char *p = strstr(url, "://");

  if (!p)
    return 0;
  p += 3;
  return (size_t)(p - url) + strcspn(p, "/?#");
}

/*
 * The job of this batch that gave up on URL's server because it refused
 * every connection, if any: the other files from that server then fail at
 * once instead of each waiting through its own retries.
 */
static const struct job *gave_up_on(const struct batch *b, const char *url)
{
  size_t i, n = origin_len(url);

  for (i = 0; n && i < b->n; i++) {
    const struct job *o = &b->jobs[i];

    if (o->unreachable && origin_len(o->it->url) == n &&
        !strncasecmp(o->it->url, url, n))
      return o;
  }
  return NULL;
}

/* Fails J because the batch already gave up on its server (job O). */
static void fail_unreachable(struct job *j, const struct job *o)
{
  xr_fail(&j->it->err, XR_ENET, "cannot fetch '%s': %.*s is unreachable "
          "(gave up after %u attempts to fetch '%s')", j->it->url,
          (int)origin_len(j->it->url), j->it->url, o->it->attempts,
          o->it->url);
  job_fail(j);
}

/* Schedules a retry of J after REASON, or fails it when out of attempts. */
static void retry_or_fail(struct job *j, enum xr_code code, long delay_ms,
                          const char *reason)
{
  struct batch *b = j->b;
  const struct xr_fetch_config *c = b->cfg;
  unsigned n = j->it->attempts;

  if (n > c->retries) {
    xr_fail(&j->it->err, code, "cannot fetch '%s': %s (after %u attempts)",
            j->it->url, reason, n);
    job_fail(j);
    return;
  }
  if (delay_ms < 0) {
    unsigned shift = n - 1 < 16 ? n - 1 : 16;

    delay_ms = (long)c->backoff_ms << shift;
    if (delay_ms > (long)c->backoff_max_ms)
      delay_ms = (long)c->backoff_max_ms;
  }
  if (c->verbose)
    xr_progress_say(&b->pr, "RETRY", "%s: %s (attempt %u of %u in %.1f s)",
                    j->it->url, reason, n + 1, c->retries + 1,
                    (double)delay_ms / 1000.0);
  j->wake_at = xr_progress_now_ms() + delay_ms;
  j->st = J_BACKOFF;
}

/* The download is complete: verify, publish, then wait for extraction. */
static void download_verified(struct job *j)
{
  struct batch *b = j->b;
  char hex[XR_SHA256_HEX];
  int rc;

  xr_sha256_final(&j->h, hex);
  j->h_live = 0;
  if (strcasecmp(hex, j->it->sha256) != 0) {
    if (j->resumed && !j->zero_retry) {
      /* Pieces from two versions of a file can be spliced by a resume:
       * one complete download from zero decides. */
      j->zero_retry = 1;
      j->reset_next = 1;
      if (xr_sha256_init(&j->h, &j->it->err) == 0) {
        j->h_live = 1;
        retry_or_fail(j, XR_ECHECKSUM, 0, "sha256 mismatch after resume");
        return;
      }
    }
    xr_fail(&j->it->err, XR_ECHECKSUM,
            "cannot verify '%s': sha256 mismatch (expected %s, got %s)",
            j->it->url, j->it->sha256, hex);
    job_fail(j);
    return;
  }
  /* A running extraction still reads the file (also once renamed). */
  if (!j->tail.live) {
    rc = close(j->fd);
    j->fd = -1;
    if (rc != 0) {
      xr_fail(&j->it->err, XR_EIO, "cannot write '%s': %s", j->tmp.data,
              strerror(errno));
      job_fail(j);
      return;
    }
  }
  rc = xr_store_publish_blob(b->store, j->tmp.data, j->it->sha256,
                             &j->it->err);
  if (rc) {
    job_fail(j);
    return;
  }
  j->downloaded = 1;
  b->n_fetched++;
  xr_store_unlock(&j->lk);
  if (j->tail.live) {
    xr_tail_finish(&j->tail);
    j->st = J_FINISHING;
    return;
  }
  if (j->unpack && extract_failed(j)) {
    job_fail(j);
    return;
  }
  job_succeed(j);
}

/* A transfer of J left the multi handle with RESULT. */
static void transfer_done(struct job *j, CURLcode result)
{
  struct batch *b = j->b;
  char reason[CURL_ERROR_SIZE + 64];
  long code = j->http_fail;

  curl_multi_remove_handle(b->multi, j->easy);
  if (j->fatal) {
    job_fail(j);
    return;
  }
  if (j->unpack && !j->tail.live && extract_failed(j)) {
    job_fail(j);
    return;
  }
  if (!code && result == CURLE_OK && j->is_http) {
    curl_easy_getinfo(j->easy, CURLINFO_RESPONSE_CODE, &code);
    if (code == 200 || code == 206)
      code = 0;
  }
  if (code == 206) {
    retry_or_fail(j, XR_EHTTP, -1, "unexpected content-range");
    return;
  }
  if (code) {
    snprintf(reason, sizeof(reason), "http status %ld", code);
    if (code == 416) {
      j->reset_next = 1;
      retry_or_fail(j, XR_EHTTP, 0, reason);
    } else if (code == 429) {
      curl_off_t after = -1;
      long ms = -1;

      curl_easy_getinfo(j->easy, CURLINFO_RETRY_AFTER, &after);
      if (after >= 0) {
        ms = after > (curl_off_t)(b->cfg->retry_after_max_ms / 1000)
             ? (long)b->cfg->retry_after_max_ms : (long)after * 1000;
      }
      retry_or_fail(j, XR_EHTTP, ms, reason);
    } else if (code >= 500 || code == 408) {
      retry_or_fail(j, XR_EHTTP, -1, reason);
    } else {
      xr_fail(&j->it->err, XR_EHTTP, "cannot fetch '%s': %s", j->it->url,
              reason);
      job_fail(j);
    }
    return;
  }
  if (result != CURLE_OK) {
    snprintf(reason, sizeof(reason), "%s",
             j->errbuf[0] ? j->errbuf : curl_easy_strerror(result));
    if (transient_curl(result)) {
      const struct job *o = result == CURLE_COULDNT_CONNECT
                            ? gave_up_on(b, j->it->url) : NULL;

      if (o) {
        fail_unreachable(j, o);
        return;
      }
      retry_or_fail(j, XR_ENET, -1, reason);
      if (result == CURLE_COULDNT_CONNECT && j->st == J_DONE)
        j->unreachable = 1;
    } else {
      xr_fail(&j->it->err, XR_ENET, "cannot fetch '%s': %s", j->it->url,
              reason);
      job_fail(j);
    }
    return;
  }
  download_verified(j);
}

/* ---- the loop ---- */

static void blob_key(const char *sha, char *out, size_t n)
{
  size_t i;

  snprintf(out, n, "blob-%s", sha);
  for (i = 0; out[i]; i++)
    if (out[i] >= 'A' && out[i] <= 'Z')
      out[i] = (char)(out[i] - 'A' + 'a');
}

/* Tries to take the blob lock of a waiting job. */
static void try_lock(struct job *j)
{
  char key[80];
  int rc;

  blob_key(j->it->sha256, key, sizeof(key));
  rc = xr_store_trylock(j->b->store, key, &j->lk, &j->it->err);
  if (rc == 1)
    return;
  if (rc) {
    job_fail(j);
    return;
  }
  if (xr_store_has_blob(j->b->store, j->it->sha256))
    job_cached(j);
  else
    j->st = J_QUEUED;
}

/* Fills free slots with queued downloads, retries and cached extractions. */
static void fill_slots(struct batch *b)
{
  long long t = xr_progress_now_ms();
  size_t i;

  for (i = 0; i < b->n; i++) {
    struct job *j = &b->jobs[i];

    if (j->st == J_BACKOFF && j->wake_at <= t) {
      if (attempt_start(j))
        job_fail(j);
    }
  }
  for (i = 0; i < b->n && b->slots < b->max_slots; i++) {
    struct job *j = &b->jobs[i];

    if (j->st == J_QUEUED && gave_up_on(b, j->it->url)) {
      fail_unreachable(j, gave_up_on(b, j->it->url));
    } else if (j->st == J_QUEUED) {
      announce(b);
      b->slots++;
      j->st = J_ACTIVE;
      if (attempt_start(j))
        job_fail(j);
    } else if (j->st == J_CACHE_QUEUED) {
      b->slots++;
      j->st = J_FINISHING;
      j->from_blob = 1;
      if (xr_store_blob_path(b->store, j->it->sha256, &j->blob)) {
        xr_nomem(&j->it->err);
        job_fail(j);
        continue;
      }
      j->tail.file = j->blob.data;
      if (extract_start(j, &j->it->err))
        job_fail(j);
    }
  }
}

/* Polls waiting locks and reaps finished extraction threads. */
static void service_jobs(struct batch *b)
{
  size_t i;

  for (i = 0; i < b->n; i++) {
    struct job *j = &b->jobs[i];

    if (j->st == J_WAITLOCK)
      try_lock(j);
    if (xr_tail_reap(&j->tail)) {
      if (extract_failed(j)) {
        job_fail(j);
        continue;
      }
      if (j->st == J_FINISHING)
        job_succeed(j);
    }
  }
}

static int pending(const struct batch *b, long *timeout)
{
  long long t = xr_progress_now_ms(), wait = POLL_MS;
  size_t i;
  int any = 0;

  for (i = 0; i < b->n; i++) {
    const struct job *j = &b->jobs[i];

    if (j->st != J_DONE)
      any = 1;
    if (j->st == J_BACKOFF && j->wake_at - t < wait)
      wait = j->wake_at - t > 0 ? j->wake_at - t : 0;
  }
  *timeout = (long)wait;
  return any;
}

static int run_loop(struct batch *b, struct xr_err *err)
{
  long timeout;
  int running;

  for (;;) {
    CURLMsg *m;
    int left;

    service_jobs(b);
    fill_slots(b);
    if (curl_multi_perform(b->multi, &running) != CURLM_OK)
      return xr_fail(err, XR_EINTERNAL, "curl_multi_perform failed");
    for (;;) {
      m = curl_multi_info_read(b->multi, &left);
      if (!m)
        break;
      if (m->msg == CURLMSG_DONE) {
        struct job *j = NULL;

        curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&j);
        if (j)
          transfer_done(j, m->data.result);
      }
    }
    progress(b, 0);
    if (!pending(b, &timeout))
      break;
    if (curl_multi_poll(b->multi, NULL, 0, (int)timeout, NULL) != CURLM_OK)
      return xr_fail(err, XR_EINTERNAL, "curl_multi_poll failed");
  }
  return 0;
}

static const char *display_name(const char *url)
{
  const char *end = url + strcspn(url, "?#"), *p = end;

  while (p > url && p[-1] != '/')
    p--;
  return p < end ? p : url;
}

/* First checks: arguments, policy, the store, offline mode. */
static void job_prepare(struct batch *b, struct job *j)
{
  struct xr_fetch_item *it = j->it;

  if (!it->url || !it->sha256 || !xr_sha256_valid(it->sha256)) {
    xr_fail(&it->err, XR_EUSAGE, "invalid sha256 '%s' for '%s'",
            it->sha256 ? it->sha256 : "", it->url ? it->url : "");
    job_end(j, XR_EUSAGE);
    return;
  }
  if (xr_fetch_url_allowed(it->url, b->cfg->allow_http, &it->err)) {
    job_end(j, (int)it->err.code);
    return;
  }
  j->is_http = starts_ci(it->url, "http");
  if (xr_store_has_blob(b->store, it->sha256)) {
    job_cached(j);
    return;
  }
  if (b->cfg->offline) {
    xr_fail(&it->err, XR_EOFFLINE, "offline: '%s' is not in the store",
            it->url);
    job_end(j, XR_EOFFLINE);
    return;
  }
  b->n_work++;
  j->st = J_WAITLOCK;
}

int xr_fetch_batch(const struct xr_fetch_config *cfg,
                   struct xr_fetch_item *items, size_t n,
                   struct xr_err *err)
{
  struct batch b;
  struct xr_store *own = NULL;
  size_t i;
  int rc = 0;

  memset(&b, 0, sizeof(b));
  b.cfg = cfg;
  b.n = n;
  b.max_slots = cfg->jobs ? cfg->jobs : 1;
  xr_progress_init(&b.pr, cfg->quiet ? NULL : cfg->out, cfg->tty);
  for (i = 0; i < n; i++) {
    struct xr_fetch_item *it = &items[i];

    it->status = 0;
    xr_err_clear(&it->err);
    it->from_cache = 0;
    it->bytes = 0;
    it->attempts = 0;
    memset(&it->unpacked, 0, sizeof(it->unpacked));
  }
  if (!n)
    return 0;
  pthread_once(&curl_once, curl_init);
  if (curl_init_rc != CURLE_OK)
    return xr_fail(err, XR_EINTERNAL, "cannot initialise libcurl: %s",
                   curl_easy_strerror(curl_init_rc));
  b.store = cfg->store;
  if (!b.store) {
    rc = xr_store_open(&own, cfg->store_root, err);
    if (rc)
      return rc;
    b.store = own;
  }
  xr_decoders_init(&b.dec, cfg->unpack_jobs);
  b.jobs = calloc(n, sizeof(*b.jobs));
  b.multi = curl_multi_init();
  if (!b.jobs || !b.multi) {
    rc = xr_nomem(err);
    goto out;
  }
  curl_multi_setopt(b.multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
  curl_multi_setopt(b.multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
                    (long)(cfg->jobs ? cfg->jobs : 1));
  for (i = 0; i < n; i++) {
    struct job *j = &b.jobs[i];

    j->b = &b;
    j->it = &items[i];
    j->fd = -1;
    j->lk.fd = -1;
    j->st = J_WAITLOCK;
    j->name = items[i].name ? items[i].name
              : display_name(items[i].url ? items[i].url : "");
    j->unpack = items[i].unpack_dir != NULL;
    j->tail.dec = &b.dec;
    j->tail.name = j->name;
    j->tail.dir = items[i].unpack_dir;
    j->tail.opts = &items[i].unpack;
    j->tail.stats = &items[i].unpacked;
    j->tail.wake = wake_loop;
    j->tail.wake_ctx = b.multi;
    xr_buf_init(&j->tmp);
    xr_buf_init(&j->blob);
    job_prepare(&b, j);
  }
  rc = run_loop(&b, err);
  finish_progress(&b);
  if (rc)
    goto out;
  for (i = 0; i < n; i++) {
    if (items[i].status) {
      rc = items[i].status;
      if (err)
        *err = items[i].err;
      break;
    }
  }
out:
  for (i = 0; b.jobs && i < n; i++) {
    if (b.jobs[i].st != J_DONE) {
      if (!items[i].status)
        items[i].status = rc ? rc : XR_EINTERNAL;
      job_release(&b.jobs[i]);
    }
  }
  free(b.jobs);
  if (b.multi)
    curl_multi_cleanup(b.multi);
  xr_decoders_destroy(&b.dec);
  xr_store_free(own);
  return rc;
}

/* ---- small in-memory downloads ---- */

struct text_ctx {
  struct xr_buf *out;
  size_t start, max;
  int over;
};

static size_t on_text(char *p, size_t size, size_t nmemb, void *ctx)
{
  struct text_ctx *t = ctx;
  size_t n = size * nmemb;

  if (t->out->len - t->start + n > t->max) {
    t->over = 1;
    return 0;
  }
  return xr_buf_add(t->out, p, n) ? 0 : n;
}

static void sleep_ms(long ms)
{
  struct timespec ts;

  ts.tv_sec = ms / 1000;
  ts.tv_nsec = (ms % 1000) * 1000000L;
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
    ;
}

int xr_fetch_text(const struct xr_fetch_config *cfg, const char *url,
                  size_t max, struct xr_buf *out, struct xr_err *err)
{
  struct xr_fetch_item it;
  struct batch b;
  struct job j;
  struct text_ctx t;
  unsigned attempt;
  int rc;

  rc = xr_fetch_url_allowed(url, cfg->allow_http, err);
  if (rc)
    return rc;
  if (cfg->offline)
    return xr_fail(err, XR_EOFFLINE, "offline: cannot download '%s'", url);
  pthread_once(&curl_once, curl_init);
  if (curl_init_rc != CURLE_OK)
    return xr_fail(err, XR_EINTERNAL, "cannot initialise libcurl: %s",
                   curl_easy_strerror(curl_init_rc));
  /* One job outside any multi handle, to share the transfer settings. */
  memset(&b, 0, sizeof(b));
  memset(&j, 0, sizeof(j));
  xr_fetch_item_init(&it);
  it.url = url;
  b.cfg = cfg;
  j.b = &b;
  j.it = &it;
  j.is_http = starts_ci(url, "http");
  t.out = out;
  t.start = out->len;
  t.max = max;
  if (easy_setup(&j)) {
    *err = it.err;
    return (int)it.err.code;
  }
  curl_easy_setopt(j.easy, CURLOPT_WRITEFUNCTION, on_text);
  curl_easy_setopt(j.easy, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(j.easy, CURLOPT_FAILONERROR, 1L);
  if (cfg->verbose) {
    struct xr_progress pr;

    xr_progress_init(&pr, cfg->quiet ? NULL : cfg->out, 0);
    xr_progress_say(&pr, "FETCH", "%s", url);
  }
  for (attempt = 1;; attempt++) {
    CURLcode res;
    long code = 0, delay = -1;
    int transient;

    out->len = t.start;
    if (out->data)
      out->data[out->len] = '\0';
    t.over = 0;
    j.errbuf[0] = '\0';
    res = curl_easy_perform(j.easy);
    if (res == CURLE_OK)
      break;
    if (t.over) {
      rc = xr_fail(err, XR_ELIMIT, "cannot fetch '%s': more than %zu bytes",
                   url, max);
      goto out;
    }
    curl_easy_getinfo(j.easy, CURLINFO_RESPONSE_CODE, &code);
    if (res == CURLE_HTTP_RETURNED_ERROR) {
      transient = code >= 500 || code == 408 || code == 429;
      if (code == 429) {
        curl_off_t after = -1;

        curl_easy_getinfo(j.easy, CURLINFO_RETRY_AFTER, &after);
        if (after >= 0)
          delay = after > (curl_off_t)(cfg->retry_after_max_ms / 1000)
                  ? (long)cfg->retry_after_max_ms : (long)after * 1000;
      }
      snprintf(j.errbuf, sizeof(j.errbuf), "http status %ld", code);
    } else {
      transient = transient_curl(res);
      if (!j.errbuf[0])
        snprintf(j.errbuf, sizeof(j.errbuf), "%s",
                 curl_easy_strerror(res));
    }
    if (!transient) {
      rc = xr_fail(err, code ? XR_EHTTP : XR_ENET, "cannot fetch '%s': %s",
                   url, j.errbuf);
      goto out;
    }
    if (attempt > cfg->retries) {
      rc = xr_fail(err, code ? XR_EHTTP : XR_ENET,
                   "cannot fetch '%s': %s (after %u attempts)", url,
                   j.errbuf, attempt);
      goto out;
    }
    if (delay < 0) {
      unsigned shift = attempt - 1 < 16 ? attempt - 1 : 16;

      delay = (long)cfg->backoff_ms << shift;
      if (delay > (long)cfg->backoff_max_ms)
        delay = (long)cfg->backoff_max_ms;
    }
    sleep_ms(delay);
  }
out:
  if (rc) {
    out->len = t.start;
    if (out->data)
      out->data[out->len] = '\0';
  }
  curl_easy_cleanup(j.easy);
  return rc;
}
