/*
 * scenario.h - one training scenario: the (topology, job, calibration)
 * files, loaded and validated once, with the cost model they give and, once
 * placed at a GPU count, the layout and the span of every group.
 *
 * Every command that evaluates a job starts from a scenario (project,
 * reproduce, search, compare, run, calibrate), so the sequence
 * topology -> cost model -> calibration -> layout -> spans is written here
 * and nowhere else.  Caller-owned (a scenario is tens of KB: allocate it);
 * no hidden state, no I/O except loading through tce_*_load with the
 * caller's diagnostics.
 *
 *   struct tce_scenario *s = calloc(1, sizeof(*s));
 *   struct tce_scenario_files f = { topo_path, job_path, cal_path };
 *   if (tce_scenario_load(s, &f, &diag, &err) != 0) ... exit 2
 *   if (tce_scenario_place(s, gpus, &err) != 0) ... the job does not fit
 *   ... s->layout, s->spans[TCE_GROUP_TP], tce_project(&s->topo, &s->job,
 *       &s->cm, gpus, ...)
 *
 * A command that changes the topology or the job after loading (run's
 * virtual nodes, search's candidates, --gpus) calls
 * tce_scenario_rebuild() so the cost model follows.
 */
#ifndef TCEMU_SCENARIO_H
#define TCEMU_SCENARIO_H

#include <stdint.h>

#include "tcemu/config.h"
#include "tcemu/costmodel.h"
#include "tcemu/error.h"
#include "tcemu/layout.h"

struct tce_scenario_files {
    const char *topology;    /* required */
    const char *job;         /* required */
    const char *calibration; /* NULL: datasheet figures only */
};

struct tce_scenario {
    struct tce_topology topo;
    struct tce_job job;
    int have_calibration;
    struct tce_calibration calibration;
    struct tce_costmodel cm;  /* topology (job's precision) + calibration */
    /* set by tce_scenario_place */
    int placed;
    int64_t gpus;
    struct tce_layout layout;
    struct tce_span spans[TCE_GROUP_COUNT]; /* indexed by enum tce_group */
};

/* Load and validate the files (every error of every file through diag),
 * then build the cost model.  TCE_ECONFIG when a file is invalid or the
 * topology lacks a figure the cost model needs (err says which). */
int tce_scenario_load(struct tce_scenario *s,
                      const struct tce_scenario_files *files,
                      struct tce_diag *diag, struct tce_error *err);

/* The same from structs already loaded (copied into s); cal may be NULL. */
int tce_scenario_init(struct tce_scenario *s, const struct tce_topology *topo,
                      const struct tce_job *job,
                      const struct tce_calibration *cal,
                      struct tce_error *err);

/* Rebuild the cost model after s->topo or s->job changed (precision, node
 * size); forgets the placement. */
int tce_scenario_rebuild(struct tce_scenario *s, struct tce_error *err);

/* Place the job at gpus accelerators (0: the job's parallel.num_gpus):
 * layout by tce_layout_init (dp re-derived) and the span of every group on
 * the topology.  The layout's error (TCE_ECONFIG, naming the rule) when the
 * job does not fit that count. */
int tce_scenario_place(struct tce_scenario *s, int64_t gpus,
                       struct tce_error *err);

#endif
