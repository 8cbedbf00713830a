/*
 * `xrust toml-json`: the decoder interface of toml-test.  Reads a TOML
 * document on stdin as raw bytes, prints its tagged JSON on stdout and
 * exits 0; an invalid document gives "<stdin>:LINE:COLUMN: message" on
 * stderr and exit status 1, so conformance scripts can check both.
 */
#include <stdio.h>

#include "cli.h"
#include "xrust/buf.h"
#include "xrust/fs.h"
#include "xrust/toml.h"

int xr_cmd_toml_json(int argc, char **argv)
{
  struct xr_buf in = XR_BUF_INIT, out = XR_BUF_INIT;
  struct xr_toml *doc = NULL;
  struct xr_err err;
  int status = 1;

  (void)argv;
  xr_err_clear(&err);
  if (argc > 1) {
    fprintf(stderr, "usage: xrust toml-json < FILE.toml\n");
    return 2;
  }
  if (xr_fs_read_stream(stdin, "standard input", XR_TOML_FILE_MAX, &in,
                        &err)) {
    fprintf(stderr, "xrust: toml-json: %s\n", err.msg);
    goto out;
  }
  doc = xr_toml_parse(in.data, in.len, "<stdin>", &err);
  if (!doc) {
    if (err.code == XR_ETOML)
      fprintf(stderr, "%s\n", err.msg);
    else
      fprintf(stderr, "xrust: toml-json: %s\n", err.msg);
    goto out;
  }
  if (xr_toml_to_json(doc, &out) || xr_buf_addc(&out, '\n')) {
    fprintf(stderr, "xrust: toml-json: %s\n", xr_code_text(XR_ENOMEM));
    goto out;
  }
  if (fwrite(out.data, 1, out.len, stdout) != out.len ||
      fflush(stdout) != 0) {
    fprintf(stderr, "xrust: toml-json: cannot write standard output\n");
    goto out;
  }
  status = 0;
out:
  xr_toml_free(doc);
  xr_buf_release(&in);
  xr_buf_release(&out);
  return status;
}
