/*
 * bench_search.c - how fast tcemu search explores a layout space.
 *
 *   bench_search [TOPOLOGY JOB [GPUS]]
 *
 * Defaults: topologies/aws-p5.cfg, jobs/llama3-405b.cfg, 16384 GPUs (or the
 * job's num_gpus when no layout fits 16384).  Repeats the search for at
 * least one CPU second and prints, per core (rates from the process's CPU
 * time, so that other work on a shared machine does not lower them; the
 * wall-clock rates follow as '#' lines):
 *     candidates_per_s: N     (layouts enumerated, pruned ones included)
 *     projections_per_s: N    (projector calls)
 *     search_s: X             (one whole search, wall clock; target < 5 s)
 * Exit 3 when one search takes 5 s or more.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tcemu/config.h"
#include "tcemu/error.h"
#include "tcemu/scenario.h"
#include "tcemu/search.h"
#include "tcemu/util.h"

static double cpu_now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int run(struct tce_scenario *s, int64_t gpus,
               struct tce_search_result *r, struct tce_error *err)
{
    struct tce_search_opts o;
    struct tce_search_backend be;

    tce_search_opts_init(&o);
    o.n_gpus = 1;
    o.gpus[0] = gpus;
    struct tce_search_projector *sp = malloc(sizeof(*sp));
    int ret;

    if (!sp)
        return tce_error_set(err, TCE_ENOMEM, "out of memory");
    /* a fresh cache per search: each search pays its own misses */
    tce_search_projector_backend_cached(sp, s, &be);
    ret = tce_search_run(&s->topo, &s->job, &o, &be, r, err);
    free(sp);
    return ret;
}

int main(int argc, char **argv)
{
    struct tce_scenario_files files = {NULL, NULL, NULL};
    struct tce_scenario *s = calloc(1, sizeof(*s));
    struct tce_search_result *rp = calloc(1, sizeof(*rp));
    const char *tp = argc > 1 ? argv[1] : "topologies/aws-p5.cfg";
    const char *jp = argc > 2 ? argv[2] : "jobs/llama3-405b.cfg";
    int64_t gpus = 16384, cand = 0, proj = 0;
    struct tce_diag diag;
    struct tce_error err;
    double t0, c0, elapsed, cpu_s, one_s = 0.0;
    int reps = 0, ret;

    if (!s || !rp)
        return 1;
    tce_diag_init(&diag, stderr);
    tce_error_clear(&err);
    files.topology = tp;
    files.job = jp;
    if (tce_scenario_load(s, &files, &diag, &err) < 0) {
        tce_error_print(&err, stderr);
        return 2;
    }
    if (argc > 3 &&
        tce_parse_int64(argv[3], 1, INT64_C(1) << 40, &gpus, &err) < 0) {
        tce_error_print(&err, stderr);
        return 2;
    }
    ret = run(s, gpus, rp, &err);
    if (ret == TCE_ENOFIT && argc <= 3 && s->job.parallel.num_gpus > 0) {
        fprintf(stderr, "# %lld GPUs: %s; using the job's %lld GPUs\n",
                (long long)gpus, err.msg, (long long)s->job.parallel.num_gpus);
        gpus = s->job.parallel.num_gpus;
        ret = run(s, gpus, rp, &err);
    }
    if (ret < 0) {
        tce_error_print(&err, stderr);
        return 1;
    }
    t0 = tce_now_s();
    c0 = cpu_now_s();
    do {
        ret = run(s, gpus, rp, &err);
        if (ret < 0) {
            tce_error_print(&err, stderr);
            return 1;
        }
        cand += rp->candidates;
        proj += rp->projected;
        if (rp->elapsed_s > one_s)
            one_s = rp->elapsed_s;
        reps++;
        elapsed = tce_now_s() - t0;
        cpu_s = cpu_now_s() - c0;
    } while (cpu_s < 1.0);
    printf("# bench_search: %s on %s at %lld GPUs, %d searches in %.2f s "
           "(%.2f CPU s)\n",
           s->job.name, s->topo.name, (long long)gpus, reps, elapsed, cpu_s);
    printf("# per search: %lld candidates, %lld projected, %lld pruned, "
           "%lld fit; best tp=%lld pp=%lld vpp=%lld cp=%lld mb=%lld %s, "
           "%.2f days\n",
           (long long)rp->candidates, (long long)rp->projected,
           (long long)rp->pruned, (long long)rp->fits, (long long)rp->top[0].tp,
           (long long)rp->top[0].pp, (long long)rp->top[0].vpp,
           (long long)rp->top[0].cp, (long long)rp->top[0].micro_batch,
           tce_recompute_name(rp->top[0].recompute),
           rp->top[0].econ.days_to_done);
    printf("# wall clock: %.0f candidates/s, %.0f projections/s (%.0f%% "
           "of a core)\n",
           (double)cand / elapsed, (double)proj / elapsed,
           100.0 * cpu_s / elapsed);
    printf("candidates_per_s: %.0f\n", (double)cand / cpu_s);
    printf("projections_per_s: %.0f\n", (double)proj / cpu_s);
    printf("search_s: %.4f\n", one_s);
    free(rp);
    free(s);
    return one_s < 5.0 ? 0 : 3;
}
