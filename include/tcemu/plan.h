/*
 * plan.h - one training iteration of one rank (its pipeline stage), as a
 * small executable program of operations.
 *
 * The plan is built once per (job, layout, stage) and walked by two engines:
 * the projector (src/projector.c: times every op with the cost model and
 * applies the schedule and overlap rules in closed form) and the emulator
 * (src/runtime/: executes every op on real MPI ranks).  Both read the same
 * ops, so measured and modelled times compare op by op.  Fixed-size arrays,
 * no allocation: building a plan costs a few hundred nanoseconds.
 *
 * Operations
 *   compute     name, flops, hbm bytes (read + written), gemm_flops (the size
 *               of one GEMM of the op, for the GEMM-size efficiency curve;
 *               0 for element-wise ops); a linear layer's forward shape
 *               (gemm_m tokens, gemm_n output and gemm_k input features of
 *               the shard; an op of several equal GEMMs, the MoE experts,
 *               gives one expert's) and a fused attention's shape (attn),
 *               so that a measured compute table can time them
 *               (computetable.h); 0 where the op is no single such kernel
 *   collective  kind, group (enum tce_group from layout.h), bytes per rank.
 *               Bytes follow nccl-tests' "size": the whole buffer on each
 *               rank: all-reduce M; all-gather the gathered OUTPUT; reduce-
 *               scatter the INPUT; all-to-all the send buffer (n equal parts).
 *   send / recv point-to-point to the previous or next pipeline stage.
 * Each op carries `count` (how many times it runs back to back, e.g. the DP
 * gradient buckets), `overlap`, and `flags` (enum tce_op_flag: what an op
 * is, so that no engine recognises an op by its name).
 *
 * Lists (enum tce_plan_list) and how one iteration is walked:
 *
 *   ITER_BEGIN                    once (distributed-optimizer param gather)
 *   for step in tce_schedule_step(p, v, m, stage, k), k = 0 .. 2*v*m-1:
 *     forward (microbatch, chunk c):
 *       if not first virtual stage: P2P_FWD recv from TCE_PEER_PREV
 *       if stage == 0 and c == 0:   EMBED_FWD
 *       for each layer i < tce_plan_chunk_layers(plan, c):
 *           tce_plan_layer_is_moe(plan, c, i) ? MOE_FWD : DENSE_FWD
 *       if last virtual stage:      HEAD_FWD (logits + loss)
 *       else:                       P2P_FWD send to TCE_PEER_NEXT
 *     backward (microbatch, chunk c):
 *       if not last virtual stage:  P2P_BWD recv from TCE_PEER_NEXT
 *       if last virtual stage:      HEAD_BWD
 *       layers in reverse order:    MOE_BWD or DENSE_BWD
 *                                   (these lists begin with the recomputed
 *                                   forward ops when recompute is on)
 *       if stage == 0 and c == 0:   EMBED_BWD
 *       if not first virtual stage: P2P_BWD send to TCE_PEER_PREV
 *   ITER_END                      once (DP gradient reduce in buckets,
 *                                   tied-embedding all-reduce, optimizer)
 *
 *   The first virtual stage is (stage 0, chunk 0), the last (stage p-1,
 *   chunk v-1).  Virtual stage j = c*p + stage; its predecessor is j-1, so
 *   with interleaving stage 0's PREV for chunk c > 0 is stage p-1 (chunk c-1):
 *   PREV = (stage - 1 + p) % p and NEXT = (stage + 1) % p.
 *
 * P2P pairing rule (what the emulator must do, and what tests/unit/test_plan.c
 * checks by simulating every stage for many (p, v, m)): sends are
 * non-blocking (MPI_Isend, completed before the iteration ends), receives
 * block.  Then walking every stage's sequence never deadlocks, and between
 * each ordered pair of stages the forward messages (and, separately, the
 * backward messages) are received in the order they were sent, so one tag per
 * direction suffices (MPI keeps FIFO order per source, tag, communicator).
 * A unique tag tce_schedule_tag() is also provided.
 *
 * Context parallelism (plan_attn.c), by the job's cp_comm_type: "p2p", a
 * ring of c - 1 K/V exchanges (a CP-group TCE_COLL_SENDRECV op of count
 * c - 1: each rank sends its K/V to the next and receives the previous
 * one's), marked TCE_OVERLAP_COMPUTE; in the backward each step carries K/V
 * and their gradients (twice the bytes); "all_gather", an exposed CP-group
 * all-gather of K and V (a reduce-scatter of their gradients in the
 * backward); "a2a" (Ulysses), exposed all-to-alls of Q, K, V before the
 * attention and of its output after.  cp (issue 11): the p2p ring's
 * attention is its per-step kernels and merge passes right after the ring
 * op (plan_cp.h: attn_cp_step0, attn_cp_step, attn_cp_correct), the
 * all-gather's one kernel per local query chunk (attn_cp_chunk, count 2).
 *
 * Sliding-window layers (model.h) share the layer lists with the full
 * layers: the attention core is two ops, "attn_core" and "attn_core_swa",
 * each carrying its share of the model's layers (FLOPs and bytes scaled by
 * it; a compute-table time is scaled by the op's FLOPs over its shape's).
 *
 * Data-parallel sharding (model.h's tce_model_dp_sharding): optim and
 * optim_grads reduce-scatter gradients and all-gather parameters once per
 * iteration (ITER lists); optim_grads_params (FSDP) all-gathers each
 * layer's parameters in its forward and again in its backward, and
 * reduce-scatters its gradients in the backward, per microbatch, on the DP
 * (experts: EDP) group, marked TCE_OVERLAP_COMPUTE (prefetched under the
 * neighbouring layer's compute); the ITER lists keep only the parameters
 * outside the layers (embedding, output layer, final norm).
 *
 * MoE layers (plan_moe.c, issue 11): the expert-parallel dispatch and
 * combine are ops of the dispatcher the job names: "alltoall" one
 * all-to-all over TCE_GROUP_EP each way; "allgather" an EP all-gather and a
 * reduce-scatter; "flex" (DeepEP), when the EP group spans scale-up
 * domains, an all-to-all over TCE_GROUP_EP_INTER (one copy per destination
 * domain, tce_flexep_domains) then one over TCE_GROUP_EP_INTRA (the k
 * copies over NVLink), and the reverse for combine; with the deepep
 * backend the second op of each pair is TCE_OP_F_PIPELINED (both stages at
 * once) and the domain-crossing one carries DeepEP's measured share of the
 * line rate (wire_efficiency, flexep.h).  Linear layers of a
 * layer list carry TCE_OP_F_FP8 when the job runs FP8, followed by an
 * "fp8_cast" op; compute ops carry their kernel count (the launch floor,
 * costmodel.h) and the SMs overlapped EP communication holds (comm_sms).
 */
