/*
 * planning.h - capacity planning: one training run across offerings and
 * contracts, each at its best layout and a chosen scale; the cheapest, the
 * fastest and the Pareto front (days, cost); what a budget buys; how the
 * answer moves when prices and MFU move +-10%.
 *
 * Pure: no printing, no file I/O; every result lands in the caller's
 * struct tce_planning (hundreds of KB: allocate it).  Layouts come from
 * search.h through a backend (the projector over a scenario in the CLI, a
 * toy model in tests); every price comes from economics.h.
 *
 *   tce_planning_init(pl, &job, &goal);
 *   for each offering (a scenario, its backend, its candidate scales):
 *       n = tce_planning_scales(scenario, &goal, gpus, max, &err);
 *       tce_planning_add_offering(pl, scenario, &be, gpus, n, &err);
 *   for each offering: tce_planning_add_rows(pl, i, plan_name);
 *   tce_planning_evaluate(pl, &err);   rows, marks, verdict
 *
 * Rules:
 *   scale    with a deadline, the cheapest candidate scale whose days to
 *            done (lead time + training with failures) meet it, the faster
 *            on a tie (a take-or-pay commitment costs the same at any scale
 *            it covers); the fastest when none does.  Without a deadline,
 *            the cheapest (the first on a tie).  At one scale the fastest
 *            layout is also the cheapest under every contract (each bill
 *            grows with the days), so one search by time per (offering,
 *            scale) serves all its contracts.
 *   scales   (no --gpus) every GPU count where the job has a shape
 *            (tce_search_valid_scales), TCE_PLANNING_SCALE_STEP apart, from
 *            one node (with a deadline and no budget: the count that would
 *            need 100% MFU to meet it) up to the offering's capacity;
 *            without a deadline or budget, the job's num_gpus.
 *   marks    cheapest: the lowest bill among the rows meeting the deadline
 *            (the first on a tie); fastest: the fewest days to done;
 *            Pareto: no other row is at least as fast and as cheap and
 *            strictly better in one of them (equal points are both on it).
 *   sensitivity  price +-10% scales the bill; MFU -10% / +10% stretches the
 *            failure-free time by 1/0.9 / 1/1.1 and re-prices it.  Worst
 *            case: the cheapest at price +10% and MFU -10% against the
 *            runner-up (the next cheapest meeting the deadline) at price
 *            -10% and MFU +10%; the answer changes when the first costs
 *            more.
 *   budget   per row, over its offering's scales: the longest run the
 *            budget pays for (bisection on the bill, at most ten years),
 *            capped by the horizon (the deadline, else one year) less the
 *            lead time; the scale that trains the most tokens wins.
 *   chinchilla  C = 6 N D with D = 20 N: N = sqrt(C / 120).
 * Electricity is reported beside the bill (cloud prices include it), never
 * added to it.
 */
#ifndef TCEMU_PLANNING_H
#define TCEMU_PLANNING_H

#include <stdint.h>

#include "tcemu/config.h"
#include "tcemu/economics.h"
#include "tcemu/error.h"
#include "tcemu/scenario.h"
#include "tcemu/search.h"

#define TCE_PLANNING_OFFERINGS_MAX 32
#define TCE_PLANNING_SCALES_MAX 96
#define TCE_PLANNING_ROWS_MAX                                                  \
    (TCE_PLANNING_OFFERINGS_MAX * (TCE_CONTRACTS_MAX + 1))
#define TCE_PLANNING_SENSITIVITY 0.10          /* +-10% */
#define TCE_PLANNING_SCALE_STEP 1.1            /* candidate scales 10% apart */
#define TCE_PLANNING_BUDGET_HORIZON_DAYS 365.0 /* --budget, no deadline */
#define TCE_PLANNING_BUDGET_MAX_DAYS 3650.0    /* longest run bought */
/* Offerings that state no capacity: this many nodes at most. */
#define TCE_PLANNING_NODES_UNLIMITED ((int64_t)1 << 20)

struct tce_planning_goal {
    double deadline_days; /* 0 = none */
    double budget_usd;    /* 0 = none */
    int chinchilla;       /* with a budget: compute-optimal model size */
    double hbm_headroom;  /* fraction of HBM a layout must leave free
                             (search.h: tce_search_opts.hbm_headroom);
                             0 = the projector's fit */
};

