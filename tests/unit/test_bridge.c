/*
 * test_bridge.c - Megatron-Bridge's published rows (bridge.h): reading
 * (quoted fields, n/a, absent columns), the precision and topology maps,
 * the selection and its reasons, the layout put on a job, and the FLOP
 * count against values worked by hand from flop_utils.py's formula.
 */
#include "tce_test.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tcemu/bridge.h"
#include "tcemu/bridge_recipe.h"
#include "tcemu/config.h"
#include "tcemu/validation.h"

#define HEADER                                                                 \
    "release,release_date,source_file,source_line,task,model,model_key,moe,"  \
    "system,generation,gpus,precision,global_batch,micro_batch,seq_length,"   \
    "fsdp,tp,pp,cp,vp,ep,ga,tokens_per_s_per_gpu,model_tflops_per_gpu,"        \
    "variant,notes\n"

static void test_read(void **state)
{
    struct tce_bridge_row rows[4];
    struct tce_error e;
    char *path;
    int n = 0;
    (void)state;

    path = tce_test_write_tmp("# comment\n" HEADER
                     "26.08 NeMo Container,2026-08-11,docs/performance-"
                     "summary.md,45,pretrain,DeepSeekV3,deepseek-v3,1,"
                     "DGX-GB300,Blackwell Ultra,256,MXFP8,4096,1,4096,,1,2,1,"
                     "8,32,,6288,1635,primary,\"MoE: routing, \"\"balanced\"\"\"\n"
                     "26.08 NeMo Container,2026-08-11,docs/x.md,46,pretrain,"
                     "LLAMA3_8B,llama3-8b,0,DGX-H100,Hopper,8,FP8-CS,128,2,"
                     "8192,0,1,1,1,n/a,1,,14000,720,primary,\n");
    assert_int_equal(tce_bridge_detect(path), 1);
    assert_int_equal(tce_bridge_read(path, rows, 4, &n, &e), 0);
    assert_int_equal(n, 2);
    assert_string_equal(rows[0].release, "26.08 NeMo Container");
    assert_int_equal(rows[0].source_line, 45);
    assert_int_equal(rows[0].csv_line, 3);
    assert_int_equal(rows[0].moe, 1);
    assert_int_equal(rows[0].fsdp, -1);
    assert_int_equal(rows[0].vp, 8);
    assert_int_equal(rows[0].ep, 32);
    assert_string_equal(rows[0].notes, "MoE: routing, \"balanced\"");
    assert_close(rows[0].published_tflops, 1635.0, 0.0);
    assert_int_equal(rows[1].vp, 1);
    assert_int_equal(rows[1].fsdp, 0);
    assert_string_equal(rows[1].generation, "Hopper");
    /* too many rows, a broken quote, the SC21 header */
    assert_int_equal(tce_bridge_read(path, rows, 1, &n, &e), TCE_ECONFIG);
    unlink(path);
    free(path);
    path = tce_test_write_tmp(HEADER "26.08,d,f,1,pretrain,\"M,k,0,S,G,8,BF16\n");
    assert_int_equal(tce_bridge_read(path, rows, 4, &n, &e), TCE_ECONFIG);
    assert_non_null(strstr(e.msg, "unterminated"));
    unlink(path);
    free(path);
    path = tce_test_write_tmp("params_billion,attention_heads\n1.7,24\n");
    assert_int_equal(tce_bridge_detect(path), 0);
    assert_int_equal(tce_bridge_read(path, rows, 4, &n, &e), TCE_ECONFIG);
    unlink(path);
    free(path);
}

