/*
 * report_project.c - the human table, CSV and JSON of `tcemu project`.
 * Formatting only: every number comes from struct tce_project_row (the
 * projection and its price); the columns are described once, below, and
 * report.h writes the table, the CSV and the JSON results from them.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "tcemu/attncost.h"
#include "tcemu/cli.h"
#include "tcemu/confidence.h"
#include "tcemu/json.h"
#include "tcemu/report_ops.h"
#include "tcemu/report_project.h"
#include "tcemu/report_stack.h"
#include "tcemu/stack.h"
#include "tcemu/wgradcost.h" /* wgrad (issue 11) */

int tce_report_project_assumptions(const struct tce_project_report *r,
                                   char lines[][TCE_REPORT_LINE_MAX], int max)
{
    const struct tce_accelerator *a = &r->topo->accelerator;
    const struct tce_costmodel *cm = r->cm;
    struct tce_confidence_set conf;
    char summary[200], weak[160] = "", sched_line[TCE_REPORT_LINE_MAX];
    int i, n = 0;

#define LINE(...)                                                            \
    do {                                                                     \
        if (n < max)                                                         \
            snprintf(lines[n++], TCE_REPORT_LINE_MAX, __VA_ARGS__);          \
    } while (0)
    LINE("datasheet figures (topology file): peak %.0f TFLOP/s (%s), HBM "
         "%.0f GB/s, scale-up %.0f GB/s per accelerator, scale-out %d x %.0f "
         "Gbit/s per node",
         cm->peak_flops / 1e12,
         tce_training_fp8(&r->job->training) && a->fp8_tflops > 0
             ? "fp8"
             : "bf16",
         a->hbm_gbytes_per_s, r->topo->scale_up.bandwidth_gbytes_per_s,
         r->topo->scale_out.nics_per_node,
         r->topo->scale_out.nic_bandwidth_gbit_per_s);
    LINE("compute efficiency (topology file, calibrated against Megatron-LM "
         "SC21 on A100 for dgx-a100-80gb, estimates elsewhere): "
         "matmul_efficiency %.3g, matmul_half_gflop %.3g, "
         "memory_efficiency %.3g",
         a->matmul_efficiency, a->matmul_half_gflop, a->memory_efficiency);
    /* fitd (issue 11) */
    if (a->attention_efficiency > 0)
        LINE("attention: fused attention at attention_efficiency %.3g of the "
             "peak (topology file: its own kernels, bound by softmax and "
             "shared memory, not the GEMM curve; backward 2.5x the "
             "forward's FLOPs) where no measured table covers it",
             a->attention_efficiency);
    /* bw (issue 11): the exponential pipe of fused attention */
    if (a->attention_efficiency > 0 && a->sfu_exp_tera_per_s > 0)
        LINE("attention: the softmax's exponentials on the SFUs at %.3g "
             "TeraExp/s (topology file), one per score element executed: "
             "time = max(tensor, exp) + %.3g x the shorter (attncost.h: "
             "from H100 SDPA measured and B200 cuDNN 9.13); backward "
             "tensor pipe %.3g x the forward's; head dim 64 twice as "
             "exponential-bound as 128",
             a->sfu_exp_tera_per_s, TCE_ATTNCOST_SERIAL,
             TCE_ATTNCOST_BWD_TENSOR_RATIO);
    /* cp (issue 11): the p2p ring as Transformer Engine runs it */
    if (r->job->parallel.context_parallel_size > 1 &&
        r->job->parallel.cp_comm_type == TCE_CP_COMM_P2P)
        LINE("context parallelism (p2p, plan_cp.h): c steps of flash "
             "kernels (step 0 causal T x T, then T x T/2, T = s/c), c "
             "merge passes; each send hidden only under its own step "
             "(Transformer Engine AttnFuncWithCPAndKVP2P; arXiv "
             "2310.01889)");
    if (r->job->parallel.context_parallel_size > 1 &&
        r->job->parallel.cp_comm_type == TCE_CP_COMM_ALL_GATHER)
        LINE("context parallelism (all_gather, plan_cp.c): K/V all-gathered "
             "(exposed), then one flash kernel per local query chunk, half "
             "the rank's scores each (Transformer Engine "
             "AttnFuncWithCPAndKVAllGather; Llama 3, arXiv 2407.21783)");
    if (cm->has_table) {
        const struct tce_computetable *t = &cm->table;

        LINE("compute: measured table (%.64s, %.24s; %.24s %.24s, %s "
             "attention, %s CUDA graphs) for the ops it covers, the curve "
             "above elsewhere (--ops shows each op's source)",
             t->device, t->date, t->stack.framework,
             t->stack.framework_version,
             t->stack.flash_attention ? "fused" : "unfused",
             t->stack.cuda_graphs ? "with" : "no");
        LINE("compute table: %s %.200s",
             cm->table_from_calibration ? "calibration file"
                                        : "the topology's compute_calibration",
             cm->table_from_calibration ? r->calibration_path
                                        : a->compute_calibration);
        if (cm->table_from_calibration &&
            tce_computetable_has_rows(&r->topo->compute)) {
            struct tce_stack sc, st;
            int fc, ft;
            char diff[160];

            /* the stack module's comparison, naming what differs (the
             * versions alone may be the same) */
            tce_stack_from_table(&t->stack, &sc, &fc);
            tce_stack_from_table(&r->topo->compute.stack, &st, &ft);
            if (tce_stack_diff(&sc, fc, &st, ft, diff, sizeof(diff)))
                LINE("compute: the calibration's table was measured under "
                     "another stack than the topology's (calibration / "
                     "topology: %.160s): the calibration's is used", diff);
        }
        if (tce_computetable_max_rate(t, cm->dtype) > cm->peak_flops)
            LINE("compute: WARNING: the table's GEMMs run faster (%.0f "
                 "TFLOP/s) than this topology's peak (%.0f TFLOP/s): "
                 "measured on another accelerator?",
                 tce_computetable_max_rate(t, cm->dtype) / 1e12,
                 cm->peak_flops / 1e12);
        /* sust: a burst-timed table at the clock a training step holds */
        if (t->sustained_ratio > 0 && t->sustained_ratio < 1.0)
            LINE("compute: sustained load: the table's GEMM and attention "
                 "rows were timed as short bursts; a training step holds a "
                 "lower SM clock at the board's power cap, so they run at "
                 "%.3g of their rate (calibration.compute.sustained_ratio, "
                 "measured on the same device); element-wise rows keep "
                 "theirs (the HBM clock holds)",
                 t->sustained_ratio);
        /* ceil (issue 10): the curve outside the table at its ceiling */
        if (cm->curve_ceiling[TCE_DTYPE_BF16] > 0 ||
            cm->curve_ceiling[TCE_DTYPE_FP8] > 0)
            LINE("compute: GEMMs the table does not cover run on the curve "
                 "at the table's own large-GEMM efficiency, BF16 %.3g and FP8 "
                 "%.3g of the peak (the median of its large GEMMs of each "
                 "dtype, at the sustained clock; 0: none timed, "
                 "matmul_efficiency %.3g instead), not faster than the "
                 "same accelerator was measured",
                 cm->curve_ceiling[TCE_DTYPE_BF16],
                 cm->curve_ceiling[TCE_DTYPE_FP8], a->matmul_efficiency);
        if (!r->job->training.use_flash_attn && t->stack.flash_attention)
            LINE("compute: the job runs unfused attention, the table was "
                 "measured with fused attention: attention from the curve");
        if (tce_training_fp8(&r->job->training) &&
            !t->stack.fp8_recipe[0])
            LINE("compute: the job runs fp8, the table names no FP8 recipe");
    } else {
        LINE("compute: the topology's curve (no measured compute table)");
    }
    /* shape (issue 11): gemmshape.h */
    if (cm->has_shape_reference)
        LINE("compute: GEMM shapes: a linear layer's pass that the shape "
             "reference covers (%.160s, another accelerator's measured table) "
             "runs at matmul_efficiency x its rate there over the table's large "
             "BF16 GEMMs' (%.0f TFLOP/s; FP8: losses x the peak ratio) instead of "
             "the size term; rates off their neighbours by over 1.5x not "
             "carried (gemmshape.h)",
             a->gemm_shape_reference,
             cm->shape.large / 1e12);
    /* sust: the curve's burst figures at the sustained clock */
    if (cm->curve_sustained > 0 && cm->curve_sustained < 1.0)
        LINE("compute: sustained load: the curve's FLOP-bound time at %.3g "
             "of its burst rate (accelerator.sustained_compute_ratio: the "
             "throughput the accelerator holds back to back at its board "
             "power, measured; topology file); memory-bound time unchanged",
             cm->curve_sustained);
    /* stack: the job's stack, the table's, the measured stack overhead */
    n += tce_report_stack_assumptions(r->job, cm, lines + n, max - n);
    if (r->calibration_path && cm->calibrated)
        LINE("link parameters: measured, from calibration file %s (path %s: "
             "%s)",
             r->calibration_path,
             tce_link_path_name(r->calibration_link_path),
             r->calibration_link_path == TCE_LINK_PATH_NCCL_DEVICE
                 ? "NCCL on the GPUs, from nccl-tests output"
                 : "MPI ranks on host memory, not NCCL on the GPUs");
    else
        LINE("link parameters: datasheet bandwidth x efficiency (scale-up "
             "%.2f, scale-out %.2f) and latencies from the topology file; "
             "not measured",
             r->topo->scale_up.efficiency, r->topo->scale_out.efficiency);
    if (r->links && r->links->entries > 0) { /* links */
        char text[TCE_REPORT_LINE_MAX];

        tce_cost_linkcal_cover_text(r->links, text, sizeof(text));
        LINE("%s", text);
    }
    LINE("roofline per op: max(FLOPs / (peak x eff(GEMM size)), bytes / "
         "(HBM x memory_efficiency)); %s",
         r->job->training.use_flash_attn
             ? "attention fused (no s x s scores in HBM)"
             : "attention unfused (s x s scores through HBM: "
               "use_flash_attn = false)");
    /* wgrad (issue 11): the backward's two GEMMs and main_grad */
    if (n < max &&
        tce_wgradcost_assumption(
            r->job->training.accumulate_allreduce_grads_in_fp32,
            r->job->training.gradient_accumulation_fusion, lines[n],
            TCE_REPORT_LINE_MAX) == 0)
        n++;
    LINE("collectives: ring, recursive doubling or two-level hierarchical, "
         "whichever is faster; NIC bandwidth shared by the ranks of a node; "
         "oversubscribed tiers divide bandwidth");
    /* moe (issue 11): MoE dispatch, EP overlap, permute, FP8 */
    for (i = 0; n < max && tce_plan_moe_assumption(r->job, i, lines[n],
                                                    TCE_REPORT_LINE_MAX);
         i++)
        n++;
    /* host (issue 11): the host's launch cost and the graphs */
    if (r->topo->node.host_launch_gap_us > 0)
        LINE("host: an eager kernel launch costs %.4g us of host time "
             "(node.host_launch_gap_us: the Megatron-Core + Transformer "
             "Engine stack's CPU time per launch on this node), a graphed "
             "one %.4g us; CUDA graphs: %s%s",
             r->topo->node.host_launch_gap_us,
             r->topo->accelerator.graph_launch_gap_us,
             r->job->training.enable_cuda_graph ? "whole layers"
             : r->job->training.cuda_graph_modules[0]
                 ? "per module, "
                 : "none (eager)",
             r->job->training.enable_cuda_graph
                 ? ""
                 : r->job->training.cuda_graph_modules);
    /* host (issue 11): the combined 1F1B schedule's own host time
     * (eppair.h), where the job runs it */
    if (r->topo->node.ep_overlap_host_us > 0 &&
        r->job->training.overlap_moe_expert_parallel_comm &&
        r->job->model.num_experts > 0)
        LINE("host: Megatron-Core's combined 1F1B schedule (EP overlap) "
             "adds %.4g ms of host time to each MoE layer's forward + "
             "backward pair beyond its launches (node.ep_overlap_host_us: "
             "schedule nodes, an autograd call per node, delayed wgrad); "
             "it costs time only where the host bounds the layer",
             r->topo->node.ep_overlap_host_us * 1e-3);
    /* sched: the schedule's rules, worded by the projector */
    LINE("%s", tce_projector_pipeline_assumption(r->job, sched_line,
                                                 sizeof(sched_line)));
    LINE("%s", tce_projector_dp_assumption(r->job, sched_line,
                                           sizeof(sched_line)));
    LINE("memory: model module (weights, grads, Adam states, activations, "
         "in-flight microbatches, fixed overhead)");
    /* issue 11: activation offloading's copies (offload.h) */
    if (r->job->training.cpu_offloading_num_layers > 0) {
        if (r->topo->node.host_link_gbytes_per_s > 0)
            LINE("activation offloading: the first %lld layers of a stage "
                 "copy their activations to host memory and back at %.0f "
                 "GB/s a direction per accelerator "
                 "(node.host_link_gbytes_per_s); what a copy takes beyond "
                 "the layer's forward or backward is charged to compute",
                 (long long)r->job->training.cpu_offloading_num_layers,
                 r->topo->node.host_link_gbytes_per_s);
        else
            LINE("activation offloading: the first %lld layers' copies to "
                 "host memory taken as hidden under the compute (the "
                 "topology gives no node.host_link_gbytes_per_s)",
                 (long long)r->job->training.cpu_offloading_num_layers);
    }
    /* attn (issue 11): attention as the kernel runs it, CP, DP sharding */
    LINE("attention: causal; fused kernels execute the keys a query sees "
         "(s/2, the window on %lld of %lld layers; arXiv 2307.08691), %s; "
         "MFU counts the full square, Megatron-Bridge the causal half and "
         "the window",
         (long long)tce_model_window_layers(&r->job->model),
         (long long)r->job->model.num_layers,
         tce_training_fp8(&r->job->training) &&
                 r->job->training.fp8_dot_product_attention
             ? "in FP8"
             : "in BF16 (Transformer Engine's default, FP8 jobs too)");
    LINE("context parallel: %s (p2p: ring of K/V steps hidden under the "
         "layer's compute; all_gather, a2a: exposed); DP sharding %s over "
         "DP x CP (optim_grads_params: per-layer gathers and gradient "
         "reduce-scatters hidden under the layer's compute)",
         tce_cp_comm_name(r->job->parallel.cp_comm_type),
         tce_dp_sharding_name(tce_model_dp_sharding(r->job)));
    LINE("time to train: ideal (no failures, restarts, checkpoints, data "
         "stalls); GPU-hours = GPUs x hours; cost = whole nodes (%d "
         "accelerators each) x hours x the on-demand price %.2f USD per "
         "node-hour",
         r->topo->node.accelerators, tce_econ_on_demand_price(r->topo));
    LINE("energy: accelerators busy for the compute part of the iteration, "
         "idle otherwise, node overhead constant, x PUE %.2f",
         r->topo->power.pue);
    tce_confidence_of(r->topo, r->plan, &conf);
    tce_confidence_summary(&conf, summary, sizeof(summary));
    for (i = 0; i < conf.n; i++)
        if (conf.in[i].word == TCE_CONF_UNCONFIRMED)
            snprintf(weak + strlen(weak), sizeof(weak) - strlen(weak),
                     "%s%.60s", weak[0] ? ", " : "; unconfirmed: ",
                     conf.in[i].what);
    LINE("inputs (the weakest confidence word of each group's sources in "
         "the topology file%s): %.136s%.70s",
         r->plan ? " and --plan's contract" : "", summary, weak);
    if (r->validation)
        LINE("%s", r->validation->line);
    if (r->validation && r->validation->held_out_line[0])
        LINE("%s", r->validation->held_out_line);
#undef LINE
    return n;
}

