/*
 * test_rules.c - the job and topology rules (rules.h): each rule's verdict
 * on a case that holds and one that breaks it, the exact text and key of
 * each voice, and NULL err (verdict only).
 */
#include "tce_test.h"

#include <stdlib.h>

#include <string.h>

#include "tcemu/config.h"
#include "tcemu/rules.h"

static void assert_broken(int rc, const struct tce_error *e, const char *key,
                          const char *msg)
{
    assert_int_equal(rc, TCE_ECONFIG);
    assert_string_equal(e->key, key);
    assert_string_equal(e->msg, msg);
}

static void test_parallel_sizes(void **state)
{
    struct tce_error e;
    (void)state;

    assert_int_equal(tce_rule_model_parallel(16, 2, 2, 2, TCE_RULE_FILE, &e),
                     0);
    assert_int_equal(tce_rule_model_parallel(12, 2, 2, 2, TCE_RULE_FILE, NULL),
                     TCE_ECONFIG);
    assert_broken(tce_rule_model_parallel(10, 2, 2, 1, TCE_RULE_FILE, &e), &e,
                  "parallel.num_gpus",
                  "must be a multiple of tensor x pipeline x context parallel "
                  "sizes 2 x 2 x 1 = 4 (got 10)");
    assert_broken(tce_rule_model_parallel(96, 8, 5, 1, TCE_RULE_LAYOUT, &e), &e,
                  "",
                  "tensor x pipeline x context parallel size (8 x 5 x 1 = 40) "
                  "must divide the GPU count");
    assert_broken(tce_rule_model_parallel(8, 3, 1, 1, TCE_RULE_BENCH, &e), &e,
                  "", "--tp x --cp x --pp = 3 does not divide 8 ranks");

    assert_int_equal(tce_rule_ep_divides_dp(8, 4, TCE_RULE_FILE, &e), 0);
    assert_broken(tce_rule_ep_divides_dp(2, 4, TCE_RULE_FILE, &e), &e,
                  "parallel.expert_model_parallel_size",
                  "must divide the data parallel size 2 = num_gpus / (tp x pp "
                  "x cp) (got 4)");
    assert_broken(tce_rule_ep_divides_dp(6, 4, TCE_RULE_LAYOUT, &e), &e, "",
                  "expert parallel size 4 must divide the data-parallel size "
                  "6 (= GPUs / (tp x pp x cp))");
    assert_broken(tce_rule_ep_divides_dp(6, 4, TCE_RULE_BENCH, &e), &e, "",
                  "--ep 4 does not divide dp 6");

    assert_int_equal(tce_rule_global_batch(16, 4, 2, TCE_RULE_FILE, &e), 0);
    assert_broken(tce_rule_global_batch(15, 2, 1, TCE_RULE_FILE, &e), &e,
                  "training.global_batch_size",
                  "must be a multiple of data parallel size x "
                  "micro_batch_size 2 x 1 = 2 (got 15)");
    assert_broken(tce_rule_global_batch(0, 2, 1, TCE_RULE_LAYOUT, &e), &e, "",
                  "global batch 0 must be a multiple of data-parallel size x "
                  "micro batch (2 x 1 = 2)");

    assert_int_equal(tce_rule_vpp_needs_pp(2, 2, &e), 0);
    assert_broken(tce_rule_vpp_needs_pp(1, 2, &e), &e,
                  "parallel.virtual_pipeline_model_parallel_size",
                  "needs pipeline_model_parallel_size > 1 (got 2)");
    assert_int_equal(tce_rule_vpp_microbatches(6, 4, 1), 0);
    assert_int_equal(tce_rule_vpp_microbatches(8, 4, 2), 0);
    assert_int_equal(tce_rule_vpp_microbatches(6, 4, 2), TCE_ECONFIG);

    assert_int_equal(tce_rule_cp_seq(2050, 1, &e), 0);
    assert_int_equal(tce_rule_cp_seq(2048, 2, &e), 0);
    assert_broken(tce_rule_cp_seq(2050, 2, &e), &e, "model.seq_length",
                  "must be divisible by 2 x context_parallel_size = 4 (got "
                  "2050)");
}

