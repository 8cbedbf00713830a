/*
 * `xrust crate`: the crate reader of cargo.h on the command line.
 * `crate DIR [PREFIX]` prints the variables $(rust-crate) defines, one
 * NAME=value per line (lists space-separated).  `lock-list` and `vendor`
 * are in cmd_vendor.c.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "xrust/cargo.h"
#include "xrust/cargo_lock.h"
#include "xrust/fetch.h"
#include "xrust/strv.h"

static void print_var(const char *prefix, const char *name, const char *v)
{
  printf("%s%s%s=%s\n", prefix ? prefix : "", prefix ? "_" : "", name,
         v ? v : "");
}

static void print_list(const char *prefix, const char *name,
                       const struct xr_strv *l)
{
  size_t i;

  printf("%s%s%s=", prefix ? prefix : "", prefix ? "_" : "", name);
  for (i = 0; i < l->n; i++)
    printf("%s%s", i ? " " : "", l->v[i]);
  printf("\n");
}

int xr_cmd_crate(int argc, char **argv)
{
  struct xr_crate c;
  struct xr_err err;
  const char *prefix;

  if (argc < 2 || argc > 3) {
    fprintf(stderr, "usage: xrust crate DIR [PREFIX]\n");
    return 2;
  }
  prefix = argc == 3 ? argv[2] : NULL;
  xr_err_clear(&err);
  if (xr_crate_read(argv[1], &c, &err)) {
    fprintf(stderr, "xrust: %s\n", err.msg);
    return 1;
  }
  print_var(prefix, "NAME", c.name);
  print_var(prefix, "VERSION", c.version);
  print_list(prefix, "BINS", &c.bins);
  print_list(prefix, "LIBS", &c.libs);
  print_list(prefix, "MANIFESTS", &c.manifests);
  print_var(prefix, "LOCK", c.lock);
  print_list(prefix, "SOURCES", &c.sources);
  print_list(prefix, "PACKAGES", &c.packages);
  xr_crate_release(&c);
  return fflush(stdout) == 0 ? 0 : 1;
}