#ifndef TCEMU_PLAN_H
#define TCEMU_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "tcemu/coll.h"
#include "tcemu/config.h"
#include "tcemu/error.h"
#include "tcemu/layout.h"
#include "tcemu/model.h"
#include "tcemu/schedule.h"

/* ops a list holds: the longest (an MLA MoE layer's backward with full
 * recomputation, TP with sequence parallelism, CP, unfused attention,
 * FP8 and the deduplicated dispatch) has 70; a list that would need more
 * is an error of tce_plan_build, not a silently overwritten op */
#define TCE_PLAN_OPS_MAX 96

enum tce_op_kind {
    TCE_OP_COMPUTE,
    TCE_OP_COLLECTIVE,
    TCE_OP_SEND,
    TCE_OP_RECV,
};

enum tce_peer { TCE_PEER_NONE, TCE_PEER_PREV, TCE_PEER_NEXT };

/* What an op may overlap with. */
enum tce_overlap {
    TCE_OVERLAP_NONE,     /* exposed: on the critical path */
    TCE_OVERLAP_COMPUTE,  /* hidden under the compute of its own list (TP
                             comm with tp_comm_overlap, CP K/V exchange) */
    TCE_OVERLAP_BACKWARD, /* DP gradient reduce (overlap_grad_reduce) */
    TCE_OVERLAP_FORWARD,  /* param all-gather (overlap_param_gather) */
    /* attn (issue 11) */
    TCE_OVERLAP_ATTENTION, /* a ring step (CP p2p, count = steps) hidden
                              under one step of its list's attention core:
                              with A the list's attention-core compute, R
                              these ops' time, S their steps and N their
                              number, R - A S / (S + N) is exposed (c - 1
                              K/V steps under c attention steps: Megatron-
                              LM / Transformer Engine's ring attention).
                              cp (issue 11): when a run of
                              TCE_OP_F_CP_STEP ops is next to it, each send
                              hides under its own step only (plan_cp.h) */
};

