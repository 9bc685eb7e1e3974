/*
 * report_compare.h - print a capacity-planning comparison (planning.h): a
 * human table (one row per offering and contract, marks, the +-10%
 * sensitivity table and its verdict, what a budget buys) and JSON (schema
 * tcemu.compare/2).  Formatting only; the numbers come from planning.h.
 */
#ifndef TCEMU_REPORT_COMPARE_H
#define TCEMU_REPORT_COMPARE_H

#include <stdio.h>

#include "tcemu/json.h"
#include "tcemu/planning.h"
#include "tcemu/validation.h"

struct tce_compare_report {
    const struct tce_planning *pl;
    const char *job_path;              /* as the user gave it */
    const char *version;               /* tcemu's, for the JSON */
    const char *const *topology_paths; /* one per offering */
    int wide;                          /* human: every column */
    const struct tce_validation *validation; /* the cheapest offering's
                                          model validation, or NULL */
};

void tce_report_compare_human(FILE *out, const struct tce_compare_report *r);

/* One CSV row per offering and contract (schema tcemu.compare.csv/1): the
 * best layout's columns (empty where none fits), the sensitivity columns
 * and, with a budget, budget_* (empty without). */
void tce_report_compare_csv(FILE *out, const struct tce_compare_report *r);

/* The whole report as one JSON document (closed and finished). */
void tce_report_compare_json(struct tce_json *j,
                             const struct tce_compare_report *r);

#endif
