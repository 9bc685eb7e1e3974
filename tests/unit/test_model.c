/* test_model.c - parameter counts of published models, FLOPs against
 * Megatron's formulas, memory per accelerator against hand computations. */
#include "tce_test.h"

#include <string.h>

#include "tcemu/layout.h"
#include "tcemu/model.h"
#include "tcemu/util.h"

/* A dense GPT/Llama-style model (kv_channels = h / heads; g, f 0: the
 * schema's derived defaults). */
static struct tce_model dense(int64_t l, int64_t h, int64_t a, int64_t g,
                              int64_t f, int64_t s, int64_t V, int swiglu,
                              int untied)
{
    struct tce_job j;
    struct tce_model m;

    tce_job_defaults(&j);
    m = j.model;
    m.num_layers = l;
    m.hidden_size = h;
    m.num_attention_heads = a;
    m.num_query_groups = g;
    m.ffn_hidden_size = f;
    m.seq_length = s;
    m.vocab_size = V;
    m.swiglu = swiglu;
    m.untie_embeddings_and_output_weights = untied;
    j.model = m;
    tce_job_derive(&j);
    return j.model;
}

static struct tce_model mixtral_8x7b(void)
{
    struct tce_model m = dense(32, 4096, 32, 8, 14336, 4096, 32000, 1, 1);

    m.num_experts = 8;
    m.moe_router_topk = 2;
    m.moe_ffn_hidden_size = 14336;
    return m;
}

/* DeepSeek-V3 from its config.json (main model, no MTP module). */
static struct tce_model deepseek_v3(void)
{
    struct tce_model m = dense(61, 7168, 128, 128, 18432, 4096, 129280, 1, 1);

    m.num_experts = 256;
    m.moe_router_topk = 8;
    m.moe_ffn_hidden_size = 2048;
    m.moe_shared_expert_intermediate_size = 2048;
    m.moe_layer_freq = 1;
    m.moe_first_dense_layers = 3;
    m.multi_latent_attention = 1;
    m.q_lora_rank = 1536;
    m.kv_lora_rank = 512;
    m.qk_head_dim = 128;
    m.qk_pos_emb_head_dim = 64;
    m.v_head_dim = 128;
    return m;
}

/* Published totals: GPT-3 paper (175.0B), Meta's Llama 3 model cards and
 * the Hugging Face safetensors totals (8,030,261,248; 70,553,706,496;
 * 405,853,388,800), Mistral's Mixtral announcement (46.7B total, 12.9B
 * active), DeepSeek-V3 README_WEIGHTS (671B main model without the MTP
 * module, 36.6B activated including the output head, i.e. without the
 * input embedding). */
static void test_published_counts(void **state)
{
    struct {
        const char *name;
        struct tce_model m;
        double total, active;  /* active < 0: not published */
        int active_without_embedding;
    } cases[6];
    struct tce_param_count pc;
    size_t i;
    (void)state;

    cases[0].name = "gpt3-175b";
    cases[0].m = dense(96, 12288, 96, 96, 4 * 12288, 2048, 51200, 0, 0);
    cases[0].total = 175.0e9;
    cases[0].active = -1;
    cases[1].name = "llama3-8b";
    cases[1].m = dense(32, 4096, 32, 8, 14336, 8192, 128256, 1, 1);
    cases[1].total = 8030261248.0;
    cases[1].active = -1;
    cases[2].name = "llama3-70b";
    cases[2].m = dense(80, 8192, 64, 8, 28672, 8192, 128256, 1, 1);
    cases[2].total = 70553706496.0;
    cases[2].active = -1;
    cases[3].name = "llama3-405b";
    cases[3].m = dense(126, 16384, 128, 8, 53248, 8192, 128256, 1, 1);
    cases[3].total = 405853388800.0;
    cases[3].active = -1;
    cases[4].name = "mixtral-8x7b";
    cases[4].m = mixtral_8x7b();
    cases[4].total = 46.7e9;
    cases[4].active = 12.9e9;
    cases[4].active_without_embedding = 0;
    cases[5].name = "deepseek-v3";
    cases[5].m = deepseek_v3();
    cases[5].total = 671e9;
    cases[5].active = 36.6e9;
    cases[5].active_without_embedding = 1;

    for (i = 0; i < TCE_ARRAY_SIZE(cases); i++) {
        tce_model_count_params(&cases[i].m, &pc);
        print_message("# %-14s total %.6g active %.6g (w/o input "
                      "embedding %.6g)\n",
                      cases[i].name, pc.total, pc.active,
                      pc.active - pc.embedding);
        assert_close(pc.total, cases[i].total, 0.01);
        if (cases[i].active > 0)
            assert_close(cases[i].active_without_embedding
                             ? pc.active - pc.embedding
                             : pc.active,
                         cases[i].active, 0.01);
        else
            assert_close(pc.active, pc.total, 1e-12);
    }
}