/* "confidence": {group: word} of the inputs; "validation": the model's
 * error on comparable published runs (null figures when there are none). */
static void confidence_json(struct tce_json *j,
                            const struct tce_project_report *r)
{
    struct tce_confidence_set conf;

    tce_confidence_of(r->topo, r->plan, &conf);
    tce_confidence_json(j, "confidence", &conf);
    if (r->validation)
        tce_validation_json(j, "validation", r->validation);
}

/* "compute": where compute times come from (a measured table and its
 * provenance and stack, or the curve). */
static void compute_json(struct tce_json *j, const struct tce_project_report *r)
{
    const struct tce_costmodel *cm = r->cm;
    const struct tce_computetable *t = &cm->table;

    tce_json_object_begin(j, "compute");
    tce_json_string(j, "source", cm->has_table ? "table" : "curve");
    if (cm->has_table) {
        tce_json_string(j, "table",
                        cm->table_from_calibration
                            ? r->calibration_path
                            : r->topo->accelerator.compute_calibration);
        tce_json_string(j, "device", t->device);
        tce_json_string(j, "date", t->date);
        tce_json_string(j, "measured_by", t->measured_by);
        tce_json_object_begin(j, "stack");
        tce_json_string(j, "framework", t->stack.framework);
        tce_json_string(j, "framework_version", t->stack.framework_version);
        tce_json_bool(j, "flash_attention", t->stack.flash_attention);
        tce_json_bool(j, "cuda_graphs", t->stack.cuda_graphs);
        tce_json_string(j, "fp8_recipe", t->stack.fp8_recipe);
        tce_json_object_end(j);
    }
    /* shape (issue 11): gemmshape.h */
    if (cm->has_shape_reference) {
        tce_json_object_begin(j, "gemm_shape_reference");
        tce_json_string(j, "table", r->topo->accelerator.gemm_shape_reference);
        tce_json_string(j, "device", cm->shape_reference.device);
        tce_json_double(j, "large_gemm_flops_per_s", cm->shape.large);
        tce_json_object_end(j);
    }
    tce_json_object_end(j);
}

