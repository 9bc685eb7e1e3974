/*
 * runtime.h - the emulator's MPI context, watchdog and collective plug-ins.
 *
 * Included only by the files of src/runtime/ (the only code that includes <mpi.h>).
 *
 * struct tce_rt is the one context passed down: world communicator (a
 * duplicate of MPI_COMM_WORLD with MPI_ERRORS_RETURN), rank, host, the node
 * communicator (real nodes from MPI_Comm_split_type(MPI_COMM_TYPE_SHARED), or
 * virtual nodes of --ranks-per-node K consecutive ranks), and the watchdog.
 *
 * Errors: ranks that can fail on their own call tce_rt_agree() afterwards,
 * an all-reduce of their status, so every rank takes the same path and
 * exits with the same code; each failing rank prints its own message
 * prefixed with "tcemu: rank R (host): error:".  MPI_Abort is used only by
 * the watchdog, when ranks can no longer agree.
 *
 * Test-only fault injection, compiled in only with -DTCE_TEST_HOOKS (`make
 * test-hooks`: $(BUILD_ROOT)/hooks/tcemu, used by tests/mpi; never in the
 * installed binary, where the hooks are inert and read no environment):
 *   TCEMU_TEST_HANG=OP[:RANK]   rank RANK (default 1) sleeps instead of
 *                               running the operation named OP ("allreduce",
 *                               or a run op name such as "dp_grad_reduce")
 *   TCEMU_TEST_CORRUPT=1        rank 0 flips one received element after each
 *                               checked bench operation
 *   TCEMU_TEST_FAIL=OP[:RANK]   run: rank RANK reports an MPI error instead of
 *                               running op OP (the job must end, exit 1)
 *   TCEMU_TEST_MAX_COUNT=N      run: at most N elements per MPI call
 */
#ifndef TCEMU_RUNTIME_H
#define TCEMU_RUNTIME_H

#include <mpi.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tcemu/coll.h"
#include "tcemu/error.h"

#define TCE_RT_HOST_MAX 64
#define TCE_RT_OPNAME_MAX 96

/* The watchdog: a helper thread that aborts the job (exit 4) when the
 * operation the main thread is inside lasts longer than timeout_s. */
struct tce_watchdog {
    pthread_t thread;
    pthread_mutex_t mu;
    int running;          /* thread started */
    int stop;
    int active;           /* the main thread is inside an operation */
    double timeout_s;     /* 0 = off */
    double start_s;
    char op[TCE_RT_OPNAME_MAX];
    char group[TCE_RT_OPNAME_MAX];
    int rank;
    char host[TCE_RT_HOST_MAX];
    int thread_multiple; /* MPI gave MPI_THREAD_MULTIPLE (tce_rt_init sets
                            it; the watchdog needs it to call MPI_Abort) */
};

/* TCE_EUSAGE when timeout_s > 0 and MPI was not initialised with
 * MPI_THREAD_MULTIPLE (the watchdog's MPI_Abort comes from its thread). */
int tce_watchdog_start(struct tce_watchdog *wd, double timeout_s, int rank,
                       const char *host, struct tce_error *err);
void tce_watchdog_enter(struct tce_watchdog *wd, const char *op,
                        const char *group);
void tce_watchdog_leave(struct tce_watchdog *wd);
void tce_watchdog_stop(struct tce_watchdog *wd);

struct tce_rt {
    int rank, size;
    char host[TCE_RT_HOST_MAX];
    MPI_Comm world;         /* dup of MPI_COMM_WORLD, errors return */
    MPI_Comm node;          /* ranks of my (real or virtual) node */
    MPI_Comm inter;         /* ranks with my node-local rank, one per node */
    int node_id, n_nodes;   /* node index (by lowest world rank), count */
    int node_rank, node_size;
    int ranks_per_node;     /* virtual node size; 0 = real nodes */
    int real_node_size;     /* ranks sharing my host's memory */
    int real_node_rank;     /* my rank among them */
    int inited;             /* we called MPI_Init */
    struct tce_watchdog wd;
};

/* MPI_Init_thread (MULTIPLE, for the watchdog), world dup with MPI_ERRORS_RETURN, host name.
 * Collective over MPI_COMM_WORLD. */