static void test_maps(void **state)
{
    enum tce_precision p;
    const char *recipe, *why;
    (void)state;

    assert_string_equal(tce_bridge_topology("DGX-H100"), "dgx-h100");
    assert_string_equal(tce_bridge_topology("DGX-GB200"), "gb200-nvl72");
    assert_string_equal(tce_bridge_topology("DGX-GB300"), "gb300-nvl72");
    assert_null(tce_bridge_topology("DGX-A100"));
    assert_int_equal(tce_bridge_precision("BF16", &p, &recipe, &why), 0);
    assert_int_equal(p, TCE_PRECISION_BF16);
    assert_int_equal(tce_bridge_precision("FP8-CS", &p, &recipe, &why), 0);
    assert_int_equal(p, TCE_PRECISION_FP8);
    assert_string_equal(recipe, "tensorwise");
    assert_int_equal(tce_bridge_precision("MXFP8", &p, &recipe, &why), 0);
    assert_string_equal(recipe, "mxfp8");
    assert_int_equal(tce_bridge_precision("FP8-MX", &p, &recipe, &why), 0);
    assert_string_equal(recipe, "mxfp8");
    assert_int_equal(tce_bridge_precision("NVFP4", &p, &recipe, &why), -1);
    assert_non_null(strstr(why, "NVFP4"));
    assert_int_equal(tce_bridge_precision("", &p, &recipe, &why), 0);
    assert_int_equal(p, TCE_PRECISION_FP8);
    assert_string_equal(recipe, "unstated");
    {
        struct tce_bridge_row row;
        enum tce_fp8_recipe fr = TCE_FP8_DELAYED;

        memset(&row, 0, sizeof(row));
        row.fp8_recipe = "";
        assert_int_equal(tce_bridge_fp8_recipe(&row, &fr), 0);
        row.fp8_recipe = "unstated";
        assert_int_equal(tce_bridge_fp8_recipe(&row, &fr), 1);
        assert_int_equal(fr, TCE_FP8_TENSORWISE);
        row.fp8_recipe = "mxfp8";
        assert_int_equal(tce_bridge_fp8_recipe(&row, &fr), 1);
        assert_int_equal(fr, TCE_FP8_MXFP8);
    }
    assert_int_equal(tce_bridge_generation_index("Blackwell Ultra"), 2);
    assert_int_equal(tce_bridge_generation_index("Volta"), -1);
}

static void row(struct tce_bridge_row *r, const char *release,
                const char *date, const char *key, const char *system,
                const char *precision, int moe)
{
    memset(r, 0, sizeof(*r));
    snprintf(r->release, sizeof(r->release), "%s NeMo Container", release);
    snprintf(r->release_date, sizeof(r->release_date), "%s", date);
    snprintf(r->source_file, sizeof(r->source_file), "docs/x.md");
    snprintf(r->task, sizeof(r->task), "pretrain");
    snprintf(r->model, sizeof(r->model), "%s", key);
    snprintf(r->model_key, sizeof(r->model_key), "%s", key);
    snprintf(r->system, sizeof(r->system), "%s", system);
    snprintf(r->precision, sizeof(r->precision), "%s", precision);
    r->moe = moe;
    r->gpus = 64;
    r->global_batch = 256;
    r->micro_batch = 1;
    r->seq_length = 8192;
    r->fsdp = -1;
    r->tp = r->pp = r->cp = r->vp = r->ep = 1;
    r->published_tokens = r->published_tflops = 1.0;
}