/* enum tce_charge (which part of the breakdown an op's exposed time is
 * charged to) lives with the breakdown's other names. */
#include "tcemu/breakdown.h"

/* What an op is (struct tce_op's flags). */
enum tce_op_flag {
    TCE_OP_F_RECOMPUTED = 1u << 0,     /* a recomputed forward op inside a
                                          backward list: hardware FLOPs,
                                          not model FLOPs */
    TCE_OP_F_GRADIENT = 1u << 1,       /* moves gradients: DP/EDP gradient
                                          buckets, backward p2p (the
                                          emulator's p2p tag) */
    TCE_OP_F_ATTENTION_CORE = 1u << 2, /* attention scores, softmax and
                                          values: what selective
                                          recomputation recomputes */
    TCE_OP_F_BACKWARD = 1u << 3,       /* the backward of a compute op (a
                                          linear layer's dgrad + wgrad) */
    TCE_OP_F_NO_BACKWARD = 1u << 4,    /* its gradient passes through: no
                                          backward op (a residual add
                                          without dropout) */
    /* attn (issue 11) */
    TCE_OP_F_BF16 = 1u << 5,           /* runs in BF16 whatever the job's
                                          precision (attention: Transformer
                                          Engine keeps dot-product attention
                                          in BF16 unless
                                          fp8_dot_product_attention) */
    TCE_OP_F_FUSED_ATTENTION = 1u << 6, /* a fused (flash) attention kernel:
                                          its backward recomputes the scores
                                          from Q, K and the log-sum-exp, 5
                                          matmuls against the forward's 2
                                          (2.5x the forward's FLOPs where
                                          the model counts 2x; Dao 2023,
                                          arXiv 2307.08691, 3.1.2) */
    /* moe (issue 11) */
    TCE_OP_F_FP8 = 1u << 7,            /* a linear layer run in FP8 (the
                                          job's recipe): the FP8 peak and
                                          the table's FP8 rows */
    TCE_OP_F_GRAPHED = 1u << 8,        /* launched from a CUDA graph
                                          (enable_cuda_graph): the graph
                                          launch gap per kernel */
    /* kern (wave 5) */
    TCE_OP_F_NORM = 1u << 9,           /* the layer norm before a linear
                                          layer (QKV, FC1, router): where
                                          an FP8 cast can be fused */
    /* sync (issue 11) */
    TCE_OP_F_HOST_SYNC = 1u << 10,     /* the host waits for the GPU before
                                          launching this op (Megatron-Core
                                          MoE token counts copied to the
                                          CPU: hostsync.h); the CPU's lead
                                          over the GPU ends here */
    /* cp (issue 11) */
    TCE_OP_F_CP_STEP = 1u << 11,       /* one step of the context-parallel
                                          ring's attention (plan_cp.h): the
                                          ring op next to a run of these is
                                          hidden step by step under them */
    /* gemm (issue 11) */
    TCE_OP_F_MXFP8 = 1u << 12,         /* an FP8 linear of the MXFP8
                                          recipe: block-scaled GEMM
                                          (gemmcost.h) */
    TCE_OP_F_ACT = 1u << 13,           /* the activation before a linear
                                          (FC2): FP8 current scaling's
                                          amax is computed inside it */
    /* overlap (issue 11) */
    TCE_OP_F_CAST = 1u << 14,          /* the layer's FP8 quantisation
                                          passes, summed over its linears
                                          (one op at the end of a list) */
    TCE_OP_F_EP_PAIRED = 1u << 15,     /* expert-parallel communication
                                          that Megatron-Core's combined
                                          1F1B schedule hides under another
                                          microbatch's compute
                                          (overlap_moe_expert_parallel_
                                          comm; projector.h) */
    /* host (issue 11): the layer module an op belongs to, for per-module
     * CUDA graphs (graphscope.h) */
    TCE_OP_F_MOD_ATTN = 1u << 16,      /* the attention block */
    TCE_OP_F_MOD_ROUTER = 1u << 17,    /* MoE: pre-MLP norm and router */
    TCE_OP_F_MOD_PREPROCESS = 1u << 18,/* MoE: the dispatcher's preprocess
                                          (permute, routing metadata) */
    TCE_OP_F_MOD_MLP = 1u << 19,       /* the rest of the MLP block (a
                                          dense MLP; a MoE layer's
                                          dispatch, experts, combine) */
    /* deepep (issue 11) */
    TCE_OP_F_PIPELINED = 1u << 20,     /* communication that runs at the
                                          same time as the op before it
                                          (DeepEP's NVLink stage beside its
                                          RDMA stage): the pair takes the
                                          longer of the two */
};

