/* test_nccltests.c - nccl-tests output as users posted it
 * (tests/fixtures/nccl-tests/README.md names the sources): kind, ranks,
 * nodes and rows read off each file by hand; the variants (old columns,
 * tag-output, N/A, size-0 rows, no rank lines); errors with file and line. */
#include "tce_test.h"

#include <string.h>

#include "tcemu/nccltests.h"

#define FIX "tests/fixtures/nccl-tests/"

static void load_ok(const char *path, struct tce_nccltests_run *r)
{
    struct tce_error err;

    memset(&err, 0, sizeof(err));
    if (tce_nccltests_load(path, r, &err) != 0) {
        print_error("%s:%d: %s\n", err.file, err.line, err.msg);
        fail();
    }
}

static void assert_meas(const struct tce_nccltests_meas *m, double time_us,
                        double algbw, double busbw, double wrong)
{
    assert_close(m->time_us, time_us, 1e-12);
    assert_close(m->algbw_gbytes_per_s, algbw, 1e-12);
    assert_close(m->busbw_gbytes_per_s, busbw, 1e-12);
    assert_close(m->wrong, wrong, 1e-12);
}

/* 2 nodes x 8 H100 (GCP A3 Mega), mpirun -np 16 -npernode 8. */
static void test_h100_two_nodes(void **state)
{
    struct tce_nccltests_run r;
    double x[64], t[64];
    (void)state;

    load_ok(FIX "all_reduce_perf-h100-2x8.txt", &r);
    assert_int_equal(r.kind, TCE_COLL_ALL_REDUCE);
    assert_string_equal(r.test, "all_reduce_perf");
    assert_string_equal(r.kind_from, "command line");
    assert_string_equal(r.version, "");
    assert_string_equal(r.device, "NVIDIA H100 80GB HBM3");
    assert_int_equal(r.nthreads, 1);
    assert_int_equal(r.ngpus, 1);
    assert_int_equal(r.iters, 20);
    assert_int_equal(r.warmup_iters, 5);
    assert_int_equal(r.ranks, 16);
    assert_int_equal(r.ranks_derived, 0);
    assert_int_equal(r.groups, 1);
    assert_int_equal(r.group_ranks, 16);
    assert_int_equal(r.nodes, 2);
    assert_int_equal(r.group_nodes, 2);
    assert_int_equal(r.ranks_per_node, 8);
    assert_int_equal(r.nodes_uniform, 1);
    assert_int_equal(r.n_rank_lines, 16);
    assert_string_equal(r.rank_lines[8].host, "ztan-mig-gq73");
    assert_int_equal(r.rank_lines[8].device, 0);
    assert_int_equal(r.rank_lines[15].device, 7);
    assert_int_equal(r.wrong_is_error, 0);
    assert_int_equal(r.n_rows, 31); /* 8 B .. 8 GiB by 2 */
    assert_int_equal(r.rows[0].bytes, 8);
    assert_int_equal(r.rows[0].count, 2);
    assert_string_equal(r.rows[0].type, "float");
    assert_string_equal(r.rows[0].redop, "sum");
    assert_int_equal(r.rows[0].root, -1);
    assert_int_equal(r.rows[0].line, 32);
    assert_meas(&r.rows[0].out_of_place, 135.8, 0.0, 0.0, 0.0);
    assert_meas(&r.rows[0].in_place, 123.5, 0.0, 0.0, 0.0);
    assert_int_equal(r.rows[30].bytes, INT64_C(8589934592));
    assert_int_equal(r.rows[30].count, INT64_C(2147483648));
    assert_int_equal(r.rows[30].line, 62);
    assert_meas(&r.rows[30].out_of_place, 47535, 180.71, 338.82, 0);
    assert_meas(&r.rows[30].in_place, 47743, 179.92, 337.35, 0);
    assert_meas(&r.rows[22].out_of_place, 1059.9, 31.66, 59.36, 0);
    assert_close(r.avg_busbw_gbytes_per_s, 70.742, 1e-12);
    assert_int_equal(r.out_of_bounds, 0);
    assert_int_equal(tce_nccltests_points(&r, 0, x, t, 64), 31);
    assert_close(x[30], 8589934592.0, 1e-15);
    assert_close(t[30], 47535e-6, 1e-12);
    assert_int_equal(tce_nccltests_points(&r, 1, x, t, 4), 4);
    assert_close(t[0], 123.5e-6, 1e-12);
    tce_nccltests_release(&r);
}