/* The Llama 3 counts are exact: per layer Q, O 4096^2 each, K, V
 * 4096 x 1024 each, MLP 3 x 4096 x 14336, two RMSNorms; embedding and
 * output 128256 x 4096; one final norm. */
static void test_llama3_8b_exact(void **state)
{
    struct tce_model m = dense(32, 4096, 32, 8, 14336, 8192, 128256, 1, 1);
    struct tce_param_count pc;
    double layer = 2.0 * 4096 * 4096 + 2.0 * 4096 * 1024 +
                   3.0 * 4096 * 14336 + 2.0 * 4096;
    (void)state;

    tce_model_count_params(&m, &pc);
    assert_close(pc.dense_layer, layer, 1e-15);
    assert_close(pc.total, 32 * layer + 2.0 * 128256 * 4096 + 4096, 1e-15);
    assert_int_equal(pc.dense_layers, 32);
    assert_int_equal(pc.moe_layers, 0);
    assert_close(pc.total, 8030261248.0, 1e-12);
}

/* Megatron SC21 rows: P = 12 l h^2 (1 + 13/(12h) + (V+s)/(12lh)), which
 * counts LayerNorm weights and biases, linear biases, learned positions and
 * a tied output, and leaves out the final LayerNorm (2h). */
static const struct {
    int64_t a, h, l, tp, pp, gpus, batch;
    double tflops_per_gpu;
} sc21[] = {
    {24, 2304, 24, 1, 1, 32, 512, 137},
    {32, 3072, 30, 2, 1, 64, 512, 138},
    {32, 4096, 36, 4, 1, 128, 512, 142},
    {48, 6144, 40, 8, 1, 256, 1024, 135},
    {64, 8192, 48, 8, 2, 512, 1536, 138},
};

static void test_megatron_param_formula(void **state)
{
    struct tce_param_count pc;
    size_t i;
    (void)state;

    for (i = 0; i < TCE_ARRAY_SIZE(sc21); i++) {
        double l = (double)sc21[i].l, h = (double)sc21[i].h;
        double V = 51200, s = 2048;
        struct tce_model m = dense(sc21[i].l, sc21[i].h, sc21[i].a, 0, 0,
                                   2048, 51200, 0, 0);
        double p = 12 * l * h * h *
                   (1 + 13 / (12 * h) + (V + s) / (12 * l * h));

        tce_model_count_params(&m, &pc);
        assert_close(pc.total - pc.final_norm, p, 1e-12);
        assert_close(pc.final_norm, 2 * h, 1e-15);
    }
}

/* Megatron's per-iteration counts (Narayanan et al. 2021, appendix):
 * hardware with full recomputation F = 96 B s l h^2 (1 + s/(6h) +
 * V/(16lh)); model (no recomputation) 72 B s l h^2 (1 + s/(6h) +
 * V/(12lh)): 3 x forward, forward = 24 s l h^2 + 4 s^2 l h + 2 s h V per
 * sequence. */
