/*
 * economics.h - what a training run costs: contracts, failures, energy.
 *
 * Pure functions over plain structs (no I/O, no MPI).  The projector says
 * how long the run takes on a failure-free machine (ideal_days); this module
 * turns that into wall-clock days with interruptions and checkpoints, the
 * bill under a contract (with the capacity paid for but left idle), and the
 * energy, electricity cost and carbon of the run.
 *
 * Formulas (all documented in README.md, "Capacity planning"):
 *
 * Failures and goodput (first-order checkpoint/restart model):
 *   interruptions/day   r = nodes * (reliability rate + spot rate)
 *   MTBF                M = 86400 / r                                  [s]
 *   checkpoint write    d = checkpoint_bytes / (write_gbytes_per_s * 1e9)
 *   interval (Young)    tau = sqrt(2 d M)
 *   interval (Daly)     tau = sqrt(2 d M) [1 + sqrt(d/(2M))/3 + d/(18M)] - d
 *                       (d < 2M; else tau = M).  Daly is the default.
 *   lost per interrupt  L = R + (tau + d) / 2    (restart + half a segment)
 *   efficiency          E = (1 - L/M) * tau / (tau + d)
 *   wall time           ideal / E
 *
 * On-demand price: one figure per topology, tce_econ_on_demand_price():
 *   price.on_demand_usd_per_node_hour, or when that is 0 the price of its
 *   first on_demand contract.  Every on_demand bill (project's table, --plan
 *   of any on_demand contract, search, compare) uses it; config validation
 *   rejects an on_demand contract whose own price disagrees.
 *
 * Rentals are whole nodes: a run of g accelerators rents
 * tce_econ_nodes() = ceil(g / accelerators per node) nodes and pays for
 * all of them; its GPU-hours stay g x hours (what the run uses).
 *
 * Contracts (rules chosen here; every bill reports paid, used and idle):
 *   on_demand       nodes * hours * the on-demand price.
 *   reserved        a savings plan / reservation commits USD/h for whole
 *                   terms: ceil(days / term) terms of nodes * term hours are
 *                   paid even if the run ends earlier (the rest is idle).
 *   capacity_block  blocks of whole days, at most max_days each:
 *                   ceil(days / max_days) blocks, ceil(days) days paid;
 *                   the run starts lead_days after booking.
 *   spot            nodes * hours * price; its interruptions_per_node_day is
 *                   added to the failure rate (the wall time grows).
 *   commitment      take-or-pay: committed_nodes * term hours paid whether
 *                   used or not; node-hours beyond it (more nodes or past
 *                   the term) billed at overage (default on-demand).
 *   Hot spare nodes are rented beside the run for its whole length and are
 *   reported as idle.
 *
 * Energy: accelerators draw watts * (TCE_ECON_ACCEL_IDLE_FRACTION +
 *   (1 - idle) * load); the rest of the node (node_watts - accelerators *
 *   watts; when node_watts is 0, TCE_ECON_NODE_OVERHEAD x accelerator watts)
 *   draws constantly.  Facility energy = IT energy * PUE.
 */
#ifndef TCEMU_ECONOMICS_H
#define TCEMU_ECONOMICS_H

#include <stdint.h>
#include <stdio.h>

#include "tcemu/config.h"
#include "tcemu/error.h"
#include "tcemu/json.h"
#include "tcemu/projector.h"

#define TCE_ECON_HOURS_PER_DAY 24.0
#define TCE_ECON_DAYS_PER_MONTH (365.0 / 12.0)
/* Idle draw of an accelerator as a fraction of its board power. */
#define TCE_ECON_ACCEL_IDLE_FRACTION 0.25
/* Host (CPUs, NICs, fans) power as a fraction of the accelerators' power
 * when node_watts is 0: DGX H100 draws 10.2 kW max with 8 x 700 W GPUs. */
#define TCE_ECON_NODE_OVERHEAD 0.8
/* Bytes of checkpoint per parameter: bf16 weights (2) + fp32 master
 * weights (4) + two fp32 Adam moments (8). */
#define TCE_ECON_CHECKPOINT_BYTES_PER_PARAM 14.0
/* Chinchilla: compute-optimal tokens per parameter. */
#define TCE_ECON_CHINCHILLA_TOKENS_PER_PARAM 20.0

enum tce_econ_interval { TCE_ECON_DALY, TCE_ECON_YOUNG };

/* ---- failures and goodput ---------------------------------------------- */

struct tce_goodput_in {
    int64_t nodes;
    double interruptions_per_node_day; /* reliability + spot */
    double restart_s;                  /* detect, re-rendezvous, reload */
    double checkpoint_bytes;
    double checkpoint_write_gbytes_per_s; /* aggregate; 0 = free checkpoints */
    enum tce_econ_interval formula;
};

struct tce_goodput {
    double interruptions_per_day;
    double mtbf_s; /* of the whole run; INFINITY if r = 0 */
    double checkpoint_write_s;
    double checkpoint_interval_s; /* compute time between checkpoints */
    double lost_per_interruption_s;
    double efficiency; /* effective training-time fraction */
};

int tce_econ_goodput(const struct tce_goodput_in *in, struct tce_goodput *out,
                     struct tce_error *err);

/* Young's and Daly's optimal intervals for write time d and MTBF m. */
double tce_econ_young_interval_s(double d, double m);
double tce_econ_daly_interval_s(double d, double m);

/* ---- contracts ---------------------------------------------------------- */