/* nccl-tests 2.18.3 all-to-all, 2 nodes x 8, MPI warnings and NCCL's
 * version line interleaved, in-place not checked (N/A). */
static void test_alltoall_new_header(void **state)
{
    struct tce_nccltests_run r;
    (void)state;

    load_ok(FIX "alltoall_perf-2x8-nccl2.30.txt", &r);
    assert_int_equal(r.kind, TCE_COLL_ALL_TO_ALL);
    assert_string_equal(r.test, "alltoall_perf");
    assert_string_equal(r.kind_from, "header");
    assert_string_equal(r.version, "2.18.3");
    assert_string_equal(r.device, "NVIDIA Graphics Device");
    assert_int_equal(r.iters, 20);
    assert_int_equal(r.warmup_iters, 1);
    assert_int_equal(r.ranks, 16);
    assert_int_equal(r.nodes, 2);
    assert_int_equal(r.ranks_per_node, 8);
    assert_int_equal(r.n_rows, 24); /* 1 KiB .. 8 GiB */
    assert_string_equal(r.rows[0].redop, "none");
    assert_meas(&r.rows[0].out_of_place, 40.78, 0.03, 0.02, 0);
    assert_meas(&r.rows[0].in_place, 30.98, 0.03, 0.03, -1);
    assert_int_equal(r.rows[13].bytes, 8388608);
    assert_meas(&r.rows[13].out_of_place, 5686.63, 1.48, 1.38, 0);
    assert_meas(&r.rows[23].in_place, 238714, 35.98, 33.74, -1);
    assert_close(r.avg_busbw_gbytes_per_s, 8.9909, 1e-12);
    assert_int_equal(r.out_of_bounds, 0);
    tce_nccltests_release(&r);
}

/* mpirun --tag-output: "[1,0]<stdout>:" prefixes, stderr lines skipped;
 * the _mpi name suffix; two ranks on one host. */
static void test_tag_output(void **state)
{
    struct tce_nccltests_run r;
    (void)state;

    load_ok(FIX "all_gather_perf_mpi-tag-output.txt", &r);
    assert_int_equal(r.kind, TCE_COLL_ALL_GATHER);
    assert_string_equal(r.test, "all_gather_perf");
    assert_string_equal(r.kind_from, "header");
    assert_string_equal(r.version, "2.18.0");
    assert_string_equal(r.device, "NVIDIA GeForce RTX 5090");
    assert_int_equal(r.ranks, 2);
    assert_int_equal(r.nodes, 1);
    assert_int_equal(r.ranks_per_node, 2);
    assert_int_equal(r.n_rows, 8);
    assert_int_equal(r.rows[7].bytes, 134217728);
    assert_int_equal(r.rows[7].count, 16777216);
    assert_meas(&r.rows[7].out_of_place, 29185.2, 4.60, 2.30, 0);
    assert_meas(&r.rows[7].in_place, 29349.9, 4.57, 2.29, 0);
    assert_close(r.avg_busbw_gbytes_per_s, 1.54321, 1e-12);
    tce_nccltests_release(&r);
}

/* One rank on each of two nodes; the kind only in the file name. */
static void test_sendrecv_two_nodes(void **state)
{
    struct tce_nccltests_run r;
    (void)state;

    load_ok(FIX "sendrecv_perf-a40-2nodes.txt", &r);
    assert_int_equal(r.kind, TCE_COLL_SENDRECV);
    assert_string_equal(r.kind_from, "file name");
    assert_string_equal(r.device, "NVIDIA A40");
    assert_int_equal(r.ranks, 2);
    assert_int_equal(r.nodes, 2);
    assert_int_equal(r.ranks_per_node, 1);
    assert_int_equal(r.nodes_uniform, 1);
    assert_int_equal(r.n_rows, 5);
    assert_int_equal(r.rows[2].bytes, 1024);
    assert_meas(&r.rows[2].out_of_place, 34.24, 0.03, 0.03, 0);
    assert_meas(&r.rows[2].in_place, 31.11, 0.03, 0.03, -1);
    assert_close(r.avg_busbw_gbytes_per_s, -1.0, 0);
    assert_int_equal(r.out_of_bounds, -1);
    tce_nccltests_release(&r);
}