static void test_megatron_flops_formula(void **state)
{
    struct tce_iteration_flops it;
    struct tce_training tr;
    size_t i;
    (void)state;

    for (i = 0; i < TCE_ARRAY_SIZE(sc21); i++) {
        double l = (double)sc21[i].l, h = (double)sc21[i].h;
        double V = 51200, s = 2048, B = (double)sc21[i].batch;
        struct tce_model m = dense(sc21[i].l, sc21[i].h, sc21[i].a, 0, 0,
                                   2048, 51200, 0, 0);
        double hw = 96 * B * s * l * h * h *
                    (1 + s / (6 * h) + V / (16 * l * h));
        double model = 72 * B * s * l * h * h *
                       (1 + s / (6 * h) + V / (12 * l * h));

        memset(&tr, 0, sizeof(tr));
        tr.global_batch_size = sc21[i].batch;
        tr.recompute_granularity = TCE_RECOMPUTE_FULL;
        tce_model_flops_per_iteration(&m, &tr, &it);
        assert_close(it.tokens, B * s, 1e-15);
        assert_close(it.hardware_flops, hw, 1e-9);
        assert_close(it.model_flops, model, 1e-9);
        assert_close(tce_model_flops_per_token(&m) * B * s, model, 1e-9);

        /* selective: only the attention core (4 s^2 h per layer and
         * sequence) is done again */
        tr.recompute_granularity = TCE_RECOMPUTE_SELECTIVE;
        tce_model_flops_per_iteration(&m, &tr, &it);
        assert_close(it.hardware_flops, model + B * 4 * s * s * l * h, 1e-9);
        tr.recompute_granularity = TCE_RECOMPUTE_NONE;
        tce_model_flops_per_iteration(&m, &tr, &it);
        assert_close(it.hardware_flops, model, 1e-15);
        assert_close(it.recompute_flops, 0, 1e-15);
    }
}

/* GQA, SwiGLU, MoE and MLA FLOPs per token against hand counts. */
static void test_flops_per_token_kinds(void **state)
{
    struct tce_model m;
    struct tce_flops_per_token f;
    double mm, core, expect;
    (void)state;

    /* Llama 3 8B, s = 8192: per layer Q+O 2 x 4096^2, K+V 2 x 4096 x 1024,
     * MLP 3 x 4096 x 14336; logits 4096 x 128256; core 4 x 8192 x 4096 */
    m = dense(32, 4096, 32, 8, 14336, 8192, 128256, 1, 1);
    mm = 32 * (2.0 * 4096 * 4096 + 2.0 * 4096 * 1024 + 3.0 * 4096 * 14336) +
         4096.0 * 128256;
    core = 32 * 4.0 * 8192 * 4096;
    expect = 3 * (2 * mm + core);
    assert_close(tce_model_flops_per_token(&m), expect, 1e-12);

    /* Mixtral: router 4096 x 8 and 2 of 8 experts per layer */
    m = mixtral_8x7b();
    mm = 32 * (2.0 * 4096 * 4096 + 2.0 * 4096 * 1024 + 4096.0 * 8 +
               2 * 3.0 * 4096 * 14336) +
         4096.0 * 32000;
    core = 32 * 4.0 * 4096 * 4096;
    tce_model_flops_breakdown(&m, &f);
    assert_close(f.forward, 2 * mm + core, 1e-12);
    assert_close(f.moe_mlp, 2 * (4096.0 * 8 + 2 * 3.0 * 4096 * 14336), 1e-12);
    assert_close(f.dense_mlp, 2 * 3.0 * 4096 * 14336, 1e-12);

    /* DeepSeek-V3 MLA: per layer q down 7168x1536, q up 1536x(128x192),
     * kv down 7168x576, kv up 512x(128x256), out (128x128)x7168; scores
     * over d_qk = 192, values over d_v = 128 */
    m = deepseek_v3();
    tce_model_flops_breakdown(&m, &f);
    assert_close(f.attention_linear,
                 2 * (7168.0 * 1536 + 1536.0 * 128 * 192 + 7168.0 * 576 +
                      512.0 * 128 * 256 + 128.0 * 128 * 7168),
                 1e-12);
    assert_close(f.attention_core, 2.0 * 4096 * 128 * (192 + 128), 1e-12);
    assert_close(f.moe_mlp,
                 2 * (7168.0 * 256 + 8 * 3.0 * 7168 * 2048 +
                      3.0 * 7168 * 2048),
                 1e-12);
    assert_close(f.forward_layers,
                 61 * (f.attention_linear + f.attention_core) +
                     3 * f.dense_mlp + 58 * f.moe_mlp,
                 1e-12);
}

