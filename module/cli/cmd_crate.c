/*
 * `xrust crate`, `xrust lock-list` and `xrust vendor`: the crate reader,
 * the lockfile reader and the vendoring of crate.h on the command line.
 * `crate DIR [PREFIX]` prints the variables $(rust-crate) defines
 * (makevars.h lists them), one NAME=value per line (lists
 * space-separated); `lock-list LOCK` prints one
 * line per package; `vendor LOCK DIR [--config FILE] [--force] [--copy]`
 * is what the vendor layer's recipe runs (quiet apart from the fetch
 * engine's lines; V=1 adds a summary).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "xrust/buf.h"
#include "xrust/crate.h"
#include "xrust/fetch.h"
#include "xrust/makevars.h"

/* Prints one variable of $(rust-crate) (an xr_make_var_fn). */
static int print_var(void *ctx, const char *name, const char *value)
{
  (void)ctx;
  return printf("%s=%s\n", name, value) < 0;
}

int xr_cmd_crate(int argc, char **argv)
{
  struct xr_crate c;
  struct xr_err err;
  int rc;

  if (argc < 2 || argc > 3) {
    fprintf(stderr, "usage: xrust crate DIR [PREFIX]\n");
    return 2;
  }
  xr_err_clear(&err);
  if (xr_crate_read(argv[1], &c, &err)) {
    fprintf(stderr, "xrust: %s\n", err.msg);
    return 1;
  }
  rc = xr_crate_vars(&c, argc == 3 ? argv[2] : NULL, print_var, NULL);
  xr_crate_release(&c);
  return rc == 0 && fflush(stdout) == 0 ? 0 : 1;
}

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
            "[--force] [--copy]\n");
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
  if (st.unchanged) {
    if (fc.verbose)
      fprintf(stderr, "  VENDOR  %s (lockfile unchanged)\n", dir);
  } else if (fc.verbose) {
    fprintf(stderr, "  VENDOR  %s: %zu crates (%zu downloaded), %zu git\n",
            dir, st.registry, st.fetched, st.git);
  }
  return 0;
}
