/*
 * run.h - the parts of tcemu run (src/runtime/run_*.c, cmd_run.c), private
 * to the runtime: every MPI rank is one accelerator of the job's layout and
 * executes its own plan (src/plan.c) for real.
 *
 *   run_opts.c     usage and options
 *   run_setup.c    the scenario from rank 0 (scenario.h), placed on every
 *                  rank; plan,
 *                  communicators from the layout's colours, buffers, the
 *                  modelled time of every op
 *   run_exec.c     one iteration: the plan walk's MPI backend (compute
 *                  waits, collectives through exec.c, p2p, pending
 *                  nonblocking requests and the wait points)
 *   run_results.c  per-op statistics reduced over ranks (the arithmetic in
 *                  the core: runstats.h), op descriptions
 *   run_report.c   header, table, per-class busy time, summary, JSON
 *   cmd_run.c      the command: start-up, measure, stop signals
 */
#ifndef TCEMU_RUN_H
#define TCEMU_RUN_H

#include <stdio.h>

#include "tcemu/plan.h"
#include "tcemu/projector.h"
#include "tcemu/runstats.h"
#include "tcemu/runtime.h"
#include "tcemu/scenario.h"
#include "tcemu/stats.h"
#include "tcemu/util.h"

/* Op classes (runstats.h): the plan's ops, then the two exposed DP waits. */
#define N_PLAN_CLASSES TCE_RUNSTATS_PLAN_CLASSES
#define CLS_WAIT_PARAM TCE_RUNSTATS_WAIT_PARAM
#define CLS_WAIT_GRAD TCE_RUNSTATS_WAIT_GRAD
#define N_CLASSES TCE_RUNSTATS_CLASSES
#define PROGRESS_S 200e-6 /* poll interval of pending requests in sleeps */
#define ELEM_BYTES 4      /* MPI_FLOAT elements */

struct run_opts {
    const char *topo_path, *job_path, *cal_path;
    int64_t gpus;
    int64_t iterations, warmup;
    struct tce_rt_common common; /* --ranks-per-node, --timeout */
    double time_scale;
    int64_t max_buffer_bytes; /* 0 = default */
    double routing_skew;
    const char *json_path;
    const char *csv_path;   /* --csv: the per-op table */
    const char *trace_path; /* --trace: Chrome trace-event JSON */
    int progress;           /* --progress (else: stderr is a terminal) */
};

struct pending { /* an outstanding non-blocking collective */
    MPI_Request req;
    int cls;
    int local; /* overlapped with its own list's compute */
    double start_s;
};

struct run_event { /* one op execution of the traced iteration */
    double cls;       /* op class (a double: gathered as one array) */
    double start_us;  /* from the iteration's start on this rank */
    double dur_us;
};

struct run {
    struct tce_rt *rt;
    struct run_opts o;
    struct tce_scenario sc; /* topology, job, calibration, cost model,
                               layout, spans (rank 0 loads, all place) */
    struct tce_coords me;
    struct tce_plan plan;
    struct tce_projection proj; /* the projector on this topology */
    int have_proj;
    MPI_Comm comm[TCE_GROUP_COUNT];
    int comm_size[TCE_GROUP_COUNT], comm_rank[TCE_GROUP_COUNT];
    double byte_scale;
    double a2a_skew;   /* --routing-skew as the job's capacity lets the
                          all-to-alls carry it (moecap.h) */
    int sleep_wait;    /* ranks outnumber cores on some machine: a blocking
                          collective first waits for its group asleep
                          (tce_rt_arrive) */
    int64_t max_count; /* elements per MPI call (INT_MAX) */
    float *buf_a, *buf_b, *buf_nb, *buf_ov;
    size_t a_elems, b_elems, nb_elems, nb_used, ov_elems, ov_used;
    float *buf_pp;     /* deepep (issue 11): the receive side of a stage
                          posted while the next op runs beside it */
    size_t pp_elems;
    int *pp_v;         /* its all-to-all's count arrays (one stage
                          outstanding at a time: tce_run_is_pipeline_head) */
    size_t pp_v_n;
    int n_local; /* pending entries with local set */
    struct pending *pend;
    int n_pend, cap_pend;
    MPI_Request *sends;
    int n_sends, cap_sends;
    int measuring;
    int64_t measured; /* measured iterations completed */
    int stopped;      /* signal that stopped the run, or 0 */
    struct tce_runstats_class cls[N_CLASSES];
    double *iter_s; /* per iteration, this rank */
    /* --trace: the executions of the measured iteration in progress (the
     * last one once measure() returns) */
    struct run_event *ev;
    int n_ev, cap_ev;
    double iter_t0_s;
};

