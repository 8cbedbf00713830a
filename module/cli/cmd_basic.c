/*
 * Small subcommands that expose single library functions: `sha256` and
 * `target` (with --cc and --cc-table, the C compiler's table).  Useful
 * from recipes and for checking the module's answers.
 */
#include <stdio.h>
#include <string.h>

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

/*
 * The C compiler's table as Markdown, the README's copy: one row per Rust
 * target, its example C triples comma-separated.
 */
static void print_cc_table(void)
{
  unsigned i, n = xr_target_cc_count();
  const char *s;
  size_t k;

  printf("| C triple (examples) | Rust target |\n| --- | --- |\n");
  for (i = 0; i < n; i++) {
    printf("|");
    for (s = xr_target_cc_examples_at(i); *s; s += k) {
      while (*s == ' ')
        s++;
      k = strcspn(s, " ");
      printf("%s`%.*s`", s == xr_target_cc_examples_at(i) ? " " : ", ",
             (int)k, s);
    }
    printf(" | `%s` |\n", xr_target_cc_rust_at(i));
  }
}

/* `xrust target --cc CTRIPLE [LIBC]`: xr_target_from_cc_libc. */
static int cc_target(int argc, char **argv)
{
  struct xr_err err;
  const char *t;

  if (argc < 3 || argc > 4) {
    fprintf(stderr, "usage: xrust target --cc C-TRIPLE [gnu|musl]\n");
    return 2;
  }
  xr_err_clear(&err);
  t = xr_target_from_cc_libc(argv[2], argc > 3 ? argv[3] : NULL, &err);
  if (!t) {
    fprintf(stderr, "xrust: %s\n", err.msg);
    return 1;
  }
  printf("%s\n", t);
  return 0;
}

int xr_cmd_target(int argc, char **argv)
{
  struct xr_err err;
  const char *t;
  int i;

  if (argc < 2) {
    fprintf(stderr, "usage: xrust target NAME...\n"
                    "       xrust target --cc C-TRIPLE [gnu|musl]\n"
                    "       xrust target --cc-table\n");
    return 2;
  }
  if (!strcmp(argv[1], "--cc"))
    return cc_target(argc, argv);
  if (!strcmp(argv[1], "--cc-table")) {
    if (argc != 2) {
      fprintf(stderr, "usage: xrust target --cc-table\n");
      return 2;
    }
    print_cc_table();
    return 0;
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
