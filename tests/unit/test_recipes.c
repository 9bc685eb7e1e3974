/*
 * test_recipes.c - the held-out references (recipes.h): the data file's
 * reader (header, quoted notes, every bad row with its line), the CSV
 * splitter it shares with the Megatron-Bridge reader (util.h), the shipped
 * references by name, and NeMo's llama FLOP count.
 */
#include "tce_test.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tcemu/recipes.h"
#include "tcemu/util.h"

#define HEADER                                                                 \
    "recipe,model,system,topology,job,gpus,tp,pp,cp,ep,mbs,gbs,seq,"          \
    "flops_count,published_tflops_per_gpu,source_line,notes\n"
#define ROW                                                                    \
    "qwen3_30b/h100/fp8_32GPU_TP1PP1EP8.yaml,qwen3-30b-a3b,H100,dgx-h100,"    \
    "d/q.cfg,32,1,1,2,8,1,256,4096,megatron-lm,232.4,139,"

static void test_csv_split(void **state)
{
    char line[] = "a,\"b, \"\"c\"\"\",,d";
    char bad[] = "a,\"open";
    char *f[8];
    (void)state;

    assert_int_equal(tce_csv_split(line, f, 8), 4);
    assert_string_equal(f[0], "a");
    assert_string_equal(f[1], "b, \"c\"");
    assert_string_equal(f[2], "");
    assert_string_equal(f[3], "d");
    assert_int_equal(tce_csv_split(bad, f, 8), -1);
}

static void test_read(void **state)
{
    struct tce_recipe_row rows[2];
    struct tce_error e;
    char *path;
    int n = 0;
    (void)state;

    path = tce_test_write_tmp("# source\n" HEADER ROW "\"paged stash, not modelled\"\n");
    assert_int_equal(tce_recipes_detect(path), 1);
    assert_int_equal(tce_recipes_read(path, rows, 2, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_string_equal(rows[0].model, "qwen3-30b-a3b");
    assert_string_equal(rows[0].topology, "dgx-h100");
    assert_string_equal(rows[0].job, "d/q.cfg");
    assert_int_equal(rows[0].gpus, 32);
    assert_int_equal(rows[0].cp, 2);
    assert_int_equal(rows[0].ep, 8);
    assert_int_equal(rows[0].flops, TCE_RECIPES_FLOPS_MEGATRON_LM);
    assert_int_equal(rows[0].gbs, 256);
    assert_int_equal(rows[0].seq, 4096);
    assert_true(rows[0].published_tflops == 232.4);
    assert_int_equal(rows[0].source_line, 139);
    assert_int_equal(rows[0].csv_line, 3);
    assert_string_equal(rows[0].notes, "paged stash, not modelled");
    unlink(path);
    free(path);
}

/* Each bad file: the error names the file and the line. */
static void test_errors(void **state)
{
    static const struct {
        const char *text, *want;
    } cases[] = {
        {"recipe,model\n" ROW "\n",
         ":1: error: not the held-out rows' header"},
        {HEADER "x,y,B200,dgx-b200,j.cfg,many,1,1,1,1,1,1,1,megatron-lm,1,1,\n",
         ":2: error: bad row: gpus: 'many' is not an integer"},
        {HEADER "x,y,B200,dgx-b200,j.cfg,8,1,1,1,1,1,1,1,megatron-lm,0,1,\n",
         ":2: error: bad row: published_tflops_per_gpu"},
        {HEADER "x,y,B200,dgx-b200,j.cfg,8,1,1,1,1,1,1,1,nemo,1,1,\n",
         ":2: error: bad row: flops_count: 'nemo' is not megatron-lm or "
         "nemo-llama"},
        {HEADER "x,y,B200,dgx-b200,j.cfg,8,1,1,1,1,1,1\n",
         ":2: error: bad row: expected 17 fields, got 12"},
        {HEADER ROW "\"open\n", ":2: error: unterminated quoted field"},
        {HEADER, "no data rows"},
    };
    struct tce_recipe_row rows[2];
    struct tce_error e;
    char where[TCE_ERROR_MSG_MAX + TCE_ERROR_PATH_MAX + 32], *path;
    size_t i;
    int n;
    (void)state;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        path = tce_test_write_tmp(cases[i].text);
        tce_error_clear(&e);
        assert_int_equal(tce_recipes_read(path, rows, 2, &n, &e), TCE_ECONFIG);
        /* as tce_error_print writes it: path:line: error: message */
        snprintf(where, sizeof(where), "%.*s:%d: error: %.*s",
                 (int)sizeof(e.file), e.file, e.line, (int)sizeof(e.msg),
                 e.msg);
        if (!strstr(where, cases[i].want))
            fail_msg("case %zu: %s", i, where);
        assert_int_equal(tce_recipes_detect(path), i > 0);
        unlink(path);
        free(path);
    }
}

static void test_too_many_rows(void **state)
{
    struct tce_recipe_row rows[1];
    struct tce_error e;
    char *path = tce_test_write_tmp(HEADER ROW "\n" ROW "\n");
    int n;
    (void)state;

    assert_int_equal(tce_recipes_read(path, rows, 1, &n, &e), TCE_ECONFIG);
    assert_non_null(strstr(e.msg, "more than 1 rows"));
    unlink(path);
    free(path);
}

/* The shipped references by their data file's base name; another file a
 * generic description. */
static void test_reference(void **state)
{
    (void)state;
    assert_string_equal(
        tce_recipes_reference("a/b/megatron-lm-moe-recipes.csv")->title,
        "Megatron-LM MoE recipes");
    assert_string_equal(tce_recipes_reference("nemo-long-sequence")->name,
                        "nemo-long-sequence");
    assert_string_equal(tce_recipes_reference("x/mine.csv")->name,
                        "held-out");
    assert_string_equal(tce_recipes_shipped[0], TCE_RECIPES_REFERENCE);
    assert_string_equal(tce_recipes_shipped[1], TCE_RECIPES_LONG_SEQUENCE);
    assert_null(tce_recipes_shipped[2]);
}

/* NeMo's llama3 formula for Llama 3 8B at 8,192 tokens, term by term:
 * 32 x 4096^2 x (12 + 12 x 8/32 + 18 x 14336/4096 + 12 x 8192/4096) +
 * 6 x 128256 x 4096; the attention term is the whole square (12 s h per
 * layer, twice the causal count). */
static void test_nemo_llama_flops(void **state)
{
    struct tce_model m;
    double want, causal_gap;
    (void)state;

    memset(&m, 0, sizeof(m));
    m.num_layers = 32;
    m.hidden_size = 4096;
    m.ffn_hidden_size = 14336;
    m.num_attention_heads = 32;
    m.num_query_groups = 8;
    m.vocab_size = 128256;
    want = 32.0 * 4096.0 * 4096.0 * (12.0 + 3.0 + 63.0 + 24.0) +
           6.0 * 128256.0 * 4096.0;
    assert_close(tce_recipes_nemo_llama_flops(&m, 8192), want, 1e-12);
    causal_gap = tce_recipes_nemo_llama_flops(&m, 16384) -
                 tce_recipes_nemo_llama_flops(&m, 8192);
    assert_close(causal_gap, 12.0 * 8192.0 * 4096.0 * 32.0, 1e-12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_split),
        cmocka_unit_test(test_read),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_too_many_rows),
        cmocka_unit_test(test_reference),
        cmocka_unit_test(test_nemo_llama_flops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
