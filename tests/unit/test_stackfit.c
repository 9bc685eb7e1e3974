/* test_stackfit.c - the stack overhead fit: synthetic iteration times give
 * back a and b by hand; one microbatch count, or a negative overhead
 * beyond the noise, are refused; within the noise it is clamped; the job
 * and stack as a log ran them; the fixture logs fitted end to end; the
 * calibration written and read back; the projection charges a + b m. */
#include "tce_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tcemu/projector.h"
#include "tcemu/scenario.h"
#include "tcemu/stackfit.h"

#define FIX "tests/fixtures/megatron-logs/"

static void point(struct tce_stackfit *f, int64_t m, double projected,
                  double measured, double noise)
{
    struct tce_stackfit_point p;

    memset(&p, 0, sizeof(p));
    snprintf(p.path, sizeof(p.path), "m%lld.log", (long long)m);
    p.microbatches = m;
    p.projected_s = projected;
    p.measured_s = measured;
    p.noise_s = noise;
    p.lines = 10;
    assert_int_equal(tce_stackfit_add(f, &p, NULL), 0);
}

/* measured = projected + 0.05 + 0.01 m, by hand: a and b come back */
static void test_exact(void **state)
{
    struct tce_stackfit f;
    struct tce_error err;
    (void)state;

    tce_stackfit_init(&f);
    point(&f, 4, 1.60, 1.60 + 0.05 + 0.04, 1e-4);
    point(&f, 8, 3.10, 3.10 + 0.05 + 0.08, 1e-4);
    point(&f, 16, 6.30, 6.30 + 0.05 + 0.16, 1e-4);
    assert_int_equal(tce_stackfit_solve(&f, &err), 0);
    assert_close(f.a, 0.05, 1e-9);
    assert_close(f.b, 0.01, 1e-9);
    assert_int_equal(f.distinct_m, 3);
    assert_int_equal(f.m_min, 4);
    assert_int_equal(f.m_max, 16);
    assert_true(f.rms_rel_error < 1e-12);
    assert_int_equal(f.clamped_a + f.clamped_b, 0);
    assert_close(f.points[1].fitted_s, 3.23, 1e-12);
    /* the noise: points' own (1e-4), the residuals being 0 */
    assert_close(f.sigma_s, 1e-4, 1e-9);
    /* se(b) = sigma sqrt(n / det), det = 3 x 336 - 28^2 = 224 */
    assert_close(f.se_b, 1e-4 * sqrt(3.0 / 224.0), 1e-9);
}

/* two points with noise: least squares over four, residual variance */
static void test_noisy(void **state)
{
    struct tce_stackfit f;
    struct tce_error err;
    (void)state;

    tce_stackfit_init(&f);
    point(&f, 2, 1.0, 1.0 + 0.03 + 0.004 + 0.001, 1e-5);
    point(&f, 4, 2.0, 2.0 + 0.03 + 0.008 - 0.001, 1e-5);
    point(&f, 8, 4.0, 4.0 + 0.03 + 0.016 - 0.001, 1e-5);
    point(&f, 16, 8.0, 8.0 + 0.03 + 0.032 + 0.001, 1e-5);
    assert_int_equal(tce_stackfit_solve(&f, &err), 0);
    /* r = (0.035, 0.037, 0.045, 0.063) at m = (2, 4, 8, 16): n 4,
     * sum m 30, sum m^2 340, sum r 0.18, sum m r 1.586, det 460:
     * a = (340 x 0.18 - 30 x 1.586) / 460, b = (4 x 1.586 - 30 x 0.18) / 460 */
    assert_close(f.a, 13.62 / 460.0, 1e-9);
    assert_close(f.b, 0.944 / 460.0, 1e-9);
    assert_true(f.sigma_s > 1e-4); /* the residuals, not the 1e-5 */
    assert_true(f.rms_rel_error > 0 && f.rms_rel_error < 0.01);
}

