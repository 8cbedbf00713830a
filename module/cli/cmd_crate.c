/*
 * `xrust crate`: the crate reader of cargo.h on the command line.
 * `crate DIR [PREFIX]` prints the variables $(rust-crate) defines
 * (makevars.h lists them), one NAME=value per line (lists
 * space-separated).  `lock-list` and `vendor` are in cmd_vendor.c.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "xrust/cargo.h"
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
