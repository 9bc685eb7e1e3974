/*
 * bench_project.c - projections per second of llama3-405b-size plans on one
 * core (make bench), and the cost of one projection at ~1,000 and ~100,000
 * GPUs (it must not grow with the GPU count: the projector never
 * enumerates ranks).  The GPU count changes every call.  Two ways are
 * timed: one-shot tce_project() (derives the layout, builds the plans of
 * the evaluated stages and times every list from scratch) and a sweep
 * through one struct tce_projector (what does not depend on the GPU count
 * is reused while unchanged, keyed by what it read (projcache.h): the plans
 * of the evaluated stages but for the optimizer shard of their
 * per-iteration lists, the TP, CP and EP spans, the times of the layer,
 * embedding and head lists and each stage's sums over them; the layout,
 * the DP, EDP and PP spans, the per-iteration ops' times, the schedule,
 * memory and economics are derived again at every call, and none of it
 * needs a GPU count seen before).  projections_per_s is the sweep; the
 * one-shot rate is printed as a `#` line, and the cost at ~1,000 vs
 * ~100,000 GPUs is measured one-shot.
 *
 * Per-core speed is divided by the process's CPU time
 * (CLOCK_PROCESS_CPUTIME_ID), not by wall-clock time: on a shared machine
 * the process may get a fraction of a core, and wall-clock time would
 * under-report what one core does.  The wall-clock rate and the CPU share
 * the process got are printed as `#` lines next to it.  Each figure is the
 * median of several timed rounds.
 *
 *   bench_project [-t TOPOLOGY] [-j JOB] [-s CPU_SECONDS] [-r ROUNDS]
 *   bench_project -n N [-p 0|1] [-t ..] [-j ..]
 * prints "projections_per_s: N" (per core, CPU time) and
 * "cost_us_at_N_gpus: X" lines.  With -n it runs exactly N projections and
 * prints only a checksum (-p 1: through one tce_projector, -p 2: one-shot
 * with a compute cache, else one-shot):
 * for instruction counts under valgrind --tool=callgrind
 * (tests/bench/project_instructions.sh).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tcemu/config.h"
#include "tcemu/costmodel.h"
#include "tcemu/projector.h"
#include "tcemu/util.h"

#define COUNTS_MAX 64
#define ROUNDS_MAX 15
#define BATCH 1000

struct bench {
    const struct tce_topology *topo;
    const struct tce_job *job;
    const struct tce_costmodel *cm;
    int64_t counts[COUNTS_MAX];
    int n_counts;
    struct tce_projector *pj; /* non-NULL: reuse it across calls */
    struct tce_compute_cache *cache; /* one-shot with a compute cache */
    double sink; /* checksum: keeps the projections from being elided */
};

/* One timed round: projections, CPU seconds, wall seconds. */
struct round {
    double n, cpu_s, wall_s;
};

static double cpu_now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y ? 1 : 0;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* GPU counts the job fits: tp*pp*cp*dp with dp * b dividing the batch and
 * ep dividing dp. */