/* --deadline DAYS and --budget USD of the commands that plan (compare,
 * plot): the goal's field from the option's text, within 0.001 to 100,000
 * days and 1 USD to 1e15 USD; else TCE_EUSAGE in err, the message led by
 * the option's name ("--budget: ..."). */
int tce_planning_parse_deadline(const char *s, struct tce_planning_goal *g,
                                struct tce_error *err);
int tce_planning_parse_budget(const char *s, struct tce_planning_goal *g,
                              struct tce_error *err);
/* --hbm-headroom F (compare, plot pareto; as search): 0 to 0.9. */
int tce_planning_parse_hbm_headroom(const char *s, struct tce_planning_goal *g,
                                   struct tce_error *err);

/* One (days, cost) point for the selection rules. */
struct tce_planning_point {
    int valid; /* 0: left out (nothing found there) */
    double days;
    double cost_usd;
};

/* One offering's best layout at one scale, and the job's own layout
 * there (search.h: own_status, own_is_pick, own). */
struct tce_planning_scale {
    int64_t gpus;
    int found;
    struct tce_search_hit hit;
    int own_status;
    int own_is_pick;
    struct tce_search_hit own;
};

#define TCE_PLANNING_WHY_MAX 256

struct tce_planning_offering {
    const struct tce_scenario *scenario; /* topology, job, cost model */
    char why[TCE_PLANNING_WHY_MAX];      /* why it cannot answer ("" when
                                            it has scales) */
    int n_scales;
    struct tce_planning_scale scales[TCE_PLANNING_SCALES_MAX];
};

struct tce_planning_sensitivity {
    double cost_price_lo, cost_price_hi; /* price -10% / +10% */
    double cost_mfu_lo, cost_mfu_hi;     /* MFU -10% / +10% */
    double days_mfu_lo, days_mfu_hi;
};

struct tce_planning_budget {
    int64_t gpus;
    double days, tokens, cost_usd, flops;
    double chinchilla_params, chinchilla_tokens;
    double min_cost_usd; /* smallest bill at any scale (an hour; a
                            commitment's whole term) */
};

struct tce_planning_row {
    int offering; /* index into offerings */
    struct tce_contract contract;
    int found;                 /* a layout fits at some scale */
    struct tce_search_hit hit; /* at the chosen scale, this contract */
    double failures_usd;       /* bill(with failures) - bill(ideal) */
    double usd_per_mtok;
    int meets_deadline;
    int cheapest, fastest, pareto;
    struct tce_planning_sensitivity sens;
    int has_budget;
    struct tce_planning_budget budget;
    /* the job's own layout at the chosen scale, priced under this
     * contract (own_status as search.h's: 1 projected) */
    int own_status;
    int own_is_pick;
    struct tce_search_hit own;
};

/* Does the cheapest row stay the cheapest under +-10%? */
struct tce_planning_verdict {
    int cheapest;       /* row, or -1 */
    int runner_up;      /* the next cheapest meeting the deadline, or -1 */
    double margin;      /* runner-up's bill / cheapest's - 1 */
    double worst_usd;   /* cheapest at price +10% and MFU -10% */
    double rival_usd;   /* runner-up at price -10% and MFU +10% */
    int changes;        /* worst_usd > rival_usd */
    int no_time_margin; /* a deadline, missed by the cheapest at MFU -10% */
};

struct tce_planning {
    struct tce_planning_goal goal;
    double horizon_days; /* what a budget buys within */
    const struct tce_job *job;
    double checkpoint_bytes;
    double flops_per_token;
    int n_offerings;
    struct tce_planning_offering offerings[TCE_PLANNING_OFFERINGS_MAX];
    int n_rows;
    struct tce_planning_row rows[TCE_PLANNING_ROWS_MAX];
    double search_s;    /* all searches */
    int64_t candidates; /* layouts enumerated by all searches */
    struct tce_planning_verdict verdict;
    struct tce_search_result scratch; /* one search at a time */
};

/* ---- the whole comparison ---------------------------------------------- */

/* Start a comparison of job (which must outlive pl) towards goal. */
void tce_planning_init(struct tce_planning *pl, const struct tce_job *job,
                       const struct tce_planning_goal *goal);

/* The budget's horizon: the deadline, else TCE_PLANNING_BUDGET_HORIZON_DAYS
 * with a budget, else 0. */
double tce_planning_horizon_days(const struct tce_planning_goal *g);

