/*
 * tce_plan_fixtures.h - what the plan tests share: a small MoE job (64
 * experts of width 512, top-4, hidden 1024, sequence 2048 on 16 GPUs), a
 * plan of stage 0 built on nodes of a given size, an op found by name and
 * small MLA dimensions (test_plan, test_plan_moe, test_plan_recompute,
 * test_hostsync, test_plan_attn, test_plan_cp).
 */
#ifndef TCE_PLAN_FIXTURES_H
#define TCE_PLAN_FIXTURES_H

#include "tce_test.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tcemu/config.h"
#include "tcemu/layout.h"
#include "tcemu/plan.h"

/* 64 experts of width 512, top-4, hidden 1024, sequence 2048, no TP, EP
 * ep on 16 GPUs, micro-batch mbs. */
static inline void fx_moe_job(struct tce_job *j, int64_t ep, int64_t mbs)
{
    tce_job_defaults(j);
    j->model.num_layers = 4;
    j->model.hidden_size = 1024;
    j->model.ffn_hidden_size = 4096;
    j->model.num_attention_heads = 16;
    j->model.seq_length = 2048;
    j->model.vocab_size = 32000;
    j->model.swiglu = 1;
    j->model.num_experts = 64;
    j->model.moe_router_topk = 4;
    j->model.moe_ffn_hidden_size = 512;
    j->parallel.num_gpus = 16;
    j->parallel.expert_model_parallel_size = ep;
    j->training.micro_batch_size = mbs;
    j->training.global_batch_size = 64;
    j->training.train_tokens = 1000000000;
    tce_job_derive(j);
}

/* MLA at small dimensions: query rank 256, key/value rank 128, head dims
 * 64 (+ 32 rotary) and 64. */
static inline void fx_mla_dims(struct tce_model *m)
{
    m->multi_latent_attention = 1;
    m->q_lora_rank = 256;
    m->kv_lora_rank = 128;
    m->qk_head_dim = 64;
    m->qk_pos_emb_head_dim = 32;
    m->v_head_dim = 64;
}

/* Stage 0's plan of j on the job's own layout, which is left in lay.  The
 * caller frees the plan. */
static inline struct tce_plan *fx_plan_layout(const struct tce_job *j,
                                              struct tce_layout *lay)
{
    struct tce_plan *plan = malloc(sizeof(*plan));

    assert_non_null(plan);
    assert_int_equal(tce_layout_init(lay, j, NULL, 0, NULL), 0);
    assert_int_equal(tce_plan_build(j, lay, 0, plan, NULL), 0);
    return plan;
}

/* Stage 0's plan of j on nodes (and scale-up domains) of node GPUs; node 0
 * keeps the layout's own.  The caller frees it. */
static inline struct tce_plan *fx_plan(const struct tce_job *j, int64_t node)
{
    struct tce_layout lay;
    struct tce_plan *plan = malloc(sizeof(*plan));

    assert_non_null(plan);
    assert_int_equal(tce_layout_init(&lay, j, NULL, 0, NULL), 0);
    if (node > 0) {
        lay.gpus_per_node = node;
        lay.scale_up_domain = node;
    }
    assert_int_equal(tce_plan_build(j, &lay, 0, plan, NULL), 0);
    return plan;
}

/* The first op of l named name, or NULL. */
static inline const struct tce_op *fx_find_op(const struct tce_op_list *l,
                                              const char *name)
{
    int i;

    for (i = 0; i < l->n; i++)
        if (l->ops[i].name && strcmp(l->ops[i].name, name) == 0)
            return &l->ops[i];
    return NULL;
}

#endif