static int fitting_counts(const struct tce_job *j, int64_t *out, int max)
{
    int64_t mp = j->parallel.tensor_model_parallel_size *
                 j->parallel.pipeline_model_parallel_size *
                 j->parallel.context_parallel_size;
    int64_t b =
        j->training.micro_batch_size > 0 ? j->training.micro_batch_size : 1;
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

/* n projections cycling over the fitting GPU counts (gpus > 0: only that
 * count).  0 or -1 when a projection failed. */
static int run(struct bench *b, int64_t n, int64_t gpus)
{
    struct tce_projection p;
    int64_t i;
    int k = 0;

    for (i = 0; i < n; i++) {
        int64_t g = gpus > 0 ? gpus : b->counts[k];

        if ((b->pj      ? tce_projector_run(b->pj, g, &p, NULL)
             : b->cache ? tce_project_cached(b->topo, b->job, b->cm, b->cache,
                                             g, &p, NULL)
                        : tce_project(b->topo, b->job, b->cm, g, &p, NULL)) !=
            0) {
            fprintf(stderr, "bench_project: projection failed\n");
            return -1;
        }
        b->sink += p.iteration_s;
        if (++k == b->n_counts)
            k = 0;
    }
    return 0;
}

/* The sweep path gives exactly what one-shot tce_project() gives, at every
 * fitting count, twice round (so the second round reuses). */
static int same_results(const struct bench *b)
{
    struct tce_projector *pj = malloc(sizeof(*pj));
    struct tce_compute_cache *cache = malloc(sizeof(*cache));
    struct tce_projection x, y, z;
    int i, k, rc = -1;

    if (!pj || !cache)
        goto out;
    tce_projector_init(pj, b->topo, b->job, b->cm);
    tce_compute_cache_init(cache);
    for (k = 0; k < 2 * b->n_counts; k++) {
        i = k % b->n_counts;
        if (tce_project(b->topo, b->job, b->cm, b->counts[i], &x, NULL) != 0 ||
            tce_projector_run(pj, b->counts[i], &y, NULL) != 0 ||
            tce_project_cached(b->topo, b->job, b->cm, cache, b->counts[i],
                               &z, NULL) != 0)
            goto out;
        if (x.iteration_s != z.iteration_s ||
            memcmp(&x.breakdown, &z.breakdown, sizeof(x.breakdown)) != 0) {
            fprintf(stderr,
                    "bench_project: tce_project_cached differs from "
                    "tce_project at %lld GPUs\n",
                    (long long)b->counts[i]);
            goto out;
        }
        if (x.iteration_s != y.iteration_s || x.time_to_train_days != y.time_to_train_days ||
            x.memory_gib_per_gpu != y.memory_gib_per_gpu ||
            x.utilisation != y.utilisation ||
            memcmp(&x.breakdown, &y.breakdown, sizeof(x.breakdown)) != 0) {
            fprintf(stderr,
                    "bench_project: tce_projector differs from "
                    "tce_project at %lld GPUs\n",
                    (long long)b->counts[i]);
            goto out;
        }
    }
    printf("# results: tce_projector == tce_project == tce_project_cached "
           "at all %d counts (checked)\n",
           b->n_counts);
    rc = 0;
out:
    free(cache);
    free(pj);
    return rc;
}

/* One round of at least cpu_s CPU seconds. */
static int timed_round(struct bench *b, double cpu_s, int64_t gpus,
                       struct round *r)
{
    double c0 = cpu_now_s(), w0 = tce_now_s();

    r->n = 0;
    do {
        if (run(b, BATCH, gpus) != 0)
            return -1;
        r->n += BATCH;
        r->cpu_s = cpu_now_s() - c0;
    } while (r->cpu_s < cpu_s);
    r->wall_s = tce_now_s() - w0;
    return 0;
}

/* Median per-core rate, wall rate and CPU share over rounds. */
static int measure(struct bench *b, double cpu_s, int rounds, int64_t gpus,
                   double *per_core, double *per_wall, double *share)
{
    struct round r;
    double core[ROUNDS_MAX], wall[ROUNDS_MAX], cpu = 0.0, wl = 0.0;
    int i;

    for (i = 0; i < rounds; i++) {
        if (timed_round(b, cpu_s / rounds, gpus, &r) != 0)
            return -1;
        core[i] = r.n / r.cpu_s;
        wall[i] = r.n / r.wall_s;
        cpu += r.cpu_s;
        wl += r.wall_s;
    }
    *per_core = median(core, rounds);
    *per_wall = median(wall, rounds);
    *share = wl > 0 ? cpu / wl : 0.0;
    return 0;
}

int main(int argc, char **argv)
{
    const char *topo_path = "topologies/aws-p5.cfg";
    const char *job_path = "jobs/llama3-405b.cfg";
    double seconds = 2.0, rate, one_rate, one_wall, wall_rate, share, lo_rate,
           hi_rate, x;
    struct tce_topology *t = calloc(1, sizeof(*t));
    struct tce_job *j = calloc(1, sizeof(*j));
    struct tce_costmodel cm;
    struct tce_diag diag;
    struct bench b;
    int64_t lo, hi, n, fixed_n = -1;
    int i, rounds = 5, use_projector = 0, rc = 1;

    memset(&b, 0, sizeof(b));
    for (i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "-t") == 0)
            topo_path = argv[i + 1];
        else if (strcmp(argv[i], "-j") == 0)
            job_path = argv[i + 1];
        else if (strcmp(argv[i], "-s") == 0 &&
                 tce_parse_double(argv[i + 1], 0.01, 3600.0, &x, NULL) == 0)
            seconds = x;
        else if (strcmp(argv[i], "-r") == 0 &&
                 tce_parse_int64(argv[i + 1], 1, ROUNDS_MAX, &n, NULL) == 0)
            rounds = (int)n;
        else if (strcmp(argv[i], "-p") == 0 &&
                 tce_parse_int64(argv[i + 1], 0, 2, &n, NULL) == 0)
            use_projector = (int)n;
        else if (strcmp(argv[i], "-n") == 0 &&
                 tce_parse_int64(argv[i + 1], 0, INT64_MAX, &n, NULL) == 0)
            fixed_n = n;
        else {
            fprintf(stderr, "bench_project: bad option %s %s\n", argv[i],
                    argv[i + 1]);
            goto out;
        }
    }
    if (!t || !j)
        goto out;
    tce_diag_init(&diag, stderr);
    if (tce_topology_load(topo_path, t, &diag) != 0 ||
        tce_job_load(job_path, j, &diag) != 0 ||
        tce_costmodel_init(&cm, t, j->training.precision, NULL) != 0)
        goto out;
    b.topo = t;
    b.job = j;
    b.cm = &cm;
    b.n_counts = fitting_counts(j, b.counts, COUNTS_MAX);
    if (b.n_counts < 2) {
        fprintf(stderr, "bench_project: the job fits fewer than 2 GPU "
                        "counts\n");
        goto out;
    }
    if (fixed_n >= 0) {
        if (use_projector == 2) {
            b.cache = malloc(sizeof(*b.cache));
            if (!b.cache)
                goto out;
            tce_compute_cache_init(b.cache);
        }
        if (use_projector == 1) {
            b.pj = malloc(sizeof(*b.pj));
            if (!b.pj)
                goto out;
            tce_projector_init(b.pj, t, j, &cm);
        }
        if (run(&b, fixed_n, 0) != 0)
            goto out;
        printf("# %lld projections, checksum %.6g\n", (long long)fixed_n,
               b.sink);
        rc = 0;
        goto out;
    }
    printf("# bench_project: %s on %s, %d GPU counts from %lld to %lld, "
           "one core, %d rounds, %.1f s of CPU time\n",
           j->name, t->name, b.n_counts, (long long)b.counts[0],
           (long long)b.counts[b.n_counts - 1], rounds, seconds);
    if (run(&b, 10 * BATCH, 0) != 0) /* warm caches and clocks */
        goto out;
    if (same_results(&b) != 0)
        goto out;
    /* one-shot: every call of tce_project() starts from nothing */
    if (measure(&b, seconds / 2, rounds, 0, &one_rate, &one_wall, &share) != 0)
        goto out;
    printf("# one-shot tce_project() (layout, plans, every list timed from "
           "scratch): %.0f per core, %.0f per wall-clock second\n",
           one_rate, one_wall);
    /* one-shot with a caller-owned compute cache (as search runs it) */
    b.cache = malloc(sizeof(*b.cache));
    if (!b.cache)
        goto out;
    tce_compute_cache_init(b.cache);
    if (measure(&b, seconds / 2, rounds, 0, &one_rate, &one_wall, &share) != 0)
        goto out;
    printf("# one-shot tce_project_cached() (as above, compute times from a "
           "caller-owned cache by op shape): %.0f per core, %.0f per "
           "wall-clock second\n",
           one_rate, one_wall);
    free(b.cache);
    b.cache = NULL;
    /* a sweep through one struct tce_projector, as a GPU-count sweep or a
     * scaling study runs it */
    b.pj = malloc(sizeof(*b.pj));
    if (!b.pj)
        goto out;
    tce_projector_init(b.pj, t, j, &cm);
    if (measure(&b, seconds, rounds, 0, &rate, &wall_rate, &share) != 0)
        goto out;
    free(b.pj);
    b.pj = NULL;
    printf("# sweep through one tce_projector (GPU count changing every "
           "call; stage plans, TP/CP/EP spans, layer, embedding, head list "
           "times and stage sums reused while what they read is unchanged): "
           "%.0f per wall-clock second\n",
           wall_rate);
    printf("# CPU utilisation: %.2f of one core (CPU time / wall time)\n",
           share);
    printf("# per core = projections / process CPU time, median of %d "
           "rounds; the figure below is the sweep\n",
           rounds);
    printf("projections_per_s: %.0f\n", rate);

    /* the counts nearest 1,000 and 100,000 GPUs */
    lo = b.counts[0];
    hi = b.counts[b.n_counts - 1];
    for (i = 0; i < b.n_counts; i++) {
        if (llabs(b.counts[i] - 1000) < llabs(lo - 1000))
            lo = b.counts[i];
        if (llabs(b.counts[i] - 100000) < llabs(hi - 100000))
            hi = b.counts[i];
    }
    if (measure(&b, seconds / 2, rounds, lo, &lo_rate, &wall_rate, &share) !=
            0 ||
        measure(&b, seconds / 2, rounds, hi, &hi_rate, &wall_rate, &share) != 0)
        goto out;
    /* one-shot, so nothing is reused between the calls at one count */
    printf("cost_us_at_%lld_gpus: %.3f\n", (long long)lo, 1e6 / lo_rate);
    printf("cost_us_at_%lld_gpus: %.3f\n", (long long)hi, 1e6 / hi_rate);
    printf("# cost ratio %lld vs %lld GPUs: %.2f (CPU time, medians; "
           "checksum %.6g)\n",
           (long long)hi, (long long)lo, lo_rate / hi_rate, b.sink);
    rc = lo_rate < 3.0 * hi_rate ? 0 : 1;
    if (rc)
        fprintf(stderr, "bench_project: cost grows with the GPU count\n");
out:
    free(b.cache);
    free(b.pj);
    free(t);
    free(j);
    return rc;
}
