/*
 * report_stack.h - what the reports say about the training stack: the
 * job's stack against the compute table's and the measured stack
 * overhead's (assumption lines and a JSON object for `tcemu project`), and
 * the stack-overhead fit of `tcemu calibrate --from-log` (its table and
 * JSON).
 *
 * Assumption lines (tce_report_stack_assumptions), each only when it
 * applies:
 *   - the job's stack is unspecified (job group `stack`): said once, and
 *     nothing is compared;
 *   - the compute table was measured under another stack than the job's
 *     (the fields that differ): it is used as measured;
 *   - the stack overhead: its terms, where and when it was fitted, over
 *     which microbatch counts, and whether its stack is the job's (the
 *     fields that differ when not: applied as measured, refit under the
 *     job's stack).
 */
#ifndef TCEMU_REPORT_STACK_H
#define TCEMU_REPORT_STACK_H

#include <stdio.h>

#include "tcemu/config.h"
#include "tcemu/costmodel.h"
#include "tcemu/json.h"
#include "tcemu/report_project.h"
#include "tcemu/stackfit.h"

/* The lines (no '#') into lines[0..max); returns how many. */
int tce_report_stack_assumptions(const struct tce_job *job,
                                 const struct tce_costmodel *cm,
                                 char lines[][TCE_REPORT_LINE_MAX], int max);

/* "stack": {"job": {stack}, "specified", "compute_table_stack_differs",
 * "stack_overhead": {...} or null}. */
void tce_report_stack_json(struct tce_json *j, const char *key,
                           const struct tce_job *job,
                           const struct tce_costmodel *cm);

/* A stack as a JSON object named key. */
void tce_report_stack_object(struct tce_json *j, const char *key,
                             const struct tce_stack *s, int flash);

/* The fit of `tcemu calibrate --from-log` as '#' lines on out. */
void tce_report_stackfit_print(FILE *out, const struct tce_stackfit *f,
                               const struct tce_stack *s, int flash);

/* The fit as JSON (schema tcemu.calibrate_log/1). */
void tce_report_stackfit_json(FILE *fp, const struct tce_stackfit *f,
                              const struct tce_stack_overhead *o,
                              const char *tcemu_version,
                              const char *calibration_file);

#endif