int tce_rt_init(struct tce_rt *rt, int *argc, char ***argv,
                struct tce_error *err);
/* How every MPI command starts, on each rank: parse_rc is what its option
 * parser returned.  1 (--help): usage(stdout), returns 1.  < 0: err is
 * printed and returned (every rank parsed the same argv, so all agree
 * without talking).  0: tce_rt_init, its error printed and returned.
 * MPI is up only when this returns 0. */
int tce_rt_begin(struct tce_rt *rt, int parse_rc, struct tce_error *err,
                 void (*usage)(FILE *), int *argc, char ***argv);
/* Build node / inter communicators; ranks_per_node 0 = real nodes. */
int tce_rt_nodes(struct tce_rt *rt, int ranks_per_node, struct tce_error *err);
/* Free communicators, stop the watchdog, MPI_Finalize. */
void tce_rt_finalize(struct tce_rt *rt);

/* Agree on a status: every rank passes its rc (0 or TCE_E*), all get the
 * same result (the most negative code; 0 when all succeeded). */
int tce_rt_agree(struct tce_rt *rt, int rc);

/* Print err on stderr as "tcemu: rank R (host): error: ..." (input errors
 * keep their file:line form, prefixed with the rank). */
void tce_rt_print_error(const struct tce_rt *rt, const struct tce_error *err);

/* After a step where ranks can fail on their own: a failing rank prints
 * err, then all agree (tce_rt_agree) and get the same status. */
int tce_rt_report_agree(struct tce_rt *rt, int rc, const struct tce_error *err);

/* SIGUSR1 and SIGTERM (a time limit) call handler instead of ending the
 * process; the command stops cleanly at its next boundary. */
void tce_rt_catch_stop_signals(void (*handler)(int));

/* --ready-file: call after a collective every rank has passed, so that
 * every rank has its stop-signal handler (installed before MPI starts);
 * rank 0 then writes path (when not NULL), and a launch script that
 * forwards a time-limit signal waits for it: a rank still starting would
 * die of the signal.  Written as result files are (output.h: renamed into
 * place; a directory refused, a device or FIFO written in place). */
int tce_rt_ready(const struct tce_rt *rt, const char *path,
                 struct tce_error *err);

/* Set MPI_ERRORS_RETURN on a communicator we created. */
int tce_rt_comm_errors_return(MPI_Comm comm);

/* Turn an MPI return code into TCE_EMPI with the MPI message. */
int tce_rt_mpi_error(struct tce_error *err, int mpi_rc, const char *what);

/* /dev/shm wanted per rank of a host: Open MPI 4.1's shared-memory BTL
 * (vader) maps a 4 MiB segment per rank by default; twice that as margin. */
#define TCE_RT_SHM_PER_RANK_BYTES (8LL << 20)

/* Warn on stderr (first rank of each host) when ranks outnumber cores on a
 * host or when /dev/shm has less than shm_need_bytes free (<= 0: the ranks
 * of the host x TCE_RT_SHM_PER_RANK_BYTES); and check SLURM_NTASKS for
 * ranks started by srun.  Returns TCE_EUSAGE when the world size disagrees
 * with Slurm (the caller agrees on it). */
int tce_rt_check_environment(struct tce_rt *rt, int64_t shm_need_bytes,
                             struct tce_error *err);

/* Whether ranks outnumber the online cores on any host or kernel (network
 * namespaces and containers on one machine share its cores; every rank gets
 * the same answer: *shared 1 or 0).  Collective over the world. */
int tce_rt_cores_shared(struct tce_rt *rt, int *shared,
                        struct tce_error *err);

