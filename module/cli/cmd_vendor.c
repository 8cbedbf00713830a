/*
 * `xrust lock-list` and `xrust vendor`: the lockfile as vendoring reads it,
 * and vendoring (vendor.h), on the command line.  `lock-list LOCK` prints
 * one line per package (name, version, source kind, and the URL with the
 * checksum or the git reference); `vendor LOCK DIR [--config FILE]
 * [--force] [--copy] [--link-dir DIR]` is what the vendor layer's recipe
 * runs (quiet apart from the fetch engine's lines and a warning when the
 * stable link cannot be made; V=1 adds a summary).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "xrust/cargo_lock.h"
#include "xrust/error.h"
#include "xrust/fetch.h"
#include "xrust/progress.h"
#include "xrust/vendor.h"

int xr_cmd_lock_list(int argc, char **argv)
{
  static const char *const kinds[] = {
    "path", "registry", "sparse", "git", "other"
  };
  static const char *const refs[] = { "", "?branch=", "?tag=", "?rev=" };
  struct xr_lock l;
  struct xr_err err;
  size_t i;

  if (argc != 2) {
    fprintf(stderr, "usage: xrust lock-list Cargo.lock\n");
    return 2;
  }
  xr_err_clear(&err);
  if (xr_lock_read(argv[1], &l, &err)) {
    fprintf(stderr, "xrust: %s\n", err.msg);
    return 1;
  }
  printf("# version %d, %zu packages\n", l.version, l.n);
  for (i = 0; i < l.n; i++) {
    const struct xr_lock_pkg *p = &l.pkgs[i];

    printf("%s %s %s", p->name, p->version, kinds[p->kind]);
    if (p->kind == XR_SRC_GIT)
      printf(" %s%s%s %s", p->url, refs[p->git_ref],
             p->git_ref_value ? p->git_ref_value : "", p->commit);
    else if (p->kind == XR_SRC_REGISTRY || p->kind == XR_SRC_SPARSE)
      printf(" %s %s", p->url, p->checksum ? p->checksum : "-");
    else if (p->kind == XR_SRC_OTHER)
      printf(" %s", p->source);
    printf("\n");
  }
  xr_lock_release(&l);
  return fflush(stdout) == 0 ? 0 : 1;
}

int xr_cmd_vendor(int argc, char **argv)
{
  struct xr_fetch_config fc;
  struct xr_vendor_config vc;
  struct xr_vendor_stats st;
  struct xr_progress pr;
  struct xr_err err;
  const char *lock = NULL, *dir = NULL;
  int i;

  xr_fetch_config_init(&fc);
  xr_vendor_config_init(&vc);
  for (i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--config") && i + 1 < argc)
      vc.config_out = argv[++i];
    else if (!strcmp(argv[i], "--force"))
      vc.force = 1;
    else if (!strcmp(argv[i], "--copy"))
      vc.copy = 1;
    else if (!strcmp(argv[i], "--link-dir") && i + 1 < argc)
      vc.link_dir = argv[++i];
    else if (argv[i][0] == '-')
      break;
    else if (!lock)
      lock = argv[i];
    else if (!dir)
      dir = argv[i];
    else
      break;
  }
  if (i < argc || !lock || !dir) {
    fprintf(stderr, "usage: xrust vendor Cargo.lock DIR [--config FILE] "
            "[--force] [--copy] [--link-dir DIR]\n");
    return 2;
  }
  xr_err_clear(&err);
  if (xr_fetch_config_env(&fc, &err)) {
    fprintf(stderr, "xrust: %s\n", err.msg);
    return 2;
  }
  fc.out = stderr;
  vc.fetch = &fc;
  if (xr_vendor(&vc, lock, dir, &st, &err)) {
    fprintf(stderr, "xrust: %s\n", err.msg);
    return 1;
  }
  if (st.link.code)
    fprintf(stderr, "xrust: warning: %s; cargo reads '%s' itself, so "
            "dependency layers built elsewhere are not reused\n",
            st.link.msg, dir);
  xr_progress_init(&pr, fc.verbose ? stderr : NULL, 0);
  if (st.unchanged)
    xr_progress_say(&pr, "VENDOR", "%s (lockfile unchanged)", dir);
  else
    xr_progress_say(&pr, "VENDOR", "%s: %zu crates (%zu downloaded), %zu "
                    "git", dir, st.registry, st.fetched, st.git);
  return 0;
}