struct tce_bill {
    double total_usd;
    double idle_usd;    /* paid for but not used by the run */
    double overage_usd; /* commitment: billed beyond it */
    double paid_node_hours;
    double used_node_hours; /* the run's nodes x wall hours */
    double idle_node_hours;
    double start_delay_days; /* capacity block lead time */
    int64_t blocks;          /* capacity blocks (0 otherwise) */
    int64_t terms;           /* reserved terms (0 otherwise) */
    double usd_per_used_accelerator_hour;
    double usd_per_node_hour; /* the rate billed (on_demand: the list
                                 price passed in) */
};

/*
 * Price a run of `nodes` nodes (plus `spare_nodes` hot spares) for `days`
 * wall-clock days under contract c.  on_demand_usd_per_node_hour is the
 * topology's list price, tce_econ_on_demand_price() (overage default):
 * a contract of kind on_demand bills at it whenever it is above 0 (the
 * contract's own usd_per_node_hour only when it is 0), so every on-demand
 * bill uses one figure.
 */
int tce_econ_price_run(const struct tce_contract *c,
                       double on_demand_usd_per_node_hour, int64_t nodes,
                       int64_t spare_nodes, int accelerators_per_node,
                       double days, struct tce_bill *out,
                       struct tce_error *err);

/* The topology's contract called name; NULL name or "on_demand" without
 * such a contract gives a synthetic on-demand contract in *scratch (at
 * tce_econ_on_demand_price).  Returns NULL when the name is unknown. */
const struct tce_contract *tce_econ_find_contract(const struct tce_topology *t,
                                                  const char *name,
                                                  struct tce_contract *scratch);

/* The topology's one on-demand price, USD per node-hour (see above). */
double tce_econ_on_demand_price(const struct tce_topology *t);

/* Whole nodes rented for gpus accelerators: ceil(gpus / accelerators per
 * node). */
int64_t tce_econ_nodes(const struct tce_topology *t, int64_t gpus);

/* 1 when gpus accelerators need more nodes than the topology offers
 * (capacity.max_nodes > 0 and tce_econ_nodes > it), else 0. */
int tce_econ_over_capacity(const struct tce_topology *t, int64_t gpus);

/* ---- energy ------------------------------------------------------------- */

struct tce_energy_in {
    int64_t nodes;
    int accelerators_per_node;
    double accelerator_watts;
    double node_watts; /* whole node at full load; 0 = derive */
    double load;       /* accelerator busy fraction, 0..1 */
    double hours;      /* wall-clock hours */
    double pue;        /* 0 = 1.0 */
    double usd_per_kwh;
    double grid_kgco2e_per_kwh; /* 0 = not reported */
};

struct tce_energy {
    double it_watts_per_node; /* average draw */
    double it_mwh;
    double facility_mwh; /* x PUE */
    double electricity_usd;
    double tco2e; /* 0 when no grid intensity */
};

int tce_econ_energy(const struct tce_energy_in *in, struct tce_energy *out,
                    struct tce_error *err);

/* ---- everything together ------------------------------------------------ */

struct tce_econ_in {
    const struct tce_topology *topo;
    const struct tce_contract *contract; /* NULL = on-demand list price */
    int64_t gpus;
    double ideal_days;       /* failure-free time to train */
    double checkpoint_bytes; /* model state; see *_BYTES_PER_PARAM */
    double load;             /* accelerator busy fraction for energy */
};

struct tce_econ {
    int64_t nodes;
    struct tce_goodput goodput;
    double train_days;        /* wall clock, with failures */
    double days_to_done;      /* + start delay (lead time) */
    double accelerator_hours; /* gpus x wall hours */
    struct tce_bill bill;
    struct tce_energy energy;
};

int tce_econ_evaluate(const struct tce_econ_in *in, struct tce_econ *out,
                      struct tce_error *err);

/* ---- a projection priced ----------------------------------------------- */

/* What a projection (projector.h: time, throughput, utilisation) costs. */
struct tce_projection_price {
    int64_t nodes;     /* whole nodes rented, tce_econ_nodes */
    double gpu_hours;  /* gpus x ideal hours: what the run uses */
    double cost_usd;   /* whole nodes x ideal hours x on-demand price */
    double energy_mwh; /* facility energy of the ideal run (x PUE) */
    int have_plan;     /* a contract was given: */
    struct tce_econ plan; /* its bill with failures, checkpoints, idle
                             capacity and energy (tce_econ_evaluate) */
};

/*
 * Price projection p of job on t: ideal time (no failures), whole nodes
 * at tce_econ_on_demand_price, energy with the accelerators busy for
 * p->utilisation of the time; with contract c (NULL: none) also the bill
 * under c (tce_econ_evaluate with the job's checkpoint size).  0, or
 * tce_econ_evaluate's error.
 */
int tce_econ_price_projection(const struct tce_topology *t,
                              const struct tce_job *job,
                              const struct tce_contract *c,
                              const struct tce_projection *p,
                              struct tce_projection_price *out,
                              struct tce_error *err);

/* Model state on storage for the job: parameters (model.h) x
 * TCE_ECON_CHECKPOINT_BYTES_PER_PARAM. */
double tce_econ_checkpoint_bytes(const struct tce_job *job);

/* One evaluation as '#' lines for a human table (contract, failures and
 * goodput, bill with idle capacity, energy), gpus for the header. */
void tce_econ_print(FILE *out, const struct tce_contract *c, int64_t gpus,
                    const struct tce_econ *e);

/* The same as a JSON object under key (NULL inside an array). */
void tce_econ_json(struct tce_json *j, const char *key,
                   const struct tce_contract *c, const struct tce_econ *e);

#endif
