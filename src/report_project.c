/*
 * report_project.c - the human table, CSV and JSON of `tcemu project`.
 * Formatting only: every number comes from struct tce_projection.
 */
#include <stdio.h>
#include <string.h>

#include "tcemu/cli.h"
#include "tcemu/json.h"
#include "tcemu/report_project.h"

int tce_report_project_assumptions(const struct tce_project_report *r,
                                   char lines[][TCE_REPORT_LINE_MAX], int max)
{
    const struct tce_accelerator *a = &r->topo->accelerator;
    const struct tce_costmodel *cm = r->cm;
    int n = 0;

#define LINE(...)                                                            \
    do {                                                                     \
        if (n < max)                                                         \
            snprintf(lines[n++], TCE_REPORT_LINE_MAX, __VA_ARGS__);          \
    } while (0)
    LINE("datasheet figures (topology file): peak %.0f TFLOP/s (%s), HBM "
         "%.0f GB/s, scale-up %.0f GB/s per accelerator, scale-out %d x %.0f "
         "Gbit/s per node",
         cm->peak_flops / 1e12,
         r->job->training.precision == TCE_PRECISION_FP8 && a->fp8_tflops > 0
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
    if (r->calibration_path)
        LINE("link parameters: measured, from calibration file %s",
             r->calibration_path);
    else
        LINE("link parameters: datasheet bandwidth x efficiency (scale-up "
             "%.2f, scale-out %.2f) and latencies from the topology file; "
             "not measured",
             r->topo->scale_up.efficiency, r->topo->scale_out.efficiency);
    LINE("roofline per op: max(FLOPs / (peak x eff(GEMM size)), bytes / "
         "(HBM x memory_efficiency)); %s",
         r->job->training.use_flash_attn
             ? "attention fused (no s x s scores in HBM)"
             : "attention unfused (s x s scores through HBM: "
               "use_flash_attn = false)");
    LINE("collectives: ring, recursive doubling or two-level hierarchical, "
         "whichever is faster; NIC bandwidth shared by the ranks of a node; "
         "oversubscribed tiers divide bandwidth");
    LINE("pipeline: 1F1B / interleaved, bubble (p-1)/(v m) of the slowest "
         "stage's time; p2p exposed");
    LINE("DP gradient reduce %s; param all-gather %s; TP communication %s; "
         "EP all-to-all exposed",
         r->job->training.overlap_grad_reduce
             ? "hidden under the last microbatch's backward (excess and last "
               "bucket exposed)"
             : "exposed",
         r->job->training.overlap_param_gather
             ? "hidden under the first microbatch's forward"
             : "exposed",
         r->job->training.tp_comm_overlap ? "hidden under the layer's compute"
                                          : "exposed");
    LINE("memory: model module (weights, grads, Adam states, activations, "
         "in-flight microbatches, fixed overhead)");
    LINE("time to train: ideal (no failures, restarts, checkpoints, data "
         "stalls); GPU-hours = GPUs x hours; cost = whole nodes (%d "
         "accelerators each) x hours x the on-demand price %.2f USD per "
         "node-hour",
         r->topo->node.accelerators, tce_econ_on_demand_price(r->topo));
    LINE("energy: accelerators busy for the compute part of the iteration, "
         "idle otherwise, node overhead constant, x PUE %.2f",
         r->topo->power.pue);
#undef LINE
    return n;
}

static double scaling(const struct tce_project_report *r, int i)
{
    const struct tce_projection *a = &r->rows[0], *b = &r->rows[i];
    double pa = a->tokens_per_s / (double)a->layout.gpus;
    double pb = b->tokens_per_s / (double)b->layout.gpus;

    return pa > 0 ? pb / pa : 0.0;
}

void tce_report_project_human(FILE *out, const struct tce_project_report *r)
{
    char lines[TCE_REPORT_ASSUMPTIONS_MAX][TCE_REPORT_LINE_MAX];
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
                 "measured\n");
    fprintf(out, "#\n# %6s %3s %3s %3s %3s %3s %6s %5s | %9s %9s %8s %8s "
                 "%8s %8s %8s %8s %8s | %10s %8s %8s %5s %5s | %7s %3s | "
                 "%9s %10s %11s %9s | %6s\n",
            "gpus", "tp", "pp", "vpp", "cp", "ep", "dp", "mb", "iter(s)",
            "comp(s)", "tp(s)", "cp(s)", "ep(s)", "dp(s)", "bubbl(s)",
            "p2p(s)", "optim(s)", "tokens/s", "modelTF", "hwTF", "MFU%",
            "HFU%", "mem(GiB)", "fit", "days", "GPU-hours", "cost(USD)",
            "energy(MWh)", "scale");
    for (i = 0; i < r->n; i++) {
        const struct tce_projection *p = &r->rows[i];
        const struct tce_breakdown *b = &p->breakdown;

        fprintf(out, "  %6lld %3lld %3lld %3lld %3lld %3lld %6lld %5lld | "
                     "%9.3f %9.3f %8.3f %8.3f %8.3f %8.3f %8.3f %8.3f %8.3f "
                     "| %10.4g %8.1f %8.1f %5.1f %5.1f | %7.1f %3s | %9.2f "
                     "%10.4g %11.4g %9.4g | %6.3f\n",
                (long long)p->layout.gpus, (long long)p->layout.tp,
                (long long)p->layout.pp, (long long)p->layout.vpp,
                (long long)p->layout.cp, (long long)p->layout.ep,
                (long long)p->layout.dp, (long long)p->layout.microbatches,
                p->iteration_s, b->compute_s, b->tp_exposed_s,
                b->cp_exposed_s, b->ep_exposed_s, b->dp_exposed_s,
                b->pp_bubble_s, b->pp_p2p_s, b->optimizer_s, p->tokens_per_s,
                p->model_tflops_per_gpu, p->hardware_tflops_per_gpu,
                100.0 * p->mfu, 100.0 * p->hfu, p->memory_gib_per_gpu,
                p->fits_memory ? "yes" : "NO", p->time_to_train_days,
                r->prices[i].gpu_hours, r->prices[i].cost_usd,
                r->prices[i].energy_mwh, scaling(r, i));
    }
    for (i = 0; i < r->n_skipped; i++)
        fprintf(out, "# skipped %lld GPUs: %s\n",
                (long long)r->skipped_gpus[i], r->skipped_why[i]);
    for (i = 0; i < r->n; i++)
        if (!r->rows[i].fits_memory)
            fprintf(out, "# warning: %lld GPUs: %.1f GiB per GPU does not "
                         "fit %.0f GiB of HBM (projected anyway)\n",
                    (long long)r->rows[i].layout.gpus,
                    r->rows[i].memory_gib_per_gpu,
                    r->topo->accelerator.hbm_gib);
    fprintf(out, "# units: s seconds per iteration; TF = 1e12 FLOP/s per "
                 "GPU; MFU/HFU of the %s peak; GiB = 2^30 bytes; scale = "
                 "tokens/s per GPU relative to the first row\n",
            r->job->training.precision == TCE_PRECISION_FP8 ? "fp8" : "bf16");
}