/* nccl-tests 2.20.0 ("version 2.20.0 (b4d5bee)"), two GB10 nodes. */
static void test_new_version_line(void **state)
{
    struct tce_nccltests_run r;
    (void)state;

    load_ok(FIX "all_reduce_perf-gb10-2nodes.txt", &r);
    assert_int_equal(r.kind, TCE_COLL_ALL_REDUCE);
    assert_string_equal(r.kind_from, "header");
    assert_string_equal(r.version, "2.20.0");
    assert_string_equal(r.device, "NVIDIA GB10");
    assert_int_equal(r.iters, 100);
    assert_int_equal(r.warmup_iters, 10);
    assert_int_equal(r.nodes, 2);
    assert_int_equal(r.ranks_per_node, 1);
    assert_int_equal(r.n_rows, 4);
    assert_meas(&r.rows[3].out_of_place, 67.93, 0.96, 0.96, 0);
    tce_nccltests_release(&r);
}

/* Old format: no root column, "error" (max error) for #wrong, a blank
 * redop for all-to-all, no rank lines: 64 ranks from size / count. */
static void test_old_alltoall(void **state)
{
    struct tce_nccltests_run r;
    (void)state;

    load_ok(FIX "alltoall_perf-v100-8x8-old.txt", &r);
    assert_int_equal(r.kind, TCE_COLL_ALL_TO_ALL);
    assert_string_equal(r.kind_from, "file name");
    assert_int_equal(r.wrong_is_error, 1);
    assert_int_equal(r.ranks, 64);
    assert_int_equal(r.ranks_derived, 1);
    assert_int_equal(r.group_ranks, 64);
    assert_int_equal(r.nodes, 0);
    assert_int_equal(r.n_rows, 2);
    assert_string_equal(r.rows[1].redop, "");
    assert_int_equal(r.rows[1].root, -1);
    assert_int_equal(r.rows[1].count, 2097152);
    assert_meas(&r.rows[1].out_of_place, 1041974, 0.52, 0.51, 0);
    assert_meas(&r.rows[1].in_place, 1041299, 0.52, 0.51, 1);
    assert_close(r.avg_busbw_gbytes_per_s, 0.507636, 1e-12);
    tce_nccltests_release(&r);
}

/* bfloat16 all-gather in one process (-g 2), the command above the table. */
static void test_bf16_command_line(void **state)
{
    struct tce_nccltests_run r;
    (void)state;

    load_ok(FIX "all_gather_perf-bf16-g2.txt", &r);
    assert_int_equal(r.kind, TCE_COLL_ALL_GATHER);
    assert_string_equal(r.kind_from, "command line");
    assert_int_equal(r.ranks, 2);
    assert_int_equal(r.ranks_derived, 1);
    assert_int_equal(r.n_rows, 7);
    assert_string_equal(r.rows[6].type, "bfloat16");
    assert_int_equal(r.rows[6].bytes, 117440512);
    assert_meas(&r.rows[6].out_of_place, 490.8, 239.27, 119.64, 0);
    assert_meas(&r.rows[6].in_place, 418.7, 280.48, 140.24, 0);
    tce_nccltests_release(&r);
}

/* Size-0 rows are kept but give no fit points. */
static void test_zero_sizes(void **state)
{
    struct tce_nccltests_run r;
    double x[8], t[8];
    (void)state;

    load_ok(FIX "reduce_scatter_perf-2x4-zero-sizes.txt", &r);
    assert_int_equal(r.kind, TCE_COLL_REDUCE_SCATTER);
    assert_int_equal(r.ranks, 8);
    assert_int_equal(r.n_rows, 7);
    assert_int_equal(tce_nccltests_points(&r, 0, x, t, 8), 2);
    assert_close(x[0], 128.0, 0);
    assert_close(t[0], 32.31e-6, 1e-12);
    assert_close(t[1], 24.01e-6, 1e-12);
    tce_nccltests_release(&r);
}