/* tokens/s per GPU relative to the first row */
static void scaling(const struct tce_report *t, int i,
                    struct tce_report_value *v)
{
    const struct tce_project_row *rows = t->rows;
    const struct tce_projection *a = &rows[0].proj, *b = &rows[i].proj;
    double pa = a->tokens_per_s / (double)a->layout.gpus;
    double pb = b->tokens_per_s / (double)b->layout.gpus;

    v->d = pa > 0 ? pb / pa : 0.0;
}

/* more whole nodes than the topology offers (capacity.max_nodes) */
static void over_capacity(const struct tce_report *t, int i,
                          struct tce_report_value *v)
{
    const struct tce_project_report *r = t->ctx;

    v->i = tce_econ_over_capacity(r->topo, r->rows[i].proj.layout.gpus);
}

#define OFF(member) offsetof(struct tce_project_row, member)
#define ALL TCE_REPORT_ALL
#define INT TCE_REPORT_INT
#define DBL TCE_REPORT_DOUBLE
#define BAR " | "
/* a layout figure: the table and CSV, and in JSON's "layout" object */
#define LAYOUT(key_, human_, fmt_, member)                                   \
    {.key = key_, .group = "layout", .human = human_, .fmt = fmt_,          \
     .in = ALL, .type = INT, .offset = OFF(proj.layout.member), .part = 1}
