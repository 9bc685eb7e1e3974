/*
 * rules.h - the cross-field rules of a job and a topology, each once.
 *
 * Config validation (tce_job_check and the topology check), the layout
 * (tce_layout_init, tce_layout_check_layers), the search's enumeration and
 * tce_search_valid_scales, and `tcemu bench`'s group options all ask these
 * functions instead of re-stating a rule.  Pure: plain numbers or const
 * structs in, a verdict out; no libconfig, no I/O.
 *
 * Every rule returns 0 when it holds and TCE_ECONFIG when it is broken.
 * err may be NULL (a search loop that only wants the verdict: nothing is
 * formatted); otherwise a broken rule fills err->msg with the text and
 * err->key with the key it cites (for a file: "parallel.num_gpus",
 * "contracts[2].usd_per_node_hour"; the caller adds the file and line).
 *
 * The same rule is worded for the one who has to act (the voice): a file's
 * author reads "key: must be ... (got X)", the layout's caller
 * "--gpus 96: tensor x pipeline x context parallel size (...) must divide
 * the GPU count" (it adds the "--gpus 96: " part), `tcemu bench` the names
 * of its options.  A rule with one voice ignores the argument.
 */
#ifndef TCEMU_RULES_H
#define TCEMU_RULES_H

#include <stdint.h>

#include "tcemu/error.h"
#include "tcemu/types.h"

enum tce_rule_voice {
    TCE_RULE_FILE,   /* validation of a job or topology file */
    TCE_RULE_LAYOUT, /* placing a job on a GPU count (layout.h) */
    TCE_RULE_BENCH,  /* `tcemu bench --tp --cp --pp --ep` on a world */
};

/* ---- parallel sizes ----------------------------------------------------- */

/* tp x pp x cp divides the GPU count (FILE, LAYOUT, BENCH). */
int tce_rule_model_parallel(int64_t gpus, int64_t tp, int64_t pp, int64_t cp,
                            enum tce_rule_voice voice, struct tce_error *err);
/* ep divides the data-parallel size gpus / (tp pp cp) (FILE, LAYOUT,
 * BENCH). */
int tce_rule_ep_divides_dp(int64_t dp, int64_t ep, enum tce_rule_voice voice,
                           struct tce_error *err);
/* The EP group fits (FILE, LAYOUT): with expert_tensor_parallel_size etp
 * = 0, ep divides dp (tce_rule_ep_divides_dp); with etp >= 1 (MoE Parallel
 * Folding) etp x ep divides the tp x cp x dp ranks of a pipeline stage. */
int tce_rule_ep_group(int64_t tp, int64_t cp, int64_t dp, int64_t ep,
                      int64_t etp, enum tce_rule_voice voice,
                      struct tce_error *err);
/* The global batch is a multiple of dp x micro batch (FILE, LAYOUT). */
int tce_rule_global_batch(int64_t global_batch, int64_t dp, int64_t micro_batch,
                          enum tce_rule_voice voice, struct tce_error *err);
/* Interleaving needs a pipeline (FILE). */
int tce_rule_vpp_needs_pp(int64_t pp, int64_t vpp, struct tce_error *err);
/* Interleaved 1F1B (vpp > 1) needs the micro batches of an iteration to be
 * a multiple of pp (Megatron-LM's schedule; verdict only). */
int tce_rule_vpp_microbatches(int64_t microbatches, int64_t pp, int64_t vpp);
/* Context parallelism splits each sequence in 2 cp chunks (FILE). */
int tce_rule_cp_seq(int64_t seq_length, int64_t cp, struct tce_error *err);

/* ---- attention over tensor parallelism ---------------------------------- */

/* Heads divisible by tp (FILE). */
int tce_rule_heads_tp(int64_t heads, int64_t tp, struct tce_error *err);
/* Query groups divisible by tp (FILE; not asked with MLA). */
int tce_rule_groups_tp(int64_t groups, int64_t tp, struct tce_error *err);
/* Both at once, as the layout and the search ask (LAYOUT). */
int tce_rule_attention_tp(int64_t heads, int64_t groups, int64_t tp,
                          struct tce_error *err);
/* Query groups divide the heads (FILE). */
int tce_rule_heads_groups(int64_t heads, int64_t groups, struct tce_error *err);
/* hidden_size divisible by heads when kv_channels is derived (FILE). */
int tce_rule_head_dim(int64_t hidden, int64_t heads, struct tce_error *err);

/* ---- layers over the pipeline ------------------------------------------- */

/* The job's layers split over pp stages of vpp chunks: evenly (with the
 * embedding / loss slots when accounted), or Megatron-LM's uneven first /
 * last stages with the rest even (layout.h says how).  FILE voice: the
 * split alone (tce_rule_uneven_accounting is its own rule there); LAYOUT
 * voice: the split, the accounting and sizes below 1 as one verdict. */
int tce_rule_layers(const struct tce_job *job, int64_t pp, int64_t vpp,
                    enum tce_rule_voice voice, struct tce_error *err);
/* Uneven stages and embedding / loss accounting exclude each other, and a
 * pipeline_model_parallel_layout excludes both (FILE). */
int tce_rule_uneven_accounting(const struct tce_job *job,
                               struct tce_error *err);