/* Per-iteration (-I) and timestamp (-S) columns, srun --label prefixes,
 * NCCL_TESTS_SPLIT groups: the layouts util.cu prints (no public log of
 * them was at hand). */
static void test_variants_inline(void **state)
{
    static const char text[] =
        "0: # Collective test starting: all_reduce_perf\n"
        "0: # nThread 1 nGpus 1 minBytes 8 maxBytes 8 step: 2(factor) "
        "warmup iters: 5 iters: 20 agg iters: 1 validation: 1 graph: 0\n"
        "0: #  Rank  0 Group  0 Pid 11 on a device  0 [0x18] GPU X\n"
        "0: #  Rank  1 Group  1 Pid 12 on a device  1 [0x19] GPU X\n"
        "0: #  Rank  2 Group  0 Pid 13 on b device  0 [0x18] GPU X\n"
        "0: #  Rank  3 Group  1 Pid 14 on b device  1 [0x19] GPU X\n"
        "0: #  size  count  type  redop  root  time  algbw  busbw  #wrong  "
        "i_min  i_max  i_p99  i_cv%  time  algbw  busbw  #wrong  i_min  "
        "i_max  i_p99  i_cv%  timestamp\n"
        "0:    1048576  262144  float  sum  -1  20.50  51.15  51.15  0  19.0  "
        "22.0  21.9  3.1  19.75  53.09  53.09  0  19.1  21.0  20.9  2.5  "
        "2025-01-31 12:00:00\n";
    struct tce_nccltests_run r;
    struct tce_error err;
    (void)state;

    assert_int_equal(tce_nccltests_parse(text, sizeof(text) - 1, NULL, &r,
                                         &err),
                     0);
    assert_int_equal(r.ranks, 4);
    assert_int_equal(r.groups, 2);
    assert_int_equal(r.group_ranks, 2);
    assert_int_equal(r.nodes, 2);
    assert_int_equal(r.group_nodes, 2); /* group 0: ranks 0 (a), 2 (b) */
    assert_string_equal(r.device, "GPU X");
    assert_int_equal(r.n_rows, 1);
    assert_meas(&r.rows[0].out_of_place, 20.50, 51.15, 51.15, 0);
    assert_meas(&r.rows[0].in_place, 19.75, 53.09, 53.09, 0);
    tce_nccltests_release(&r);
}

/* NCCL_TESTS_SPLIT="DIV 2" on two hosts of two GPUs: one group per host,
 * so the collective stays inside a node. */
static void test_split_per_node(void **state)
{
    static const char text[] =
        "# Collective test starting: all_reduce_perf\n"
        "#  Rank  0 Group  0 Pid 11 on a device  0 [0x18] G\n"
        "#  Rank  1 Group  0 Pid 12 on a device  1 [0x19] G\n"
        "#  Rank  2 Group  1 Pid 13 on b device  0 [0x18] G\n"
        "#  Rank  3 Group  1 Pid 14 on b device  1 [0x19] G\n"
        "#  size  count  type  redop  root  time  algbw  busbw  #wrong  "
        "time  algbw  busbw  #wrong\n"
        "   8  2  float  sum  -1  10.0  0.00  0.00  0  10.0  0.00  0.00  0\n";
    struct tce_nccltests_run r;
    struct tce_error err;
    (void)state;

    assert_int_equal(tce_nccltests_parse(text, sizeof(text) - 1, NULL, &r,
                                         &err),
                     0);
    assert_int_equal(r.nodes, 2);
    assert_int_equal(r.groups, 2);
    assert_int_equal(r.group_ranks, 2);
    assert_int_equal(r.group_nodes, 1);
    tce_nccltests_release(&r);
}

