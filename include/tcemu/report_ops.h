/*
 * report_ops.h - `tcemu project --ops`: the per-op model of one microbatch
 * on one stage (opcost.h) as a human table and a JSON object, from one
 * column description (report.h).
 */
#ifndef TCEMU_REPORT_OPS_H
#define TCEMU_REPORT_OPS_H

#include <stdio.h>

#include "tcemu/json.h"
#include "tcemu/opcost.h"

/* The table: a '#' header naming the stage, GPU count and how many compute
 * ops came from a measured table, the rows, and '#' totals. */
void tce_report_ops_human(FILE *out, const struct tce_opcost *ops);

/* The same as a JSON object named key. */
void tce_report_ops_json(struct tce_json *j, const char *key,
                         const struct tce_opcost *ops);

#endif
