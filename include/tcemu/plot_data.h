/*
 * plot_data.h - what `tcemu plot` draws, gathered from the engines and
 * from result files into plot.h's plain structs.
 *
 *   scaling, breakdown  the projector over a list of GPU counts (counts the
 *                       job does not fit are skipped and named), priced on
 *                       demand by economics.h: modelled
 *   pareto              planning.h's comparison (as `tcemu compare`):
 *                       modelled
 *   bench               a `tcemu bench --json` file (schema tcemu.bench/N):
 *                       bus bandwidth per collective and size: measured
 *   run                 a `tcemu run --json` file (schema tcemu.run/N):
 *                       per op the measured mean (min, max over ranks)
 *                       and the modelled time the emulator aimed at
 *                       (compute: modelled x time scale): measured and
 *                       modelled
 * Result files are read with jsonread.h; a file of another schema, a
 * missing or mistyped field is an error naming the file and the field.
 */
#ifndef TCEMU_PLOT_DATA_H
#define TCEMU_PLOT_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "tcemu/error.h"
#include "tcemu/planning.h"
#include "tcemu/plot.h"
#include "tcemu/projector.h"
#include "tcemu/scenario.h"
#include "tcemu/util.h"

/* ---- projector sweeps ------------------------------------------------- */
#define TCE_PLOT_SKIPPED_MAX 8

struct tce_plot_sweep {
    int n;
    struct tce_projection proj[TCE_GPU_LIST_MAX];
    struct tce_plot_scaling_point pts[TCE_GPU_LIST_MAX];
    int n_skipped; /* counts the job does not fit */
    int64_t skipped_gpus[TCE_PLOT_SKIPPED_MAX];
    char skipped_why[TCE_PLOT_SKIPPED_MAX][256];
    /* the breakdown of every count: labels and seconds */
    char bar_label[TCE_GPU_LIST_MAX][32];
    const char *bar_labels[TCE_GPU_LIST_MAX];
    double seconds[TCE_GPU_LIST_MAX * TCE_PLOT_PARTS_MAX];
    struct tce_plot_breakdown breakdown;
};

/* Project s at every count of list (one projector) and price each on
 * demand.  0, or TCE_ENOFIT when no count fits (err names the first
 * reason); other errors are the economics'. */
int tce_plot_sweep(const struct tce_scenario *s,
                   const struct tce_gpu_list *list, struct tce_plot_sweep *out,
                   struct tce_error *err);

/* ---- pareto ----------------------------------------------------------- */
#define TCE_PLOT_LABEL_MAX 160

struct tce_plot_pareto_data {
    int n;
    struct tce_plot_pareto_point pts[TCE_PLANNING_ROWS_MAX];
    char labels[TCE_PLANNING_ROWS_MAX][TCE_PLOT_LABEL_MAX];
    int n_missing; /* rows where nothing fits: not drawn */
};

/* The rows of an evaluated comparison (those where a layout was found). */
void tce_plot_pareto_points(const struct tce_planning *pl,
                            struct tce_plot_pareto_data *out);

/* ---- result files ----------------------------------------------------- */
struct tce_plot_bench_data {
    int n_series;
    struct tce_plot_series series[TCE_PLOT_SERIES_MAX];
    char names[TCE_PLOT_SERIES_MAX][48];
    double *xy; /* malloc'ed: every series' x then y */
    char group[64];
    int64_t group_size;
};

/* Parse text (path names the file in errors).  0, TCE_EPARSE (not JSON),
 * or TCE_ECONFIG (another schema, a field missing or mistyped). */
int tce_plot_bench_read(const char *path, const char *text, size_t len,
                        struct tce_plot_bench_data *out,
                        struct tce_error *err);
void tce_plot_bench_release(struct tce_plot_bench_data *d);

#define TCE_PLOT_RUN_OPS_MAX 256
struct tce_plot_run_data {
    int n;
    struct tce_plot_run_op ops[TCE_PLOT_RUN_OPS_MAX];
    char labels[TCE_PLOT_RUN_OPS_MAX][64];
    double time_scale;
    char schedule[32];
    char topology[256], job[256];
    int64_t tp, pp, dp, iterations, complete;
};

int tce_plot_run_read(const char *path, const char *text, size_t len,
                      struct tce_plot_run_data *out, struct tce_error *err);

#endif
