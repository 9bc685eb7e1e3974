/*
 * runtime_cmd.h - the commands that run on MPI ranks (src/runtime/), as
 * src/main.c sees them: no MPI header, so main.c builds without MPI's include
 * flags.  Each returns a process exit status (enum tce_exit).
 */
#ifndef TCEMU_RUNTIME_CMD_H
#define TCEMU_RUNTIME_CMD_H

#include <stdio.h>

int tce_cmd_run(int argc, char **argv);
int tce_cmd_bench(int argc, char **argv);
int tce_cmd_calibrate(int argc, char **argv);

/* --version: "tcemu VERSION (git HASH)", the MPI library and libconfig
 * versions on out (src/runtime/version.c). */
void tce_cli_print_version(FILE *out);

#endif
