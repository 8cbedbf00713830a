/*
 * Entry point of the `xrust` command-line tool: dispatches to the
 * subcommands of cli.h.  The tool runs the same library as the Make module
 * and is what recipes, tests and users call for work that must not happen
 * inside Make's process (downloads during a build, extraction, ...).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

#ifndef XRUST_VERSION
#define XRUST_VERSION "0.1.0"
#endif

struct command {
  const char *name;
  int (*fn)(int argc, char **argv);
  const char *usage;
};

static const struct command commands[] = {
  { "sha256", xr_cmd_sha256, "sha256 FILE...        hex SHA-256 of files" },
  { "target", xr_cmd_target,
    "target NAME... | --cc CTRIPLE [LIBC] | --cc-table\n"
    "                        Rust triple of a name or a C triple" },
  { "depfile", xr_cmd_depfile, "depfile STAMP DIR     cargo .d to Make" },
  { "stub", xr_cmd_stub, "stub SRC DST          stub workspace for deps" },
  { "unpack", xr_cmd_unpack, "unpack ARCHIVE DIR    extract a tar safely" },
  { "fetch", xr_cmd_fetch, "fetch URL SHA256 DEST  download via the store" },
  { "fetch-batch", xr_cmd_fetch_batch, "fetch-batch LIST      parallel" },
  { "store", xr_cmd_store, "store                 store contents, sizes" },
  { "gc", xr_cmd_gc, "gc [--grace S]        drop unreferenced blobs" },
  { "toolchain", xr_cmd_toolchain, "toolchain SUB ...     resolve, install" },
  { "crate", xr_cmd_crate, "crate DIR [PREFIX]    cargo package variables" },
  { "lock-list", xr_cmd_lock_list, "lock-list LOCK        lock packages" },
  { "vendor", xr_cmd_vendor, "vendor LOCK DIR       vendor crates" },
  { "lipo", xr_cmd_lipo, "lipo -create -output OUT IN...  fat Mach-O" },
  { "cache", xr_cmd_cache,
    "cache key|get|put|has|gc ...\n"
    "                        the remote layer cache (XRUST_CACHE_URL)" },
  { "tbd", xr_cmd_tbd, "tbd SYMS OUT...       Apple library stub (.tbd)" },
  { "toml-json", xr_cmd_toml_json,
    "toml-json             TOML on stdin to toml-test JSON" },
};

static void usage(FILE *out)
{
  size_t i;

  fprintf(out, "usage: xrust COMMAND [ARGS...]\n\ncommands:\n");
  for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
    fprintf(out, "  %s\n", commands[i].usage);
  fprintf(out, "  version               print the version\n");
}

int main(int argc, char **argv)
{
  size_t i;

  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
      !strcmp(argv[1], "help")) {
    usage(stdout);
    return 0;
  }
  if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version")) {
    printf("xrust %s\n", XRUST_VERSION);
    return 0;
  }
  for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
    if (!strcmp(argv[1], commands[i].name))
      return commands[i].fn(argc - 1, argv + 1);
  fprintf(stderr, "xrust: unknown command '%s' (try 'xrust help')\n",
          argv[1]);
  return 2;
}