static void test_moe_layer_pattern(void **state)
{
    struct tce_model m = deepseek_v3();
    (void)state;

    assert_int_equal(tce_model_moe_layers_in(&m, 0, 61), 58);
    assert_int_equal(tce_model_moe_layers_in(&m, 0, 3), 0);
    assert_int_equal(tce_model_moe_layers_in(&m, 0, 4), 1);
    assert_int_equal(tce_model_moe_layers_in(&m, 2, 10), 7);
    m.moe_layer_freq = 2;  /* MoE at 3, 5, 7, ... */
    assert_int_equal(tce_model_moe_layers_in(&m, 0, 61), 29);
    assert_int_equal(tce_model_moe_layers_in(&m, 4, 8), 2);   /* 5, 7 */
    assert_int_equal(tce_model_moe_layers_in(&m, 3, 4), 1);
    assert_int_equal(tce_model_moe_layers_in(&m, 4, 5), 0);
    assert_int_equal(tce_model_moe_layers_in(&m, 58, 100), 1); /* 59 */
    assert_int_equal(tce_model_moe_layers_in(&m, 60, 100), 0); /* clipped */
    m.num_experts = 0;
    assert_int_equal(tce_model_moe_layers_in(&m, 0, 61), 0);
}

/* A GPT layout for the memory tests: h 4096, 32 heads, 32 layers, s 2048,
 * V 51200, f 4h, b 1, tp 8, pp 4, dp 4 (128 GPUs), B 64 -> m 16. */
static void gpt_job(struct tce_job *job)
{
    tce_job_defaults(job);
    job->training.use_flash_attn = 0;
    job->model = dense(32, 4096, 32, 0, 0, 2048, 51200, 0, 0);
    job->parallel.num_gpus = 128;
    job->parallel.tensor_model_parallel_size = 8;
    job->parallel.pipeline_model_parallel_size = 4;
    job->parallel.virtual_pipeline_model_parallel_size = 1;
    job->parallel.context_parallel_size = 1;
    job->parallel.expert_model_parallel_size = 1;
    job->parallel.sequence_parallel = 1;
    job->parallel.use_distributed_optimizer = 1;
    job->training.micro_batch_size = 1;
    job->training.global_batch_size = 64;
    job->training.recompute_granularity = TCE_RECOMPUTE_SELECTIVE;
}

#define GIB_F 1073741824.0

