/*
 * `xrust depfile STAMP DIR`: prints on stdout the Make fragment that makes
 * STAMP depend on every source named by the dep-info files cargo left in
 * DIR (the .d files directly in DIR, one per binary or library); the
 * reading and the text are depfile.c's.
 */
#include <stdio.h>

#include "cli.h"
#include "xrust/buf.h"
#include "xrust/depfile.h"
#include "xrust/error.h"
#include "xrust/strv.h"

int xr_cmd_depfile(int argc, char **argv)
{
  struct xr_strv deps = XR_STRV_INIT;
  struct xr_buf out = XR_BUF_INIT;
  struct xr_err err;
  int rc = 1;

  if (argc != 3) {
    fprintf(stderr, "usage: xrust depfile STAMP DIR\n");
    return 2;
  }
  xr_err_clear(&err);
  if (xr_depfile_read_dir(argv[2], &deps, &err) ||
      xr_depfile_make(argv[1], &deps, &out, &err)) {
    fprintf(stderr, "xrust: %s\n", err.msg);
    goto out;
  }
  if (fwrite(out.data, 1, out.len, stdout) != out.len ||
      fflush(stdout) != 0) {
    fprintf(stderr, "xrust: depfile: cannot write standard output\n");
    goto out;
  }
  rc = 0;
out:
  xr_buf_release(&out);
  xr_strv_release(&deps);
  return rc;
}
