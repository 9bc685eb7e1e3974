/*
 * tce_fixtures.h - a topology (DGX-A100-like, 8 GPUs per node) and a GPT
 * job (48 layers, h 8192, SC21-like batch) built by hand from the schema's
 * defaults, shared by the unit tests that need a whole projection
 * (test_projector, test_timeline).
 */
#ifndef TCE_FIXTURES_H
#define TCE_FIXTURES_H

#include <stdint.h>
#include <string.h>

#include "tcemu/config.h"

static inline void topo(struct tce_topology *t)
{
    tce_topology_defaults(t);
    strcpy(t->path, "test");
    strcpy(t->name, "test");
    t->accelerator.bf16_tflops = 312.0;
    t->accelerator.hbm_gib = 80.0;
    t->accelerator.hbm_gbytes_per_s = 2039.0;
    t->accelerator.watts = 400.0;
    t->accelerator.matmul_efficiency = 0.7;
    t->accelerator.matmul_half_gflop = 0.5;
    t->accelerator.memory_efficiency = 0.8;
    t->node.accelerators = 8;
    t->node.watts = 6500.0;
    t->scale_up.domain_accelerators = 8;
    t->scale_up.bandwidth_gbytes_per_s = 300.0;
    t->scale_up.latency_us = 2.0;
    t->scale_up.efficiency = 0.8;
    t->scale_out.nics_per_node = 8;
    t->scale_out.nic_bandwidth_gbit_per_s = 200.0;
    t->scale_out.latency_us = 4.0;
    t->scale_out.efficiency = 0.8;
    t->n_fabric = 1;
    t->fabric[0].group_nodes = 1024;
    t->fabric[0].oversubscription = 1.0;
    t->capacity.max_nodes = 100000;
    t->price.on_demand_usd_per_node_hour = 32.0;
    t->power.pue = 1.25;
}

/* An accelerator for roofline arithmetic by hand: the two peaks (TFLOP/s),
 * HBM (GB/s), a flat GEMM efficiency (no size curve) and the element-wise
 * efficiency; links only as the schema requires. */
static inline void fx_roofline_topo(struct tce_topology *t, double bf16,
                                    double fp8, double hbm, double matmul_eff,
                                    double memory_eff)
{
    tce_topology_defaults(t);
    strcpy(t->path, "test");
    t->accelerator.bf16_tflops = bf16;
    t->accelerator.fp8_tflops = fp8;
    t->accelerator.hbm_gbytes_per_s = hbm;
    t->accelerator.matmul_efficiency = matmul_eff;
    t->accelerator.matmul_half_gflop = 0.0;
    t->accelerator.memory_efficiency = memory_eff;
    t->scale_up.bandwidth_gbytes_per_s = 400.0;
    t->scale_out.nic_bandwidth_gbit_per_s = 400.0;
}

static inline void gpt(struct tce_job *j, int64_t gpus, int64_t tp, int64_t pp,
                int64_t vpp)
{
    tce_job_defaults(j);
    j->model.num_layers = 48;
    j->model.hidden_size = 8192;
    j->model.num_attention_heads = 64;
    j->model.seq_length = 2048;
    j->model.vocab_size = 51200;
    j->parallel.num_gpus = gpus;
    j->parallel.tensor_model_parallel_size = tp;
    j->parallel.pipeline_model_parallel_size = pp;
    j->parallel.virtual_pipeline_model_parallel_size = vpp;
    j->parallel.context_parallel_size = 1;
    j->parallel.expert_model_parallel_size = 1;
    j->training.micro_batch_size = 1;
    j->training.global_batch_size = 1536;
    j->training.train_tokens = 300000000000LL;
    j->training.recompute_granularity = TCE_RECOMPUTE_FULL;
    j->training.ddp_bucket_size = 40000000;
    j->training.use_flash_attn = 1;
    tce_job_derive(j); /* ffn 4h, groups = heads, kv_channels h / heads */
}

#endif