/* Parse p->pipeline_model_parallel_layout (Megatron-LM's
 * --pipeline-model-parallel-layout: one '|'-separated entry per virtual
 * stage j = chunk x pp + stage; E embedding, t decoder layer, m MTP layer,
 * L loss; X*N and (...)*N repeat; spaces and ',' ignored) into
 * pipeline_layout_stages and pipeline_layout_layers (decoder layers per
 * virtual stage): 0, or TCE_ECONFIG (stages -1) when it does not parse or
 * does not hold E in the first and L in the last virtual stage.  "" gives
 * 0 stages (no layout).  tce_rule_layers then checks pp x vpp stages and
 * num_layers layers.  tce_job_derive calls it after loading. */
int tce_rule_parse_pipeline_layout(struct tce_parallel *p,
                                   struct tce_error *err);
/* The same on a text: *stages and layers[] (TCE_PIPELINE_LAYOUT_MAX); 0,
 * or TCE_ECONFIG with *why (src/rules_layout.c). */
int tce_rule_parse_layout_text(const char *s, int64_t *stages,
                               int16_t *layers, const char **why);

/* ---- mixture of experts and the rest of the model ----------------------- */

/* Experts divisible by ep (FILE, LAYOUT); a dense model holds it. */
int tce_rule_experts_ep(int64_t experts, int64_t ep, enum tce_rule_voice voice,
                        struct tce_error *err);
/* moe_pad_expert_input_to_capacity needs moe_expert_capacity_factor > 0
 * and a dispatcher other than flex, as Megatron-Core raises
 * (transformer_config.py: "moe_expert_capacity_factor must be set to use
 * moe_pad_expert_input_to_capacity", "Flex token dispatcher does not
 * support moe_pad_expert_input_to_capacity") (FILE). */
int tce_rule_token_drop(const struct tce_job *job, struct tce_error *err);
/* overlap_moe_expert_parallel_comm needs ep > 1 and, with pp > 1,
 * vpp > 1: Megatron-Core asserts both (transformer_config.py: "only
 * supported with expert model parallelism", "virtual_pipeline_model_
 * parallel_size must be specified when pipeline_model_parallel_size > 1";
 * its combined 1F1B exists for the interleaved and the no-pipeline
 * schedules only) (FILE, LAYOUT). */
int tce_rule_ep_overlap(int overlap, int64_t pp, int64_t vpp, int64_t ep,
                        enum tce_rule_voice voice, struct tce_error *err);
/* A dense model has ep 1 and topk 0; an MoE model 1 <= topk <= experts and
 * fewer leading dense layers than layers (FILE). */
int tce_rule_ep_dense(const struct tce_model *m, int64_t ep,
                      struct tce_error *err);
int tce_rule_topk(const struct tce_model *m, struct tce_error *err);
int tce_rule_moe_first_dense(const struct tce_model *m, struct tce_error *err);
/* MLA needs its head dimensions; i-th (0..3) of kv_lora_rank, qk_head_dim,
 * qk_pos_emb_head_dim, v_head_dim (FILE). */
#define TCE_RULE_MLA_DIMS 4
int tce_rule_mla_dim(const struct tce_model *m, int i, struct tce_error *err);
/* At least one iteration of tokens (FILE). */
int tce_rule_train_tokens(const struct tce_model *m,
                          const struct tce_training *t, struct tce_error *err);

/* ---- topology ----------------------------------------------------------- */

/* The scale-up domain is a multiple or a divisor of the node (FILE). */
int tce_rule_scale_up_domain(const struct tce_topology *t,
                             struct tce_error *err);
/* Fabric tier i (>= 1) spans more nodes than tier i - 1 (FILE). */
int tce_rule_fabric_order(const struct tce_topology *t, int i,
                          struct tce_error *err);
/* Key a contract's kind needs ("term_months", ...), "" when none. */
const char *tce_rule_contract_needs(enum tce_contract_kind kind, int n);
/* Contract i: committed nodes within capacity; its name unique (FILE). */
int tce_rule_committed_nodes(const struct tce_topology *t, int i,
                             struct tce_error *err);
int tce_rule_contract_name(const struct tce_topology *t, int i,
                           struct tce_error *err);
/* Contract i of a kind other than on_demand has a price above 0 (an
 * on_demand contract's 0 means the list price). */
int tce_rule_contract_price(const struct tce_topology *t, int i,
                            struct tce_error *err);
/* One on-demand price: an on_demand contract's usd_per_node_hour is 0 (the
 * list price) or price.on_demand_usd_per_node_hour (FILE). */
int tce_rule_on_demand_price(const struct tce_topology *t, int i,
                             struct tce_error *err);

/* ---- moe (issue 11) ----------------------------------------------------- */

/* Group-limited routing: moe_router_num_groups divides the experts,
 * 1 <= moe_router_group_topk <= groups, topk fits the groups a token may
 * use; both 0 = not limited (FILE). */
int tce_rule_router_groups(const struct tce_model *m, struct tce_error *err);
/* moe_fp8_dispatch needs FP8 (FILE). */
int tce_rule_fp8_dispatch(const struct tce_job *job, struct tce_error *err);
/* An FP8 job needs an accelerator with an FP8 peak (the job's key: a job
 * and topology rule, checked when both are loaded). */
int tce_rule_fp8_peak(const struct tce_job *job,
                      const struct tce_topology *topo, struct tce_error *err);

#endif