struct tce_op {
    const char *name;        /* static string: "qkv", "tp_ar_attn", ... */
    enum tce_op_kind kind;
    enum tce_coll coll;      /* collectives and p2p (TCE_COLL_SENDRECV) */
    enum tce_group group;    /* collectives; TCE_GROUP_PP for p2p */
    enum tce_peer peer;      /* p2p */
    enum tce_overlap overlap;
    enum tce_charge charge;
    unsigned flags;          /* enum tce_op_flag bits */
    int64_t count;           /* back-to-back repetitions, >= 1 */
    double flops;            /* compute, per repetition */
    double gemm_flops;       /* compute: one GEMM's FLOPs (efficiency) */
    double bytes;            /* compute: HBM bytes; comm: bytes per rank */
    int64_t gemm_m, gemm_n, gemm_k; /* compute: linear layer shape, or 0 */
    struct tce_attention_shape attn; /* fused attention; micro_batch_size
                                        0 = none */
    /* moe (issue 11) */
    int kernels;             /* kernel launches per repetition (0 counts
                                as 1): the host's launch time (hostsync.h;
                                compute and collective ops) */
    int comm_sms;            /* overlapped EP communication: the SMs it
                                holds while it runs, taken from the
                                compute under it (0 = none) */
    /* gptoss (issue 11) */
    double bwd_bytes;        /* element-wise: the backward's bytes where
                                they are not twice the forward's (0 =
                                twice) */
    int bwd_kernels;         /* element-wise: the backward's kernel
                                launches where they are not the forward's
                                (0 = the forward's; hostsync.h) */
    /* bw (issue 11) */
    double exps;             /* fused attention: softmax exponentials per
                                repetition (score elements executed; the
                                backward recomputes each once) */
    /* gemm (issue 11) */
    double fp8_t_share;      /* fp8_cast: the share of its bytes that are
                                the transposed FP8 copies a tensorwise
                                recipe writes for a TN-only FP8 GEMM;
                                skipped where accelerator.
                                fp8_gemm_any_layout (gemmcost.h) */
    /* wgrad (issue 11) */
    double main_grad_bytes;  /* a linear layer's backward: bytes of a
                                main_grad element its wgrad GEMM
                                accumulates into (4 fp32, 2 BF16); the
                                op is costed as dgrad + wgrad GEMMs and
                                bytes is their sum (wgradcost.h); 0 =
                                not such an op */
    int wgrad_unfused;       /* with main_grad_bytes: no
                                gradient_accumulation_fusion (a BF16
                                wgrad and a separate add pass) */
    /* deepep (issue 11) */
    double wire_efficiency;  /* communication leaving the scale-up domain:
                                the share of the NIC's line rate its
                                kernels reach (DeepEP's measured figure,
                                plan_moe.c); 0 = the scale-out link's
                                efficiency (and calibration) */
};

