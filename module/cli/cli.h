/*
 * The subcommands of the `xrust` command-line tool.  Each lives in its
 * own module/cli/cmd_*.c file, receives argv starting at the subcommand
 * name, prints its own one-line error ("xrust: ...") on stderr and returns
 * the process exit status.  To add one: declare it here, add a row to the
 * table in module/cli/cli.c.
 */
#ifndef XRUST_CLI_H
#define XRUST_CLI_H

int xr_cmd_sha256(int argc, char **argv);
int xr_cmd_target(int argc, char **argv);
int xr_cmd_depfile(int argc, char **argv);
int xr_cmd_stub(int argc, char **argv);
int xr_cmd_toml_json(int argc, char **argv);
int xr_cmd_unpack(int argc, char **argv);
int xr_cmd_fetch(int argc, char **argv);
int xr_cmd_fetch_batch(int argc, char **argv);
int xr_cmd_store(int argc, char **argv);
int xr_cmd_gc(int argc, char **argv);
int xr_cmd_toolchain(int argc, char **argv);
int xr_cmd_crate(int argc, char **argv);
int xr_cmd_lock_list(int argc, char **argv);
int xr_cmd_vendor(int argc, char **argv);
int xr_cmd_lipo(int argc, char **argv);
int xr_cmd_tbd(int argc, char **argv);
int xr_cmd_cache(int argc, char **argv);

#endif
