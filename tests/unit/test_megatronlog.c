/* test_megatronlog.c - Megatron-LM logs: iteration lines of today's and
 * the 2021 format, prefixed by launchers, printed twice; the arguments
 * block; the warm-up and the medians per global batch size; errors with
 * the file and line; the shipped fixture logs. */
#include "tce_test.h"

#include <stdlib.h>
#include <string.h>

#include "tcemu/megatronlog.h"

#define FIX "tests/fixtures/megatron-logs/"

/* Today's format (training.py's training_log), as NVIDIA/Megatron-LM
 * issue #756 shows it, behind torchrun's and srun's prefixes, with the
 * arguments block; one line printed twice; CRLF line ends. */
static const char today[] =
    "------------------------ arguments ------------------------\r\n"
    "  attention_backend ............................... AttnBackend.flash\r\n"
    "  context_parallel_size ........................... 1\r\n"
    "  enable_cuda_graph ............................... False\r\n"
    "  fp8 ............................................. hybrid\r\n"
    "  fp8_recipe ...................................... tensorwise\r\n"
    "  global_batch_size ............................... 128\r\n"
    "  log_interval .................................... 10\r\n"
    "  micro_batch_size ................................ 2\r\n"
    "  pipeline_model_parallel_size .................... 2\r\n"
    "  recompute_granularity ........................... None\r\n"
    "  sequence_parallel ............................... True\r\n"
    "  tensor_model_parallel_size ...................... 4\r\n"
    "  virtual_pipeline_model_parallel_size ............ None\r\n"
    "  world_size ...................................... 16\r\n"
    "-------------------- end of arguments ---------------------\r\n"
    "[default7]: [2024-04-06 02:55:45] iteration       10/     100 | "
    "consumed samples:         1280 | elapsed time per iteration (ms): "
    "5630.1 | throughput per GPU (TFLOP/s/GPU): 231.9 | learning rate: "
    "4.000000E-07 | global batch size:   128 | lm loss: 2.021530E+00 | "
    "loss scale: 1.0 | grad norm: 6.895 | num zeros: 0.0 | number of "
    "skipped iterations:   0 | number of nan iterations:   0 |\r\n"
    "[Rank 1] (after 10 iterations) memory (MB) | allocated: 54250.9\r\n"
    "3:  [2024-04-06 02:55:50] iteration       20/     100 | consumed "
    "samples:         2560 | elapsed time per iteration (ms): 5410.6 | "
    "global batch size:   128 | number of skipped iterations:   0 |\r\n"
    "3:  [2024-04-06 02:55:50] iteration       20/     100 | consumed "
    "samples:         2560 | elapsed time per iteration (ms): 5410.6 | "
    "global batch size:   128 | number of skipped iterations:   0 |\r\n"
    " validation loss at iteration 20 | lm loss value: 2.0E+00 |\r\n"
    " [2024-04-06 02:55:55] iteration       30/     100 | consumed "
    "samples:         3840 | elapsed time per iteration (ms): 5364.1 | "
    "global batch size:   128 | number of skipped iterations:   1 |\r\n"
    " [2024-04-06 02:56:00] iteration       40/     100 | consumed "
    "samples:         5120 | elapsed time per iteration (ms): 5400.0 | "
    "global batch size:   128 | number of skipped iterations:   0 |\r\n";

