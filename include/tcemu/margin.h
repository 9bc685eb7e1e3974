/*
 * margin.h - "search you can trust": a pick against the job's own layout
 * (the one in its job file) projected the same way.  The margin (how much
 * better the pick's score is), the breakdown terms that make the
 * difference (largest deltas first), and whether the pick's advantage
 * rests on terms whose validation error is larger than that advantage.
 *
 * Rules:
 *  - margin = own score / pick score - 1 (days or USD as the search ranks;
 *    compare: the iteration time at the pick's GPU count).
 *  - advantage_s = own iteration - pick iteration; term k's delta =
 *    own_k - pick_k (positive: the pick gains there).
 *  - a term's validation error in seconds: its relative error (struct
 *    tce_term_errors) x the larger of its two times.  A term the pick
 *    gains on is "doubtful" when that error is at least the advantage:
 *    within the model's error the order could flip on it alone.  The
 *    verdict is doubtful when any gaining term is, or when the errors of
 *    all gaining terms together are at least the advantage.
 *  - without a measured error for a gaining term the verdict cannot be
 *    judged (-1): no error is borrowed from elsewhere.
 *  - an own layout over the memory limit (HBM, or HBM less a search's
 *    headroom) is no rival whatever its time: verdict 2, "own does not
 *    fit", the times still compared (a faster own layout shows what the
 *    limit costs).
 * Pure: no I/O.
 */
#ifndef TCEMU_MARGIN_H
#define TCEMU_MARGIN_H

#include <stddef.h>

#include "tcemu/breakdown.h"
#include "tcemu/validation.h"

/* Relative error of each breakdown part (a fraction; < 0: not measured),
 * as validation against published runs measured it, and what it is. */
struct tce_term_errors {
    double rel[TCE_PART_COUNT];
    char source[TCE_VALIDATION_LINE_MAX];
};

/* From the model's validation (validation.h): it validates the whole
 * iteration on its comparable rows (SC21: A100 dense), so every part
 * carries that worst error; no comparable rows: every part unmeasured. */
void tce_term_errors_from_validation(const struct tce_validation *v,
                                     struct tce_term_errors *out);

#define TCE_MARGIN_TERMS 3

struct tce_margin_term {
    enum tce_part part;
    double delta_s;    /* own - pick: > 0 the pick gains here */
    double error_s;    /* rel x the larger time; < 0 unmeasured */
    int doubtful;      /* gains, and error_s >= the advantage */
};

struct tce_margin {
    int same;                 /* the pick is the own layout */
    double margin;            /* own score / pick score - 1 */
    double advantage_s;       /* own iteration - pick iteration */
    int n_terms;
    struct tce_margin_term terms[TCE_MARGIN_TERMS]; /* largest |delta| */
    double gain_error_s;      /* errors of the gaining terms, summed */
    int verdict;              /* 1 doubtful, 0 the advantage stands, -1
                                 cannot be judged, 2 own does not fit */
};

/* Compare pick and own (their breakdowns and iteration times, their
 * scores), with the errors e.  same: the two are one layout; own_fits:
 * the own layout is within the memory limit. */
void tce_margin_compare(const struct tce_breakdown *pick, double pick_iter_s,
                        double pick_score, const struct tce_breakdown *own,
                        double own_iter_s, double own_score, int same,
                        int own_fits, const struct tce_term_errors *e,
                        struct tce_margin *out);

/* One sentence for people into buf: "own layout 12.3% slower (pick
 * gains: pp_bubble 1.2 s, dp_exposed 0.4 s); the advantage rests on
 * pp_bubble, whose validation error (0.3 s) is larger: within the model's
 * error", or "... stands: larger than the validation error of the terms
 * it rests on", or "... cannot be judged: ...", or "...; the own layout
 * does not fit in memory in the model: no rival".  Returns buf. */
char *tce_margin_sentence(const struct tce_margin *m,
                          const struct tce_term_errors *e, char *buf,
                          size_t n);

/* "doubtful", "stands", "cannot be judged". */
const char *tce_margin_verdict_name(int verdict);

#endif
