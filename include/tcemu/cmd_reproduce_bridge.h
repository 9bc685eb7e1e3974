/*
 * cmd_reproduce_bridge.h - tcemu reproduce over Megatron-Bridge's published
 * rows (src/cmd_reproduce_bridge.c; the data and the selection are in
 * bridge.h).  tcemu reproduce calls it when the reference CSV has
 * Megatron-Bridge's header.
 */
#ifndef TCEMU_CMD_REPRODUCE_BRIDGE_H
#define TCEMU_CMD_REPRODUCE_BRIDGE_H

#include "tcemu/cli.h"

struct tce_reproduce_bridge_opts {
    const char *reference;   /* the data file, resolved */
    const char *topology;    /* only rows on this topology NAME; NULL all */
    const char *jobs_dir;    /* DIR/<model_key>.cfg; NULL the shipped jobs */
    double tolerance;        /* worst |error| accepted */
    double mean_tolerance;   /* mean |error| accepted */
    int excluded;            /* human: list every excluded row */
    const char *write_jobs;  /* DIR: each projected row's job written to
                                DIR/<model_key>-<system>-<csv_line>.cfg
                                (jobfile.h), its job_path then that file;
                                NULL none */
    const struct tce_cli_common *co; /* --json, --csv */
};

/* Project the selected rows and print the comparison; an exit status
 * (3 when the worst or mean |error| is over its tolerance). */
int tce_cmd_reproduce_bridge(const struct tce_reproduce_bridge_opts *o);

#endif