/* The 2021 format (no timestamp, no throughput), a batch-size ramp-up. */
static const char ramp[] =
    " iteration        1/  250000 | consumed samples:          512 | "
    "elapsed time per iteration (ms): 90000.0 | learning rate: 9.150E-06 | "
    "global batch size:   512 | lm loss: 2.504220E+00 | loss scale: 1.0 |\n"
    " iteration        2/  250000 | consumed samples:         1024 | "
    "elapsed time per iteration (ms): 44000.0 | learning rate: 9.150E-06 | "
    "global batch size:   512 | lm loss: 2.504220E+00 | loss scale: 1.0 |\n"
    " iteration        3/  250000 | consumed samples:         1536 | "
    "elapsed time per iteration (ms): 46000.0 | learning rate: 9.150E-06 | "
    "global batch size:   512 | lm loss: 2.504220E+00 | loss scale: 1.0 |\n"
    " iteration        4/  250000 | consumed samples:         2560 | "
    "elapsed time per iteration (ms): 86545.2 | learning rate: 9.150E-06 | "
    "global batch size:  1024 | lm loss: 2.504220E+00 | loss scale: 1.0 |\n"
    " iteration        5/  250000 | consumed samples:         3584 | "
    "elapsed time per iteration (ms): 87871.6 | learning rate: 9.225E-06 | "
    "global batch size:  1024 | lm loss: 2.493043E+00 | loss scale: 1.0 |\n"
    " iteration        6/  250000 | consumed samples:         4608 | "
    "elapsed time per iteration (ms): 89474.8 | learning rate: 9.300E-06 | "
    "global batch size:  1024 | lm loss: 2.559583E+00 | loss scale: 1.0 |\n";

static void test_today(void **state)
{
    struct tce_megatronlog *log = calloc(1, sizeof(*log));
    struct tce_megatronlog_point pts[4];
    struct tce_error err;
    const struct tce_megatronlog_args *a = &log->args;
    (void)state;

    assert_int_equal(tce_megatronlog_parse(today, "t.log", log, &err), 0);
    assert_int_equal(log->n_lines, 4); /* iteration 20 once */
    assert_int_equal(log->lines[0].iteration, 10);
    assert_int_equal(log->lines[0].line, 17);
    assert_close(log->lines[0].elapsed_s, 5.6301, 1e-12);
    assert_int_equal(log->lines[0].global_batch_size, 128);
    assert_int_equal(log->lines[2].skipped, 1);
    assert_int_equal(a->found, 1);
    assert_int_equal(a->line, 1);
    assert_int_equal(a->tensor_model_parallel_size, 4);
    assert_int_equal(a->pipeline_model_parallel_size, 2);
    assert_int_equal(a->virtual_pipeline_model_parallel_size, -1);
    assert_int_equal(a->micro_batch_size, 2);
    assert_int_equal(a->world_size, 16);
    assert_int_equal(a->log_interval, 10);
    assert_int_equal(a->sequence_parallel, 1);
    assert_int_equal(a->enable_cuda_graph, 0);
    assert_int_equal(a->use_distributed_optimizer, -1);
    assert_string_equal(a->attention_backend, "flash");
    assert_string_equal(a->fp8, "hybrid");
    assert_string_equal(a->fp8_recipe, "tensorwise");
    assert_string_equal(a->recompute_granularity, "");
    /* warm-up 10: the first line (iterations 1-10) goes; the line with a
     * skipped iteration goes; median of 5.4106 and 5.4 */
    assert_int_equal(tce_megatronlog_points(log, 10, pts, 4, &err), 1);
    assert_int_equal(pts[0].global_batch_size, 128);
    assert_int_equal(pts[0].lines, 2);
    assert_int_equal(pts[0].skipped_warmup, 2);
    assert_int_equal(pts[0].first_iteration, 20);
    assert_int_equal(pts[0].last_iteration, 40);
    assert_close(pts[0].median_s, 0.5 * (5.4106 + 5.4), 1e-12);
    assert_close(pts[0].mad_s, 0.5 * (5.4106 - 5.4), 1e-9);
    /* a warm-up past the last line leaves nothing */
    assert_int_equal(tce_megatronlog_points(log, 40, pts, 4, &err),
                     TCE_ERANGE);
    assert_string_equal(err.file, "t.log");
    free(log);
}

