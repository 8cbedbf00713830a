/*
 * `xrust stub SRC DST`: writes DST, the stub workspace of the dependency
 * layer for the workspace of SRC (stub.c says what it contains).
 */
#include <stdio.h>

#include "cli.h"
#include "xrust/error.h"
#include "xrust/stub.h"

int xr_cmd_stub(int argc, char **argv)
{
  struct xr_err err;

  if (argc != 3) {
    fprintf(stderr, "usage: xrust stub SRC DST\n");
    return 2;
  }
  xr_err_clear(&err);
  if (xr_stub_workspace(argv[1], argv[2], &err)) {
    fprintf(stderr, "xrust: %s\n", err.msg);
    return 1;
  }
  return 0;
}
