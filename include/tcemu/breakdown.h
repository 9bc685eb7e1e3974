/*
 * breakdown.h - the vocabulary of an iteration's time: what an op is
 * charged to (enum tce_charge, carried by every plan op) and the parts of
 * the breakdown the projector reports (enum tce_part: the charges plus the
 * pipeline bubble, which no op is charged to).
 *
 * One table, TCE_BREAKDOWN_PARTS, names every part once: its field in
 * struct tce_breakdown (also its CSV column), its JSON key, its header in
 * human tables, the human format, the charge whose exposed op time it
 * collects, and what the time means.  The struct, the descriptor table
 * (tce_breakdown_parts), the JSON object (tce_projector_breakdown_json) and
 * the report columns of `tcemu project` are all generated from it: adding
 * a part is one row here (and, if ops are charged to it, a charge).
 */
#ifndef TCEMU_BREAKDOWN_H
#define TCEMU_BREAKDOWN_H

#include <stddef.h>

/* Which part of the breakdown an op's exposed time is charged to. */
enum tce_charge {
    TCE_CHARGE_COMPUTE,
    TCE_CHARGE_TP,
    TCE_CHARGE_CP,
    TCE_CHARGE_EP,
    TCE_CHARGE_DP,
    TCE_CHARGE_PP,
    TCE_CHARGE_OPTIMIZER,
    TCE_CHARGE_COUNT
};

/* No charge: a part that collects no op's time (the bubble). */
#define TCE_CHARGE_NONE (-1)

/*
 * X(ID, field, json, human, fmt, charge, meaning), in the order every
 * report prints them:
 *   ID       enum tce_part: TCE_PART_<ID>
 *   field    member of struct tce_breakdown (seconds); the CSV column
 *   json     key in JSON breakdown objects (and tce_charge_name)
 *   human    column header of human tables
 *   fmt      human format, "WIDTH.PRECf" (report.h)
 *   charge   enum tce_charge collected here, or TCE_CHARGE_NONE
 *   meaning  one sentence
 */
#define TCE_BREAKDOWN_PARTS(X)                                               \
    X(COMPUTE, compute_s, "compute", "comp(s)", "9.3f", TCE_CHARGE_COMPUTE,  \
      "compute of the slowest stage's microbatches (roofline per op)")       \
    X(TP, tp_exposed_s, "tp_exposed", "tp(s)", "8.3f", TCE_CHARGE_TP,        \
      "tensor-parallel communication not hidden under compute")              \
    X(CP, cp_exposed_s, "cp_exposed", "cp(s)", "8.3f", TCE_CHARGE_CP,        \
      "context-parallel K/V exchange not hidden under compute")              \
    X(EP, ep_exposed_s, "ep_exposed", "ep(s)", "8.3f", TCE_CHARGE_EP,        \
      "expert-parallel all-to-all (exposed)")                                \
    X(DP, dp_exposed_s, "dp_exposed", "dp(s)", "8.3f", TCE_CHARGE_DP,        \
      "data-parallel gradient reduce and param all-gather not hidden")       \
    X(PP_BUBBLE, pp_bubble_s, "pp_bubble", "bubbl(s)", "8.3f",               \
      TCE_CHARGE_NONE,                                                       \
      "pipeline bubble: fill and drain from each stage's own times")        \
    X(PP_P2P, pp_p2p_s, "pp_p2p", "p2p(s)", "8.3f", TCE_CHARGE_PP,           \
      "pipeline point-to-point sends and receives (exposed)")                \
    X(OPTIMIZER, optimizer_s, "optimizer", "optim(s)", "8.3f",               \
      TCE_CHARGE_OPTIMIZER, "optimizer step (memory-bound, exposed)")    \
    /* stack: calibration.stack_overhead (stack.h), 0 without one */        \
    X(STACK, stack_overhead_s, "stack_overhead", "stack(s)", "8.3f",         \
      TCE_CHARGE_NONE,                                                       \
      "stack overhead, measured: the framework's time per iteration and "    \
      "per microbatch beyond the model, fitted from its logs")

#define TCE_BREAKDOWN_ENUM_(id, field, json, human, fmt, charge, meaning)    \
    TCE_PART_##id,
enum tce_part { TCE_BREAKDOWN_PARTS(TCE_BREAKDOWN_ENUM_) TCE_PART_COUNT };
#undef TCE_BREAKDOWN_ENUM_

/* Breakdown of one iteration, seconds; the parts add up to the iteration. */
#define TCE_BREAKDOWN_FIELD_(id, field, json, human, fmt, charge, meaning)   \
    double field;
struct tce_breakdown {
    TCE_BREAKDOWN_PARTS(TCE_BREAKDOWN_FIELD_)
};
#undef TCE_BREAKDOWN_FIELD_

struct tce_breakdown_part {
    enum tce_part id;
    const char *field;   /* "compute_s": struct member and CSV column */
    const char *json;    /* "compute" */
    const char *human;   /* "comp(s)" */
    const char *fmt;     /* "9.3f" */
    int charge;          /* enum tce_charge, or TCE_CHARGE_NONE */
    const char *meaning;
    size_t offset;       /* of the field in struct tce_breakdown */
};

/* The parts in report order, indexed by enum tce_part. */
extern const struct tce_breakdown_part tce_breakdown_parts[TCE_PART_COUNT];

/* The descriptor of part p (NULL when out of range). */
const struct tce_breakdown_part *tce_breakdown_part(enum tce_part p);

/* Seconds of part p in b (0 when out of range). */
double tce_breakdown_get(const struct tce_breakdown *b, enum tce_part p);

/* The part collecting charge c (TCE_PART_COUNT when none). */
enum tce_part tce_breakdown_part_of_charge(enum tce_charge c);

/* The JSON key of the part charge c is collected in ("tp_exposed");
 * "unknown" when out of range. */
const char *tce_charge_name(enum tce_charge c);

#endif
