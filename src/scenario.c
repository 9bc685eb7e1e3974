/*
 * scenario.c - load (topology, job, calibration) once, build the cost
 * model, place the job at a GPU count (see scenario.h).
 */
#include "tcemu/scenario.h"

#include <string.h>

int tce_scenario_rebuild(struct tce_scenario *s, struct tce_error *err)
{
    int ret;

    s->placed = 0;
    ret = tce_costmodel_init(&s->cm, &s->topo,
                             tce_training_fp8(&s->job.training)
                                 ? TCE_PRECISION_FP8
                                 : TCE_PRECISION_BF16,
                             err);
    if (ret == 0 && s->have_calibration)
        tce_costmodel_calibrate(&s->cm, &s->calibration);
    /* stack: the measured stack overhead travels with the cost model */
    if (ret == 0 && s->have_calibration)
        s->cm.stack_overhead = s->calibration.stack_overhead;
    return ret;
}

int tce_scenario_load(struct tce_scenario *s,
                      const struct tce_scenario_files *files,
                      struct tce_diag *diag, struct tce_error *err)
{
    int errors = diag ? diag->errors : 0, bad = 0;

    memset(s, 0, sizeof(*s));
    if (tce_topology_load(files->topology, &s->topo, diag) != 0)
        bad = 1;
    if (tce_job_load(files->job, &s->job, diag) != 0)
        bad = 1;
    if (files->calibration) {
        s->have_calibration = 1;
        if (tce_calibration_load(files->calibration, &s->calibration,
                                 diag) != 0)
            bad = 1;
    }
    /* moe (issue 11): job x topology rules */
    if (!bad && tce_job_topology_check(&s->job, &s->topo, diag) != 0)
        bad = 1;
    if (bad || (diag && diag->errors > errors))
        return tce_error_set(err, TCE_ECONFIG, "invalid configuration");
    return tce_scenario_rebuild(s, err);
}

int tce_scenario_init(struct tce_scenario *s, const struct tce_topology *topo,
                      const struct tce_job *job,
                      const struct tce_calibration *cal,
                      struct tce_error *err)
{
    memset(s, 0, sizeof(*s));
    s->topo = *topo;
    s->job = *job;
    if (cal) {
        s->have_calibration = 1;
        s->calibration = *cal;
    }
    return tce_scenario_rebuild(s, err);
}

int tce_scenario_place(struct tce_scenario *s, int64_t gpus,
                       struct tce_error *err)
{
    int ret;

    s->placed = 0;
    if (gpus <= 0)
        gpus = s->job.parallel.num_gpus;
    ret = tce_layout_init(&s->layout, &s->job, &s->topo, gpus, err);
    if (ret != 0)
        return ret;
    tce_layout_spans(&s->layout, &s->topo, s->spans);
    s->gpus = gpus;
    s->placed = 1;
    return 0;
}