static void test_attention(void **state)
{
    struct tce_error e;
    (void)state;

    assert_int_equal(tce_rule_heads_tp(16, 8, &e), 0);
    assert_broken(tce_rule_heads_tp(20, 8, &e), &e, "model.num_attention_heads",
                  "must be divisible by tensor_model_parallel_size 8 (got "
                  "20)");
    assert_broken(tce_rule_groups_tp(1, 2, &e), &e, "model.num_query_groups",
                  "must be divisible by tensor_model_parallel_size 2 (got 1)");
    assert_int_equal(tce_rule_attention_tp(16, 8, 8, &e), 0);
    assert_broken(tce_rule_attention_tp(16, 4, 8, &e), &e, "",
                  "attention heads 16 and query groups 4 must be divisible by "
                  "tensor parallel size 8");
    assert_int_equal(tce_rule_heads_groups(16, 4, &e), 0);
    assert_broken(tce_rule_heads_groups(16, 6, &e), &e,
                  "model.num_query_groups",
                  "must divide num_attention_heads 16 (got 6)");
    assert_broken(tce_rule_head_dim(1000, 16, &e), &e, "model.hidden_size",
                  "must be divisible by num_attention_heads 16 when "
                  "kv_channels is not set (got 1000)");
}

static void test_layers(void **state)
{
    static struct tce_job j;
    struct tce_error e;
    (void)state;

    tce_job_defaults(&j);
    j.model.num_layers = 8;
    assert_int_equal(tce_rule_layers(&j, 2, 2, TCE_RULE_FILE, &e), 0);
    assert_int_equal(tce_rule_layers(&j, 4, 2, TCE_RULE_LAYOUT, NULL), 0);
    j.model.num_layers = 6;
    assert_broken(tce_rule_layers(&j, 2, 2, TCE_RULE_FILE, &e), &e,
                  "model.num_layers",
                  "must be divisible by pipeline x virtual pipeline sizes 2 x "
                  "2 = 4 (got 6)");
    assert_broken(tce_rule_layers(&j, 2, 2, TCE_RULE_LAYOUT, &e), &e, "",
                  "layers 6 must be divisible by pipeline x virtual stages "
                  "(2 x 2)");
    /* embedding and loss slots: 6 + 2 = 8 */
    j.parallel.account_for_embedding_in_pipeline_split = 1;
    j.parallel.account_for_loss_in_pipeline_split = 1;
    assert_int_equal(tce_rule_layers(&j, 4, 1, TCE_RULE_FILE, &e), 0);
    assert_broken(tce_rule_layers(&j, 3, 1, TCE_RULE_FILE, &e), &e,
                  "model.num_layers",
                  "plus the embedding / loss slots must be divisible by "
                  "pipeline x virtual pipeline sizes 3 x 1 = 3 (got 8)");
    assert_broken(tce_rule_layers(&j, 3, 1, TCE_RULE_LAYOUT, &e), &e, "",
                  "layers 8 (with the embedding / loss slots) must be "
                  "divisible by pipeline x virtual stages (3 x 1)");
    /* uneven first / last stages */
    j.model.num_layers = 10;
    j.parallel.decoder_first_pipeline_num_layers = 2;
    j.parallel.decoder_last_pipeline_num_layers = 2;
    assert_broken(tce_rule_uneven_accounting(&j, &e), &e,
                  "parallel.account_for_embedding_in_pipeline_split",
                  "cannot be combined with "
                  "decoder_first/last_pipeline_num_layers");
    assert_int_equal(tce_rule_layers(&j, 4, 1, TCE_RULE_FILE, &e), 0);
    assert_int_equal(tce_rule_layers(&j, 4, 1, TCE_RULE_LAYOUT, NULL),
                     TCE_ECONFIG); /* the accounting, in one verdict */
    j.parallel.account_for_embedding_in_pipeline_split = 0;
    j.parallel.account_for_loss_in_pipeline_split = 0;
    assert_int_equal(tce_rule_uneven_accounting(&j, &e), 0);
    assert_int_equal(tce_rule_layers(&j, 4, 1, TCE_RULE_LAYOUT, &e), 0);
    j.model.num_layers = 11;
    assert_broken(tce_rule_layers(&j, 5, 1, TCE_RULE_FILE, &e), &e,
                  "parallel.decoder_first_pipeline_num_layers",
                  "first 2 and last 2 stage layers leave 7 of num_layers 11 "
                  "for 3 middle stages: each stage's layers must split "
                  "evenly over 1 virtual stages (pp > 1)");
    assert_broken(tce_rule_layers(&j, 5, 1, TCE_RULE_LAYOUT, &e), &e, "",
                  "uneven pipeline: first stage 2, last stage 2 layers of 11 "
                  "leave 7 for 3 middle stages: every stage's layers must "
                  "split evenly over its 1 virtual stages (pp > 1, no "
                  "embedding / loss accounting)");
    assert_broken(tce_rule_layers(&j, 0, 1, TCE_RULE_LAYOUT, &e), &e, "",
                  "layers 11, pipeline 0, virtual 1: sizes below 1");
}