/* a part of the breakdown (breakdown.h): CSV column = its field, JSON in
 * the "breakdown_s" object; the second human table (or --wide) */
#define PART(id, field, json, human_, fmt_, charge, meaning)                 \
    {.key = #field, .json_key = json, .group = "breakdown_s",               \
     .human = human_, .fmt = fmt_, .in = ALL, .type = DBL,                  \
     .offset = OFF(proj.breakdown.field), .part = 2},

static const struct tce_report_column columns[] = {
    {.key = "gpus", .human = "gpus", .fmt = "7d", .as = TCE_REPORT_AS_COUNT,
     .in = ALL, .type = INT, .offset = OFF(proj.layout.gpus)},
    TCE_REPORT_LAYOUT_COLUMNS(LAYOUT),
    {.key = "iteration_s", .human = "iter(s)", .fmt = "9.3f", .sep = BAR,
     .in = ALL, .type = DBL, .offset = OFF(proj.iteration_s)},
    TCE_BREAKDOWN_PARTS(PART)
    {.key = "tokens_per_s", .human = "tokens/s", .fmt = "8s",
     .as = TCE_REPORT_AS_SI, .sep = BAR, .in = ALL, .type = DBL,
     .offset = OFF(proj.tokens_per_s), .part = 1},
    {.key = "model_tflops_per_gpu", .human = "modelTF", .fmt = "7.1f",
     .in = ALL, .type = DBL, .offset = OFF(proj.model_tflops_per_gpu),
     .part = 1},
    {.key = "hardware_tflops_per_gpu", .human = "hwTF", .fmt = "7.1f",
     .sep = BAR, .in = ALL, .type = DBL,
     .offset = OFF(proj.hardware_tflops_per_gpu), .part = 2},
    {.key = "mfu", .human = "MFU%", .fmt = "5.1f", .scale = 100.0,
     .in = ALL, .type = DBL, .offset = OFF(proj.mfu), .part = 1},
    {.key = "hfu", .human = "HFU%", .fmt = "5.1f", .scale = 100.0,
     .in = ALL, .type = DBL, .offset = OFF(proj.hfu), .part = 2},
    {.key = "memory_gib_per_gpu", .human = "mem(GiB)", .fmt = "8.1f",
     .sep = BAR, .in = ALL, .type = DBL,
     .offset = OFF(proj.memory_gib_per_gpu), .part = 1},
    {.key = "fits_memory", .human = "fit", .fmt = "3s", .yes = "yes",
     .no = "NO", .in = ALL, .type = TCE_REPORT_BOOL,
     .offset = OFF(proj.fits_memory), .part = 1},
    {.key = "iterations", .in = TCE_REPORT_JSON | TCE_REPORT_CSV,
     .type = DBL, .offset = OFF(proj.iterations)},
    {.key = "time_to_train_days", .human = "days", .fmt = "8.1f",
     .sep = BAR, .in = ALL, .type = DBL,
     .offset = OFF(proj.time_to_train_days), .part = 1},
    {.key = "gpu_hours", .human = "GPU-h", .fmt = "7s",
     .as = TCE_REPORT_AS_SI, .in = ALL, .type = DBL,
     .offset = OFF(price.gpu_hours), .part = 1},
    {.key = "cost_usd", .human = "cost", .fmt = "11s",
     .as = TCE_REPORT_AS_USD, .in = ALL, .type = DBL,
     .offset = OFF(price.cost_usd), .part = 1},
    {.key = "energy_mwh", .human = "MWh", .fmt = "7s",
     .as = TCE_REPORT_AS_SI, .in = ALL, .type = DBL,
     .offset = OFF(price.energy_mwh), .part = 1},
    {.key = "utilisation", .in = TCE_REPORT_JSON | TCE_REPORT_CSV,
     .type = DBL, .offset = OFF(proj.utilisation)},
    {.key = "bubble_fraction", .in = TCE_REPORT_JSON | TCE_REPORT_CSV,
     .type = DBL, .offset = OFF(proj.bubble_fraction)},
    {.key = "slowest_stage", .in = TCE_REPORT_JSON | TCE_REPORT_CSV,
     .type = INT, .offset = OFF(proj.slowest_stage)},
    {.key = "scaling_efficiency", .human = "scale", .fmt = "5.3f",
     .sep = BAR, .in = ALL, .type = DBL, .get = scaling, .part = 1},
    {.key = "nodes", .human = "nodes", .fmt = "6d",
     .as = TCE_REPORT_AS_COUNT, .sep = BAR, .in = ALL, .type = INT,
     .offset = OFF(price.nodes), .part = 1},
    {.key = "over_capacity", .human = "cap", .fmt = "4s", .yes = "OVER",
     .no = "ok", .in = ALL, .type = TCE_REPORT_BOOL, .get = over_capacity,
     .part = 1},
};

