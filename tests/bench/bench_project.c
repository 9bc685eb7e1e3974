/*
 * bench_project.c - projections per second of llama3-405b-size plans on one
 * core (make bench), and the cost of one projection at ~1,000 and ~100,000
 * GPUs (it must not grow with the GPU count: the projector never
 * enumerates ranks).  Each projection builds the plans of the evaluated
 * stages and the layout from scratch; the GPU count changes every call so
 * nothing can be cached.
 *
 *   bench_project [-t TOPOLOGY] [-j JOB] [-s SECONDS]
 * prints "projections_per_s: N" and "cost_us_at_N_gpus: X" lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcemu/config.h"
#include "tcemu/costmodel.h"
#include "tcemu/projector.h"
#include "tcemu/util.h"

#define COUNTS_MAX 64

/* GPU counts the job fits: tp*pp*cp*dp with dp * b dividing the batch and
 * ep dividing dp. */
static int fitting_counts(const struct tce_job *j, int64_t *out, int max)
{
    int64_t mp = j->parallel.tensor_model_parallel_size *
                 j->parallel.pipeline_model_parallel_size *
                 j->parallel.context_parallel_size;
    int64_t b = j->training.micro_batch_size > 0 ? j->training.micro_batch_size
                                                 : 1;
    int64_t ep = j->parallel.expert_model_parallel_size > 0
                     ? j->parallel.expert_model_parallel_size
                     : 1;
    int64_t dp;
    int n = 0;

    for (dp = 1; dp * b <= j->training.global_batch_size && n < max; dp++)
        if (j->training.global_batch_size % (dp * b) == 0 && dp % ep == 0)
            out[n++] = mp * dp;
    return n;
}

static double time_at(const struct tce_topology *t, const struct tce_job *j,
                      const struct tce_costmodel *cm, int64_t gpus,
                      double *sink)
{
    struct tce_projection p;
    double t0 = tce_now_s(), dt;
    int i, reps = 20000;

    for (i = 0; i < reps; i++) {
        tce_project(t, j, cm, gpus, &p, NULL);
        *sink += p.iteration_s;
    }
    dt = tce_now_s() - t0;
    return dt / reps * 1e6;
}

int main(int argc, char **argv)
{
    const char *topo_path = "topologies/aws-p5.cfg";
    const char *job_path = "jobs/llama3-405b.cfg";
    double seconds = 2.0, t0, elapsed, sink = 0.0, lo_us, hi_us;
    struct tce_topology *t = calloc(1, sizeof(*t));
    struct tce_job *j = calloc(1, sizeof(*j));
    struct tce_costmodel cm;
    struct tce_projection p;
    struct tce_diag diag;
    int64_t counts[COUNTS_MAX], n_proj = 0, lo, hi;
    int i, n, rc = 1;

    for (i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "-t") == 0)
            topo_path = argv[i + 1];
        else if (strcmp(argv[i], "-j") == 0)
            job_path = argv[i + 1];
        else if (strcmp(argv[i], "-s") == 0)
            seconds = atof(argv[i + 1]) > 0 ? atof(argv[i + 1]) : seconds;
    }
    if (!t || !j)
        goto out;
    tce_diag_init(&diag, stderr);
    if (tce_topology_load(topo_path, t, &diag) != 0 ||
        tce_job_load(job_path, j, &diag) != 0 ||
        tce_costmodel_init(&cm, t, j->training.precision, NULL) != 0)
        goto out;
    n = fitting_counts(j, counts, COUNTS_MAX);
    if (n < 2) {
        fprintf(stderr, "bench_project: the job fits fewer than 2 GPU "
                        "counts\n");
        goto out;
    }
    printf("# bench_project: %s on %s, %d GPU counts from %lld to %lld, "
           "one core, %.1f s\n",
           j->name, t->name, n, (long long)counts[0],
           (long long)counts[n - 1], seconds);
    t0 = tce_now_s();
    do {
        for (i = 0; i < 1000; i++) {
            if (tce_project(t, j, &cm, counts[n_proj % n], &p, NULL) != 0) {
                fprintf(stderr, "bench_project: projection failed\n");
                goto out;
            }
            sink += p.iteration_s;
            n_proj++;
        }
        elapsed = tce_now_s() - t0;
    } while (elapsed < seconds);
    printf("projections_per_s: %.0f\n", (double)n_proj / elapsed);
    /* the counts nearest 1,000 and 100,000 GPUs */
    lo = counts[0];
    hi = counts[n - 1];
    for (i = 0; i < n; i++) {
        if (llabs(counts[i] - 1000) < llabs(lo - 1000))
            lo = counts[i];
        if (llabs(counts[i] - 100000) < llabs(hi - 100000))
            hi = counts[i];
    }
    lo_us = time_at(t, j, &cm, lo, &sink);
    hi_us = time_at(t, j, &cm, hi, &sink);
    printf("cost_us_at_%lld_gpus: %.3f\n", (long long)lo, lo_us);
    printf("cost_us_at_%lld_gpus: %.3f\n", (long long)hi, hi_us);
    printf("# cost ratio %lld vs %lld GPUs: %.2f (checksum %.3g)\n",
           (long long)hi, (long long)lo, hi_us / lo_us, sink);
    rc = hi_us < 3.0 * lo_us ? 0 : 1;
    if (rc)
        fprintf(stderr, "bench_project: cost grows with the GPU count\n");
out:
    free(t);
    free(j);
    return rc;
}