/* Where cores are shared (tce_rt_cores_shared), the wait before a
 * blocking collective: asleep until every member of comm has arrived
 * (MPI_Ibarrier, tested every TCE_RT_ARRIVE_POLL_NS), then the caller runs
 * the collective.  A rank blocked in an MPI call polls Open MPI's progress
 * engine (mpi_yield_when_idle only adds sched_yield: Open MPI PR 3971), so
 * on shared cores the ranks that arrived first take CPU from the members
 * still working, and a group that fell behind falls further behind (the
 * peril of spin-waiting that UPC++'s docs/oversubscription.md describes).
 * An accelerator waiting in NCCL spins on its own SMs, never on another
 * rank's, so tcemu run waits asleep there before every blocking
 * collective, and tcemu calibrate before every timed operation: both then
 * time a collective whose members start together, as the closed forms
 * that price it assume (linkcal.h).  Measured
 * (2026-11-29, tests/fixtures/links/ep.cfg on 4 namespace hosts, 8 ranks
 * on 2 cores, 3 runs each): steady iteration 1.516-1.530 s polling, its
 * two EP groups reaching the DP all-reduce 20-130 ms apart; 1.381-1.399 s
 * asleep, 6-23 ms apart.  The barrier's latency is part of the op's time
 * in both.  Collective over comm. */
#define TCE_RT_ARRIVE_POLL_NS 100000L
int tce_rt_arrive(MPI_Comm comm);
/* The same sleep between tests for any wait there: one nap, and n
 * requests completed asleep (tcemu run's pipeline receives and sends,
 * pending overlapped collectives, host syncs). */
void tce_rt_nap(void);
int tce_rt_waitall_asleep(int n, MPI_Request *reqs);

/* Print "# host map" lines (rank 0) and fill hosts[] (size x HOST_MAX)
 * on rank 0 when hosts is not NULL. */
int tce_rt_gather_hosts(struct tce_rt *rt, char *hosts, struct tce_error *err);

/* The header lines every emulator command prints ('#'-prefixed, on out):
 * version, MPI library, command line, ranks, nodes, host map.  hosts is
 * size x TCE_RT_HOST_MAX names from tce_rt_gather_hosts (rank 0). */
void tce_rt_print_header(const struct tce_rt *rt, FILE *out, int argc,
                         char **argv, const char *hosts);
/* The MPI library version, up to its first newline or comma (callable
 * before MPI_Init). */
void tce_rt_mpi_library(char *buf, size_t len);

struct tce_json;
/* JSON members shared by run and bench: version, mpi_library, command,
 * ranks, nodes, ranks_per_node, hosts [{rank, host, node}]. */
void tce_rt_json_header(const struct tce_rt *rt, struct tce_json *j,
                        int argc, char **argv, const char *hosts,
                        const int *node_of_rank);

/* Gather every rank's node id on rank 0 (node_of_rank: size ints). */
int tce_rt_gather_nodes(struct tce_rt *rt, int *node_of_rank,
                        struct tce_error *err);

/* The host map of the header and JSON: on rank 0 allocate *hosts (size x
 * TCE_RT_HOST_MAX) and *nodes (size ints), NULL on the other ranks (the
 * caller frees both); then gather host names and node ids into them. */
int tce_rt_alloc_host_map(const struct tce_rt *rt, char **hosts, int **nodes,
                          struct tce_error *err);
int tce_rt_gather_host_map(struct tce_rt *rt, char *hosts, int *nodes,
                           struct tce_error *err);

/* The options the emulator commands share, described once (with cli.h's
 * table for -t, -j, -c, --gpus, --json, --csv, -h): a command puts
 * TCE_RT_LONGOPTS among its struct option rows and hands every value
 * getopt returns to tce_rt_common_option first.
 *   --ranks-per-node K   virtual nodes of K consecutive ranks
 *   --timeout S          watchdog: exit 4 when one operation takes > S s
 *   --ready-file PATH    written once every rank takes a stop signal
 *                        (tce_rt_ready) */
enum {
    TCE_RT_OPT_RANKS_PER_NODE = 0x200,
    TCE_RT_OPT_TIMEOUT,
    TCE_RT_OPT_READY_FILE
};
#define TCE_RT_LONGOPTS                                                       \
    {"ranks-per-node", required_argument, NULL, TCE_RT_OPT_RANKS_PER_NODE},  \
        {"timeout", required_argument, NULL, TCE_RT_OPT_TIMEOUT},             \
        {"ready-file", required_argument, NULL, TCE_RT_OPT_READY_FILE}

struct tce_rt_common {
    int64_t ranks_per_node; /* 0: real nodes */
    double timeout_s;       /* 0: no watchdog */
    const char *ready_file; /* NULL: none */
};

/* c is what getopt returned, arg its value: 0 stored, < 0 a bad value
 * (err), 1 when c is not one of these options. */
