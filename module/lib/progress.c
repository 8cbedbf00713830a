/*
 * Progress output (progress.h): the status lines and the redrawn terminal
 * line of every part of xrust that reports long work, their throttling,
 * and sizes written for a person.  Nothing else in xrust writes "\r" or
 * an erase-line sequence.
 */
#include "xrust/progress.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

long long xr_progress_now_ms(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void xr_progress_init(struct xr_progress *p, FILE *out, int tty)
{
  p->out = out;
  p->tty = tty >= 0 ? tty : (out && isatty(fileno(out)));
  p->t0 = p->last = 0;
  p->shown = 0;
}

void xr_progress_start(struct xr_progress *p)
{
  p->t0 = xr_progress_now_ms();
}

double xr_progress_seconds(const struct xr_progress *p)
{
  return (double)(xr_progress_now_ms() - p->t0) / 1000.0;
}

int xr_progress_due(struct xr_progress *p, int force)
{
  long long t;

  if (!p->out || !p->tty)
    return 0;
  t = xr_progress_now_ms();
  if (!force && t - p->last < XR_PROGRESS_MS)
    return 0;
  p->last = t;
  return 1;
}

/* "  TAG     " and the text of FMT. */
static void put(struct xr_progress *p, const char *tag, const char *fmt,
                va_list ap)
{
  fprintf(p->out, "  %-7s ", tag);
  vfprintf(p->out, fmt, ap);
}

void xr_progress_draw(struct xr_progress *p, const char *tag,
                      const char *fmt, ...)
{
  va_list ap;

  if (!p->out)
    return;
  fputc('\r', p->out);
  va_start(ap, fmt);
  put(p, tag, fmt, ap);
  va_end(ap);
  fputs("\033[K", p->out);
  fflush(p->out);
  p->shown = 1;
}

void xr_progress_say(struct xr_progress *p, const char *tag,
                     const char *fmt, ...)
{
  va_list ap;

  if (!p->out)
    return;
  if (p->shown) {
    fputs("\r\033[K", p->out);
    p->shown = 0;
  }
  va_start(ap, fmt);
  put(p, tag, fmt, ap);
  va_end(ap);
  fputc('\n', p->out);
  fflush(p->out);
}

void xr_progress_size(char *out, size_t n, double bytes)
{
  static const char *const units[] = { "B", "kB", "MB", "GB", "TB" };
  size_t u = 0;

  while (bytes >= 1000.0 && u + 1 < sizeof(units) / sizeof(units[0])) {
    bytes /= 1000.0;
    u++;
  }
  if (u == 0)
    snprintf(out, n, "%.0f %s", bytes, units[u]);
  else
    snprintf(out, n, "%.1f %s", bytes, units[u]);
}
