/*
 * `xrust lipo -create -output OUT IN...`: the universal (fat) Mach-O of
 * the universal2-darwin target, from thin x86_64 and arm64 files, with the
 * command line of Apple's lipo and llvm-lipo for the one operation xrust
 * needs (include/xrust/macho_fat.h does the work).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "xrust/error.h"
#include "xrust/macho_fat.h"

static int usage(void)
{
  fprintf(stderr, "usage: xrust lipo -create -output OUT INPUT...\n");
  return 2;
}

int xr_cmd_lipo(int argc, char **argv)
{
  const char **inputs;
  const char *out = NULL;
  struct xr_err err;
  size_t n = 0;
  int i, create = 0, rc;

  inputs = calloc((size_t)argc, sizeof(*inputs));
  if (!inputs) {
    fprintf(stderr, "xrust: out of memory\n");
    return 1;
  }
  for (i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-create")) {
      create = 1;
    } else if (!strcmp(argv[i], "-output")) {
      if (i + 1 >= argc || out) {
        free(inputs);
        return usage();
      }
      out = argv[++i];
    } else if (argv[i][0] == '-' && argv[i][1]) {
      fprintf(stderr, "xrust: lipo: unknown option '%s'\n", argv[i]);
      free(inputs);
      return usage();
    } else {
      inputs[n++] = argv[i];
    }
  }
  if (!create || !out || n == 0) {
    free(inputs);
    return usage();
  }
  xr_err_clear(&err);
  rc = xr_macho_fat_create(out, inputs, n, &err);
  free(inputs);
  if (rc) {
    fprintf(stderr, "xrust: %s\n", err.msg);
    return 1;
  }
  return 0;
}
