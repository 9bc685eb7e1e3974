/* test_stack.c - a training stack: described, compared field by field
 * (unspecified compares nothing), the compute table's stack as a stack,
 * and a measured stack overhead charged per iteration and microbatch. */
#include "tce_test.h"

#include <string.h>

#include "tcemu/stack.h"

static void megatron(struct tce_stack *s)
{
    memset(s, 0, sizeof(*s));
    snprintf(s->framework, sizeof(s->framework), "Megatron-LM");
    snprintf(s->framework_version, sizeof(s->framework_version),
             "core_r0.14.0");
    s->attention_backend = TCE_ATTN_BACKEND_FLASH;
}

static void test_describe(void **state)
{
    struct tce_stack s;
    char buf[256];
    (void)state;

    memset(&s, 0, sizeof(s));
    tce_stack_describe(&s, 1, buf, sizeof(buf));
    assert_string_equal(buf, "unspecified");
    snprintf(s.framework, sizeof(s.framework), "Unspecified");
    assert_int_equal(tce_stack_specified(&s), 0);
    megatron(&s);
    assert_int_equal(tce_stack_specified(&s), 1);
    tce_stack_describe(&s, 1, buf, sizeof(buf));
    assert_string_equal(buf, "Megatron-LM core_r0.14.0, fused attention "
                             "(backend flash), no CUDA graphs, no FP8");
    s.cuda_graphs = 1;
    snprintf(s.fp8_recipe, sizeof(s.fp8_recipe), "tensorwise");
    s.attention_backend = TCE_ATTN_BACKEND_UNSPECIFIED;
    tce_stack_describe(&s, 0, buf, sizeof(buf));
    assert_string_equal(buf, "Megatron-LM core_r0.14.0, unfused attention, "
                             "with CUDA graphs, FP8 recipe tensorwise");
}

static void test_diff(void **state)
{
    struct tce_stack a, b, none;
    char buf[256];
    (void)state;

    megatron(&a);
    megatron(&b);
    memset(&none, 0, sizeof(none));
    assert_int_equal(tce_stack_diff(&a, 1, &b, 1, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "");
    /* framework case-insensitive; a version or backend one side leaves
     * unsaid is not compared */
    snprintf(b.framework, sizeof(b.framework), "megatron-lm");
    b.framework_version[0] = '\0';
    b.attention_backend = TCE_ATTN_BACKEND_UNSPECIFIED;
    assert_int_equal(tce_stack_diff(&a, 1, &b, 1, buf, sizeof(buf)), 0);
    /* each differing field named, job side first */
    megatron(&b);
    snprintf(b.framework_version, sizeof(b.framework_version),
             "core_r0.13.0");
    b.attention_backend = TCE_ATTN_BACKEND_FUSED;
    b.cuda_graphs = 1;
    snprintf(b.fp8_recipe, sizeof(b.fp8_recipe), "delayed");
    assert_int_equal(tce_stack_diff(&a, 1, &b, 0, buf, sizeof(buf)), 5);
    assert_string_equal(buf, "framework_version core_r0.14.0 / core_r0.13.0, "
                             "attention_backend flash / fused, fused "
                             "attention yes / no, cuda_graphs no / yes, "
                             "fp8_recipe \"\" / \"delayed\"");
    /* unspecified on either side: nothing compared */
    assert_int_equal(tce_stack_diff(&none, 1, &b, 0, buf, sizeof(buf)), 0);
    assert_int_equal(tce_stack_diff(&a, 1, &none, 0, NULL, 0), 0);
}

static void test_from_table(void **state)
{
    struct tce_computetable_stack t;
    struct tce_stack s;
    int flash = 0;
    (void)state;

    memset(&t, 0, sizeof(t));
    snprintf(t.framework, sizeof(t.framework), "PyTorch");
    snprintf(t.framework_version, sizeof(t.framework_version), "2.11.0");
    t.flash_attention = 1;
    t.cuda_graphs = 1;
    tce_stack_from_table(&t, &s, &flash);
    assert_string_equal(s.framework, "PyTorch");
    assert_string_equal(s.framework_version, "2.11.0");
    assert_int_equal(s.attention_backend, TCE_ATTN_BACKEND_UNSPECIFIED);
    assert_int_equal(s.cuda_graphs, 1);
    assert_int_equal(flash, 1);
}

static void test_overhead(void **state)
{
    struct tce_stack_overhead o;
    struct tce_breakdown b;
    (void)state;

    memset(&o, 0, sizeof(o));
    memset(&b, 0, sizeof(b));
    o.per_iteration_s = 0.05;
    o.per_microbatch_s = 0.01;
    /* absent (no points): nothing charged */
    assert_int_equal(tce_stack_overhead_present(&o), 0);
    assert_true(tce_stack_overhead_s(&o, 8) == 0.0);
    assert_int_equal(tce_stack_overhead_present(NULL), 0);
    o.points = 3;
    assert_close(tce_stack_overhead_s(&o, 8), 0.05 + 0.08, 1e-12);
    assert_close(tce_stack_overhead_apply(&o, 32, &b), 0.05 + 0.32, 1e-12);
    assert_close(b.stack_overhead_s, 0.37, 1e-12);
    assert_close(tce_breakdown_get(&b, TCE_PART_STACK), 0.37, 1e-12);
    assert_string_equal(tce_breakdown_part(TCE_PART_STACK)->json,
                        "stack_overhead");
    assert_int_equal(tce_breakdown_part(TCE_PART_STACK)->charge,
                     TCE_CHARGE_NONE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_describe),
        cmocka_unit_test(test_diff),
        cmocka_unit_test(test_from_table),
        cmocka_unit_test(test_overhead),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
