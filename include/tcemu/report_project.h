/*
 * report_project.h - print projections: a human table (nccl-tests style,
 * '#' on every non-data line, units in the headers), CSV and JSON (schema
 * tcemu.project/1, through tce_json).  Formatting only: the numbers come
 * from projector.h (time, throughput, memory) and economics.h (GPU-hours,
 * cost, energy, the --plan bill); the columns are described once
 * (tce_report_project_columns) and report.h writes all three outputs.
 */
#ifndef TCEMU_REPORT_PROJECT_H
#define TCEMU_REPORT_PROJECT_H

#include <stdint.h>
#include <stdio.h>

#include "tcemu/config.h"
#include "tcemu/costmodel.h"
#include "tcemu/economics.h"
#include "tcemu/opcost.h"
#include "tcemu/projector.h"
#include "tcemu/report.h"
#include "tcemu/validation.h"

#define TCE_REPORT_SKIPPED_MAX 256
#define TCE_REPORT_ASSUMPTIONS_MAX 48
#define TCE_REPORT_LINE_MAX 640

/* One projected GPU count: the projection and its price. */
struct tce_project_row {
    struct tce_projection proj;
    struct tce_projection_price price;
};

struct tce_project_report {
    const struct tce_topology *topo;
    const struct tce_job *job;
    const struct tce_costmodel *cm;
    const char *calibration_path;     /* NULL when none */
    enum tce_link_path calibration_link_path; /* what it measured */
    const char *command_line;         /* for the header; may be NULL */
    int n;                            /* projected rows */
    const struct tce_project_row *rows;
    int n_skipped;                    /* GPU counts the job does not fit */
    int64_t skipped_gpus[TCE_REPORT_SKIPPED_MAX];
    char skipped_why[TCE_REPORT_SKIPPED_MAX][TCE_REPORT_LINE_MAX];
    int wide;                         /* one human table of every column
                                         (else two, under 160 columns) */
    const struct tce_contract *plan;  /* --plan NAME, or NULL (the bill
                                         in rows[i].price.plan) */
    const struct tce_opcost *ops;     /* --ops: the per-op model, or NULL */
    const struct tce_validation *validation; /* the model's error on
                                         comparable published runs, or NULL */
    const struct tce_cost_linkcal_cover *links; /* links: the plan's
                                         communication by measured pattern
                                         (first GPU count), or NULL */
};

/* The assumptions behind the numbers, one sentence each (no '#'); returns
 * how many were written to lines. */
int tce_report_project_assumptions(const struct tce_project_report *r,
                                   char lines[][TCE_REPORT_LINE_MAX],
                                   int max);

/* The columns of a projection row (struct tce_project_row), in the order
 * of the table, CSV and JSON; *n receives how many. */
const struct tce_report_column *tce_report_project_columns(int *n);

void tce_report_project_human(FILE *out, const struct tce_project_report *r);
void tce_report_project_csv(FILE *out, const struct tce_project_report *r);
void tce_report_project_json(FILE *out, const struct tce_project_report *r);

#endif
