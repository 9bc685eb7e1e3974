/*
 * fuzz_config.c - libFuzzer harness for the configuration loader.
 *
 * Each input is written to a file in a private directory and loaded as a
 * topology, a job and a calibration file (includes resolve relative to that
 * directory).  A job that loads is then projected on the shipped aws-p5
 * topology at its own GPU count, and the projection must be finite and
 * physical: a NaN, an infinity, a negative time or an MFU over 100% aborts
 * (the fuzzer reports it as a crash), as does any sanitizer finding.
 * Built and run by `make fuzz` (clang); seeds: the shipped topologies and
 * jobs and tests/fixtures/{good,bad}.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tcemu/config.h"
#include "tcemu/costmodel.h"
#include "tcemu/projector.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct harness {
    int ready;
    char path[256];
    struct tce_topology topo;
    struct tce_costmodel cm;
};

static struct harness *harness(void)
{
    /* libFuzzer calls in with no context: the one process-wide harness */
    static struct harness h;
    char dir[] = "/tmp/tce-fuzz-XXXXXX";

    if (h.ready)
        return &h;
    if (!mkdtemp(dir))
        abort();
    snprintf(h.path, sizeof(h.path), "%s/input.cfg", dir);
    if (tce_topology_load("topologies/aws-p5.cfg", &h.topo, NULL) != 0 ||
        tce_costmodel_init(&h.cm, &h.topo, TCE_PRECISION_BF16, NULL) != 0) {
        fprintf(stderr, "fuzz_config: run from the repository root\n");
        abort();
    }
    h.ready = 1;
    return &h;
}

static void check_projection(const struct tce_projection *p)
{
    if (!isfinite(p->iteration_s) || p->iteration_s < 0 ||
        !isfinite(p->time_to_train_days) || p->time_to_train_days < 0 ||
        !isfinite(p->mfu) || p->mfu < 0 || p->mfu > 1.0 ||
        !isfinite(p->memory_gib_per_gpu) || p->memory_gib_per_gpu < 0 ||
        !isfinite(p->tokens_per_s) || p->tokens_per_s < 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct harness *h = harness();
    struct tce_job *job = malloc(sizeof(*job));
    struct tce_topology *topo = malloc(sizeof(*topo));
    struct tce_calibration *cal = malloc(sizeof(*cal));
    struct tce_projection p;
    FILE *f = fopen(h->path, "wb");

    if (!f || !job || !topo || !cal)
        abort();
    if (size && fwrite(data, 1, size, f) != size)
        abort();
    fclose(f);
    (void)tce_topology_load(h->path, topo, NULL);
    (void)tce_calibration_load(h->path, cal, NULL);
    if (tce_job_load(h->path, job, NULL) == 0 &&
        job->parallel.num_gpus <= (INT64_C(1) << 24) &&
        tce_project(&h->topo, job, &h->cm, 0, &p, NULL) == 0)
        check_projection(&p);
    free(job);
    free(topo);
    free(cal);
    return 0;
}
