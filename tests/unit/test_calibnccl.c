/* test_calibnccl.c - link parameters from nccl-tests runs: exact alpha-beta
 * runs give back their latency, bandwidth and efficiency; the real H100
 * outputs give scale_out figures near their printed busbw; classes from
 * hosts; errors name the file; the calibration written validates. */
#include "tce_test.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tcemu/calibnccl.h"

#define FIX "tests/fixtures/nccl-tests/"

/* A run of kind on n ranks spread over nodes, with times
 * latency + factor * bytes / (eff * W). */
static void synth(struct tce_nccltests_run *r, enum tce_coll kind,
                  int n, int nodes, double latency_us, double w_gbytes,
                  double eff, const char *path)
{
    int i;
    double size = 1024.0;

    memset(r, 0, sizeof(*r));
    snprintf(r->path, sizeof(r->path), "%s", path);
    r->kind = kind;
    snprintf(r->test, sizeof(r->test), "%s_perf", tce_coll_short_name(kind));
    r->ranks = r->group_ranks = n;
    r->groups = 1;
    r->nodes = r->group_nodes = nodes;
    r->ranks_per_node = n / nodes;
    r->n_rank_lines = n;
    r->rank_lines = calloc((size_t)n, sizeof(*r->rank_lines));
    for (i = 0; i < n; i++)
        snprintf(r->rank_lines[i].host, sizeof(r->rank_lines[i].host),
                 "node%d", i / (n / nodes));
    r->n_rows = 16;
    r->rows = calloc(16, sizeof(*r->rows));
    for (i = 0; i < 16; i++, size *= 4.0) {
        r->rows[i].bytes = (int64_t)size;
        r->rows[i].out_of_place.time_us =
            latency_us +
            tce_coll_busbw_factor(kind, n) * size / (eff * w_gbytes * 1e9) * 1e6;
        r->rows[i].in_place = r->rows[i].out_of_place;
    }
}

static void test_exact_runs(void **state)
{
    struct tce_nccltests_run runs[3];
    struct tce_calibnccl fit;
    struct tce_error err;
    const struct tce_calibnccl_class *c;
    (void)state;

    synth(&runs[0], TCE_COLL_SENDRECV, 2, 1, 5.0, 300.0, 1.0, "sr.txt");
    synth(&runs[1], TCE_COLL_ALL_REDUCE, 8, 1, 20.0, 300.0, 0.8, "ar.txt");
    synth(&runs[2], TCE_COLL_ALL_TO_ALL, 16, 2, 30.0, 40.0, 1.0, "a2a.txt");
    assert_int_equal(tce_calibnccl_fit(runs, 3, &fit, &err), 0);
    assert_int_equal(fit.n_classes, 2);
    c = &fit.classes[0];
    assert_int_equal(c->link, TCE_LINK_SCALE_UP);
    assert_int_equal(c->base, TCE_COLL_SENDRECV);
    assert_close(c->latency_us, 5.0, 1e-6);
    assert_close(c->bandwidth_gbytes_per_s, 300.0, 1e-6);
    assert_int_equal(c->kinds[TCE_COLL_ALL_REDUCE].have, 1);
    assert_int_equal(c->kinds[TCE_COLL_ALL_REDUCE].ranks, 8);
    assert_close(c->kinds[TCE_COLL_ALL_REDUCE].efficiency, 0.8, 1e-6);
    assert_close(c->kinds[TCE_COLL_SENDRECV].efficiency, 1.0, 1e-6);
    assert_int_equal(c->kinds[TCE_COLL_ALL_GATHER].have, 0);
    c = &fit.classes[1];
    assert_int_equal(c->link, TCE_LINK_SCALE_OUT);
    /* no send/recv, no all-reduce: the all-to-all is the link; its 30 us
     * intercept is the whole collective's, 15 steps of 2 us (linkcal.h) */
    assert_int_equal(c->base, TCE_COLL_ALL_TO_ALL);
    assert_close(c->latency_us, 2.0, 1e-6);
    assert_close(c->bandwidth_gbytes_per_s, 40.0, 1e-6);
    assert_close(c->kinds[TCE_COLL_ALL_TO_ALL].efficiency, 1.0, 1e-6);
    assert_int_equal(c->nodes, 2);
    assert_int_equal(c->ranks_per_node, 8);
    for (int i = 0; i < 3; i++)
        tce_nccltests_release(&runs[i]);
}