static void test_one_m(void **state)
{
    struct tce_stackfit f;
    struct tce_error err;
    (void)state;

    tce_stackfit_init(&f);
    point(&f, 8, 3.0, 3.2, 1e-4);
    point(&f, 8, 3.0, 3.21, 1e-4);
    assert_int_equal(tce_stackfit_solve(&f, &err), TCE_EUSAGE);
    assert_non_null(strstr(err.msg, "1 distinct microbatch count (m = 8)"));
}

static void test_negative(void **state)
{
    struct tce_stackfit f;
    struct tce_error err;
    (void)state;

    /* the model 5% too slow: negative beyond any noise, refused */
    tce_stackfit_init(&f);
    point(&f, 4, 2.0, 1.9, 1e-4);
    point(&f, 8, 4.0, 3.8, 1e-4);
    point(&f, 16, 8.0, 7.6, 1e-4);
    assert_int_equal(tce_stackfit_solve(&f, &err), TCE_ECHECK);
    assert_non_null(strstr(err.msg, "the model is slower than the logs"));
    /* per iteration -1 ms, within noise of 5 ms: clamped to 0, b refitted
     * over the origin */
    tce_stackfit_init(&f);
    point(&f, 4, 2.0, 2.0 - 0.001 + 0.04, 5e-3);
    point(&f, 8, 4.0, 4.0 - 0.001 + 0.08, 5e-3);
    assert_int_equal(tce_stackfit_solve(&f, &err), 0);
    assert_int_equal(f.clamped_a, 1);
    assert_true(f.a == 0.0);
    /* b = sum(m r) / sum(m m) = (4 x 0.039 + 8 x 0.079) / 80 */
    assert_close(f.b, (4 * 0.039 + 8 * 0.079) / 80.0, 1e-9);
}

static struct tce_megatronlog *fixture_log(const char *name)
{
    struct tce_megatronlog *log = calloc(1, sizeof(*log));
    struct tce_error err;
    char path[256];

    snprintf(path, sizeof(path), FIX "%s", name);
    assert_int_equal(tce_megatronlog_load(path, log, &err), 0);
    return log;
}

static void test_job_and_stack_of_log(void **state)
{
    struct tce_megatronlog *log = fixture_log("llama3-8b-gbs32.log");
    struct tce_job job, run;
    struct tce_stack s;
    struct tce_error err;
    char note[200];
    int64_t gpus = 0;
    int flash = 0;
    (void)state;

    assert_int_equal(tce_job_load(FIX "llama3-8b-slice.cfg", &job, NULL), 0);
    job.parallel.tensor_model_parallel_size = 8; /* the log says 2 */
    job.training.micro_batch_size = 4;           /* and 1 */
    assert_int_equal(tce_stackfit_job_of_log(&job, log, 32, 0, &run, &gpus,
                                             &err),
                     0);
    assert_int_equal(gpus, 16);
    assert_int_equal(run.parallel.num_gpus, 16);
    assert_int_equal(run.parallel.tensor_model_parallel_size, 2);
    assert_int_equal(run.training.micro_batch_size, 1);
    assert_int_equal(run.training.global_batch_size, 32);
    assert_int_equal(run.parallel.use_distributed_optimizer, 1);
    assert_int_equal(run.training.recompute_granularity,
                     TCE_RECOMPUTE_SELECTIVE);
    /* another model: refused at the arguments block */
    job.model.num_layers = 80;
    assert_int_equal(tce_stackfit_job_of_log(&job, log, 32, 0, &run, &gpus,
                                             &err),
                     TCE_ECONFIG);
    assert_string_equal(err.file, FIX "llama3-8b-gbs32.log");
    assert_int_equal(err.line, 2);
    assert_non_null(strstr(err.msg, "the log ran num_layers 32"));
    /* the stack: the job's, as the arguments say it */
    assert_int_equal(tce_stackfit_stack_of_log(&job, log, &s, &flash, note,
                                               sizeof(note)),
                     0);
    assert_string_equal(s.framework_version, "core_r0.14.0");
    assert_int_equal(s.attention_backend, TCE_ATTN_BACKEND_AUTO);
    assert_int_equal(flash, 1);
    /* a job that says CUDA graphs and FP8: the log's arguments win */
    job.stack.cuda_graphs = 1;
    snprintf(job.stack.fp8_recipe, sizeof(job.stack.fp8_recipe), "delayed");
    assert_int_equal(tce_stackfit_stack_of_log(&job, log, &s, &flash, note,
                                               sizeof(note)),
                     2);
    assert_string_equal(note, "no CUDA graphs, fp8_recipe \"\"");
    assert_int_equal(s.cuda_graphs, 0);
    assert_string_equal(s.fp8_recipe, "");
    /* an unspecified job: Megatron-LM, the format of the log */
    memset(&job.stack, 0, sizeof(job.stack));
    tce_stackfit_stack_of_log(&job, log, &s, &flash, NULL, 0);
    assert_string_equal(s.framework, "Megatron-LM");
    free(log);
}

