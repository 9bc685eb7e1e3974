/*
 * report_compare.h - print a capacity-planning comparison (planning.h): a
 * human table (one row per offering and contract, marks, the +-10%
 * sensitivity table and its verdict, the job's own layout against the
 * cheapest: margin.h, what a budget buys) and JSON (schema
 * tcemu.compare/3: verdict.own_layout, margin_vs_own per row).  Formatting only; the numbers come from planning.h.
 */
#ifndef TCEMU_REPORT_COMPARE_H
#define TCEMU_REPORT_COMPARE_H

#include <stdio.h>

#include "tcemu/json.h"
#include "tcemu/margin.h"
#include "tcemu/planning.h"
#include "tcemu/validation.h"

/* the schemas of compare's JSON and CSV (its --help names them too) */
#define TCE_COMPARE_JSON_SCHEMA "tcemu.compare/3"
#define TCE_COMPARE_CSV_SCHEMA "tcemu.compare.csv/2"

struct tce_compare_report {
    const struct tce_planning *pl;
    const char *job_path;              /* as the user gave it */
    const char *version;               /* tcemu's, for the JSON */
    const char *const *topology_paths; /* one per offering */
    int wide;                          /* human: every column */
    const struct tce_validation *validation; /* the cheapest offering's
                                          model validation, or NULL */
    const struct tce_term_errors *errors; /* per-term validation error
                                          (margin.h); NULL: from validation */
};

void tce_report_compare_human(FILE *out, const struct tce_compare_report *r);

/* One CSV row per offering and contract (schema tcemu.compare.csv/2): the
 * best layout's columns (empty where none fits), margin_vs_own (the job's
 * own layout at that scale and contract: its days / the best's - 1; empty
 * when it is not a valid layout there), the sensitivity columns
 * and, with a budget, budget_* (empty without). */
void tce_report_compare_csv(FILE *out, const struct tce_compare_report *r);

/* The whole report as one JSON document (closed and finished). */
void tce_report_compare_json(struct tce_json *j,
                             const struct tce_compare_report *r);

#endif
