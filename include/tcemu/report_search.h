/*
 * report_search.h - print a layout search (search.h): a human table
 * ('#' on every non-data line, units in the headers, the best layout's
 * economics, why the runners-up lost, the job's own layout against the
 * pick: margin.h) and JSON (schema tcemu.search/3).
 * Formatting only; the numbers come from search.h and economics.h.
 */
#ifndef TCEMU_REPORT_SEARCH_H
#define TCEMU_REPORT_SEARCH_H

#include <stdint.h>
#include <stdio.h>

#include "tcemu/config.h"
#include "tcemu/economics.h"
#include "tcemu/json.h"
#include "tcemu/margin.h"
#include "tcemu/report.h"
#include "tcemu/search.h"
#include "tcemu/validation.h"

/* the schemas of search's JSON and CSV (its --help names them too) */
#define TCE_SEARCH_JSON_SCHEMA "tcemu.search/3"
#define TCE_SEARCH_CSV_SCHEMA "tcemu.search.csv/2"

struct tce_search_report {
    const char *topology_path, *job_path; /* as the user gave them */
    const char *version;                  /* tcemu's, for the JSON */
    const struct tce_topology *topo;
    const struct tce_job *job;
    const struct tce_contract *contract; /* the bill's */
    const struct tce_search_opts *opts;  /* GPU counts, ranking */
    const struct tce_search_result *result;
    const struct tce_validation *validation; /* the model's error on
                                         comparable published runs, or NULL */
    const struct tce_term_errors *errors; /* per-term validation error
                                         (margin.h); NULL: from validation */
};

void tce_report_search_human(FILE *out, const struct tce_search_report *r);

/* The best layouts, one CSV row each in rank order, then the job's own
 * layout when it was projected (schema tcemu.search.csv/2: a leading
 * `role` column, "pick", "top" or "own", and margin_vs_own on the pick's
 * row and the own row). */
void tce_report_search_csv(FILE *out, const struct tce_search_report *r);

/* The whole report as one JSON document (closed and finished). */
void tce_report_search_json(struct tce_json *j,
                            const struct tce_search_report *r);

/* The columns of search hits (the human table, CSV and JSON of a hit) over
 * n hits, stride bytes apart from first (a hit inside a larger row: pass
 * that row's size). */
void tce_report_search_hits(struct tce_report *t,
                            const struct tce_search_hit *first,
                            size_t stride, int n);

/* One hit as a JSON object (key may be NULL inside an array); compare's
 * JSON uses it too. */
void tce_report_search_hit_json(struct tce_json *j, const char *key,
                                const struct tce_search_hit *h);

/* The pick against the job's own layout (margin.h) with the report's
 * errors: 1 and *m, *e filled when the own layout was projected, else 0. */
int tce_report_search_margin(const struct tce_search_report *r,
                             struct tce_term_errors *e, struct tce_margin *m);

/* The own layout's JSON object named key (own_layout): layout_status,
 * is_pick, candidate, margin_vs_own, advantage_s, advantage, term_deltas,
 * term_errors_source; compare's JSON uses it too.  own_status as
 * struct tce_search_result's. */
void tce_report_search_own_json(struct tce_json *j, const char *key,
                                int own_status,
                                const struct tce_search_hit *own,
                                const struct tce_margin *m,
                                const struct tce_term_errors *e);

/* The two human lines of the own layout (# own layout ..., # pick vs own
 * ...); compare prints them too. */
void tce_report_search_own_human(FILE *out, int own_status,
                                 const struct tce_search_hit *own,
                                 const struct tce_margin *m,
                                 const struct tce_term_errors *e);

/* The human line of an --hbm-headroom above 0 (nothing at 0): "# memory: a
 * layout fits when its modelled memory leaves 10% of HBM free
 * (--hbm-headroom 0.1): at most 72.0 of 80.0 GiB", and with n > 1
 * topologies each limit named ("... on aws-p5, 162.0 of 180.0 GiB on
 * dgx-b200"); compare prints it too. */
void tce_report_search_headroom_human(FILE *out, double headroom,
                                      const struct tce_topology *const *topos,
                                      int n);

/* When headroom is 0 and the layout's modelled memory leaves under 10% of
 * HBM free: two lines saying so (the memory model has no measured check)
 * and naming --hbm-headroom; who names the layout ("#1", "the cheapest").
 * Nothing otherwise. */
void tce_report_search_tight_human(FILE *out, double headroom,
                                   const struct tce_search_hit *h,
                                   const char *who);

/* The progress line on stderr: candidates, seconds, rate. */
void tce_report_search_progress(FILE *out, const struct tce_search_result *r);

/* Nothing fits at want GPUs: the nearby counts that do
 * (tce_planning_nearby), or that none within 25% does. */
void tce_report_search_hints(FILE *out, int64_t want,
                             const struct tce_search_hit *hits, int n);

#endif