/* Two all-reduce runs in one class: the one with more ranks is fitted. */
static void test_most_ranks_win(void **state)
{
    struct tce_nccltests_run runs[2];
    struct tce_calibnccl fit;
    struct tce_error err;
    const struct tce_calibnccl_kind *k;
    (void)state;

    synth(&runs[0], TCE_COLL_ALL_REDUCE, 4, 1, 10.0, 200.0, 1.0, "a4.txt");
    synth(&runs[1], TCE_COLL_ALL_REDUCE, 8, 1, 20.0, 300.0, 1.0, "a8.txt");
    assert_int_equal(tce_calibnccl_fit(runs, 2, &fit, &err), 0);
    k = &fit.classes[0].kinds[TCE_COLL_ALL_REDUCE];
    assert_int_equal(k->ranks, 8);
    assert_int_equal(k->runs, 1);
    assert_int_equal(k->skipped, 1);
    assert_close(fit.classes[0].bandwidth_gbytes_per_s, 300.0, 1e-6);
    tce_nccltests_release(&runs[0]);
    tce_nccltests_release(&runs[1]);
}

/* The real outputs: 2 x 8 H100 all-reduce and all-to-all (scale_out), two
 * ranks of one host all-gather (scale_up); the calibration validates. */
static void test_real_outputs(void **state)
{
    static const char *const files[] = {
        FIX "all_reduce_perf-h100-2x8.txt",
        FIX "alltoall_perf-2x8-nccl2.30.txt",
        FIX "all_gather_perf_mpi-tag-output.txt",
    };
    struct tce_nccltests_run runs[3];
    struct tce_calibnccl fit;
    struct tce_calibration cal, back;
    struct tce_error err;
    struct tce_diag diag;
    const struct tce_calibnccl_class *out, *up;
    char path[] = "/tmp/tce-calibnccl-XXXXXX";
    FILE *fp;
    int i, fd;
    (void)state;

    for (i = 0; i < 3; i++)
        assert_int_equal(tce_nccltests_load(files[i], &runs[i], &err), 0);
    assert_int_equal(tce_calibnccl_fit(runs, 3, &fit, &err), 0);
    assert_int_equal(fit.n_classes, 2);
    out = &fit.classes[0];
    up = &fit.classes[1];
    assert_int_equal(out->link, TCE_LINK_SCALE_OUT);
    assert_int_equal(out->base, TCE_COLL_ALL_REDUCE);
    /* the printed busbw of the largest sizes is 318 .. 339 GB/s; the line
     * through the larger half gives the asymptote */
    assert_true(out->bandwidth_gbytes_per_s > 335.0);
    assert_true(out->bandwidth_gbytes_per_s < 350.0);
    /* the small sizes take 123 .. 136 us: a ring all-reduce of 16 ranks
     * is 30 steps, so 4.1 .. 4.53 us per step */
    assert_true(out->latency_us > 123.0 / 30.0 && out->latency_us < 136.0 / 30.0);
    assert_close(out->kinds[TCE_COLL_ALL_REDUCE].efficiency, 1.0, 1e-9);
    /* all-to-all across the same two nodes: ~33 GB/s busbw at 8 GiB, a
     * tenth of the all-reduce's */
    assert_true(out->kinds[TCE_COLL_ALL_TO_ALL].efficiency > 0.05);
    assert_true(out->kinds[TCE_COLL_ALL_TO_ALL].efficiency < 0.2);
    assert_int_equal(up->link, TCE_LINK_SCALE_UP);
    assert_int_equal(up->base, TCE_COLL_ALL_GATHER);
    assert_int_equal(up->kinds[TCE_COLL_ALL_GATHER].ranks, 2);
    /* 2.30 GB/s busbw at 128 MiB */
    assert_true(up->bandwidth_gbytes_per_s > 2.0 &&
                up->bandwidth_gbytes_per_s < 2.6);

    tce_calibnccl_calibration(&fit, runs, 3, "test 0", "2026-11-28T00:00:00Z",
                              &cal);
    assert_int_equal(cal.n_links, 2);
    assert_int_equal(cal.ranks, 16);
    assert_int_equal(cal.ranks_per_node, 8);
    assert_string_equal(cal.hosts, "ztan-mig-235z,ztan-mig-gq73,"
                                   "R6KD-CX8aaS-GPU-14,R6KD-CX8aaS-GPU-15,lab");
    assert_string_equal(cal.mpi_library,
                        "none: NCCL, from nccl-tests 2.18.3 output");
    assert_close(cal.links[0].allgather_efficiency, 1.0, 0);
    assert_close(cal.links[1].allreduce_efficiency, 1.0, 0);
    fd = mkstemp(path);
    assert_true(fd >= 0);
    fp = fdopen(fd, "w");
    assert_int_equal(tce_calibration_write(&cal, fp), 0);
    fclose(fp);
    tce_diag_init(&diag, stderr);
    assert_int_equal(tce_calibration_load(path, &back, &diag), 0);
    assert_int_equal(back.n_links, 2);
    assert_int_equal(back.link_path, TCE_LINK_PATH_NCCL_DEVICE);
    assert_close(back.links[0].bandwidth_gbytes_per_s,
                 cal.links[0].bandwidth_gbytes_per_s, 1e-8);
    /* links: one measured pattern per run: 16 ranks on 2 hosts (8 per
     * host, one group per host) for the all-reduce and the all-to-all, 2
     * ranks of one host for the all-gather; read back unchanged */
    assert_int_equal(cal.n_colls, 3);
    assert_int_equal(cal.colls[0].kind, TCE_COLL_ALL_REDUCE);
    assert_int_equal(cal.colls[0].span, TCE_LINK_SCALE_OUT);
    assert_int_equal(cal.colls[0].group_ranks, 16);
    assert_int_equal(cal.colls[0].ranks_per_node, 8);
    assert_int_equal(cal.colls[0].concurrency, 1);
    assert_int_equal(cal.colls[1].kind, TCE_COLL_ALL_TO_ALL);
    assert_int_equal(cal.colls[2].kind, TCE_COLL_ALL_GATHER);
    assert_int_equal(cal.colls[2].span, TCE_LINK_SCALE_UP);
    assert_int_equal(cal.colls[2].group_ranks, 2);
    assert_true(cal.colls[0].large_bandwidth_gbytes_per_s > 0);
    assert_int_equal(back.n_colls, 3);
    assert_close(back.colls[1].large_bandwidth_gbytes_per_s,
                 cal.colls[1].large_bandwidth_gbytes_per_s, 1e-8);
    unlink(path);
    for (i = 0; i < 3; i++)
        tce_nccltests_release(&runs[i]);
}