static void test_select(void **state)
{
    struct tce_bridge_row r[17];
    (void)state;

    row(&r[0], "26.06", "2026-06-01", "llama3-70b", "DGX-GB200", "MXFP8", 0);
    row(&r[1], "25.11", "2025-11-01", "llama3-70b", "DGX-GB200", "FP8-MX", 0);
    r[1].fsdp = 0; /* no FSDP column and FSDP 0 are both DDP */
    row(&r[2], "25.11", "2025-11-01", "llama3-70b", "DGX-GB200", "FP8-CS", 0);
    row(&r[3], "26.06", "2026-06-01", "llama3-70b", "DGX-GB200", "NVFP4", 0);
    row(&r[4], "26.06", "2026-06-01", "llama3-70b", "DGX-H100", "FP8", 0);
    snprintf(r[4].task, sizeof(r[4].task), "sft");
    row(&r[5], "26.06", "2026-06-01", "nemotron-3-nano", "DGX-GB200",
        "MXFP8", 1);
    row(&r[6], "26.06.01", "2026-07-01", "gpt-oss-120b", "DGX-GB200", "BF16",
        1);
    row(&r[7], "26.04", "2026-04-01", "qwen3-30b-a3b", "DGX-H100", "FP8", 1);
    row(&r[8], "26.06", "2026-06-01", "qwen3-30b-a3b", "DGX-H100", "FP8", 1);
    row(&r[9], "26.06", "2026-06-01", "llama3-8b", "DGX-A100", "BF16", 0);
    /* published layout against the release's recipe: 25.11 only */
    row(&r[10], "25.11", "2025-12-04", "qwen3-30b-a3b", "DGX-H100", "FP8-CS",
        1);
    row(&r[11], "25.09", "2025-10-10", "qwen3-30b-a3b", "DGX-H100", "", 1);
    /* 25.09 states no precision: the parenthesised figure of a B200 /
     * GB200 row is MXFP8, the primary current scaling */
    row(&r[12], "25.09", "2025-10-10", "llama3-8b", "DGX-B200", "", 0);
    row(&r[13], "25.09", "2025-10-10", "llama3-8b", "DGX-B200", "", 0);
    snprintf(r[13].variant, sizeof(r[13].variant), "parenthesised");
    /* host (issue 11): Qwen3 30B on B200 at MBS 1 is no longer known-bad
     * (the host's launches explain its 214-223 TFLOP/s) */
    row(&r[14], "25.11", "2025-12-04", "qwen3-30b-a3b", "DGX-B200", "FP8-MX",
        1);
    r[14].micro_batch = 1;
    /* host (issue 11): 26.02 Qwen3 30B on H100 (PP 2 VP 12 with the EP
     * overlap, as its recipe) is projected; 26.02.01's row with that
     * layout ran its recipe's EP 16 */
    row(&r[15], "26.02", "2026-02-26", "qwen3-30b-a3b", "DGX-H100", "FP8",
        1);
    row(&r[16], "26.02.01", "2026-03-21", "qwen3-30b-a3b", "DGX-H100", "FP8",
        1);
    tce_bridge_select(r, 17);
    assert_true(r[0].selected);
    assert_string_equal(r[0].topology, "gb200-nvl72");
    assert_string_equal(r[0].fp8_recipe, "mxfp8");
    assert_false(r[1].selected);
    assert_non_null(strstr(r[1].reason, "superseded"));
    assert_non_null(strstr(r[1].reason, "26.06"));
    assert_true(r[2].selected); /* another recipe */
    assert_false(r[3].selected);
    assert_non_null(strstr(r[3].reason, "NVFP4"));
    assert_false(r[4].selected);
    assert_non_null(strstr(r[4].reason, "sft"));
    assert_false(r[5].selected);
    assert_non_null(strstr(r[5].reason, "Mamba"));
    assert_false(r[6].selected);
    assert_non_null(strstr(r[6].reason, "known-bad"));
    /* MoE on H100 and B200: every release */
    assert_true(r[7].selected);
    assert_true(r[8].selected);
    assert_false(r[9].selected);
    assert_non_null(strstr(r[9].reason, "no tcemu topology"));
    assert_false(r[10].selected);
    assert_non_null(strstr(r[10].reason, "known-bad"));
    assert_non_null(strstr(r[10].reason, "recipe"));
    assert_true(r[11].selected);
    assert_string_equal(r[12].fp8_recipe, "unstated");
    assert_string_equal(r[13].fp8_recipe, "mxfp8");
    assert_true(r[14].selected);
    assert_true(r[15].selected);
    assert_false(r[16].selected);
    assert_non_null(strstr(r[16].reason, "known-bad"));
    assert_non_null(strstr(r[16].reason, "EP 16"));
}

/* Set one text field of r (field of size bytes) and apply r to j again. */
static void reapply(struct tce_bridge_row *r, char *field, size_t size,
                    const char *value, struct tce_job *j)
{
    struct tce_error e;

    snprintf(field, size, "%s", value);
    assert_int_equal(tce_bridge_apply(r, j, &e), 0);
}

