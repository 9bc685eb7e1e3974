/*
 * cli.h - the subcommands of bin/tcemu.
 *
 * Each command lives in its own file (src/cmd_NAME.c, or src/runtime/ for
 * the ones that launch MPI), parses its own options with getopt_long, writes
 * results on stdout and logs on stderr, and returns a process exit status
 * (enum tce_exit).  Only src/main.c calls exit().
 */
#ifndef TCEMU_CLI_H
#define TCEMU_CLI_H

#include <stdio.h>

int tce_cmd_validate(int argc, char **argv);
int tce_cmd_show(int argc, char **argv);
int tce_cmd_project(int argc, char **argv);
int tce_cmd_reproduce(int argc, char **argv);
int tce_cmd_search(int argc, char **argv);
int tce_cmd_compare(int argc, char **argv);
int tce_cmd_run(int argc, char **argv);
int tce_cmd_bench(int argc, char **argv);
int tce_cmd_calibrate(int argc, char **argv);

/* Print "tcemu VERSION (git HASH)" and library versions on out. */
void tce_cli_print_version(FILE *out);

/* The version string, e.g. "0.1.0 (git abc1234)". */
const char *tce_cli_version(void);

#endif