struct tce_op_list {
    int n;
    struct tce_op ops[TCE_PLAN_OPS_MAX];
};

enum tce_plan_list {
    TCE_PLAN_DENSE_FWD,   /* per dense layer and microbatch */
    TCE_PLAN_DENSE_BWD,   /* incl. recomputed forward ops */
    TCE_PLAN_MOE_FWD,     /* per MoE layer and microbatch */
    TCE_PLAN_MOE_BWD,
    TCE_PLAN_EMBED_FWD,   /* stage 0, chunk 0, per microbatch */
    TCE_PLAN_EMBED_BWD,
    TCE_PLAN_HEAD_FWD,    /* last virtual stage: logits + loss */
    TCE_PLAN_HEAD_BWD,
    TCE_PLAN_P2P_FWD,     /* one RECV (prev) and one SEND (next) */
    TCE_PLAN_P2P_BWD,     /* one RECV (next) and one SEND (prev) */
    TCE_PLAN_ITER_BEGIN,  /* once per iteration, before the schedule */
    TCE_PLAN_ITER_END,    /* once per iteration, after the schedule */
    TCE_PLAN_LIST_COUNT
};

struct tce_plan {
    struct tce_layout layout; /* copy: tp, pp, vpp, cp, ep, dp, m, b */
    int64_t stage;            /* this rank's pipeline stage */
    int64_t microbatches;     /* m */
    int64_t chunks;           /* v (virtual stages per rank) */
    int64_t layers;           /* transformer layers on this stage (all
                                 chunks) */
    int64_t chunk_layers;     /* layers per chunk (virtual stage) */
    int64_t chunk_stride_layers, chunk_offset_layers; /* chunk c's first
                                 global layer: c * stride + offset (- 1
                                 after an embedding slot) */
    int embed_slot, loss_slot;   /* the embedding / loss take a layer's
                                 place (account_for_*_in_pipeline_split) */
    /* repro (issue 11): a pipeline_model_parallel_layout's decoder layers
     * per virtual stage (chunk x pp + stage); 0 stages = none */
    int64_t layout_stages;
    int16_t layout_layers[TCE_PIPELINE_LAYOUT_MAX];
    int64_t dense_layers;     /* of which dense */
    int64_t moe_layers;       /* of which MoE */
    int64_t num_layers;       /* model total */
    int64_t moe_first_dense_layers, moe_layer_freq, num_experts;
    int first_stage, last_stage; /* bools */
    enum tce_recompute recompute;
    double params;            /* parameters held by this rank */
    double dense_params;      /* of which replicated over DP (x CP) */
    double expert_params;     /* of which expert weights (EDP replicas) */
    double grad_bytes;        /* dense gradient bytes reduced over DP */
    double expert_grad_bytes; /* expert gradient bytes reduced over EDP */
    struct tce_op_list list[TCE_PLAN_LIST_COUNT];
    /* the model's figures the plan was built from (reused by restage) */
    struct tce_flops_per_token flops_per_token;
    struct tce_param_count param_count;
};

/*
 * Build the plan of one stage.  layout must be complete (dp, microbatches
 * derived); stage in [0, pp).  0 or TCE_EUSAGE/TCE_ECONFIG with err filled.
 */
int tce_plan_build(const struct tce_job *job, const struct tce_layout *layout,
                   int64_t stage, struct tce_plan *plan,
                   struct tce_error *err);

