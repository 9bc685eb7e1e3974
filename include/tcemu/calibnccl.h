/*
 * calibnccl.h - link parameters fitted from nccl-tests runs: the NCCL
 * device path (NVLink/NVSwitch inside a node, GPUDirect RDMA across nodes),
 * where `tcemu calibrate` under mpirun measures MPI ranks on host memory.
 * Pure; no MPI, no files (the runs come from nccltests.h).
 *
 * The same parameters and the same least squares as tcemu calibrate
 * (calibfit.h, the two-regime fit of time = latency + bytes / bandwidth
 * over each run's out-of-place times):
 *   link class  a run whose collective (group 0 of its rank lines) stays
 *               on one host measures scale_up, one that spans hosts
 *               scale_out; a run without rank lines cannot be placed
 *               (error naming its file)
 *   the link    send/recv when a run of it is there (bandwidth = 1/slope,
 *               latency = intercept, as calibrate's ping-pong); else the
 *               all-reduce, else the first kind given: its asymptotic bus
 *               bandwidth (nccl-tests factor / slope) is the link's
 *               bandwidth, its intercept the latency, and its own
 *               efficiency is 1 by construction
 *   efficiency  per kind, tce_calibfit_efficiency against that bandwidth,
 *               on the run's group size (several runs of one kind and
 *               class: the points of those with the most ranks are fitted
 *               together; runs of fewer ranks are counted as skipped)
 * Measured patterns (links, linkcal.h): every run also gives one
 * calibration.collectives entry, its kind on its group (group_ranks ranks
 * on group_nodes hosts: span scale_up or scale_out, members per host
 * group_ranks / group_nodes) with concurrency = the host's ranks over the
 * group's members per host (what -g/-t and NCCL_TESTS_SPLIT put on a
 * host), its out-of-place times in three size regimes
 * (tce_calibfit_pieces); a pattern measured by several runs keeps the run
 * with the most sizes.
 * A multi-node NCCL run is NCCL's whole algorithm (rings or trees over
 * NVLink and the NICs together), so its scale_out figures describe that,
 * not the NIC alone; the projection's assumption line says which path its
 * calibration measured.
 */
#ifndef TCEMU_CALIBNCCL_H
#define TCEMU_CALIBNCCL_H

#include "tcemu/coll.h"
#include "tcemu/calibfit.h"
#include "tcemu/config.h"
#include "tcemu/error.h"
#include "tcemu/nccltests.h"

struct tce_calibnccl_kind {
    int have;                     /* a run of this kind was fitted */
    int ranks;                    /* its group size */
    int runs, skipped;            /* runs fitted, runs of fewer ranks */
    struct tce_calibfit_line line;
    double efficiency;            /* against the class's bandwidth */
};

struct tce_calibnccl_class {
    enum tce_link_class link;
    enum tce_coll base;     /* the kind the link line came from */
    double latency_us, bandwidth_gbytes_per_s;
    int nodes, ranks_per_node;    /* most seen among the class's runs */
    struct tce_calibnccl_kind kinds[TCE_COLL_COUNT];
};

struct tce_calibnccl {
    int n_classes;
    struct tce_calibnccl_class classes[TCE_LINK_CLASSES];
};

/* The class a run measured: scale_up (one host) or scale_out (several).
 * TCE_EPARSE naming the run's file when its hosts are unknown. */
int tce_calibnccl_link_class(const struct tce_nccltests_run *run,
                             enum tce_link_class *out, struct tce_error *err);

/* Fit n runs.  TCE_EPARSE (a run cannot be placed, or a kind's points
 * cannot be fitted; the message names the file) or TCE_EUSAGE (n == 0). */
int tce_calibnccl_fit(const struct tce_nccltests_run *runs, int n,
                      struct tce_calibnccl *out, struct tce_error *err);

/*
 * The calibration the fit gives: one link entry per class, provenance from
 * the runs (hosts of their rank lines, most ranks and ranks per node;
 * mpi_library names the nccl-tests version), tcemu_version and date as
 * given.  Kinds without a run keep efficiency 1.0 (the schema default).
 */
void tce_calibnccl_calibration(const struct tce_calibnccl *fit,
                               const struct tce_nccltests_run *runs, int n,
                               const char *tcemu_version, const char *date,
                               struct tce_calibration *out);

#endif