#undef PART
#undef LAYOUT
#undef BAR
#undef DBL
#undef INT
#undef ALL
#undef OFF

const struct tce_report_column *tce_report_project_columns(int *n)
{
    *n = (int)(sizeof(columns) / sizeof(columns[0]));
    return columns;
}

/* the --plan bill as a "plan" object in each JSON result */
static void plan_json(struct tce_json *j, const struct tce_report *t, int i)
{
    const struct tce_project_report *r = t->ctx;

    if (r->plan && r->rows[i].price.have_plan)
        tce_econ_json(j, "plan", r->plan, &r->rows[i].price.plan);
}

static void table_of(const struct tce_project_report *r, struct tce_report *t)
{
    memset(t, 0, sizeof(*t));
    t->cols = tce_report_project_columns(&t->n_cols);
    t->rows = r->rows;
    t->row_size = sizeof(r->rows[0]);
    t->n_rows = r->n;
    t->ctx = r;
    t->json_extra = plan_json;
}

void tce_report_project_human(FILE *out, const struct tce_project_report *r)
{
    char lines[TCE_REPORT_ASSUMPTIONS_MAX][TCE_REPORT_LINE_MAX];
    struct tce_report t;
    int i, n;

    fprintf(out, "# tcemu %s project\n", tce_cli_version());
    if (r->command_line)
        fprintf(out, "# command: %s\n", r->command_line);
    fprintf(out, "# topology: %s (%s)\n", r->topo->name, r->topo->path);
    fprintf(out, "# job: %s (%s)\n", r->job->name, r->job->path);
    n = tce_report_project_assumptions(r, lines, TCE_REPORT_ASSUMPTIONS_MAX);
    for (i = 0; i < n; i++)
        fprintf(out, "# assumption: %s\n", lines[i]);
    fprintf(out, "# all figures below are modelled (projected), not "
                 "measured\n#\n");
    table_of(r, &t);
    t.human_part = r->wide ? 0 : 1;
    tce_report_human(out, &t);
    if (!r->wide) {
        fprintf(out, "#\n# where the iteration goes (exposed time per "
                     "iteration; --wide: one table):\n");
        t.human_part = 2;
        tce_report_human(out, &t);
    }
    for (i = 0; i < r->n_skipped; i++)
        fprintf(out, "# skipped %lld GPUs: %s\n",
                (long long)r->skipped_gpus[i], r->skipped_why[i]);
    for (i = 0; i < r->n; i++)
        if (!r->rows[i].proj.fits_memory)
            fprintf(out, "# warning: %lld GPUs: %.1f GiB per GPU does not "
                         "fit %.0f GiB of HBM (projected anyway)\n",
                    (long long)r->rows[i].proj.layout.gpus,
                    r->rows[i].proj.memory_gib_per_gpu,
                    r->topo->accelerator.hbm_gib);
    for (i = 0; i < r->n; i++)
        if (tce_econ_over_capacity(r->topo, r->rows[i].proj.layout.gpus))
            fprintf(out, "# over capacity: %lld GPUs need %lld nodes; %s "
                         "offers %lld (projected anyway)\n",
                    (long long)r->rows[i].proj.layout.gpus,
                    (long long)r->rows[i].price.nodes, r->topo->name,
                    (long long)r->topo->capacity.max_nodes);
    fprintf(out, "# units: s seconds per iteration; k/M/B/T = 1e3/1e6/1e9/"
                 "1e12; TF = 1e12 FLOP/s per GPU; MFU%%/HFU%% percent of the "
                 "%s peak\n# units: (fractions in CSV/JSON); GiB = 2^30 "
                 "bytes; GPU-h GPU-hours; cost in USD; MWh facility energy;"
                 "\n# units: nodes whole nodes rented, cap OVER past the "
                 "offering's %lld; mbsz = micro-batch size (sequences), n_mb = "
                 "microbatches per iteration;\n# units: scale = tokens/s per GPU "
                 "relative to the first row\n",
            tce_training_fp8(&r->job->training) ? "fp8" : "bf16",
            (long long)r->topo->capacity.max_nodes);
    /* --plan: the bill of each row priced under the contract */
    for (i = 0; r->plan && i < r->n && r->rows[i].price.have_plan; i++)
        tce_econ_print(out, r->plan, r->rows[i].proj.layout.gpus,
                       &r->rows[i].price.plan);
    if (r->ops)
        tce_report_ops_human(out, r->ops);
}