/* A log without its arguments block: the job file's layout at --gpus
 * (else the job's num_gpus), the global batch of the iteration lines. */
static void test_log_without_arguments(void **state)
{
    struct tce_megatronlog *log = calloc(1, sizeof(*log));
    struct tce_job job, run;
    struct tce_error err;
    int64_t gpus = 0;
    (void)state;

    assert_int_equal(
        tce_megatronlog_parse(" iteration        4/      20 | elapsed time "
                              "per iteration (ms): 3686.2 | global batch "
                              "size:   128 |\n",
                              "old.log", log, &err),
        0);
    assert_int_equal(log->args.found, 0);
    assert_int_equal(tce_job_load(FIX "llama3-8b-slice.cfg", &job, NULL), 0);
    job.model.num_layers = 80; /* no arguments: nothing to check against */
    assert_int_equal(tce_stackfit_job_of_log(&job, log, 128, 32, &run, &gpus,
                                             &err),
                     0);
    assert_int_equal(gpus, 32);
    assert_int_equal(run.parallel.tensor_model_parallel_size, 2);
    assert_int_equal(run.training.global_batch_size, 128);
    assert_int_equal(tce_stackfit_job_of_log(&job, log, 0, 0, &run, &gpus,
                                             &err),
                     0);
    assert_int_equal(gpus, 16);
    assert_int_equal(run.training.global_batch_size, 64);
    free(log);
}

/* The fixture logs end to end: three points, the model's own projection
 * plus 0.060 + 0.012 m (make-logs.py); fitted within the jitter. */
static void test_fixture_fit(void **state)
{
    const char *names[] = {"llama3-8b-gbs32.log", "llama3-8b-gbs64.log",
                           "llama3-8b-gbs128.log"};
    struct tce_scenario *s = calloc(1, sizeof(*s));
    struct tce_scenario_files files = {"topologies/aws-p5.cfg",
                                       FIX "llama3-8b-slice.cfg", NULL};
    struct tce_stackfit *f = calloc(1, sizeof(*f));
    struct tce_error err;
    int i;
    (void)state;

    assert_int_equal(tce_scenario_load(s, &files, NULL, &err), 0);
    tce_stackfit_init(f);
    for (i = 0; i < 3; i++) {
        struct tce_megatronlog *log = fixture_log(names[i]);

        assert_int_equal(tce_stackfit_add_log(f, log, &s->topo, &s->job,
                                              &s->cm, 0,
                                              TCE_MEGATRONLOG_WARMUP, &err),
                         0);
        free(log);
    }
    assert_int_equal(f->n, 3);
    assert_int_equal(f->points[0].microbatches, 4);
    assert_int_equal(f->points[2].microbatches, 16);
    assert_int_equal(f->points[1].dp, 8);
    assert_int_equal(f->points[1].lines, 17);
    assert_int_equal(tce_stackfit_solve(f, &err), 0);
    assert_true(f->a > 0 && f->b > 0);
    for (i = 0; i < 3; i++)
        assert_close(f->points[i].fitted_s, f->points[i].measured_s, 0.005);
    free(f);
    free(s);
}

