/*
 * calib.h - the parts of tcemu calibrate (src/runtime/calib_*.c,
 * cmd_calibrate.c), private to the runtime.
 *
 *   calib_opts.c    usage and options
 *   calib_report.c  the measured points and fits (table), the calibration
 *                   file and the JSON
 *   cmd_calibrate.c start-up, the link classes' communicators, the sweep
 *                   through the executor (exec.c), the fits, stop signals
 */
#ifndef TCEMU_CALIB_H
#define TCEMU_CALIB_H

#include <stdio.h>

#include "tcemu/calibfit.h"
#include "tcemu/coll.h"
#include "tcemu/config.h"
#include "tcemu/runtime.h"

#define CAL_COLLS_MAX 6
#define CAL_SIZES_MAX 48
#define CAL_ROUNDS_MAX 15
#define CAL_CLASSES 3     /* the link classes: scale_up, scale_out, fabric */
#define CAL_CLASSES_MAX 10 /* and the measured patterns after them (links) */

struct cal_opts {
    enum tce_coll colls[CAL_COLLS_MAX];
    int n_colls;
    struct tce_rt_sweep sw; /* -b -e -f -n -w */
    int rounds;
    int links_only; /* links: --links-only: no patterns, no entries */
    struct tce_rt_common common; /* --ranks-per-node, --timeout */
    const char *topo_path;
    const char *out_path;
    const char *json_path;
};

struct cal_series {
    enum tce_coll kind;
    int n;
    double bytes[CAL_SIZES_MAX];
    double time_s[CAL_SIZES_MAX];                  /* median of the samples */
    double samples[CAL_SIZES_MAX][CAL_ROUNDS_MAX]; /* one per round */
    int n_samples[CAL_SIZES_MAX];
    struct tce_calibfit_line line;
    int fit_rc; /* 0, or why the fit failed */
    char fit_msg[TCE_ERROR_MSG_MAX];
    double efficiency; /* 0 = not fitted */
    /* links: the mean over ranks of each rank's mean (what `run`
     * reports per op), per round and its median over rounds; the entries
     * are fitted to it (the link classes keep the slowest rank's median) */
    double time_avg_s[CAL_SIZES_MAX];
    double samples_avg[CAL_SIZES_MAX][CAL_ROUNDS_MAX];
    /* links: the three size regimes (calibfit.h) and the entry they give */
    struct tce_calibfit_pieces pieces;
    int pieces_rc;
};

struct cal_class {
    enum tce_link_class link;
    const char *where; /* "inside a node", "across nodes" */
    MPI_Comm comm;     /* my group of this class */
    int g_rank, g_size, n_groups;
    int usable; /* every rank has a group of >= 2 */
    struct cal_series s[CAL_COLLS_MAX];
    int n_series;
    const struct cal_series *link_series; /* send/recv */
    double latency_us, bandwidth_gbytes_per_s;
    double file_latency_us; /* what the file records: fabric = the
                               latency added to scale_out's */
    int fitted;
    /* links: the pattern this class measures (every class gives
     * calibration.collectives entries; a pattern class only those) */
    int pattern;               /* 1: measured for its entries only */
    int64_t members_per_node;  /* m: members of one group on one node */
    int64_t concurrency;       /* k: groups per node at once */
    char where_buf[96];
};

struct calib {
    struct tce_rt rt;
    struct cal_opts o;
    struct cal_class cls[CAL_CLASSES_MAX];
    int n_classes; /* CAL_CLASSES link classes, then the patterns */
    int node_size_min, node_size_max;
    int64_t leaf_nodes; /* nodes per first-tier switch (-t), 0 =
                           one switch for all or unknown */
    int stopped;        /* signal name or 0 */
    int sleep_wait;     /* cores shared: each timed operation waits for
                           its group asleep first (tce_rt_arrive), as
                           tcemu run's blocking collectives do */
    float *send, *recv;
    double *op_times; /* -n per-operation times of one size */
    char *hosts;      /* rank 0: size x TCE_RT_HOST_MAX */
    int *nodes;
    struct tce_topology *topo; /* rank 0, with -t */
};

/* calib_opts.c */
void tce_calib_usage(FILE *out);
/* 1 = help, 0 = ok, < 0 error (err). */
int tce_calib_parse_args(int argc, char **argv, struct cal_opts *o,
                         struct tce_error *err);

/* calib_report.c */
void tce_calib_print_class_head(FILE *out, const struct cal_class *k);
void tce_calib_print_point(FILE *out, const struct cal_class *k,
                           enum tce_coll kind, double mb, double t);
void tce_calib_print_fits(const struct calib *c, FILE *out);
/* The current UTC time, ISO 8601. */
void tce_calib_utc_now(char *buf, size_t len);
int tce_calib_write_calibration(const struct calib *c, const char *date,
                                struct tce_error *err);
/* links: the calibration.collectives entries of every fitted series
 * (at most max); returns how many. */
int tce_calib_entries(const struct calib *c, struct tce_calibration_coll *e,
                      int max);
int tce_calib_write_json(const struct calib *c, int argc, char **argv,
                         const char *date, struct tce_error *err);

#endif