static void test_apply_and_flops(void **state)
{
    struct tce_bridge_row r;
    struct tce_bridge_arch a;
    struct tce_job j;
    struct tce_error e;
    (void)state;

    /* llama3-8b, 8192 tokens, TP 1: 51,470,401,536 FLOPs per token (the
     * formula by hand; Megatron-Bridge's published ratio for this model
     * is 1.000 of it) */
    assert_int_equal(tce_job_load("jobs/llama3-8b.cfg", &j, NULL), 0);
    row(&r, "26.06", "2026-06-01", "llama3-8b", "DGX-H100", "FP8-CS", 0);
    r.gpus = 8;
    r.tp = 2;
    r.global_batch = 128;
    r.micro_batch = 2;
    assert_int_equal(tce_bridge_apply(&r, &j, &e), 0);
    assert_int_equal(j.parallel.num_gpus, 8);
    assert_int_equal(j.parallel.tensor_model_parallel_size, 2);
    assert_int_equal(j.parallel.context_parallel_size, 1);
    assert_true(j.parallel.sequence_parallel);
    assert_int_equal(j.training.micro_batch_size, 2);
    assert_int_equal(j.training.precision, TCE_PRECISION_FP8);
    /* memory (issue 11): the FP8 presets keep the weights in FP8 */
    assert_true(j.training.fp8_param_gather);
    reapply(&r, r.precision, sizeof(r.precision), "BF16", &j);
    assert_false(j.training.fp8_param_gather);
    reapply(&r, r.precision, sizeof(r.precision), "FP8-CS", &j);
    tce_bridge_arch_of(&r, &j, &a);
    assert_int_equal(a.mtp_num_layers, 0);
    assert_close(tce_bridge_flops_per_token(&j.model, 8192, 1, &a),
                 51470401536.0, 1e-12);
    /* a layout the rules reject, and FSDP */
    r.tp = 3;
    assert_int_equal(tce_bridge_apply(&r, &j, &e), TCE_ECONFIG);
    assert_non_null(strstr(e.msg, "tensor"));
    /* fitd: FSDP is Megatron-FSDP over DP x CP (the column is that
     * group's size), with the dense recipe's settings */
    r.tp = 1;
    r.fsdp = 8;
    assert_int_equal(tce_bridge_apply(&r, &j, &e), 0);
    assert_true(j.parallel.use_megatron_fsdp);
    assert_int_equal(j.parallel.data_parallel_sharding_strategy,
                     TCE_DP_SHARD_OPTIM_GRADS_PARAMS);
    assert_int_equal(j.training.recompute_granularity, TCE_RECOMPUTE_NONE);
    assert_false(j.training.tp_comm_overlap);
    assert_int_equal(j.training.cpu_offloading_num_layers, 0);
    r.fsdp = 4;
    assert_int_equal(tce_bridge_apply(&r, &j, &e), TCE_ECONFIG);
    assert_non_null(strstr(e.msg, "FSDP"));
    /* 70B on GB200 FP8-CS with FSDP 64: the recipe offloads 40 layers;
     * TP 2 rows run TP overlap (userbuffers) */
    assert_int_equal(tce_job_load("jobs/llama3-70b.cfg", &j, NULL), 0);
    row(&r, "25.11", "2025-11-01", "llama3-70b", "DGX-GB200", "FP8-CS", 0);
    r.fp8_recipe = "tensorwise";
    r.gpus = 64;
    r.fsdp = 64;
    r.global_batch = 256;
    r.micro_batch = 2;
    assert_int_equal(tce_bridge_apply(&r, &j, &e), 0);
    assert_int_equal(j.training.cpu_offloading_num_layers, 40);
    /* FSDP in 25.11 .. 26.06: llama3_llm_pretrain.py turns gradient
     * accumulation fusion off; 25.09 and 26.08 keep it on, as does DDP */
    assert_false(j.training.gradient_accumulation_fusion);
    reapply(&r, r.release_date, sizeof(r.release_date), "2025-10-10", &j);
    assert_true(j.training.gradient_accumulation_fusion);
    reapply(&r, r.release_date, sizeof(r.release_date), "2026-08-11", &j);
    assert_true(j.training.gradient_accumulation_fusion);
    reapply(&r, r.release_date, sizeof(r.release_date), "2025-11-01", &j);
    assert_false(j.training.gradient_accumulation_fusion);
    assert_false(j.training.accumulate_allreduce_grads_in_fp32);
    assert_close(j.training.hidden_dropout, 0.0, 0.0);
    assert_int_equal(j.training.fp8_recipe, TCE_FP8_TENSORWISE);
    assert_false(j.training.enable_cuda_graph);
    r.fsdp = -1;
    r.tp = 2;
    r.pp = 4;
    r.micro_batch = 1;
    assert_int_equal(tce_bridge_apply(&r, &j, &e), 0);
    assert_true(j.training.tp_comm_overlap);
    assert_true(j.training.gradient_accumulation_fusion); /* DDP */

    /* DeepSeek-V3 (MLA, 3 dense layers, one MTP layer; none "w/o MTP") */
    assert_int_equal(tce_job_load("jobs/deepseek-v3.cfg", &j, NULL), 0);
    row(&r, "26.06", "2026-06-01", "deepseek-v3", "DGX-GB200", "MXFP8", 1);
    tce_bridge_arch_of(&r, &j, &a);
    assert_int_equal(a.mtp_num_layers, 1);
    assert_close(tce_bridge_flops_per_token(&j.model, 4096, 1, &a),
                 259992950784.0, 1e-12);
    snprintf(r.model, sizeof(r.model), "DeepSeekV3 (w/o MTP)");
    /* the row's recipe takes the MTP layer off the job; the count follows */
    assert_int_equal(tce_bridge_recipe_moe(&r, &j, &e), 0);
    tce_bridge_arch_of(&r, &j, &a);
    assert_int_equal(a.mtp_num_layers, 0);
    assert_close(tce_bridge_flops_per_token(&j.model, 4096, 1, &a),
                 249812054016.0, 1e-12);

    /* Megatron-Bridge's DeepSeek-V3 recipe: the layout by virtual stages,
     * expert tensor parallel 1 */
    assert_int_equal(tce_job_load("jobs/deepseek-v3.cfg", &j, NULL), 0);
    row(&r, "26.08", "2026-08-11", "deepseek-v3", "DGX-GB200", "MXFP8", 1);
    snprintf(r.model, sizeof(r.model), "DeepSeekV3");
    r.gpus = 256;
    r.global_batch = 4096;
    r.seq_length = 4096;
    r.pp = 4;
    r.vp = 4;
    r.ep = 64;
    assert_int_equal(tce_bridge_apply(&r, &j, &e), 0);
    assert_string_equal(j.parallel.pipeline_model_parallel_layout,
                        "Et*4|(t*4|)*14t*1mL");
    assert_int_equal(j.parallel.pipeline_layout_stages, 16);
    assert_int_equal(j.parallel.expert_tensor_parallel_size, 1);
    r.pp = 8;
    r.vp = 1;
    r.ep = 32;
    snprintf(r.model, sizeof(r.model), "DeepSeekV3 (w/o MTP)");
    assert_int_equal(tce_bridge_apply(&r, &j, &e), 0);
    assert_string_equal(j.parallel.pipeline_model_parallel_layout,
                        "Et*8|(t*8|)*6t*5L");
    r.vp = 4;
    assert_int_equal(tce_bridge_apply(&r, &j, &e), TCE_ECONFIG);
    assert_non_null(strstr(e.msg, "32 virtual stages"));

    /* GPT-OSS 120B: window (128, 0) on every other layer */
    assert_int_equal(tce_job_load("jobs/gpt-oss-120b.cfg", &j, NULL), 0);
    row(&r, "26.06", "2026-06-01", "gpt-oss-120b", "DGX-GB200", "BF16", 1);
    tce_bridge_arch_of(&r, &j, &a);
    assert_int_equal(a.window_left, 128);
    assert_int_equal(a.window_attn_skip_freq, 2);
    assert_close(tce_bridge_flops_per_token(&j.model, 4096, 1, &a),
                 32631261696.0, 1e-12);
}

