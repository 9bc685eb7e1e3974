/*
 * test_bridge_flops.c - model FLOPs as Megatron-Bridge counts them
 * (bridge_flops.c) against values worked by hand from flop_utils.py's
 * formula: dense GQA (Llama 3 8B), MLA with dense leading layers and MTP
 * (DeepSeek-V3), sliding windows on alternate layers (GPT-OSS 120B), and
 * the vocabulary padded to 128 x TP.
 */
#include "tce_test.h"

#include <stdio.h>
#include <string.h>

#include "tcemu/bridge.h"
#include "tcemu/config.h"

static void test_counts(void **state)
{
    struct tce_bridge_row r;
    struct tce_bridge_arch a;
    struct tce_job j;
    (void)state;

    memset(&r, 0, sizeof(r));
    assert_int_equal(tce_job_load("jobs/llama3-8b.cfg", &j, NULL), 0);
    snprintf(r.model, sizeof(r.model), "LLAMA3_8B");
    tce_bridge_arch_of(&r, &j, &a);
    assert_close(tce_bridge_flops_per_token(&j.model, 8192, 1, &a),
                 51470401536.0, 1e-12);
    /* vocabulary 128,256 padded to 128 x 8 = 1,024: 129,024 (+768) */
    assert_close(tce_bridge_flops_per_token(&j.model, 8192, 8, &a) -
                     tce_bridge_flops_per_token(&j.model, 8192, 1, &a),
                 6.0 * 4096 * 768, 1e-9);

    assert_int_equal(tce_job_load("jobs/deepseek-v3.cfg", &j, NULL), 0);
    snprintf(r.model, sizeof(r.model), "DeepSeekV3");
    tce_bridge_arch_of(&r, &j, &a);
    assert_int_equal(a.mtp_num_layers, 1);
    assert_close(tce_bridge_flops_per_token(&j.model, 4096, 1, &a),
                 259992950784.0, 1e-12);

    assert_int_equal(tce_job_load("jobs/gpt-oss-120b.cfg", &j, NULL), 0);
    snprintf(r.model, sizeof(r.model), "GPT OSS 120B");
    tce_bridge_arch_of(&r, &j, &a);
    assert_close(tce_bridge_flops_per_token(&j.model, 4096, 1, &a),
                 32631261696.0, 1e-12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