static void test_experts_and_model(void **state)
{
    static struct tce_job j;
    struct tce_model *m = &j.model;
    struct tce_error e;
    int i;
    (void)state;

    tce_job_defaults(&j);
    m->num_layers = 8;
    assert_int_equal(tce_rule_experts_ep(0, 4, TCE_RULE_LAYOUT, &e), 0);
    assert_int_equal(tce_rule_experts_ep(8, 4, TCE_RULE_FILE, &e), 0);
    assert_broken(tce_rule_experts_ep(6, 4, TCE_RULE_FILE, &e), &e,
                  "parallel.expert_model_parallel_size",
                  "must divide num_experts 6 (got 4)");
    assert_broken(tce_rule_experts_ep(6, 4, TCE_RULE_LAYOUT, &e), &e, "",
                  "experts 6 must be divisible by expert parallel size 4");
    /* overlap_moe_expert_parallel_comm: EP, and with a pipeline the
     * interleaved schedule */
    assert_int_equal(tce_rule_ep_overlap(0, 4, 1, 1, TCE_RULE_FILE, &e), 0);
    assert_int_equal(tce_rule_ep_overlap(1, 1, 1, 8, TCE_RULE_FILE, &e), 0);
    assert_int_equal(tce_rule_ep_overlap(1, 8, 4, 8, TCE_RULE_LAYOUT, &e), 0);
    assert_broken(tce_rule_ep_overlap(1, 1, 1, 1, TCE_RULE_FILE, &e), &e,
                  "training.overlap_moe_expert_parallel_comm",
                  "needs expert_model_parallel_size > 1 (got 1)");
    assert_broken(tce_rule_ep_overlap(1, 4, 1, 8, TCE_RULE_FILE, &e), &e,
                  "training.overlap_moe_expert_parallel_comm",
                  "with pipeline_model_parallel_size 4 needs "
                  "virtual_pipeline_model_parallel_size > 1 (Megatron-Core "
                  "runs its combined 1F1B only in the interleaved schedule; "
                  "got 1)");
    assert_broken(tce_rule_ep_overlap(1, 16, 1, 8, TCE_RULE_LAYOUT, &e), &e,
                  "",
                  "overlap_moe_expert_parallel_comm with pipeline parallel "
                  "size 16 needs virtual pipeline stages (Megatron-Core runs "
                  "its combined 1F1B only in the interleaved schedule)");
    /* token drop: padding needs a capacity and not the flex dispatcher */
    {
        struct tce_job td;

        tce_job_defaults(&td);
        assert_int_equal(tce_rule_token_drop(&td, &e), 0);
        td.training.moe_pad_expert_input_to_capacity = 1;
        assert_broken(tce_rule_token_drop(&td, &e), &e,
                      "training.moe_pad_expert_input_to_capacity",
                      "needs training.moe_expert_capacity_factor > 0 (the "
                      "capacity it pads to)");
        td.training.moe_expert_capacity_factor = 1.0;
        assert_int_equal(tce_rule_token_drop(&td, &e), 0);
        td.parallel.moe_token_dispatcher_type = TCE_DISPATCHER_FLEX;
        assert_broken(tce_rule_token_drop(&td, &e), &e,
                      "training.moe_pad_expert_input_to_capacity",
                      "not with moe_token_dispatcher_type flex (Megatron-"
                      "Core: the flex dispatcher does not pad to capacity)");
    }
    assert_int_equal(tce_rule_ep_dense(m, 1, &e), 0);
    assert_broken(tce_rule_ep_dense(m, 2, &e), &e,
                  "parallel.expert_model_parallel_size",
                  "needs num_experts > 0 (got 2)");
    assert_int_equal(tce_rule_topk(m, &e), 0);
    m->moe_router_topk = 2;
    assert_broken(tce_rule_topk(m, &e), &e, "model.moe_router_topk",
                  "needs num_experts > 0 (got 2)");
    m->num_experts = 8;
    m->moe_router_topk = 0;
    assert_broken(tce_rule_topk(m, &e), &e, "model.moe_router_topk",
                  "must be in [1, num_experts = 8] for an MoE model (got 0)");
    m->moe_first_dense_layers = 8;
    assert_broken(tce_rule_moe_first_dense(m, &e), &e,
                  "model.moe_first_dense_layers",
                  "must be less than num_layers 8 (got 8)");
    for (i = 0; i < TCE_RULE_MLA_DIMS; i++)
        assert_int_equal(tce_rule_mla_dim(m, i, &e), 0); /* no MLA */
    m->multi_latent_attention = 1;
    m->kv_lora_rank = 512;
    assert_int_equal(tce_rule_mla_dim(m, 0, &e), 0);
    assert_broken(tce_rule_mla_dim(m, 3, &e), &e, "model.v_head_dim",
                  "must be > 0 with multi_latent_attention (got 0)");
    m->seq_length = 2048;
    j.training.global_batch_size = 16;
    j.training.train_tokens = 1000;
    assert_broken(tce_rule_train_tokens(m, &j.training, &e), &e,
                  "training.train_tokens",
                  "must be at least one iteration, global_batch_size x "
                  "seq_length = 32768 (got 1000)");
}

