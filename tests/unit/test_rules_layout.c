/*
 * test_rules_layout.c - Megatron-LM's --pipeline-model-parallel-layout
 * (rules_layout.c): virtual stages and their decoder layers, repeats and
 * groups, the embedding and loss placement, syntax errors with their key.
 */
#include "tce_test.h"

#include <stdio.h>
#include <string.h>

#include "tcemu/rules.h"

static void assert_broken(int rc, const struct tce_error *e, const char *key,
                          const char *msg)
{
    assert_int_equal(rc, TCE_ECONFIG);
    assert_string_equal(e->key, key);
    assert_string_equal(e->msg, msg);
}

/* Parsing, repeats, groups, separators, and the refusals. */
static void test_parse(void **state)
{
    struct tce_parallel p;
    struct tce_error e;
    (void)state;

    memset(&p, 0, sizeof(p));
    assert_int_equal(tce_rule_parse_pipeline_layout(&p, &e), 0);
    assert_int_equal(p.pipeline_layout_stages, 0);
    snprintf(p.pipeline_model_parallel_layout,
             sizeof(p.pipeline_model_parallel_layout), "Et*8|(t*8|)*6t*5mL");
    assert_int_equal(tce_rule_parse_pipeline_layout(&p, &e), 0);
    assert_int_equal(p.pipeline_layout_stages, 8);
    assert_int_equal(p.pipeline_layout_layers[0], 8);
    assert_int_equal(p.pipeline_layout_layers[6], 8);
    assert_int_equal(p.pipeline_layout_layers[7], 5);
    snprintf(p.pipeline_model_parallel_layout,
             sizeof(p.pipeline_model_parallel_layout), "E, tt | (tt|)*2 t L");
    assert_int_equal(tce_rule_parse_pipeline_layout(&p, &e), 0);
    assert_int_equal(p.pipeline_layout_stages, 4);
    assert_int_equal(p.pipeline_layout_layers[3], 1);
    snprintf(p.pipeline_model_parallel_layout,
             sizeof(p.pipeline_model_parallel_layout), "t*4|Et*4L");
    assert_broken(tce_rule_parse_pipeline_layout(&p, &e), &e,
                  "parallel.pipeline_model_parallel_layout",
                  "the embedding E must be in the first virtual stage and "
                  "the loss L in the last, once each");
    assert_int_equal(p.pipeline_layout_stages, -1);
    snprintf(p.pipeline_model_parallel_layout,
             sizeof(p.pipeline_model_parallel_layout), "Et|(t|L");
    assert_int_equal(tce_rule_parse_pipeline_layout(&p, &e), TCE_ECONFIG);
    assert_string_equal(e.msg, "unbalanced '('");
    snprintf(p.pipeline_model_parallel_layout,
             sizeof(p.pipeline_model_parallel_layout), "Et*x|L");
    assert_int_equal(tce_rule_parse_pipeline_layout(&p, &e), TCE_ECONFIG);
    snprintf(p.pipeline_model_parallel_layout,
             sizeof(p.pipeline_model_parallel_layout), "Ext|L");
    assert_int_equal(tce_rule_parse_pipeline_layout(&p, &e), TCE_ECONFIG);
}

static void test_text(void **state)
{
    int16_t layers[TCE_PIPELINE_LAYOUT_MAX];
    int64_t n = 0;
    const char *why = NULL;
    (void)state;

    assert_int_equal(tce_rule_parse_layout_text("Et*16|t*16|t*16|t*13mL", &n,
                                                layers, &why),
                     0);
    assert_int_equal(n, 4);
    assert_int_equal(layers[3], 13);
    assert_int_equal(tce_rule_parse_layout_text("(Et|)*2L", &n, layers, &why),
                     TCE_ECONFIG);
    assert_non_null(why);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_text),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
