/*
 * The download-tailing reader of the fetch engine (fetch_tail.c), private
 * to module/engine/: one extraction thread per item that decodes the
 * store temporary while the transfer is still writing it, and the
 * batch's gate on how many of those threads decode at once.  fetch.c owns
 * the transfer and tells the reader how far the file has grown; the
 * reader never touches libcurl.
 */
#ifndef XRUST_FETCH_TAIL_H
#define XRUST_FETCH_TAIL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "xrust/archive.h"
#include "xrust/error.h"

/*
 * Decoders at work (extraction threads past their start), at most MAX: a
 * decoder holds its dictionary (xz: up to 64 MiB), and more decoders than
 * CPUs decode no faster.
 */
struct xr_decoders {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  unsigned running, max;
};

/* MAX 0: as many as there are CPUs online. */
void xr_decoders_init(struct xr_decoders *d, unsigned max);
void xr_decoders_destroy(struct xr_decoders *d);

/*
 * One extraction.  The thread waits for a decoder, then reads the file
 * through a fixed block buffer with pread as the producer publishes its
 * length (woken by a condition variable), so memory stays bounded and the
 * transfer never waits for decompression.
 */
struct xr_tail {
  /* Set by the owner before xr_tail_start. */
  struct xr_decoders *dec;
  const char *name;                  /* the archive, in messages */
  const char *dir;                   /* the directory to extract into */
  const struct xr_unpack_opts *opts;
  const char *file;                  /* a complete archive to extract
                                        instead of the growing file */
  struct xr_unpack_stats *stats;     /* receives the counts */
  void (*wake)(void *ctx);           /* called when the thread is done */
  void *wake_ctx;

  /* Results: valid once xr_tail_reap returned 1 or xr_tail_stop ran. */
  int live;                          /* a thread runs or awaits its join */
  int rc;
  struct xr_err err;

  /* The reader, under MU. */
  pthread_mutex_t mu;
  pthread_cond_t cv;
  pthread_t thr;
  int init;       /* MU, CV and BUF exist */
  char *buf;      /* the reader's block buffer */
  size_t cap;
  uint64_t avail; /* bytes written to the file so far */
  uint64_t pos;   /* bytes handed to the extraction */
  int fd;         /* the growing file, read with pread */
  int eof;        /* producer: no more bytes */
  int abort;      /* producer: give up, the reader fails */
  int done;       /* the thread has set the results */
  int cancel;     /* under dec->mu: stop waiting for a decoder */
};

/*
 * Starts (or, after xr_tail_stop, restarts from the beginning) the
 * extraction of the file open as FD, read in blocks of BLOCK bytes (the
 * buffer is made once, at the first start).
 */
int xr_tail_start(struct xr_tail *t, int fd, size_t block,
                  struct xr_err *err);
/* Producer: the file now holds AVAIL bytes. */
void xr_tail_publish(struct xr_tail *t, uint64_t avail);
/* Producer: the file is complete. */
void xr_tail_finish(struct xr_tail *t);
/* Stops the thread (if any) and waits for it. */
void xr_tail_stop(struct xr_tail *t);
/* 1 when the thread has finished and has been joined (RC, ERR are set). */
int xr_tail_reap(struct xr_tail *t);
/* Stops the thread and frees the reader. */
void xr_tail_release(struct xr_tail *t);

#endif