static void test_memory_hand_computed(void **state)
{
    struct tce_job job;
    struct tce_layout lay;
    struct tce_memory mem;
    struct tce_memory_opts o;
    struct tce_error err;
    (void)state;

    gpt_job(&job);
    assert_int_equal(tce_layout_init(&lay, &job, NULL, 0, &err), 0);
    assert_int_equal(lay.dp, 4);
    assert_int_equal(lay.microbatches, 16);
    tce_memory_opts_init(&o, 80);
    assert_int_equal(tce_model_memory(&job, &lay, &o, &mem, &err), 0);
    /*
     * Hand computation, stage 0 (8 layers + embedding):
     *   layer: attention 4h^2 + 4h (QKV and output biases) = 67,125,248
     *          MLP 8h^2 + 5h = 134,238,208; norms 4h = 16,384 (replicated)
     *   matmul part / tp: 8 x 201,363,456 / 8          = 201,363,456
     *   norms: 8 x 16,384                               =     131,072
     *   word embedding 51200 x 4096 / 8                 =  26,214,400
     *   learned positions 2048 x 4096 (not split)       =   8,388,608
     *   params                                          = 236,097,536
     *   weights 2 B, gradients 2 B                      = 472,195,072 each
     *   optimizer 12 B / dp 4                           = 708,292,608
     *   activations, selective + SP: s b h 34 / t = 35,651,584 per layer,
     *     x 8 layers x 4 microbatches in flight         = 1,140,850,688
     *     + embedding dropout mask s b h / t x 4        =     4,194,304
     *                                                   = 1,145,044,992
     *   rest = 2,797,727,744; overhead 2 GiB + 5% = 2,287,370,035.2
     *   total                                           = 5,085,097,779.2
     */
    assert_int_equal(mem.worst_stage, 0);
    assert_int_equal(mem.stage_layers, 8);
    assert_close(mem.params, 236097536.0, 1e-12);
    assert_close(mem.weights_bytes, 472195072.0, 1e-12);
    assert_close(mem.gradients_bytes, 472195072.0, 1e-12);
    assert_close(mem.optimizer_bytes, 708292608.0, 1e-12);
    assert_close(mem.activation_per_layer_bytes, 35651584.0, 1e-12);
    assert_close(mem.inflight_microbatches, 4, 1e-15);
    assert_close(mem.activations_bytes, 1145044992.0, 1e-12);
    assert_close(mem.overhead_bytes, 2287370035.2, 1e-12);
    assert_close(mem.total_bytes, 5085097779.2, 1e-12);
    assert_true(mem.fits);
    assert_close(mem.capacity_bytes, 80 * GIB_F, 1e-15);

    /* 4 GiB does not hold it */
    tce_memory_opts_init(&o, 4);
    assert_int_equal(tce_model_memory(&job, &lay, &o, &mem, &err), 0);
    assert_false(mem.fits);

    /*
     * Last stage (3): 8 layers, final LayerNorm 2h = 8,192, the tied word
     * embedding's copy for the output layer 51200 x 4096 / 8 = 26,214,400:
     *   params 201,363,456 + 131,072 + 8,192 + 26,214,400 = 227,717,120
     *   activations: 1 microbatch in flight, 8 x 35,651,584 = 285,212,672
     *     + the output layer's BF16 input and fp32 logits
     *       2048 x (2 x 4096 + 4 x 51200) / 8 = 54,525,952 (mem, wave 6)
     * Stage 1: 3 in flight, no embedding: params 201,494,528.
     */
    assert_int_equal(tce_model_memory_stage(&job, &lay, 3, &o, &mem, &err), 0);
    assert_int_equal(mem.worst_stage, 3);
    assert_close(mem.params, 227717120.0, 1e-12);
    assert_close(mem.inflight_microbatches, 1, 1e-15);
    assert_close(mem.activations_bytes, 285212672.0 + 54525952.0, 1e-12);
    assert_int_equal(tce_model_memory_stage(&job, &lay, 1, &o, &mem, &err), 0);
    assert_close(mem.params, 201494528.0, 1e-12);
    assert_close(mem.inflight_microbatches, 3, 1e-15);
    assert_close(mem.activations_bytes, 3 * 8 * 35651584.0, 1e-12);
    assert_int_equal(tce_model_memory_stage(&job, &lay, 4, &o, &mem, &err),
                     TCE_ERANGE);
    assert_int_equal(tce_model_memory_stage(&job, &lay, -1, &o, &mem, &err),
                     TCE_ERANGE);
    /* interleaved schedule, stage 2 of 4 with v = 2:
     * ((p - k - 1) * 2 + (v - 1) * p + 1) / v = (2 + 4 + 1) / 2 = 3.5 */
    job.parallel.virtual_pipeline_model_parallel_size = 2;
    assert_int_equal(tce_layout_init(&lay, &job, NULL, 0, &err), 0);
    assert_int_equal(tce_model_memory_stage(&job, &lay, 2, &o, &mem, &err), 0);
    assert_close(mem.inflight_microbatches, 3.5, 1e-15);
    job.parallel.virtual_pipeline_model_parallel_size = 1;
    assert_int_equal(tce_layout_init(&lay, &job, NULL, 0, &err), 0);

    /* checkpoint: 14 bytes per parameter of the whole model */
    {
        struct tce_param_count pc;

        tce_model_count_params(&job.model, &pc);
        assert_close(mem.checkpoint_bytes, 14 * pc.total, 1e-15);
    }
}

/* Activation variants of the same job, per layer and microbatch
 * (sbh = 2048 x 4096 = 8,388,608; 5as/h = 5 x 32 x 2048 / 4096 = 80). */
