/*
 * plot.h - pictures of tcemu's results as gnuplot scripts.
 *
 * Pure: each tce_plot_*_script() writes one self-contained gnuplot script
 * on a stream: the data as inline blocks ($name << EOD ... EOD), then, for
 * each output of the page, the terminal (pngcairo or svg, by the file's
 * extension), the output path and the plot.  Running `gnuplot FILE.gp`
 * alone reproduces every picture; tcemu plot (src/cmd_plot.c) writes the
 * script with output.h's safe writer and runs gnuplot on it.
 *
 * Every picture says in its title whether its figures are measured or
 * modelled (the caller's subtitle), labels its axes with units, and uses
 * log scales where values span decades.  Strings from configs and result
 * files are escaped (double-quoted gnuplot strings; data labels without
 * quotes or control characters), the terminals are `noenhanced` so an
 * underscore stays an underscore.
 */
#ifndef TCEMU_PLOT_H
#define TCEMU_PLOT_H

#include <stdint.h>
#include <stdio.h>

#include "tcemu/error.h"

enum tce_plot_format { TCE_PLOT_PNG, TCE_PLOT_SVG };

#define TCE_PLOT_OUTPUTS_MAX 4
#define TCE_PLOT_WIDTH 1200
#define TCE_PLOT_HEIGHT 700

struct tce_plot_output {
    const char *path;
    enum tce_plot_format format;
};

struct tce_plot_page {
    const char *title;    /* first title line */
    const char *subtitle; /* second line: measured or modelled, and by what */
    int width, height;    /* pixels (0: TCE_PLOT_WIDTH x TCE_PLOT_HEIGHT) */
    int n_outputs;
    struct tce_plot_output outputs[TCE_PLOT_OUTPUTS_MAX];
};

/* The format of path by its extension (.png, .svg, any case): 0, or
 * TCE_EUSAGE naming the path (no such extension, a control character or
 * a path too long to quote). */
int tce_plot_format_of(const char *path, enum tce_plot_format *out,
                       struct tce_error *err);

/* ---- scaling: tokens/s per GPU, MFU and cost against GPUs ------------- */
struct tce_plot_scaling_point {
    int64_t gpus;
    double tokens_per_s_per_gpu;
    double mfu;      /* fraction */
    double cost_usd; /* to train train_tokens */
    double days;     /* to train */
    int fits_memory;
    int over_capacity;
};

void tce_plot_scaling_script(FILE *out, const struct tce_plot_page *pg,
                             const struct tce_plot_scaling_point *pts, int n,
                             const char *cost_label);

/* ---- pareto: cost against days, the front marked ---------------------- */
struct tce_plot_pareto_point {
    const char *label; /* "aws-p5 on-demand 8192 GPUs" */
    double days, cost_usd;
    int pareto, cheapest, fastest, meets_deadline;
};

void tce_plot_pareto_script(FILE *out, const struct tce_plot_page *pg,
                            const struct tce_plot_pareto_point *pts, int n,
                            double deadline_days, double budget_usd);

/* ---- breakdown: one stacked bar per GPU count ------------------------- */
#define TCE_PLOT_PARTS_MAX 16
struct tce_plot_breakdown {
    int n_bars;
    const char *const *bar_labels; /* [n_bars] */
    int n_parts;
    const char *part_names[TCE_PLOT_PARTS_MAX];
    const double *seconds; /* [n_bars][n_parts], row-major */
};

void tce_plot_breakdown_script(FILE *out, const struct tce_plot_page *pg,
                               const struct tce_plot_breakdown *b);

/* ---- bench: bus bandwidth against size, one line per series ----------- */
#define TCE_PLOT_SERIES_MAX 16
struct tce_plot_series {
    const char *name;
    int n;
    const double *x, *y; /* bytes, GB/s */
};

void tce_plot_bench_script(FILE *out, const struct tce_plot_page *pg,
                           const struct tce_plot_series *s, int n_series);

/* ---- run: measured against modelled per op ---------------------------- */
struct tce_plot_run_op {
    const char *label;
    double measured_s, measured_min_s, measured_max_s;
    double modelled_s; /* NaN: none */
};

void tce_plot_run_script(FILE *out, const struct tce_plot_page *pg,
                         const struct tce_plot_run_op *ops, int n,
                         const char *modelled_title);

#endif