/* moe (issue 11): group-limited routing and FP8 rules. */
static void test_moe_routing_fp8(void **state)
{
    struct tce_job *j = calloc(1, sizeof(*j));
    struct tce_topology *t = calloc(1, sizeof(*t));
    struct tce_error e;

    (void)state;
    assert_non_null(j);
    assert_non_null(t);
    tce_job_defaults(j);
    j->model.num_experts = 256;
    j->model.moe_router_topk = 8;
    assert_int_equal(tce_rule_router_groups(&j->model, &e), 0);
    j->model.moe_router_num_groups = 8;   /* DeepSeek-V3 */
    j->model.moe_router_group_topk = 4;
    assert_int_equal(tce_rule_router_groups(&j->model, &e), 0);
    j->model.moe_router_group_topk = 9;
    assert_broken(tce_rule_router_groups(&j->model, &e), &e,
                  "model.moe_router_group_topk",
                  "must be in [1, moe_router_num_groups = 8] (got 9)");
    j->model.moe_router_num_groups = 128; /* 2 experts per group */
    j->model.moe_router_group_topk = 2;
    assert_broken(tce_rule_router_groups(&j->model, &e), &e,
                  "model.moe_router_topk",
                  "at most moe_router_group_topk x experts per group = 4 "
                  "(got 8)");
    j->model.moe_router_num_groups = 0;
    assert_broken(tce_rule_router_groups(&j->model, &e), &e,
                  "model.moe_router_group_topk",
                  "needs moe_router_num_groups > 0 (got 2)");
    /* FP8 dispatch needs FP8; FP8 needs an FP8 peak */
    j->training.moe_fp8_dispatch = 1;
    assert_broken(tce_rule_fp8_dispatch(j, &e), &e,
                  "training.moe_fp8_dispatch",
                  "needs FP8 (precision = \"fp8\" or fp8 = \"e4m3\" / "
                  "\"hybrid\")");
    j->training.fp8 = TCE_FP8_E4M3;
    assert_int_equal(tce_rule_fp8_dispatch(j, &e), 0);
    tce_topology_defaults(t);
    snprintf(t->path, sizeof(t->path), "a100.cfg");
    assert_broken(tce_rule_fp8_peak(j, t, &e), &e, "training.fp8",
                  "FP8 needs an accelerator with an FP8 peak (a100.cfg: "
                  "accelerator.fp8_tflops is 0)");
    t->accelerator.fp8_tflops = 1979.0;
    assert_int_equal(tce_rule_fp8_peak(j, t, &e), 0);
    j->training.fp8 = TCE_FP8_NONE;
    t->accelerator.fp8_tflops = 0.0;
    assert_int_equal(tce_rule_fp8_peak(j, t, &e), 0); /* a BF16 job */
    free(t);
    free(j);
}

