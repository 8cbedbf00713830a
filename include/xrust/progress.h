/*
 * Progress output (module/lib/progress.c), the one writer of xrust's
 * Kbuild-style status lines: "  TAG     text" lines, and on a terminal one
 * throttled line that redraws itself in place (bytes, rate, files, as
 * curl's progress meter), cleared before any other line is printed so the
 * two never mix.  Off a terminal there is no redrawn line: the callers
 * print one line at the start and one at the end.  What to say, and when,
 * is the callers' (the fetch engine, vendoring, the tool); a reporter
 * with no stream says nothing.  Used from one thread at a time.
 */
#ifndef XRUST_PROGRESS_H
#define XRUST_PROGRESS_H

#include <stddef.h>
#include <stdio.h>

/* The terminal line is redrawn at most this often (milliseconds). */
#define XR_PROGRESS_MS 200

struct xr_progress {
  FILE *out;       /* NULL: silent (quiet, or nowhere to write) */
  int tty;         /* OUT is a terminal: the redrawn line is shown */
  long long t0;    /* xr_progress_start, in xr_progress_now_ms time */
  long long last;  /* when the line was last drawn */
  int shown;       /* the redrawn line is on the screen */
};

/* OUT may be NULL (silent); TTY -1 asks isatty(OUT). */
void xr_progress_init(struct xr_progress *p, FILE *out, int tty);
/* Marks the start of the work that xr_progress_seconds measures. */
void xr_progress_start(struct xr_progress *p);
/* Seconds since xr_progress_start. */
double xr_progress_seconds(const struct xr_progress *p);

/*
 * 1 when the terminal line should be redrawn now: there is a terminal and
 * XR_PROGRESS_MS have passed since the last time (FORCE: whenever there
 * is a terminal).  A 1 counts as drawn.
 */
int xr_progress_due(struct xr_progress *p, int force);
/* Redraws the terminal line as "  TAG     text". */
void xr_progress_draw(struct xr_progress *p, const char *tag,
                      const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 3, 4)))
#endif
  ;
/* Prints the line "  TAG     text" (after clearing the terminal line). */
void xr_progress_say(struct xr_progress *p, const char *tag,
                     const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 3, 4)))
#endif
  ;

/* BYTES in decimal units for a person: "512 B", "12.3 MB". */
void xr_progress_size(char *out, size_t n, double bytes);

/* The monotonic clock the progress line measures with, in milliseconds. */
long long xr_progress_now_ms(void);

#endif
