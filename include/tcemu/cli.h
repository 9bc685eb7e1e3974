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

#include <stddef.h>
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

/* Shared by the commands (src/cli_util.c). */
struct tce_error;
struct tce_output;

/* argv[0..argc) joined by single spaces into buf (truncated to size), the
 * first one preceded by prefix ("" for none). */
void tce_cli_join_args(int argc, char **argv, const char *prefix, char *buf,
                       size_t size);

/* getopt_long returned '?' or ':' for argv[optind - 1]: print "tcemu CMD:
 * error: unknown or incomplete option 'X'" and usage on stderr; returns
 * TCE_EXIT_USAGE. */
int tce_cli_bad_option(const char *cmd, char **argv, void (*usage)(FILE *));

/* The option cases a parse_args() that returns TCE_E* codes leaves to the
 * default branch: 'h' gives 1 (help), ':' "option 'X' needs a value",
 * anything else "unknown option 'X'" (TCE_EUSAGE, in err). */
int tce_cli_getopt_other(int c, char **argv, struct tce_error *err);

/* tce_output_open / tce_output_commit with the error printed on stderr:
 * TCE_EXIT_OK, or TCE_EXIT_RUNTIME when the file cannot be written. */
int tce_cli_output_open(struct tce_output *o, const char *path);
int tce_cli_output_commit(struct tce_output *o);

#endif