int tce_rt_common_option(struct tce_rt_common *co, int c, const char *arg,
                         struct tce_error *err);

/* The size sweep bench and calibrate share: -b/--minbytes SIZE,
 * -e/--maxbytes SIZE, -f/--stepfactor X (1.01..1024), -n/--iters N (>= 1),
 * -w/--warmup N (>= 0). */
struct tce_rt_sweep {
    int64_t min_bytes, max_bytes;
    double factor;
    int64_t iters, warmup;
};
/* Parse the value of sweep option c ('b', 'e', 'f', 'n' or 'w'). */
int tce_rt_sweep_option(struct tce_rt_sweep *s, int c, const char *arg,
                        struct tce_error *err);
/* 1 <= min_bytes <= max_bytes, else TCE_EUSAGE. */
int tce_rt_sweep_check(const struct tce_rt_sweep *s, struct tce_error *err);

/* Test-only fault injection (see above; src/runtime/rt_test.c). */
#ifdef TCE_TEST_HOOKS
#define TCE_RT_TEST_HANG "TCEMU_TEST_HANG"
#define TCE_RT_TEST_FAIL "TCEMU_TEST_FAIL"
#else
#define TCE_RT_TEST_HANG ""
#define TCE_RT_TEST_FAIL ""
#endif
int tce_rt_test_hang(const struct tce_rt *rt, const char *op);
/* Whether env ("OP[:RANK]", RANK default 1) names op on this rank. */
int tce_rt_test_fault(const struct tce_rt *rt, const char *env,
                      const char *op);
int tce_rt_test_corrupt(void);
/* Elements per MPI call (INT_MAX; TCEMU_TEST_MAX_COUNT in the test build). */
int64_t tce_rt_test_max_count(void);
/* Sleep "forever" (until the watchdog ends the job). */
void tce_rt_hang(void);

/* ------------------------------------------------------------------------ */
/* The collective executor (exec.c): one MPI call per kind of coll.h, used by
 * bench, calibrate and run.                                                  */

struct tce_rt_coll_args {
    enum tce_coll kind;
    MPI_Comm comm;
    int n, rank;            /* size of comm, this rank in it */
    const float *send;      /* NULL: in place (the data in recv) */
    float *recv;            /* see coll.h for the layouts */
    size_t count;           /* nccl-tests count: elements of the size */
    int64_t max_count;      /* elements per rank and MPI call; <= 0:
                               INT_MAX (MPI 3.1 counts are ints) */
    const int64_t *split;   /* all-to-all only: elements to each rank of
                               comm (n; the same on every source), an
                               MPI_Alltoallv; NULL: count / n each */
    int *v_store;           /* deepep (issue 11): a nonblocking split
                               all-to-all's count and displacement arrays,
                               4 n ints per call (tce_rt_alltoallv_calls),
                               the caller's until the requests complete;
                               NULL: not posted */
};

/* One operation, blocking, cut into chunks of at most max_count elements
 * per rank and call; returns an MPI code. */
int tce_rt_exec_coll(const struct tce_rt_coll_args *a);
/* The same with reduction op instead of MPI_SUM (all-reduce and
 * reduce-scatter; bench -o). */
int tce_rt_exec_coll_op(const struct tce_rt_coll_args *a, MPI_Op op);
/* The same, nonblocking: posted(ctx, req, last) receives each request
 * (last: the operation's final one) to complete later.  A split all-to-all
 * keeps its count arrays in a->v_store, which must outlive the requests
 * (MPI_ERR_ARG without it). */
int tce_rt_exec_coll_start(const struct tce_rt_coll_args *a,
                           void (*posted)(void *ctx, MPI_Request req,
                                          int last),
                           void *ctx);
/* MPI calls one operation makes (>= 1; send/recv posts two requests per
 * call). */
int64_t tce_rt_exec_coll_chunks(const struct tce_rt_coll_args *a);
/* deepep (issue 11): MPI_(I)alltoallv calls a split all-to-all makes (0
 * when nothing moves); its nonblocking form needs 4 n ints of v_store a
 * call. */
int64_t tce_rt_alltoallv_calls(const struct tce_rt_coll_args *a);

#endif