static void test_memory_activation_modes(void **state)
{
    struct tce_job job;
    struct tce_layout lay;
    struct tce_memory mem;
    struct tce_error err;
    double sbh = 2048.0 * 4096;
    (void)state;

    gpt_job(&job);
    assert_int_equal(tce_layout_init(&lay, &job, NULL, 0, &err), 0);

    /* no recompute, SP: sbh (34 + 80) / 8 */
    job.training.recompute_granularity = TCE_RECOMPUTE_NONE;
    assert_int_equal(tce_model_memory(&job, &lay, NULL, &mem, &err), 0);
    assert_close(mem.activation_per_layer_bytes, sbh * 114 / 8, 1e-12);
    assert_close(mem.activations_bytes, 4 * 8 * sbh * 114 / 8 + 4 * sbh / 8,
                 1e-12);
    assert_true(mem.fits); /* unknown capacity */

    /* TP without SP: sbh (10 + 24/t + 5as/(ht)) */
    job.parallel.sequence_parallel = 0;
    assert_int_equal(tce_model_memory(&job, &lay, NULL, &mem, &err), 0);
    assert_close(mem.activation_per_layer_bytes,
                 sbh * (10 + 24.0 / 8 + 80.0 / 8), 1e-12);

    /* full recompute with SP: layer inputs 2sbh/t for 8 layers x 4 in
     * flight, plus one layer's working set sbh (34 + 80) / 8 */
    job.parallel.sequence_parallel = 1;
    job.training.recompute_granularity = TCE_RECOMPUTE_FULL;
    assert_int_equal(tce_model_memory(&job, &lay, NULL, &mem, &err), 0);
    assert_close(mem.activation_per_layer_bytes, 2 * sbh / 8, 1e-12);
    assert_close(mem.activations_bytes,
                 32 * 2 * sbh / 8 + sbh * 114 / 8 + 4 * sbh / 8, 1e-12);

    /* interleaved, v = 2: p + (p-1)/v = 5.5 microbatches in flight */
    job.training.recompute_granularity = TCE_RECOMPUTE_SELECTIVE;
    job.parallel.virtual_pipeline_model_parallel_size = 2;
    assert_int_equal(tce_layout_init(&lay, &job, NULL, 0, &err), 0);
    assert_int_equal(tce_model_memory(&job, &lay, NULL, &mem, &err), 0);
    assert_close(mem.inflight_microbatches, 5.5, 1e-15);
    assert_close(mem.activations_bytes,
                 5.5 * 8 * sbh * 34 / 8 + 5.5 * sbh / 8, 1e-12);

    /* context parallel 2 halves s (and the score term with it) */
    job.parallel.virtual_pipeline_model_parallel_size = 1;
    job.parallel.context_parallel_size = 2;
    job.parallel.num_gpus = 256;
    job.training.recompute_granularity = TCE_RECOMPUTE_NONE;
    assert_int_equal(tce_layout_init(&lay, &job, NULL, 0, &err), 0);
    assert_int_equal(tce_model_memory(&job, &lay, NULL, &mem, &err), 0);
    assert_close(mem.activation_per_layer_bytes,
                 (sbh / 2) * (34 + 40) / 8, 1e-12);

    /* fewer microbatches than stages: m in flight */
    job.parallel.context_parallel_size = 1;
    job.parallel.num_gpus = 128;
    job.training.global_batch_size = 8; /* m = 2 */
    assert_int_equal(tce_layout_init(&lay, &job, NULL, 0, &err), 0);
    assert_int_equal(tce_model_memory(&job, &lay, NULL, &mem, &err), 0);
    assert_close(mem.inflight_microbatches, 2, 1e-15);

    /* layers not divisible by the stages: error */
    lay.vpp = 3;
    assert_int_equal(tce_model_memory(&job, &lay, NULL, &mem, &err),
                     TCE_ECONFIG);
    /* a layout not derived by tce_layout_init: error, no division by 0 */
    memset(&lay, 0, sizeof(lay));
    lay.pp = 1;
    lay.vpp = 1;
    assert_int_equal(tce_model_memory(&job, &lay, NULL, &mem, &err),
                     TCE_ECONFIG);
    assert_non_null(strstr(err.msg, "incomplete layout"));
}

static void test_assumptions_listed(void **state)
{
    const char *const *list = NULL;
    size_t n = tce_model_assumptions(&list);
    (void)state;

    assert_true(n >= 5);
    assert_non_null(strstr(list[0], "bf16"));
}

/* Experts are sharded by EP for weights, by dp/ep for the distributed
 * optimizer; gradients in fp32 take 4 bytes. */