static void test_topology(void **state)
{
    static struct tce_topology t;
    struct tce_error e;
    (void)state;

    tce_topology_defaults(&t);
    t.node.accelerators = 8;
    t.scale_up.domain_accelerators = 12;
    assert_broken(tce_rule_scale_up_domain(&t, &e), &e,
                  "scale_up.domain_accelerators",
                  "must be a multiple or a divisor of node.accelerators 8 "
                  "(got 12)");
    t.scale_up.domain_accelerators = 4;
    assert_int_equal(tce_rule_scale_up_domain(&t, &e), 0);

    t.n_fabric = 2;
    t.fabric[0].group_nodes = 2;
    t.fabric[1].group_nodes = 2;
    assert_broken(tce_rule_fabric_order(&t, 1, &e), &e, "fabric[1].group_nodes",
                  "must be greater than the tier below, 2 (got 2)");

    assert_string_equal(tce_rule_contract_needs(TCE_CONTRACT_COMMITMENT, 0),
                        "term_months");
    assert_string_equal(tce_rule_contract_needs(TCE_CONTRACT_COMMITMENT, 1),
                        "committed_nodes");
    assert_string_equal(tce_rule_contract_needs(TCE_CONTRACT_COMMITMENT, 2),
                        "");
    assert_string_equal(tce_rule_contract_needs(TCE_CONTRACT_ON_DEMAND, 0), "");

    t.capacity.max_nodes = 4;
    t.price.on_demand_usd_per_node_hour = 60.0;
    t.n_contracts = 3;
    strcpy(t.contracts[0].name, "on-demand");
    t.contracts[0].kind = TCE_CONTRACT_ON_DEMAND;
    t.contracts[0].usd_per_node_hour = 55.04;
    strcpy(t.contracts[1].name, "list");
    t.contracts[1].kind = TCE_CONTRACT_ON_DEMAND;
    t.contracts[1].usd_per_node_hour = 0.0; /* the list price */
    strcpy(t.contracts[2].name, "on-demand");
    t.contracts[2].kind = TCE_CONTRACT_COMMITMENT;
    t.contracts[2].usd_per_node_hour = 20.0; /* not on demand: free */
    t.contracts[2].committed_nodes = 64;
    assert_broken(tce_rule_on_demand_price(&t, 0, &e), &e,
                  "contracts[0].usd_per_node_hour",
                  "on_demand contract 'on-demand' is 55.04 USD/node-hour but "
                  "price.on_demand_usd_per_node_hour is 60 (one on-demand "
                  "price: make them equal or drop the contract's)");
    assert_int_equal(tce_rule_on_demand_price(&t, 1, &e), 0);
    assert_int_equal(tce_rule_on_demand_price(&t, 2, &e), 0);
    t.contracts[0].usd_per_node_hour = 60.0;
    assert_int_equal(tce_rule_on_demand_price(&t, 0, &e), 0);

    /* a price of 0 is the list price for on_demand, an error elsewhere */
    assert_int_equal(tce_rule_contract_price(&t, 1, &e), 0);
    assert_int_equal(tce_rule_contract_price(&t, 2, &e), 0);
    t.contracts[2].usd_per_node_hour = 0.0;
    assert_broken(tce_rule_contract_price(&t, 2, &e), &e,
                  "contracts[2].usd_per_node_hour",
                  "commitment contract 'on-demand' needs a price above 0 (0 "
                  "means the list price only for on_demand)");
    t.contracts[2].usd_per_node_hour = 20.0;

    assert_int_equal(tce_rule_contract_name(&t, 1, &e), 0);
    assert_broken(tce_rule_contract_name(&t, 2, &e), &e, "contracts[2].name",
                  "duplicate contract name 'on-demand' (also contracts[0])");
    assert_int_equal(tce_rule_committed_nodes(&t, 0, &e), 0);
    assert_broken(tce_rule_committed_nodes(&t, 2, &e), &e,
                  "contracts[2].committed_nodes",
                  "must be in [1, capacity.max_nodes = 4] (got 64)");
}

/* repro (issue 11): the EP group under MoE Parallel Folding. */
static void test_ep_folding(void **state)
{
    struct tce_error e;
    (void)state;

    /* EP inside DP (etp 0) and folded over the stage (etp >= 1) */
    assert_int_equal(tce_rule_ep_group(2, 1, 16, 32, 0, TCE_RULE_FILE, &e),
                     TCE_ECONFIG);
    assert_int_equal(tce_rule_ep_group(2, 1, 16, 32, 1, TCE_RULE_FILE, &e),
                     0);
    assert_broken(tce_rule_ep_group(2, 1, 16, 32, 2, TCE_RULE_FILE, &e), &e,
                  "parallel.expert_model_parallel_size",
                  "x expert_tensor_parallel_size (32 x 2) must divide the 32 "
                  "ranks of a pipeline stage = tp x cp x dp");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parallel_sizes),
        cmocka_unit_test(test_attention),
        cmocka_unit_test(test_layers),
        cmocka_unit_test(test_experts_and_model),
        cmocka_unit_test(test_topology),
        cmocka_unit_test(test_moe_routing_fp8),
        cmocka_unit_test(test_ep_folding),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