/* Written into a calibration, read back, charged by the projection. */
static void test_calibration_round_trip(void **state)
{
    struct tce_calibration *cal = calloc(1, sizeof(*cal));
    struct tce_calibration *back = calloc(1, sizeof(*back));
    struct tce_scenario *s = calloc(1, sizeof(*s));
    struct tce_scenario *s1 = calloc(1, sizeof(*s1));
    struct tce_stackfit f;
    struct tce_projection p0, p1;
    struct tce_stack st;
    struct tce_error err;
    char path[] = "/tmp/tcemu-stackfit-XXXXXX";
    int fd = mkstemp(path);
    FILE *fp;
    (void)state;

    assert_true(fd >= 0);
    tce_stackfit_init(&f);
    point(&f, 4, 1.6, 1.6 + 0.05 + 0.04, 1e-4);
    point(&f, 8, 3.1, 3.1 + 0.05 + 0.08, 1e-4);
    assert_int_equal(tce_stackfit_solve(&f, &err), 0);
    memset(&st, 0, sizeof(st));
    snprintf(st.framework, sizeof(st.framework), "Megatron-LM");
    st.attention_backend = TCE_ATTN_BACKEND_FLASH;
    snprintf(cal->date, sizeof(cal->date), "2026-11-28T10:00:00Z");
    tce_stackfit_overhead(&f, &st, 1, "two logs", cal->date,
                          &cal->stack_overhead);
    fp = fdopen(fd, "w");
    assert_int_equal(tce_calibration_write(cal, fp), 0);
    fclose(fp);
    assert_int_equal(tce_calibration_load(path, back, NULL), 0);
    unlink(path);
    assert_int_equal(back->n_links, 0);
    assert_int_equal(back->stack_overhead.points, 2);
    assert_close(back->stack_overhead.per_iteration_s, 0.05, 1e-8);
    assert_close(back->stack_overhead.per_microbatch_s, 0.01, 1e-8);
    assert_string_equal(back->stack_overhead.stack.framework, "Megatron-LM");
    assert_int_equal(back->stack_overhead.stack.attention_backend,
                     TCE_ATTN_BACKEND_FLASH);
    assert_int_equal(back->stack_overhead.use_flash_attn, 1);
    assert_string_equal(back->stack_overhead.fitted_from, "two logs");
    assert_int_equal(back->stack_overhead.microbatches_max, 8);
    /* the projection: + a + b m, in its own part */
    {
        struct tce_scenario_files files = {"topologies/aws-p5.cfg",
                                           FIX "llama3-8b-slice.cfg", NULL};

        assert_int_equal(tce_scenario_load(s, &files, NULL, &err), 0);
        assert_int_equal(tce_project(&s->topo, &s->job, &s->cm, 0, &p0, &err),
                         0);
        assert_int_equal(tce_scenario_init(s1, &s->topo, &s->job, back, &err),
                         0);
        assert_int_equal(
            tce_project(&s1->topo, &s1->job, &s1->cm, 0, &p1, &err), 0);
    }
    assert_int_equal(p1.layout.microbatches, 8);
    assert_close(p1.breakdown.stack_overhead_s, 0.05 + 0.08, 1e-7);
    assert_close(p1.iteration_s - p0.iteration_s, 0.13, 1e-7);
    assert_true(p0.breakdown.stack_overhead_s == 0.0);
    free(cal);
    free(back);
    free(s);
    free(s1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact),
        cmocka_unit_test(test_noisy),
        cmocka_unit_test(test_one_m),
        cmocka_unit_test(test_negative),
        cmocka_unit_test(test_job_and_stack_of_log),
        cmocka_unit_test(test_log_without_arguments),
        cmocka_unit_test(test_fixture_fit),
        cmocka_unit_test(test_calibration_round_trip),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