void tce_report_project_csv(FILE *out, const struct tce_project_report *r)
{
    struct tce_report t;

    table_of(r, &t);
    t.schema = "tcemu.project.csv/1";
    tce_report_csv(out, &t);
}

void tce_report_project_json(FILE *out, const struct tce_project_report *r)
{
    char lines[TCE_REPORT_ASSUMPTIONS_MAX][TCE_REPORT_LINE_MAX];
    struct tce_report t;
    struct tce_json j;
    int i, n;

    tce_json_init(&j, out);
    tce_json_object_begin(&j, NULL);
    tce_json_string(&j, "schema", "tcemu.project/1");
    tce_json_string(&j, "tcemu_version", tce_cli_version());
    tce_json_object_begin(&j, "topology");
    tce_json_string(&j, "name", r->topo->name);
    tce_json_string(&j, "path", r->topo->path);
    tce_json_string(&j, "accelerator", r->topo->accelerator.name);
    tce_json_double(&j, "peak_tflops", r->cm->peak_flops / 1e12);
    tce_json_int(&j, "accelerators_per_node", r->topo->node.accelerators);
    tce_json_double(&j, "on_demand_usd_per_node_hour",
                    tce_econ_on_demand_price(r->topo));
    tce_json_int(&j, "max_nodes", r->topo->capacity.max_nodes);
    tce_json_object_end(&j);
    tce_json_object_begin(&j, "job");
    tce_json_string(&j, "name", r->job->name);
    tce_json_string(&j, "path", r->job->path);
    tce_json_int(&j, "global_batch_size", r->job->training.global_batch_size);
    tce_json_int(&j, "seq_length", r->job->model.seq_length);
    tce_json_int(&j, "train_tokens", r->job->training.train_tokens);
    tce_json_string(&j, "recompute_granularity",
                    tce_recompute_name(r->job->training.recompute_granularity));
    tce_json_string(&j, "precision",
                    tce_precision_name(r->job->training.precision));
    tce_json_object_end(&j);
    if (r->calibration_path) {
        tce_json_string(&j, "calibration", r->calibration_path);
        tce_json_string(&j, "calibration_path_measured",
                        tce_link_path_name(r->calibration_link_path));
    } else {
        tce_json_null(&j, "calibration");
    }
    compute_json(&j, r);
    tce_report_stack_json(&j, "stack", r->job, r->cm); /* stack */
    tce_json_string(&j, "figures", "modelled");
    n = tce_report_project_assumptions(r, lines, TCE_REPORT_ASSUMPTIONS_MAX);
    tce_json_array_begin(&j, "assumptions");
    for (i = 0; i < n; i++)
        tce_json_string(&j, NULL, lines[i]);
    tce_json_array_end(&j);
    confidence_json(&j, r);
    table_of(r, &t);
    tce_report_json_rows(&j, "results", &t);
    if (r->ops)
        tce_report_ops_json(&j, "ops", r->ops);
    tce_json_array_begin(&j, "skipped");
    for (i = 0; i < r->n_skipped; i++) {
        tce_json_object_begin(&j, NULL);
        tce_json_int(&j, "gpus", r->skipped_gpus[i]);
        tce_json_string(&j, "reason", r->skipped_why[i]);
        tce_json_object_end(&j);
    }
    tce_json_array_end(&j);
    tce_json_finish(&j);
}