static void test_ramp(void **state)
{
    struct tce_megatronlog *log = calloc(1, sizeof(*log));
    struct tce_megatronlog_point pts[4];
    struct tce_error err;
    (void)state;

    assert_int_equal(tce_megatronlog_parse(ramp, "r.log", log, &err), 0);
    assert_int_equal(log->n_lines, 6);
    assert_int_equal(log->args.found, 0);
    /* log interval 1 from the lines; warm-up 1: iteration 1 goes */
    assert_int_equal(tce_megatronlog_points(log, 1, pts, 4, &err), 2);
    assert_int_equal(pts[0].global_batch_size, 512);
    assert_int_equal(pts[0].lines, 2);
    assert_int_equal(pts[0].skipped_warmup, 1);
    assert_close(pts[0].median_s, 45.0, 1e-12);
    assert_int_equal(pts[1].global_batch_size, 1024);
    assert_int_equal(pts[1].lines, 3);
    assert_close(pts[1].median_s, 87.8716, 1e-12);
    assert_int_equal(pts[1].first_line, 4);
    /* room for one batch size only */
    assert_int_equal(tce_megatronlog_points(log, 1, pts, 1, &err),
                     TCE_ERANGE);
    free(log);
}

static void test_errors(void **state)
{
    struct tce_megatronlog *log = calloc(1, sizeof(*log));
    struct tce_error err;
    (void)state;

    assert_int_equal(
        tce_megatronlog_parse("hello\n iteration 1/ 2 | consumed samples: "
                              "8 | learning rate: 1.0E-4 |\n",
                              "a.log", log, &err),
        TCE_EPARSE);
    assert_string_equal(err.file, "a.log");
    assert_int_equal(err.line, 2);
    assert_string_equal(err.msg, "an iteration line without 'elapsed time "
                                 "per iteration (ms)'");
    assert_int_equal(
        tce_megatronlog_parse(" iteration 1/ 2 | elapsed time per iteration "
                              "(ms): fast |\n",
                              "b.log", log, &err),
        TCE_EPARSE);
    assert_int_equal(err.line, 1);
    assert_string_equal(err.msg, "elapsed time per iteration (ms): not a "
                                 "number: 'fast'");
    assert_int_equal(
        tce_megatronlog_parse("------------------------ arguments "
                              "------------------------\n"
                              "  world_size .............. sixteen\n",
                              "c.log", log, &err),
        TCE_EPARSE);
    assert_int_equal(err.line, 2);
    assert_int_equal(tce_megatronlog_parse("nothing here\n", "d.log", log,
                                           &err),
                     TCE_EPARSE);
    assert_int_equal(tce_megatronlog_load(FIX "no-such.log", log, &err),
                     TCE_EIO);
    assert_string_equal(err.file, FIX "no-such.log");
    free(log);
}

static void test_fixture(void **state)
{
    struct tce_megatronlog *log = calloc(1, sizeof(*log));
    struct tce_megatronlog_point pts[4];
    struct tce_error err;
    (void)state;

    assert_int_equal(tce_megatronlog_load(FIX "llama3-8b-gbs64.log", log,
                                          &err),
                     0);
    assert_int_equal(log->n_lines, 20);
    assert_int_equal(log->args.world_size, 16);
    assert_int_equal(log->args.tensor_model_parallel_size, 2);
    assert_int_equal(log->args.data_parallel_size, 8);
    assert_int_equal(log->args.global_batch_size, 64);
    assert_int_equal(log->args.seq_length, 8192);
    assert_string_equal(log->args.attention_backend, "auto");
    assert_string_equal(log->args.fp8, "");
    assert_string_equal(log->args.recompute_granularity, "selective");
    assert_int_equal(tce_megatronlog_points(log, TCE_MEGATRONLOG_WARMUP, pts,
                                            4, &err),
                     1);
    assert_int_equal(pts[0].lines, 17);
    assert_int_equal(pts[0].skipped_warmup, 3);
    /* 3.6289 + 0.060 + 0.012 x 8, within the +-0.3% jitter */
    assert_close(pts[0].median_s, 3.7849, 0.003);
    free(log);
}

static void test_median(void **state)
{
    double v[] = {3.0, 1.0, 2.0, 10.0};
    (void)state;

    assert_close(tce_megatronlog_median(v, 3), 2.0, 0);
    assert_close(tce_megatronlog_median(v, 4), 2.5, 0);
    assert_true(tce_megatronlog_median(v, 0) == 0.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_today),
        cmocka_unit_test(test_ramp),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_fixture),
        cmocka_unit_test(test_median),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