static void test_errors(void **state)
{
    struct tce_nccltests_run r;
    struct tce_calibnccl fit;
    struct tce_error err;
    (void)state;

    assert_int_equal(tce_calibnccl_fit(NULL, 0, &fit, &err), TCE_EUSAGE);
    /* no rank lines: the class is unknown */
    assert_int_equal(
        tce_nccltests_load(FIX "alltoall_perf-v100-8x8-old.txt", &r, &err), 0);
    assert_int_equal(tce_calibnccl_fit(&r, 1, &fit, &err), TCE_EPARSE);
    assert_string_equal(err.file, FIX "alltoall_perf-v100-8x8-old.txt");
    assert_non_null(strstr(err.msg, "cannot tell whether it ran inside"));
    tce_nccltests_release(&r);
    /* five small sizes whose time does not grow: no bandwidth */
    assert_int_equal(
        tce_nccltests_load(FIX "sendrecv_perf-a40-2nodes.txt", &r, &err), 0);
    assert_int_equal(tce_calibnccl_fit(&r, 1, &fit, &err), TCE_EPARSE);
    assert_string_equal(err.file, FIX "sendrecv_perf-a40-2nodes.txt");
    assert_int_equal(err.line, 0);
    assert_non_null(strstr(err.msg, "scale_out sendrecv: cannot fit"));
    tce_nccltests_release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_runs),
        cmocka_unit_test(test_most_ranks_win),
        cmocka_unit_test(test_real_outputs),
        cmocka_unit_test(test_errors),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