static void test_summary(void **state)
{
    struct tce_bridge_row r[3];
    struct tce_bridge_summary s;
    (void)state;

    row(&r[0], "26.06", "2026-06-01", "a", "DGX-H100", "FP8", 0);
    row(&r[1], "26.06", "2026-06-01", "b", "DGX-GB200", "FP8", 1);
    row(&r[2], "26.06", "2026-06-01", "c", "DGX-GB200", "FP8", 1);
    snprintf(r[0].generation, sizeof(r[0].generation), "Hopper");
    snprintf(r[1].generation, sizeof(r[1].generation), "Blackwell");
    snprintf(r[2].generation, sizeof(r[2].generation), "Blackwell");
    r[0].selected = r[1].selected = r[2].selected = 1;
    r[0].projected = r[1].projected = 1;
    r[0].error = 0.1;
    r[1].error = -0.3;
    r[0].proj.fits_memory = 1;
    tce_bridge_summarise(r, 3, &s);
    assert_int_equal(s.selected, 3);
    assert_int_equal(s.projected, 2);
    assert_int_equal(s.generations, 2);
    assert_close(s.all.mean_abs_error, 0.2, 1e-12);
    assert_close(s.all.worst_abs_error, 0.3, 1e-12);
    assert_int_equal(s.all.worst_row, 1);
    assert_int_equal(s.all.fit, 1);
    assert_int_equal(s.group[1][1].rows, 1);
    assert_int_equal(s.group[0][0].rows, 1);
}