static void test_memory_experts(void **state)
{
    struct tce_job job;
    struct tce_layout lay;
    struct tce_memory mem;
    struct tce_param_count pc;
    struct tce_error err;
    double dense_part, expert_part;
    (void)state;

    tce_job_defaults(&job);
    job.training.use_flash_attn = 0;
    job.model = mixtral_8x7b();
    job.parallel.num_gpus = 64;
    job.parallel.tensor_model_parallel_size = 1;
    job.parallel.pipeline_model_parallel_size = 1;
    job.parallel.expert_model_parallel_size = 8;
    job.parallel.use_distributed_optimizer = 1;
    job.training.micro_batch_size = 1;
    job.training.global_batch_size = 64;
    job.training.accumulate_allreduce_grads_in_fp32 = 1;
    assert_int_equal(tce_layout_init(&lay, &job, NULL, 0, &err), 0);
    assert_int_equal(lay.dp, 64);
    assert_int_equal(tce_model_memory(&job, &lay, NULL, &mem, &err), 0);
    tce_model_count_params(&job.model, &pc);
    expert_part = pc.expert_total / 8;
    dense_part = pc.total - pc.expert_total;
    assert_close(mem.params, dense_part + expert_part, 1e-12);
    assert_close(mem.gradients_bytes, 4 * mem.params, 1e-15);
    assert_close(mem.optimizer_bytes,
                 12 * (dense_part / 64 + expert_part / 8), 1e-12);
    /* with a single stage, weights include embedding, output and final
     * norm once: 2 bytes x (total - 7/8 of the experts) */
    assert_close(mem.weights_bytes, 2 * (pc.total - pc.expert_total * 7 / 8),
                 1e-12);
}

/* memory (issue 11): an FP8 job's linear weights, on the GPT layout of
 * test_memory_hand_computed (stage 0: 236,097,536 parameters, of which
 * the linear layers' 201,363,456: 8 layers x (attention + MLP) / tp 8) */
static void test_memory_fp8_weights(void **state)
{
    struct tce_job job;
    struct tce_layout lay;
    struct tce_memory mem;
    struct tce_memory_opts o;
    struct tce_error err;
    const double all = 236097536.0, lin = 201363456.0;
    (void)state;

    gpt_job(&job);
    assert_int_equal(tce_layout_init(&lay, &job, NULL, 0, &err), 0);
    tce_memory_opts_init(&o, 80);
    job.training.precision = TCE_PRECISION_FP8;
    job.training.fp8_recipe = TCE_FP8_TENSORWISE;
    /* BF16 weights + Transformer Engine's cached FP8 copy and transpose */
    assert_int_equal(tce_model_memory(&job, &lay, &o, &mem, &err), 0);
    assert_int_equal(mem.worst_stage, 0);
    assert_close(mem.weights_bytes, 2 * all + 2 * lin, 1e-12);
    /* an accelerator whose FP8 GEMM takes any layout: no transpose */
    o.fp8_gemm_any_layout = 1;
    assert_int_equal(tce_model_memory(&job, &lay, &o, &mem, &err), 0);
    assert_close(mem.weights_bytes, 2 * all + 1 * lin, 1e-12);
    /* fp8_param_gather: the linear weights in FP8 only */
    job.training.fp8_param_gather = 1;
    assert_int_equal(tce_model_memory(&job, &lay, &o, &mem, &err), 0);
    assert_close(mem.weights_bytes, 2 * (all - lin) + 1 * lin, 1e-12);
    job.training.fp8_recipe = TCE_FP8_MXFP8;
    assert_int_equal(tce_model_memory(&job, &lay, &o, &mem, &err), 0);
    assert_close(mem.weights_bytes, 2 * (all - lin) + 2.0625 * lin, 1e-12);
    /* FSDP: the BF16 shard and the gathered layers, no cached copy */
    job.parallel.data_parallel_sharding_strategy =
        TCE_DP_SHARD_OPTIM_GRADS_PARAMS;
    job.training.fp8_param_gather = 0;
    assert_int_equal(tce_model_memory(&job, &lay, &o, &mem, &err), 0);
    {
        struct tce_memory bf16;

        job.training.precision = TCE_PRECISION_BF16;
        assert_int_equal(tce_model_memory(&job, &lay, &o, &bf16, &err), 0);
        assert_close(mem.weights_bytes, bf16.weights_bytes, 1e-15);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_published_counts),
        cmocka_unit_test(test_llama3_8b_exact),
        cmocka_unit_test(test_megatron_param_formula),
        cmocka_unit_test(test_megatron_flops_formula),
        cmocka_unit_test(test_flops_per_token_kinds),
        cmocka_unit_test(test_moe_layer_pattern),
        cmocka_unit_test(test_memory_hand_computed),
        cmocka_unit_test(test_memory_activation_modes),
        cmocka_unit_test(test_memory_experts),
        cmocka_unit_test(test_memory_fp8_weights),
        cmocka_unit_test(test_assumptions_listed),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