struct walk_err {
    int mrc;
    char what[TCE_RT_OPNAME_MAX * 2];
};

struct results {
    struct tce_runstats cs; /* reduced over ranks (valid on every rank) */
    struct tce_stats iter; /* over iterations of (max over ranks) */
    int slowest_rank;
    double slowest_avg_s;
    double *iter_max_s;
};

/* Describe the classes: rank 0 may not run every class (stage-specific
 * lists: embedding on stage 0, head on the last), so the lowest rank that
 * ran a class sends its op description... The plan of every stage has the
 * same list shapes for the layer lists; the stage-specific lists (embed,
 * head, p2p) differ only in presence.  Rank 0 builds the plan of the last
 * stage too, to describe the head. */
struct class_desc {
    const char *name;
    const char *kind;
    const char *group;
    enum tce_coll bw;
    int comm;
    int bw_valid; /* bandwidth meaningful (not an Isend post) */
    int group_size;
    int recompute;
    const char *overlap;
    int charge;     /* enum tce_charge; -1 for the waits */
    int overlapped; /* run non-blocking alongside other work */
    int op_kind;    /* enum tce_op_kind; -1 for the waits and
                       unknown ops */
    int host_sync;  /* sync (issue 11): the host waits for the rank's
                       queued work before it (hostsync.h) */
};

/* run_opts.c */
void tce_run_usage(FILE *out);
/* 1 = help, 0 = ok, < 0 error (err). */
int tce_run_parse_args(int argc, char **argv, struct run_opts *o,
                       struct tce_error *err);

/* run_setup.c */
int tce_run_load_configs(struct run *r, struct tce_error *err);
int tce_run_make_layout(struct run *r, struct tce_error *err);
int tce_run_make_comms(struct run *r, struct tce_error *err);
int tce_run_size_buffers(struct run *r, struct tce_error *err);
void tce_run_model_classes(struct run *r);
/* Not a compute op. */
int tce_run_is_comm(const struct tce_op *op);
/* A collective overlapped with its own list's compute (TP with
 * tp_comm_overlap, CP K/V): nonblocking, waited for at the list's end. */
int tce_run_is_overlap_compute(const struct tce_op *op);
/* deepep (issue 11): is op i of l a blocking collective (one repetition)
 * the next op runs beside (TCE_OP_F_PIPELINED)?  Posted non-blocking,
 * completed once the next one has run. */
int tce_run_is_pipeline_head(const struct tce_op_list *l, int i);

/* run_exec.c */
const char *tce_run_list_name(int list);
/* One iteration of this rank's plan; an MPI code (we says what failed). */
int tce_run_iteration(struct run *r, struct walk_err *we);

/* run_results.c */
int tce_run_reduce_results(struct run *r, struct results *res);
const char *tce_run_class_list(int cls);
void tce_run_describe(const struct run *r, const struct tce_plan *last, int cls,
                      struct class_desc *d);

/* run_report.c */
void tce_run_print_header(const struct run *r, FILE *out, int argc, char **argv,
                          const char *hosts);
void tce_run_print_table(const struct run *r, const struct tce_plan *last,
                         const struct results *res, FILE *out);
void tce_run_print_charges(const struct run *r, const struct tce_plan *last,
                           const struct results *res, FILE *out);
void tce_run_print_summary(const struct run *r, const struct results *res,
                           const char *hosts, FILE *out);
int tce_run_write_json(const struct run *r, const struct tce_plan *last,
                       const struct results *res, int argc, char **argv,
                       const char *hosts, const int *nodes,
                       struct tce_error *err);

/* run_trace.c */
/* Keep one execution of class cls (ended now, lasted secs) for --trace. */
void tce_run_trace_record(struct run *r, int cls, double secs);
/* Gather every rank's events on rank 0 and write --trace (collective). */
int tce_run_write_trace(struct run *r, const struct tce_plan *last,
                        const struct results *res, const char *hosts,
                        struct tce_error *err);
/* Rank 0: the per-op table as CSV (--csv). */
int tce_run_write_csv(const struct run *r, const struct tce_plan *last,
                      const struct results *res, struct tce_error *err);

#endif