/* Re-target a plan built by tce_plan_build (same job and layout) to
 * another stage: only the stage-dependent parts are rebuilt (layer counts,
 * parameters, embedding / head, p2p and per-iteration lists); the layer
 * lists are the same on every stage.  The projector's fast path. */
int tce_plan_restage(const struct tce_job *job, int64_t stage,
                     struct tce_plan *plan, struct tce_error *err);

/* 1 when layout has the shape the plan's per-layer lists were built for
 * (tp, cp, ep, pp, vpp, micro batch): tce_plan_relayout then keeps them. */
int tce_plan_same_layer_shape(const struct tce_plan *plan,
                              const struct tce_layout *layout);

/* Re-target a plan built by tce_plan_build (same job) to another layout
 * and stage.  When the layout differs from the plan's only in what the GPU
 * count changes (gpus, dp, microbatches) the per-layer lists are kept (they
 * depend on tp, cp, ep, the micro batch and the job, not on dp) and only
 * the stage-dependent parts are rebuilt (for the plan's own stage, only the
 * per-iteration lists, the rest does not depend on dp); otherwise the plan
 * is built anew.
 * The result equals tce_plan_build(job, layout, stage).  The projector's
 * sweep path (one plan reused across GPU counts). */
int tce_plan_relayout(const struct tce_job *job,
                      const struct tce_layout *layout, int64_t stage,
                      struct tce_plan *plan, struct tce_error *err);

/* Global index of the first layer of chunk c of the plan's stage. */
int64_t tce_plan_chunk_first_layer(const struct tce_plan *plan, int64_t chunk);

/* Layers of chunk c on this stage, by layout.h's rules
 * (tce_layout_chunk_layers: even split, embedding / loss slots, or uneven
 * first / last stages). */
int64_t tce_plan_chunk_layers(const struct tce_plan *plan, int64_t chunk);
/* repro (issue 11): take the job's pipeline_model_parallel_layout into the
 * plan (plan->layers and chunks set) when it has virtual_stages entries:
 * 1, else 0 (layout_stages 0). */
int tce_plan_take_layout(struct tce_plan *plan, const struct tce_parallel *p,
                         int64_t virtual_stages);

/* Whether layer i of chunk c is an MoE layer (the rule of model.h: global
 * index >= moe_first_dense_layers and (index - moe_first_dense_layers) a
 * multiple of moe_layer_freq). */
int tce_plan_layer_is_moe(const struct tce_plan *plan, int64_t chunk,
                          int64_t i);

/* Sum of the list's compute FLOPs (count included); model_only skips
 * recomputed ops. */
double tce_plan_list_flops(const struct tce_op_list *l, int model_only);

/* FLOPs this rank executes in one iteration (walking the schedule's loop
 * counts); model_only = 1 excludes recomputation. */
double tce_plan_iteration_flops(const struct tce_plan *plan, int model_only);

/* moe (issue 11): whether the job's linear layers run in FP8
 * (training.precision = fp8 or training.fp8 set). */
int tce_plan_fp8(const struct tce_job *job);


/* sync (issue 11): 1 when job's MoE dispatch knows every size on the host
 * and so never waits for the GPU: a flex dispatcher with a static receive
 * budget (training.moe_expert_rank_capacity_factor: HybridEP's
 * num_permuted_tokens, token_dispatcher.py _HybridEPManager.setup_metadata)
 * or the alltoall dispatcher padding to capacity (token drop with
 * moe_pad_expert_input_to_capacity: preprocess's drop_and_pad branch).
 * Graphed lists never sync either (hostsync.h). */
int tce_plan_moe_sync_free(const struct tce_job *job);

/* moe (issue 11): the i-th assumption line (i = 0, 1, ...) of the job's
 * MoE and FP8 mechanisms into buf; 0 when there is no i-th line. */
int tce_plan_moe_assumption(const struct tce_job *job, int i, char *buf,
                            size_t size);

const char *tce_op_kind_name(enum tce_op_kind k);
const char *tce_overlap_name(enum tce_overlap o);

#endif