static void expect_error(const char *path, const char *text, int line,
                         const char *msg_start)
{
    struct tce_nccltests_run r;
    struct tce_error err;
    int rc;

    memset(&err, 0, sizeof(err));
    if (text)
        rc = tce_nccltests_parse(text, strlen(text), path, &r, &err);
    else
        rc = tce_nccltests_load(path, &r, &err);
    assert_int_equal(rc, TCE_EPARSE);
    assert_int_equal(err.code, TCE_EPARSE);
    assert_string_equal(err.file, path ? path : "<input>");
    assert_int_equal(err.line, line);
    if (strncmp(err.msg, msg_start, strlen(msg_start)) != 0) {
        print_error("message '%s' does not start '%s'\n", err.msg,
                    msg_start);
        fail();
    }
    assert_null(r.rows);
    assert_null(r.rank_lines);
}

static void test_errors(void **state)
{
    static const char hdr[] =
        "# Collective test starting: all_reduce_perf\n"
        "#  size  count  type  redop  root  time  algbw  busbw  #wrong  "
        "time  algbw  busbw  #wrong\n";
    char text[1024];
    (void)state;

    expect_error(FIX "bad/all_reduce_perf-no-mpi-build.txt", NULL, 4,
                 "a second nccl-tests header (the first is at line 1)");
    expect_error(FIX "bad/all_reduce_perf-cut-row.txt", NULL, 38,
                 "an nccl-tests row needs size, count, type");
    expect_error("x.txt", "# nThread 1 nGpus 1\nhello\n", 0,
                 "no nccl-tests table");
    expect_error("x.txt", hdr, 0, "an nccl-tests table without rows");
    snprintf(text, sizeof(text), "%s 8 2 float sum -1 1.0 0.0 0.0 0 x 0 0 0\n",
             hdr);
    expect_error("x.txt", text, 3,
                 "'x' is not a number in column time (in-place)");
    snprintf(text, sizeof(text),
             "%s 8 2 float sum -1 -1.0 0.0 0.0 0 1 0 0 0\n", hdr);
    expect_error("x.txt", text, 3, "negative time (out-of-place)");
    snprintf(text, sizeof(text), "%s 8 2 float sum -1 1 0 0 zero 1 0 0 0\n",
             hdr);
    expect_error("x.txt", text, 3, "'zero' is not a count");
    expect_error("results.txt", hdr + 44, 0,
                 "an nccl-tests table without rows");
    snprintf(text, sizeof(text), "%s 8 2 float sum -1 1 0 0 0 1 0 0 0\n",
             hdr + 44);
    expect_error("results.txt", text, 0, "cannot tell which collective");
    expect_error("reduce_perf.txt", text, 0, "reduce_perf: tcemu calibrates");
    snprintf(text, sizeof(text),
             "#  Rank  0 Pid 1 on a device 0 [0] G\n"
             "#  Rank  0 Pid 2 on b device 0 [0] G\n%s",
             hdr);
    expect_error("x.txt", text, 2, "rank 0 listed twice (first at line 1)");
    snprintf(text, sizeof(text),
             "#  Rank  0 Pid 1 on a device 0 [0] G\n"
             "#  Rank  1 Pid 2 on b device 0 [0] G\n%s"
             "  64 4 float none -1 1 0 0 0 1 0 0 0\n",
             hdr + 44);
    expect_error("alltoall_perf.txt", text, 4,
                 "size / count says 4 ranks but the rank lines give 2");
}

static void test_type_bytes(void **state)
{
    (void)state;
    assert_int_equal(tce_nccltests_type_bytes("float"), 4);
    assert_int_equal(tce_nccltests_type_bytes("bfloat16"), 2);
    assert_int_equal(tce_nccltests_type_bytes("half"), 2);
    assert_int_equal(tce_nccltests_type_bytes("double"), 8);
    assert_int_equal(tce_nccltests_type_bytes("f8e4m3"), 1);
    assert_int_equal(tce_nccltests_type_bytes("int8"), 1);
    assert_int_equal(tce_nccltests_type_bytes("complex"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_h100_two_nodes),
        cmocka_unit_test(test_alltoall_new_header),
        cmocka_unit_test(test_tag_output),
        cmocka_unit_test(test_sendrecv_two_nodes),
        cmocka_unit_test(test_new_version_line),
        cmocka_unit_test(test_old_alltoall),
        cmocka_unit_test(test_bf16_command_line),
        cmocka_unit_test(test_zero_sizes),
        cmocka_unit_test(test_variants_inline),
        cmocka_unit_test(test_split_per_node),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_type_bytes),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
