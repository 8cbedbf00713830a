/*
 * Unit tests of progress output (module/lib/progress.c): the status line
 * layout, the redrawn terminal line and its clearing, the throttle, and
 * sizes written for a person.
 */
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "xrust/progress.h"

/* What was written to F, as a string. */
static const char *written(FILE *f, char *buf, size_t n)
{
  size_t got;

  fflush(f);
  rewind(f);
  got = fread(buf, 1, n - 1, f);
  buf[got] = '\0';
  return buf;
}

TEST(status_lines_off_a_terminal)
{
  struct xr_progress p;
  char buf[256];
  FILE *f = tmpfile();

  REQUIRE(f != NULL);
  xr_progress_init(&p, f, 0);
  CHECK(p.tty == 0);
  xr_progress_say(&p, "FETCH", "%d file%s", 2, "s");
  xr_progress_say(&p, "VENDOR", "%s", "dir");
  /* No terminal: the redrawn line never appears. */
  CHECK(xr_progress_due(&p, 1) == 0);
  CHECK_STR(written(f, buf, sizeof(buf)),
            "  FETCH   2 files\n  VENDOR  dir\n");
  fclose(f);
}

TEST(terminal_line_is_cleared_before_a_status_line)
{
  struct xr_progress p;
  char buf[256];
  FILE *f = tmpfile();

  REQUIRE(f != NULL);
  xr_progress_init(&p, f, 1);
  xr_progress_start(&p);
  CHECK(xr_progress_due(&p, 0) == 1);
  xr_progress_draw(&p, "FETCH", "%d/%d", 0, 1);
  /* Throttled: not again at once, unless forced. */
  CHECK(xr_progress_due(&p, 0) == 0);
  CHECK(xr_progress_due(&p, 1) == 1);
  xr_progress_say(&p, "RETRY", "x");
  xr_progress_say(&p, "FETCH", "y");
  CHECK_STR(written(f, buf, sizeof(buf)),
            "\r  FETCH   0/1\033[K\r\033[K  RETRY   x\n  FETCH   y\n");
  CHECK(xr_progress_seconds(&p) >= 0.0);
  fclose(f);
}

TEST(silent_without_a_stream)
{
  struct xr_progress p;

  xr_progress_init(&p, NULL, -1);
  CHECK(p.tty == 0);
  CHECK(xr_progress_due(&p, 1) == 0);
  xr_progress_draw(&p, "FETCH", "%s", "nothing");
  xr_progress_say(&p, "FETCH", "%s", "nothing");
  CHECK(p.shown == 0);
}

TEST(sizes_for_a_person)
{
  char s[32];

  xr_progress_size(s, sizeof(s), 0);
  CHECK_STR(s, "0 B");
  xr_progress_size(s, sizeof(s), 999);
  CHECK_STR(s, "999 B");
  xr_progress_size(s, sizeof(s), 1000);
  CHECK_STR(s, "1.0 kB");
  xr_progress_size(s, sizeof(s), 307200);
  CHECK_STR(s, "307.2 kB");
  xr_progress_size(s, sizeof(s), 12345678);
  CHECK_STR(s, "12.3 MB");
  xr_progress_size(s, sizeof(s), 5e15);
  CHECK_STR(s, "5000.0 TB");
}

TAP_MAIN(TAP_CASE(status_lines_off_a_terminal),
         TAP_CASE(terminal_line_is_cleared_before_a_status_line),
         TAP_CASE(silent_without_a_stream),
         TAP_CASE(sizes_for_a_person))
