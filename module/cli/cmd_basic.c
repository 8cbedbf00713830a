/*
 * Small subcommands that expose single library functions: `sha256` and
 * `target`.  Useful from recipes and for checking the module's answers.
 */
#include <stdio.h>

#include "cli.h"
#include "xrust/error.h"
#include "xrust/sha256.h"
#include "xrust/target.h"

int xr_cmd_sha256(int argc, char **argv)
{
  char hex[XR_SHA256_HEX];
  struct xr_err err;
  int i;

  if (argc < 2) {
    fprintf(stderr, "usage: xrust sha256 FILE...\n");
    return 2;
  }
  for (i = 1; i < argc; i++) {
    xr_err_clear(&err);
    if (xr_sha256_file(argv[i], hex, &err)) {
      fprintf(stderr, "xrust: %s\n", err.msg);
      return 1;
    }
    printf("%s  %s\n", hex, argv[i]);
  }
  return 0;
}

int xr_cmd_target(int argc, char **argv)
{
  struct xr_err err;
  const char *t;
  int i;

  if (argc < 2) {
    fprintf(stderr, "usage: xrust target NAME...\n");
    return 2;
  }
  for (i = 1; i < argc; i++) {
    xr_err_clear(&err);
    t = xr_target_triple(argv[i], &err);
    if (!t) {
      fprintf(stderr, "xrust: %s\n", err.msg);
      return 1;
    }
    printf("%s\n", t);
  }
  return 0;
}
