/*
 * `xrust tbd [--install-name NAME] SYMS OUT...`: the text-based stub of an
 * Apple library exporting the symbols listed in SYMS, written to each OUT
 * (the darwin targets' own libSystem when no Apple SDK is given: rustc
 * passes -lSystem -lc -lm, so libSystem.tbd, libc.tbd and libm.tbd all
 * carry it).  include/xrust/macho_tbd.h does the work.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "xrust/macho_tbd.h"

int xr_cmd_tbd(int argc, char **argv)
{
  const char *name = XR_TBD_LIBSYSTEM;
  struct xr_strv syms = XR_STRV_INIT;
  struct xr_err err;
  int i = 1, rc = 0;

  if (i + 1 < argc && !strcmp(argv[i], "--install-name")) {
    name = argv[i + 1];
    i += 2;
  }
  if (argc - i < 2 || argv[i][0] == '-') {
    fprintf(stderr, "usage: xrust tbd [--install-name NAME] SYMS OUT...\n");
    return 2;
  }
  xr_err_clear(&err);
  rc = xr_tbd_read_syms(argv[i], &syms, &err);
  for (i++; i < argc && !rc; i++)
    rc = xr_tbd_write(argv[i], name, &syms, &err);
  xr_strv_release(&syms);
  if (rc) {
    fprintf(stderr, "xrust: %s\n", err.msg);
    return 1;
  }
  return 0;
}