void tce_report_project_csv(FILE *out, const struct tce_project_report *r)
{
    int i;

    fprintf(out, "gpus,tp,pp,vpp,cp,ep,dp,microbatches,iteration_s,"
                 "compute_s,tp_exposed_s,cp_exposed_s,ep_exposed_s,"
                 "dp_exposed_s,pp_bubble_s,pp_p2p_s,optimizer_s,tokens_per_s,"
                 "model_tflops_per_gpu,hardware_tflops_per_gpu,mfu,hfu,"
                 "memory_gib_per_gpu,fits_memory,time_to_train_days,"
                 "gpu_hours,cost_usd,energy_mwh,scaling_efficiency\n");
    for (i = 0; i < r->n; i++) {
        const struct tce_projection *p = &r->rows[i];
        const struct tce_breakdown *b = &p->breakdown;

        fprintf(out,
                "%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%.9g,%.9g,%.9g,"
                "%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,"
                "%.9g,%d,%.9g,%.9g,%.9g,%.9g,%.9g\n",
                (long long)p->layout.gpus, (long long)p->layout.tp,
                (long long)p->layout.pp, (long long)p->layout.vpp,
                (long long)p->layout.cp, (long long)p->layout.ep,
                (long long)p->layout.dp, (long long)p->layout.microbatches,
                p->iteration_s, b->compute_s, b->tp_exposed_s,
                b->cp_exposed_s, b->ep_exposed_s, b->dp_exposed_s,
                b->pp_bubble_s, b->pp_p2p_s, b->optimizer_s, p->tokens_per_s,
                p->model_tflops_per_gpu, p->hardware_tflops_per_gpu, p->mfu,
                p->hfu, p->memory_gib_per_gpu, p->fits_memory,
                p->time_to_train_days, r->prices[i].gpu_hours,
                r->prices[i].cost_usd, r->prices[i].energy_mwh, scaling(r, i));
    }
}