/* Per-term validation (validation.h): hand values, then the shipped rows
 * for H100 MoE, A100 dense and an accelerator without published rows. */
static void test_terms(void **state)
{
    struct tce_validation_terms v;
    struct tce_breakdown b;
    struct tce_topology t;
    struct tce_job j;
    int k;
    (void)state;

    memset(&v, 0, sizeof(v));
    for (k = 0; k < TCE_PART_COUNT; k++)
        v.rel[k] = -1.0;
    memset(&b, 0, sizeof(b));
    b.compute_s = 9.0;
    b.pp_bubble_s = 0.6;  /* 6%: matters */
    b.dp_exposed_s = 0.4; /* 4%: does not */
    tce_validation_terms_add(&v, -0.2, &b, 10.0);
    b.pp_bubble_s = 0.0;
    tce_validation_terms_add(&v, 0.1, &b, 9.4);
    assert_int_equal(v.rows, 2);
    assert_close(v.worst, 0.2, 1e-12);
    assert_close(v.rel[TCE_PART_COMPUTE], 0.2, 1e-12);
    assert_int_equal(v.part_rows[TCE_PART_COMPUTE], 2);
    assert_close(v.rel[TCE_PART_PP_BUBBLE], 0.2, 1e-12);
    assert_int_equal(v.part_rows[TCE_PART_PP_BUBBLE], 1);
    assert_true(v.rel[TCE_PART_DP] < 0);

    assert_int_equal(tce_topology_load("topologies/dgx-h100.cfg", &t, NULL),
                     0);
    assert_int_equal(tce_job_load("jobs/qwen3-235b-a22b.cfg", &j, NULL), 0);
    assert_int_equal(tce_validation_terms_for(&t, &j, &v), 0);
    assert_true(v.rows >= 6);
    assert_true(v.rel[TCE_PART_COMPUTE] >= 0.0);
    assert_int_equal(v.part_rows[TCE_PART_COMPUTE], v.rows);
    assert_non_null(strstr(v.source, "Megatron-Bridge, H100 MoE"));
    assert_int_equal(tce_topology_load("topologies/dgx-a100-80gb.cfg", &t,
                                       NULL),
                     0);
    assert_int_equal(tce_job_load("jobs/megatron-sc21-1.7b.cfg", &j, NULL), 0);
    assert_int_equal(tce_validation_terms_for(&t, &j, &v), 0);
    assert_int_equal(v.rows, 5);
    assert_true(v.worst < 0.05);
    assert_int_equal(tce_topology_load("topologies/aws-trn2.cfg", &t, NULL),
                     0);
    assert_int_equal(tce_validation_terms_for(&t, &j, &v), 0);
    assert_int_equal(v.rows, 0);
    for (k = 0; k < TCE_PART_COUNT; k++)
        assert_true(v.rel[k] < 0);
    assert_non_null(strstr(v.source, "no published"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read),
        cmocka_unit_test(test_maps),
        cmocka_unit_test(test_select),
        cmocka_unit_test(test_apply_and_flops),
        cmocka_unit_test(test_summary),
        cmocka_unit_test(test_terms),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