/* Candidate scales of an offering when the user named none (rules above);
 * the count, TCE_EUSAGE when the job has no num_gpus to fall back on,
 * TCE_ENOFIT when no count in range admits a layout or when the deadline
 * needs more GPUs than the offering has (err says which, in words). */
int tce_planning_scales(const struct tce_scenario *s,
                        const struct tce_planning_goal *g, int64_t *out,
                        int max, struct tce_error *err);

/* An offering that cannot answer the question (no candidate scale: e.g. it
 * cannot meet the deadline even at 100% MFU within its capacity): kept in
 * the comparison with no scale, its rows not found, why saying so. */
int tce_planning_add_unable(struct tce_planning *pl,
                            const struct tce_scenario *s, const char *why,
                            struct tce_error *err);

/* Search the offering's best layout (by time) at each of the n scales
 * through be, with the goal's HBM headroom; scales where nothing fits stay
 * not found.  TCE_EUSAGE past
 * TCE_PLANNING_OFFERINGS_MAX or TCE_PLANNING_SCALES_MAX; other errors are
 * the search's. */
int tce_planning_add_offering(struct tce_planning *pl,
                              const struct tce_scenario *s,
                              const struct tce_search_backend *be,
                              const int64_t *gpus, int n,
                              struct tce_error *err);

/* One row per contract of the offering (plus its list price when it has
 * no on-demand contract), or with plan_name only that contract.  Returns 1
 * when the offering has no contract plan_name and was priced on demand
 * instead, else 0. */
int tce_planning_add_rows(struct tce_planning *pl, int offering,
                          const char *plan_name);

/* Every row: scale, bill, failures, USD per million tokens, sensitivity,
 * budget; then the marks and the verdict. */
int tce_planning_evaluate(struct tce_planning *pl, struct tce_error *err);

/* ---- the rules, one at a time (tested on their own) --------------------- */

/* The most accelerators the offering has (capacity.max_nodes whole nodes;
 * TCE_PLANNING_NODES_UNLIMITED nodes when it states none). */
int64_t tce_planning_max_gpus(const struct tce_topology *t);

/* days meets the deadline (always, with no deadline: deadline_days 0). */
int tce_planning_meets(double days, double deadline_days);

/* The scale rule above over n points; the index, or -1 when none valid. */
int tce_planning_pick_scale(const struct tce_planning_point *p, int n,
                            double deadline_days);

/* The cheapest valid point meeting the deadline (the first on a tie), the
 * fastest valid point (the first on a tie); -1 when none. */
int tce_planning_cheapest(const struct tce_planning_point *p, int n,
                          double deadline_days);
int tce_planning_fastest(const struct tce_planning_point *p, int n);

/* Point i is valid and on the Pareto front of the valid points. */
int tce_planning_on_front(const struct tce_planning_point *p, int n, int i);

/* The +-10% table of one hit, priced under c (tce_search_price). */
int tce_planning_sensitivity(const struct tce_topology *t,
                             const struct tce_contract *c,
                             double checkpoint_bytes,
                             const struct tce_search_hit *h,
                             struct tce_planning_sensitivity *out,
                             struct tce_error *err);

/* The longest run (days, at most TCE_PLANNING_BUDGET_MAX_DAYS) of nodes
 * nodes whose bill under c stays within budget_usd (bisection), and the
 * bill of one hour (*min_usd) and the lead time (*lead_days). */
int tce_planning_affordable_days(const struct tce_topology *t,
                                 const struct tce_contract *c, int64_t nodes,
                                 double budget_usd, double *days,
                                 double *min_usd, double *lead_days,
                                 struct tce_error *err);

/* Chinchilla's compute-optimal parameters and tokens for flops. */
void tce_planning_chinchilla(double flops, double *params, double *tokens);

/* The verdict over rows already marked. */
void tce_planning_judge(const struct tce_planning *pl,
                        struct tce_planning_verdict *out);

/* Nothing fits at want GPUs: the nearest counts within 25% (not want) where
 * a layout does (leaving the fraction hbm_headroom of HBM free, as the
 * search that found nothing), searched through be and priced under c
 * (NULL: on demand), their best hits in out (at most max, smallest count
 * first); the count. */
int tce_planning_nearby(const struct tce_topology *t, const struct tce_job *j,
                        const struct tce_contract *c, double hbm_headroom,
                        const struct tce_search_backend *be, int64_t want,
                        struct tce_search_result *scratch,
                        struct tce_search_hit *out, int max);

#endif
