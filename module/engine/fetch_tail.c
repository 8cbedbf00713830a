/*
 * The download-tailing reader (fetch_tail.h): an extraction thread that
 * follows a file while another thread appends to it, reading with pread
 * through one fixed block and sleeping on a condition variable when it
 * has caught up, and the gate that bounds how many such threads decode
 * at once.  It knows nothing of transfers: the fetch engine publishes how
 * far the file has grown, says when it is complete or abandoned, and is
 * woken through a callback when an extraction ends.
 */
#include "fetch_tail.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "xrust/archive.h"
#include "xrust/error.h"

void xr_decoders_init(struct xr_decoders *d, unsigned max)
{
  memset(d, 0, sizeof(*d));
  d->max = max;
  if (!d->max) {
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);

    d->max = cpus > 0 && cpus < 256 ? (unsigned)cpus : 1;
  }
  pthread_mutex_init(&d->mu, NULL);
  pthread_cond_init(&d->cv, NULL);
}

void xr_decoders_destroy(struct xr_decoders *d)
{
  pthread_cond_destroy(&d->cv);
  pthread_mutex_destroy(&d->mu);
}

/* Waits for a free decoder; 0 when cancelled by xr_tail_stop. */
static int decoder_take(struct xr_tail *t)
{
  struct xr_decoders *d = t->dec;
  int got;

  pthread_mutex_lock(&d->mu);
  while (d->running >= d->max && !t->cancel)
    pthread_cond_wait(&d->cv, &d->mu);
  got = !t->cancel;
  if (got)
    d->running++;
  pthread_mutex_unlock(&d->mu);
  return got;
}

static void decoder_give(struct xr_decoders *d)
{
  pthread_mutex_lock(&d->mu);
  d->running--;
  pthread_cond_broadcast(&d->cv);
  pthread_mutex_unlock(&d->mu);
}

static int reader_setup(struct xr_tail *t, size_t cap)
{
  t->buf = malloc(cap);
  if (!t->buf)
    return -1;
  t->cap = cap;
  if (pthread_mutex_init(&t->mu, NULL) != 0) {
    free(t->buf);
    return -1;
  }
  if (pthread_cond_init(&t->cv, NULL) != 0) {
    pthread_mutex_destroy(&t->mu);
    free(t->buf);
    return -1;
  }
  t->init = 1;
  return 0;
}

static void reader_set(struct xr_tail *t, int *flag)
{
  pthread_mutex_lock(&t->mu);
  *flag = 1;
  pthread_cond_broadcast(&t->cv);
  pthread_mutex_unlock(&t->mu);
}

/* xr_unpack_read_fn over the growing file, run by the extraction thread. */
static ssize_t reader_read(void *ctx, const void **out)
{
  struct xr_tail *t = ctx;
  uint64_t avail;
  size_t want;
  ssize_t n;

  pthread_mutex_lock(&t->mu);
  while (t->pos == t->avail && !t->eof && !t->abort)
    pthread_cond_wait(&t->cv, &t->mu);
  if (t->abort) {
    pthread_mutex_unlock(&t->mu);
    return -1;
  }
  avail = t->avail;
  pthread_mutex_unlock(&t->mu);
  if (t->pos == avail)
    return 0;
  want = avail - t->pos < t->cap ? (size_t)(avail - t->pos) : t->cap;
  do
    n = pread(t->fd, t->buf, want, (off_t)t->pos);
  while (n < 0 && errno == EINTR);
  if (n <= 0)
    return -1;
  t->pos += (uint64_t)n;
  *out = t->buf;
  return n;
}

static void *extract_main(void *arg)
{
  struct xr_tail *t = arg;
  struct xr_err e;
  struct xr_unpack_stats stats;
  int rc, took = decoder_take(t);

  xr_err_clear(&e);
  memset(&stats, 0, sizeof(stats));
  if (!took)
    rc = xr_fail(&e, XR_EINTERNAL, "extraction cancelled");
  else if (t->file)
    rc = xr_unpack_file(t->file, t->dir, t->opts, &stats, &e);
  else
    rc = xr_unpack_stream(reader_read, t, t->name, t->dir, t->opts, &stats,
                          &e);
  if (took)
    decoder_give(t->dec);
  pthread_mutex_lock(&t->mu);
  t->rc = rc;
  t->err = e;
  *t->stats = stats;
  t->done = 1;
  pthread_cond_broadcast(&t->cv);
  pthread_mutex_unlock(&t->mu);
  t->wake(t->wake_ctx);
  return NULL;
}

int xr_tail_start(struct xr_tail *t, int fd, size_t block,
                  struct xr_err *err)
{
  if (!t->init && reader_setup(t, block))
    return xr_nomem(err);
  t->avail = t->pos = 0;
  t->fd = fd;
  t->eof = t->abort = 0;
  t->done = 0;
  t->rc = 0;
  t->cancel = 0;
  if (pthread_create(&t->thr, NULL, extract_main, t) != 0)
    return xr_fail(err, XR_EINTERNAL, "cannot start an extraction thread");
  t->live = 1;
  return 0;
}

void xr_tail_publish(struct xr_tail *t, uint64_t avail)
{
  pthread_mutex_lock(&t->mu);
  t->avail = avail;
  pthread_cond_broadcast(&t->cv);
  pthread_mutex_unlock(&t->mu);
}

void xr_tail_finish(struct xr_tail *t)
{
  reader_set(t, &t->eof);
}

void xr_tail_stop(struct xr_tail *t)
{
  if (!t->live)
    return;
  reader_set(t, &t->abort);
  pthread_mutex_lock(&t->dec->mu);
  t->cancel = 1;
  pthread_cond_broadcast(&t->dec->cv);
  pthread_mutex_unlock(&t->dec->mu);
  pthread_join(t->thr, NULL);
  t->live = 0;
}

int xr_tail_reap(struct xr_tail *t)
{
  int done;

  if (!t->live)
    return 0;
  pthread_mutex_lock(&t->mu);
  done = t->done;
  pthread_mutex_unlock(&t->mu);
  if (!done)
    return 0;
  pthread_join(t->thr, NULL);
  t->live = 0;
  return 1;
}

void xr_tail_release(struct xr_tail *t)
{
  xr_tail_stop(t);
  if (!t->init)
    return;
  pthread_cond_destroy(&t->cv);
  pthread_mutex_destroy(&t->mu);
  free(t->buf);
  t->buf = NULL;
  t->init = 0;
}
