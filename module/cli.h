/*
 * The subcommands of the `xrust` command-line tool.  Each lives in its own
 * module/cmd_*.c file, receives argv starting at the subcommand name, prints
 * its own one-line error ("xrust: ...") on stderr and returns the process
 * exit status.  To add one: declare it here, add a row to the table in
 * module/cli.c.
 */
#ifndef XRUST_CLI_H
#define XRUST_CLI_H

int xr_cmd_sha256(int argc, char **argv);
int xr_cmd_target(int argc, char **argv);
int xr_cmd_toml_json(int argc, char **argv);

#endif
