/*
 * cmd_calibrate_nccl.h - `tcemu calibrate --from-nccl-tests FILE...`: the
 * link calibration of the NCCL device path, fitted from nccl-tests output
 * (nccltests.h, calibnccl.h).  It only reads files, so it is a core command
 * that needs no MPI: `tcemu calibrate` hands its arguments here, before
 * MPI is started, when --from-nccl-tests is among them.
 */
#ifndef TCEMU_CMD_CALIBRATE_NCCL_H
#define TCEMU_CMD_CALIBRATE_NCCL_H

#include <stdio.h>

/* 1 when argv[1..argc) holds --from-nccl-tests (stops at "--"). */
int tce_cmd_calibrate_nccl_wanted(int argc, char **argv);

/* The command; returns a process exit status (enum tce_exit). */
int tce_cmd_calibrate_nccl(int argc, char **argv);

/* Its usage text (also printed by `tcemu calibrate --help`). */
void tce_cmd_calibrate_nccl_usage(FILE *out);

#endif
