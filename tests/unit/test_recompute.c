/*
 * test_recompute.c - Megatron-LM's --recompute-modules names (recompute.h).
 */
#include "tce_test.h"

#include <string.h>

#include "tcemu/recompute.h"

static void test_parse(void **state)
{
    struct tce_error err;
    unsigned m = 99;

    (void)state;
    assert_int_equal(tce_recompute_parse("", &m, &err), 0);
    assert_int_equal(m, 0);
    assert_int_equal(tce_recompute_parse("mla_up_proj, mlp", &m, &err), 0);
    assert_int_equal(m, TCE_RC_MLA_UP_PROJ | TCE_RC_MLP);
    assert_int_equal(tce_recompute_parse("layernorm,moe_act", &m, &err), 0);
    assert_int_equal(m, TCE_RC_LAYERNORM | TCE_RC_MOE_ACT);
    assert_int_equal(tce_recompute_parse("core_attn,moe,shared_experts", &m,
                                         &err),
                     0);
    assert_int_equal(m, TCE_RC_CORE_ATTN | TCE_RC_MOE |
                            TCE_RC_SHARED_EXPERTS);
    /* a prefix of a name is not the name */
    assert_int_equal(tce_recompute_parse("mlp,moe_ac", &m, &err),
                     TCE_ECONFIG);
    assert_non_null(strstr(err.msg, "'moe_ac'"));
}

static void test_set_and_effective(void **state)
{
    struct tce_training t;
    struct tce_error err;

    (void)state;
    memset(&t, 0, sizeof(t));
    assert_int_equal(tce_recompute_set(&t, "mla_up_proj", &err), 0);
    assert_string_equal(t.recompute_modules, "mla_up_proj");
    /* only under selective granularity */
    t.recompute_granularity = TCE_RECOMPUTE_NONE;
    assert_int_equal(tce_recompute_modules_of(&t), 0);
    t.recompute_granularity = TCE_RECOMPUTE_FULL;
    assert_int_equal(tce_recompute_modules_of(&t), 0);
    t.recompute_granularity = TCE_RECOMPUTE_SELECTIVE;
    assert_int_equal(tce_recompute_modules_of(&t), TCE_RC_MLA_UP_PROJ);
    /* an empty list is Megatron's default, core_attn */
    assert_int_equal(tce_recompute_set(&t, "", &err), 0);
    assert_int_equal(tce_recompute_modules_of(&t), TCE_RC_CORE_ATTN);
    /* a bad list leaves t as it was */
    assert_int_equal(tce_recompute_set(&t, "attn", &err), TCE_ECONFIG);
    assert_string_equal(t.recompute_modules, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_set_and_effective),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
