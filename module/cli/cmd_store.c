/*
 * `xrust store` (what the store in XRUST_HOME holds and how much room it
 * takes) and `xrust gc` (removes blobs and entries that no gc root
 * references; see xr_store_gc in store.h for the root files).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "xrust/error.h"
#include "xrust/progress.h"
#include "xrust/store.h"

int xr_cmd_store(int argc, char **argv)
{
  struct xr_store *s = NULL;
  struct xr_store_usage *u = NULL;
  struct xr_err err;
  size_t n = 0, i;
  uint64_t total = 0;
  char size[32];
  int status = 1;

  (void)argv;
  xr_err_clear(&err);
  if (argc != 1) {
    fprintf(stderr, "usage: xrust store\n");
    return 2;
  }
  if (xr_store_open(&s, NULL, &err) || xr_store_usage(s, &u, &n, &err)) {
    fprintf(stderr, "xrust: %s\n", err.msg);
    goto out;
  }
  printf("store %s (layout %s)\n", s->root, XR_STORE_LAYOUT);
  for (i = 0; i < n; i++) {
    xr_progress_size(size, sizeof(size), (double)u[i].bytes);
    printf("  %-12s %8llu  %10s\n", u[i].kind,
           (unsigned long long)u[i].items, size);
    total += u[i].bytes;
  }
  xr_progress_size(size, sizeof(size), (double)total);
  printf("  %-12s %8s  %10s\n", "total", "", size);
  status = 0;
out:
  free(u);
  xr_store_free(s);
  return status;
}

int xr_cmd_gc(int argc, char **argv)
{
  struct xr_store *s = NULL;
  struct xr_store_gc_opts o;
  struct xr_store_gc_stats st;
  struct xr_err err;
  char size[32];
  int i, status = 1;

  xr_err_clear(&err);
  memset(&o, 0, sizeof(o));
  /* Something fetched a moment ago may not have its root written yet. */
  o.grace_seconds = 3600;
  for (i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-n") || !strcmp(argv[i], "--dry-run")) {
      o.dry_run = 1;
    } else if (!strcmp(argv[i], "--grace") && i + 1 < argc) {
      char *end;

      errno = 0;
      o.grace_seconds = strtoll(argv[++i], &end, 10);
      if (errno || end == argv[i] || *end || o.grace_seconds < 0) {
        fprintf(stderr, "xrust: invalid --grace '%s'\n", argv[i]);
        return 2;
      }
    } else {
      fprintf(stderr, "usage: xrust gc [--dry-run] [--grace SECONDS]\n");
      return 2;
    }
  }
  if (xr_store_open(&s, NULL, &err) || xr_store_gc(s, &o, &st, &err)) {
    fprintf(stderr, "xrust: %s\n", err.msg);
    goto out;
  }
  xr_progress_size(size, sizeof(size), (double)st.removed_bytes);
  printf("%s %llu item%s (%s), kept %llu, dropped %llu stale root%s\n",
         o.dry_run ? "would remove" : "removed",
         (unsigned long long)st.removed, st.removed == 1 ? "" : "s", size,
         (unsigned long long)st.kept, (unsigned long long)st.stale_roots,
         st.stale_roots == 1 ? "" : "s");
  status = 0;
out:
  xr_store_free(s);
  return status;
}
