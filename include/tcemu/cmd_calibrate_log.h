/*
 * cmd_calibrate_log.h - `tcemu calibrate --from-log FILE... -t TOPO -j JOB
 * [-c CAL] [-o OUT]`: the training stack's own overhead, fitted from a
 * framework's logs (megatronlog.h, stackfit.h) and written into a
 * calibration file's `stack_overhead` (beside the links and compute table
 * of -c, carried over).  It only reads files, so it is a core command that
 * needs no MPI: `tcemu calibrate` hands its arguments here, before MPI is
 * started, when --from-log is among them.
 */
#ifndef TCEMU_CMD_CALIBRATE_LOG_H
#define TCEMU_CMD_CALIBRATE_LOG_H

#include <stdio.h>

/* 1 when argv[1..argc) holds --from-log (stops at "--"). */
int tce_cmd_calibrate_log_wanted(int argc, char **argv);

/* The command; returns a process exit status (enum tce_exit). */
int tce_cmd_calibrate_log(int argc, char **argv);

/* Its usage text. */
void tce_cmd_calibrate_log_usage(FILE *out);

#endif