void tce_report_project_json(FILE *out, const struct tce_project_report *r)
{
    char lines[TCE_REPORT_ASSUMPTIONS_MAX][TCE_REPORT_LINE_MAX];
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
    if (r->calibration_path)
        tce_json_string(&j, "calibration", r->calibration_path);
    else
        tce_json_null(&j, "calibration");
    tce_json_string(&j, "figures", "modelled");
    n = tce_report_project_assumptions(r, lines, TCE_REPORT_ASSUMPTIONS_MAX);
    tce_json_array_begin(&j, "assumptions");
    for (i = 0; i < n; i++)
        tce_json_string(&j, NULL, lines[i]);
    tce_json_array_end(&j);
    tce_json_array_begin(&j, "results");
    for (i = 0; i < r->n; i++) {
        const struct tce_projection *p = &r->rows[i];
        const struct tce_breakdown *b = &p->breakdown;

        tce_json_object_begin(&j, NULL);
        tce_json_int(&j, "gpus", p->layout.gpus);
        tce_json_object_begin(&j, "layout");
        tce_json_int(&j, "tp", p->layout.tp);
        tce_json_int(&j, "pp", p->layout.pp);
        tce_json_int(&j, "vpp", p->layout.vpp);
        tce_json_int(&j, "cp", p->layout.cp);
        tce_json_int(&j, "ep", p->layout.ep);
        tce_json_int(&j, "dp", p->layout.dp);
        tce_json_int(&j, "micro_batch_size", p->layout.micro_batch);
        tce_json_int(&j, "microbatches", p->layout.microbatches);
        tce_json_object_end(&j);
        tce_json_double(&j, "iteration_s", p->iteration_s);
        tce_projector_breakdown_json(&j, "breakdown_s", b);
        tce_json_double(&j, "tokens_per_s", p->tokens_per_s);
        tce_json_double(&j, "model_tflops_per_gpu", p->model_tflops_per_gpu);
        tce_json_double(&j, "hardware_tflops_per_gpu",
                        p->hardware_tflops_per_gpu);
        tce_json_double(&j, "mfu", p->mfu);
        tce_json_double(&j, "hfu", p->hfu);
        tce_json_double(&j, "memory_gib_per_gpu", p->memory_gib_per_gpu);
        tce_json_bool(&j, "fits_memory", p->fits_memory);
        tce_json_double(&j, "iterations", p->iterations);
        tce_json_double(&j, "time_to_train_days", p->time_to_train_days);
        tce_json_double(&j, "gpu_hours", r->prices[i].gpu_hours);
        tce_json_double(&j, "cost_usd", r->prices[i].cost_usd);
        tce_json_double(&j, "energy_mwh", r->prices[i].energy_mwh);
        tce_json_double(&j, "utilisation", p->utilisation);
        tce_json_double(&j, "bubble_fraction", p->bubble_fraction);
        tce_json_int(&j, "slowest_stage", p->slowest_stage);
        tce_json_double(&j, "scaling_efficiency", scaling(r, i));
        if (r->plan && r->prices[i].have_plan)
            tce_econ_json(&j, "plan", r->plan, &r->prices[i].plan);
        tce_json_object_end(&j);
    }
    tce_json_array_end(&j);
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
