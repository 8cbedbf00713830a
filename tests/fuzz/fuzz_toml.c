/*
 * libFuzzer target for the TOML parser: parses the input, and when it
 * parses, walks it through the JSON writer and a key-path lookup before
 * freeing everything, so ASan and UBSan see every path the tool takes.
 * The input doubles as a key path, which fuzzes xr_toml_path's parser.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xrust/buf.h"
#include "xrust/toml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct xr_buf out = XR_BUF_INIT;
  struct xr_toml *doc;
  struct xr_err err;
  char *path;

  doc = xr_toml_parse((const char *)data, size, "fuzz", &err);
  if (doc) {
    if (xr_toml_to_json(doc, &out) == 0 && out.len == 0)
      abort();
    xr_toml_path(doc, "package.name", NULL);
  }
  path = malloc(size + 1);
  if (path) {
    memcpy(path, data, size);
    path[size] = '\0';
    xr_toml_path(doc, path, &err);
    free(path);
  }
  xr_toml_free(doc);
  xr_buf_release(&out);
  return 0;
}
