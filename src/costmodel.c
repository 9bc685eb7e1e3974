/*
 * costmodel.c - time of one plan operation on a topology: roofline compute
 * here, alpha-beta communication with explicit algorithms in commcost.c
 * (see costmodel.h for every formula).  Pure, no allocation.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tcemu/attncost.h"
#include "tcemu/costmodel.h"
#include "tcemu/hostsync.h"
#include "tcemu/humanfmt.h"
#include "tcemu/gemmcost.h"
#include "tcemu/gemmshape.h" /* shape (issue 11) */
#include "tcemu/wgradcost.h" /* wgrad (issue 11) */

static double roofline(const struct tce_costmodel *cm, double peak,
                       double flops, double gemm_flops, double bytes,
                       double shape);

int tce_costmodel_init(struct tce_costmodel *cm,
                       const struct tce_topology *topo,
                       enum tce_precision precision, struct tce_error *err)
{
    const struct tce_accelerator *acc = &topo->accelerator;
    int i, k, ret = 0;

    memset(cm, 0, sizeof(*cm));
    if (acc->bf16_tflops <= 0 || acc->hbm_gbytes_per_s <= 0) {
        ret = tce_error_set(err, TCE_ECONFIG,
                            "topology %s: accelerator needs bf16_tflops and "
                            "hbm_gbytes_per_s",
                            topo->path);
        goto out;
    }
    cm->peak_flops = acc->bf16_tflops * 1e12;
    if (precision == TCE_PRECISION_FP8 && acc->fp8_tflops > 0)
        cm->peak_flops = acc->fp8_tflops * 1e12;
    cm->matmul_efficiency =
        acc->matmul_efficiency > 0 ? acc->matmul_efficiency : 1.0;
    cm->matmul_half_flops =
        acc->matmul_half_gflop > 0 ? acc->matmul_half_gflop * 1e9 : 0.0;
    cm->hbm_bytes_per_s = acc->hbm_gbytes_per_s * 1e9;
    cm->memory_efficiency = acc->memory_efficiency; /* schema default 0.8 */

    cm->link[TCE_LINK_SCALE_UP].latency_s = topo->scale_up.latency_us * 1e-6;
    cm->link[TCE_LINK_SCALE_UP].bandwidth_bytes_per_s =
        topo->scale_up.bandwidth_gbytes_per_s * 1e9;
    cm->link[TCE_LINK_SCALE_UP].efficiency = topo->scale_up.efficiency;
    cm->link[TCE_LINK_SCALE_OUT].latency_s =
        topo->scale_out.latency_us * 1e-6;
    cm->link[TCE_LINK_SCALE_OUT].bandwidth_bytes_per_s =
        (double)(topo->scale_out.nics_per_node > 0
                     ? topo->scale_out.nics_per_node
                     : 1) *
        topo->scale_out.nic_bandwidth_gbit_per_s * 1e9 / 8.0;
    cm->link[TCE_LINK_SCALE_OUT].efficiency = topo->scale_out.efficiency;
    cm->link[TCE_LINK_FABRIC].latency_s = 0.0;   /* from the span */
    cm->link[TCE_LINK_FABRIC].bandwidth_bytes_per_s = 0.0;
    cm->link[TCE_LINK_FABRIC].efficiency = 1.0;
    for (i = 0; i < TCE_LINK_CLASSES; i++)
        for (k = 0; k < TCE_COLL_COUNT; k++)
            cm->link[i].kind_efficiency[k] = 1.0;
    cm->n_tiers = topo->n_fabric < TCE_FABRIC_TIERS_MAX ? topo->n_fabric
                                                        : TCE_FABRIC_TIERS_MAX;
    for (i = 0; i < cm->n_tiers; i++) {
        cm->tier_oversubscription[i] = topo->fabric[i].oversubscription;
        cm->tier_latency_s[i] = topo->fabric[i].latency_us * 1e-6;
    }
    cm->dtype = precision == TCE_PRECISION_FP8 ? TCE_DTYPE_FP8
                                               : TCE_DTYPE_BF16;
    if (tce_computetable_has_rows(&topo->compute)) {
        cm->has_table = 1;
        cm->table = topo->compute;
        tce_computetable_prepare(&cm->table);
    }
    /* shape (issue 11) */
    if (tce_computetable_has_rows(&topo->shape_reference)) {
        cm->shape_reference = topo->shape_reference;
        tce_computetable_prepare(&cm->shape_reference);
        tce_gemmshape_init(&cm->shape, &cm->shape_reference,
                           100.0 * cm->matmul_half_flops);
        cm->has_shape_reference = cm->shape.large > 0;
    }
    /* moe (issue 11) */
    cm->bf16_peak_flops = acc->bf16_tflops * 1e12;
    cm->fp8_peak_flops = acc->fp8_tflops > 0 ? acc->fp8_tflops * 1e12
                                             : cm->bf16_peak_flops;
    cm->sm_count = acc->sm_count > 0 ? (double)acc->sm_count : 0.0;
    cm->table_fp8_speedup = tce_cost_fp8_speedup(&cm->table);
    cm->launch_gap_s = cm->has_table ? cm->table.launch_gap_us * 1e-6 : 0.0;
    /* sync (issue 11): the node's host launch cost, where the topology
     * names it.  host: it is what the training stack pays per launch (a
     * module call), which a compute table's bare back-to-back gap does
     * not measure, so a calibrated table does not replace it
     * (tce_costmodel_calibrate) */
    cm->launch_gap_from_node = topo->node.host_launch_gap_us > 0;
    if (cm->launch_gap_from_node)
        cm->launch_gap_s = topo->node.host_launch_gap_us * 1e-6;
    cm->graph_launch_gap_s = acc->graph_launch_gap_us * 1e-6;
    cm->ep_overlap_host_s = topo->node.ep_overlap_host_us * 1e-6;
    cm->host_link_bytes_per_s = topo->node.host_link_gbytes_per_s * 1e9;
    cm->attention_efficiency = acc->attention_efficiency;
    cm->curve_sustained = acc->sustained_compute_ratio > 0
                              ? acc->sustained_compute_ratio
                              : 1.0;
    cm->exp_per_s = acc->sfu_exp_tera_per_s * 1e12; /* bw (issue 11) */
    cm->mxfp8_gemm_rate = acc->mxfp8_gemm_efficiency; /* gemm (issue 11) */
    tce_cost_curve_ceilings(cm); /* ceil (issue 10) */
    cm->fp8_any_layout = acc->fp8_gemm_any_layout;
    if (topo->scale_up.bandwidth_gbytes_per_s <= 0 ||
        topo->scale_out.nic_bandwidth_gbit_per_s <= 0) {
        ret = tce_error_set(err, TCE_ECONFIG,
                            "topology %s: scale_up and scale_out bandwidths "
                            "must be positive",
                            topo->path);
        goto out;
    }
out:
    return ret;
}

static void set_kind(struct tce_link *l, enum tce_coll k, double e)
{
    if (e > 0)
        l->kind_efficiency[k] = e;
}

void tce_costmodel_calibrate(struct tce_costmodel *cm,
                             const struct tce_calibration *cal)
{
    int i, k;

    if (!cal)
        return;
    if (tce_computetable_has_rows(&cal->compute)) {
        cm->has_table = 1;
        cm->table_from_calibration = 1;
        cm->table = cal->compute;
        tce_computetable_prepare(&cm->table);
        cm->table_fp8_speedup = tce_cost_fp8_speedup(&cm->table);
        tce_cost_curve_ceilings(cm); /* ceil (issue 10) */
        if (!cm->launch_gap_from_node)
            cm->launch_gap_s = cm->table.launch_gap_us * 1e-6;
    }
    for (i = 0; i < cal->n_links && i < TCE_LINK_CLASSES; i++) {
        const struct tce_calibration_link *c = &cal->links[i];
        struct tce_link *l;

        if ((unsigned)c->link >= TCE_LINK_CLASSES)
            continue;
        l = &cm->link[c->link];
        if (c->latency_us >= 0)
            l->latency_s = c->latency_us * 1e-6;
        if (c->bandwidth_gbytes_per_s > 0) {
            l->bandwidth_bytes_per_s = c->bandwidth_gbytes_per_s * 1e9;
            if (c->link == TCE_LINK_SCALE_OUT && cal->ranks_per_node > 1)
                l->bandwidth_bytes_per_s *= (double)cal->ranks_per_node;
            l->efficiency = 1.0;   /* a fitted bandwidth is achieved */
        }
        for (k = 0; k < TCE_COLL_COUNT; k++)
            set_kind(l, (enum tce_coll)k,
                     tce_coll_calib_efficiency((enum tce_coll)k, c));
        l->calibrated = 1;
        cm->calibrated = 1;
    }
    tce_linkcal_init(&cm->linkcal, cal);
}

double tce_cost_matmul_efficiency(const struct tce_costmodel *cm,
                                  double gemm_flops)
{
    if (cm->matmul_half_flops <= 0 || gemm_flops <= 0)
        return cm->matmul_efficiency;
    return cm->matmul_efficiency * gemm_flops /
           (gemm_flops + cm->matmul_half_flops);
}

/* shape (issue 11): gemmshape.h, where the cost model has a reference */
static double shape_fraction(const struct tce_costmodel *cm,
                             const struct tce_op *op, enum tce_gemm_pass pass)
{
    return cm->has_shape_reference
               ? tce_gemmshape_fraction(&cm->shape_reference, &cm->shape, op,
                                        pass)
               : 0.0;
}

const char *tce_compute_source_name(enum tce_compute_source s)
{
    switch (s) {
    case TCE_COMPUTE_CURVE:
        return "curve";
    case TCE_COMPUTE_CURVE_SHAPE:
        return "curve (shape)";
    case TCE_COMPUTE_TABLE_EXACT:
        return "table";
    case TCE_COMPUTE_TABLE_INTERPOLATED:
        return "table (interpolated)";
    case TCE_COMPUTE_TABLE_BANDWIDTH:
        return "table (bandwidth)";
    }
    return "?";
}

/* sust: the table's sustained over burst ratio (1 when its rows were
 * timed at the sustained clock, or a table filled by hand leaves it 0). */
double tce_cost_table_sustained(const struct tce_costmodel *cm)
{
    double r = cm->table.sustained_ratio;

    return r > 0 && r <= 1.0 ? r : 1.0;
}

/* The worse of two lookups' hows (not covered beats interpolated beats
 * exact). */
static enum tce_table_how worse(enum tce_table_how a, enum tce_table_how b)
{
    return a > b ? a : b;
}

/* Table time of a linear layer op; 0 with *how not covered when the table
 * lacks it. */
static double table_linear_dtype_s(const struct tce_costmodel *cm,
                                   const struct tce_op *op,
                                   enum tce_dtype dtype,
                                   enum tce_table_how *how);

/* moe (issue 11): an FP8 linear from the FP8 rows, else from the BF16 rows
 * over the measured FP8 speed-up; a BF16 linear from the BF16 rows. */
static double table_linear_s(const struct tce_costmodel *cm,
                             const struct tce_op *op, enum tce_table_how *how)
{
    double s;

    if (!(op->flags & TCE_OP_F_FP8))
        return table_linear_dtype_s(cm, op, TCE_DTYPE_BF16, how);
    s = table_linear_dtype_s(cm, op, TCE_DTYPE_FP8, how);
    if (*how != TCE_TABLE_NOT_COVERED || cm->table_fp8_speedup <= 0)
        return s;
    s = table_linear_dtype_s(cm, op, TCE_DTYPE_BF16, how);
    if (*how == TCE_TABLE_NOT_COVERED)
        return 0.0;
    /* derived from measured rows, not measured for this shape */
    *how = TCE_TABLE_INTERPOLATED;
    return s / cm->table_fp8_speedup;
}

static double table_linear_dtype_s(const struct tce_costmodel *cm,
                                   const struct tce_op *op,
                                   enum tce_dtype dtype,
                                   enum tce_table_how *how)
{
    const struct tce_computetable *t = &cm->table;
    int backward = (op->flags & TCE_OP_F_BACKWARD) != 0;
    double one = 2.0 * (double)op->gemm_m * (double)op->gemm_n *
                 (double)op->gemm_k * (backward ? 2.0 : 1.0);
    double s, d;
    enum tce_table_how h2;

    if (!backward) {
        s = tce_computetable_gemm_s(t, op->gemm_m, op->gemm_n, op->gemm_k,
                                    dtype, TCE_GEMM_FWD, how);
    } else {
        s = tce_computetable_gemm_s(t, op->gemm_m, op->gemm_n, op->gemm_k,
                                    dtype, TCE_GEMM_DGRAD, how);
        d = tce_computetable_gemm_s(t, op->gemm_m, op->gemm_n, op->gemm_k,
                                    dtype, TCE_GEMM_WGRAD, &h2);
        *how = worse(*how, h2);
        s += d;
    }
    /* an op of several GEMMs of this shape (the experts of a rank) */
    return *how == TCE_TABLE_NOT_COVERED ? 0.0 : s * op->flops / one;
}

/* attn (issue 11): the share of the layers' attention calls an op
 * carries (plan.h: sliding-window patterns): its FLOPs over its shape's. */
static double attention_share(const struct tce_op *op)
{
    double f = tce_computetable_attention_flops(&op->attn) *
               ((op->flags & TCE_OP_F_BACKWARD) ? 2.0 : 1.0);

    return op->flops > 0 && f > 0 ? op->flops / f : 1.0;
}

/* Whether an op runs at the FP8 peak: a linear layer the job's recipe
 * marks FP8 (plan_moe.c), or the fused attention of an FP8 job with
 * fp8_dot_product_attention (plan_attn.c leaves TCE_OP_F_BF16 off). */
static int runs_fp8(const struct tce_costmodel *cm, const struct tce_op *op)
{
    if (op->flags & TCE_OP_F_FP8)
        return 1;
    return (op->flags & TCE_OP_F_FUSED_ATTENTION) &&
           !(op->flags & TCE_OP_F_BF16) && cm->dtype == TCE_DTYPE_FP8;
}

/* wgrad (issue 11): a linear layer's backward (wgradcost.h), the dgrad
 * and the wgrad GEMM each its own roofline (a memory-bound wgrad is not
 * hidden under a compute-bound dgrad), plus an unfused add pass.
 * measured: the GEMMs' time is a measured table's, whose wgrad wrote a
 * fresh BF16 output: only what the main_grad traffic adds to the wgrad
 * GEMM's roofline, and the add pass at the table's element-wise rate. */
static double compute_shape_s(const struct tce_costmodel *cm, double flops,
                              double gemm_flops, double bytes, int fp8,
                              double shape);

static double wgrad_s(const struct tce_costmodel *cm, const struct tce_op *op,
                      double rate, int measured)
{
    struct tce_wgrad w;
    int fp8 = (op->flags & TCE_OP_F_FP8) != 0;
    double f = 0.5 * op->flops / rate; /* each GEMM: the forward's */
    double hbm = cm->hbm_bytes_per_s * cm->memory_efficiency, tw;

    tce_wgradcost_split(op, &w);
    if (!(w.gemms > 0.0))
        return 0.0;
    if (measured) {
        tw = tce_cost_compute_dtype_s(cm, f, op->gemm_flops, w.wgrad_bytes,
                                      fp8);
        return tw -
               tce_cost_compute_dtype_s(cm, f, op->gemm_flops,
                                        w.wgrad_bytes - w.measured_extra,
                                        fp8) +
               tce_wgradcost_add_s(&w, hbm,
                                   cm->table.elementwise_gbytes_per_s * 1e9);
    }
    /* shape (issue 11): each GEMM at its own pass's shape fraction */
    tw = compute_shape_s(cm, f, op->gemm_flops, w.wgrad_bytes, fp8,
                         shape_fraction(cm, op, TCE_GEMM_WGRAD));
    return compute_shape_s(cm, f, op->gemm_flops, w.dgrad_bytes, fp8,
                           shape_fraction(cm, op, TCE_GEMM_DGRAD)) +
           tw + tce_wgradcost_add_s(&w, hbm, 0.0);
}

double tce_cost_compute_op_s(const struct tce_costmodel *cm,
                             const struct tce_op *op,
                             enum tce_compute_source *source)
{
    enum tce_compute_source src = TCE_COMPUTE_CURVE;
    enum tce_table_how how = TCE_TABLE_NOT_COVERED;
    double s = 0.0;
    /* gemm (issue 11): the recipe's GEMM kernel (gemmcost.h) */
    double rate = tce_gemmcost_recipe_rate(op, cm->mxfp8_gemm_rate);
    double bytes = tce_gemmcost_cast_bytes(op, cm->fp8_any_layout);

    if (!cm->has_table)
        goto curve;
    /* sust: GEMM and attention rows at the sustained clock */
    if (op->gemm_m > 0 && op->gemm_n > 0 && op->gemm_k > 0 && op->flops > 0)
        s = table_linear_s(cm, op, &how) /
                (rate * tce_cost_table_sustained(cm)) +
            wgrad_s(cm, op, rate, 1); /* wgrad (issue 11) */
    else if (op->attn.micro_batch_size > 0) {
        s = tce_computetable_attention_s(
            &cm->table, &op->attn, (op->flags & TCE_OP_F_BACKWARD) != 0,
            &how);
        s *= attention_share(op) / tce_cost_table_sustained(cm);
    }
    else if (op->flops <= 0 && op->bytes > 0 &&
             cm->table.elementwise_gbytes_per_s > 0) {
        s = bytes / (cm->table.elementwise_gbytes_per_s * 1e9) +
            cm->table.launch_gap_us * 1e-6;
        src = TCE_COMPUTE_TABLE_BANDWIDTH;
        goto out;
    }
    if (how == TCE_TABLE_EXACT)
        src = TCE_COMPUTE_TABLE_EXACT;
    else if (how == TCE_TABLE_INTERPOLATED)
        src = TCE_COMPUTE_TABLE_INTERPOLATED;
    else
        goto curve;
    goto out;
curve:
    /* fitd (issue 11): fused attention at the accelerator's own attention
     * efficiency where it names one */
    if ((op->flags & TCE_OP_F_FUSED_ATTENTION) && cm->attention_efficiency > 0) {
        s = tce_cost_attention_s(cm, op, runs_fp8(cm, op));
        src = TCE_COMPUTE_CURVE;
        goto out;
    }
    /* wgrad (issue 11): a linear's backward as dgrad + wgrad GEMMs */
    if (tce_wgradcost_applies(op)) {
        s = wgrad_s(cm, op, rate, 0);
        goto out;
    }
    /* attn (issue 11): a fused attention backward recomputes the scores:
     * 2.5x the forward's FLOPs, the op carries the model's 2x (plan.h) */
    s = compute_shape_s(
        cm,
        (op->flags & TCE_OP_F_FUSED_ATTENTION) &&
                (op->flags & TCE_OP_F_BACKWARD)
            ? 1.25 * op->flops
            : op->flops / rate,
        op->gemm_flops, bytes, runs_fp8(cm, op),
        (op->flags & TCE_OP_F_FUSED_ATTENTION) || !cm->has_shape_reference
            ? 0.0
            : tce_gemmshape_op_fraction(&cm->shape_reference, &cm->shape,
                                        op));
    src = TCE_COMPUTE_CURVE;
out:
    /* shape (issue 11): said where asked (not on the sweep's path) */
    if (source && src == TCE_COMPUTE_CURVE && cm->has_shape_reference &&
        !(op->flags & TCE_OP_F_FUSED_ATTENTION) &&
        tce_gemmshape_op_fraction(&cm->shape_reference, &cm->shape, op) > 0)
        src = TCE_COMPUTE_CURVE_SHAPE;
    if (source)
        *source = src;
    return s;
}

/* fitd (issue 11) */
double tce_cost_attention_s(const struct tce_costmodel *cm,
                            const struct tce_op *op, int fp8)
{
    double peak = fp8 ? cm->fp8_peak_flops : cm->bf16_peak_flops;
    double flops = (op->flags & TCE_OP_F_BACKWARD) ? 1.25 * op->flops
                                                   : op->flops;
    double tf, tm = 0.0, g, eff;

    if (peak <= 0)
        peak = cm->peak_flops;
    if (peak <= 0 || cm->attention_efficiency <= 0 || flops <= 0)
        return 0.0;
    /* the GEMM curve's size dependence, towards the attention asymptote:
     * short sequences and windows reach less of it.
     * Known limit (measured against, not changed): g is one (batch,
     * head) GEMM's FLOPs (plan_attn.c), while the H100 table's seven
     * causal kernels depend on the whole kernel: at one per-head size the
     * 32-head kernel runs 1.55x the 8-head one's rate and GPT-3's
     * micro-batch 4 kernel 2.3x micro-batch 1's.  A factor on the whole
     * kernel's FLOPs (half-size 40 GFLOP at 989 TFLOP/s, scaled by the
     * peak) fits them with an RMS log error of 0.16 against this one's
     * 0.37 (and FlashAttention-3's published H100 figure agrees: cuDNN at
     * 512 tokens runs 0.83 of its 8k rate, per head 0.08 here), but moves
     * every Blackwell row of Megatron-Bridge 0.4-18 points faster (re-run
     * at 3a1697e: mean 7.8% to 8.6%, worst 39.2% to 48.5%; GB200/GB300
     * rows that were too slow to -9..+10%, B200 MoE rows too fast, GPT-OSS
     * +2..+49%; README): there the per-head charge stands in for a cost
     * not yet modelled, and it stays until a measured Blackwell attention
     * table decides */
    g = op->gemm_flops > 0 ? op->gemm_flops : op->flops;
    eff = cm->attention_efficiency;
    /* bw (issue 11): the tensor and exponential pipes (attncost.h), both
     * slowed by the size factor (a short kernel fills the GPU less) */
    {
        struct tce_attncost_in in = {flops, op->exps, peak, eff,
                                     cm->exp_per_s,
                                     (op->flags & TCE_OP_F_BACKWARD) != 0};

        tf = tce_attncost_s(&in);
    }
    /* sust: both pipes run at the SM clock the board's power holds */
    if (cm->curve_sustained > 0)
        tf /= cm->curve_sustained;
    if (cm->matmul_half_flops > 0 && g > 0)
        tf *= (g + cm->matmul_half_flops) / g;
    if (op->bytes > 0 && cm->hbm_bytes_per_s > 0 && cm->memory_efficiency > 0)
        tm = op->bytes / (cm->hbm_bytes_per_s * cm->memory_efficiency);
    return tf > tm ? tf : tm;
}

/* moe (issue 11) */
static double compute_shape_s(const struct tce_costmodel *cm, double flops,
                              double gemm_flops, double bytes, int fp8,
                              double shape)
{
    double peak = fp8 ? cm->fp8_peak_flops : cm->bf16_peak_flops;

    /* a cost model filled by hand (tests) may name only the job's peak */
    return roofline(cm, peak > 0 ? peak : cm->peak_flops, flops, gemm_flops,
                    bytes, shape);
}

double tce_cost_compute_dtype_s(const struct tce_costmodel *cm, double flops,
                                double gemm_flops, double bytes, int fp8)
{
    return compute_shape_s(cm, flops, gemm_flops, bytes, fp8, 0.0);
}

double tce_cost_list_launch_s(const struct tce_costmodel *cm,
                              const struct tce_op_list *l)
{
    /* sync (issue 11): launches and host-device syncs (hostsync.h) */
    return tce_hostsync_list_s(l, cm->launch_gap_s, cm->graph_launch_gap_s);
}

static double roofline(const struct tce_costmodel *cm, double peak,
                       double flops, double gemm_flops, double bytes,
                       double shape)
{
    double tf = 0.0, tm = 0.0, e;

    if (flops > 0) {
        double g = gemm_flops > 0 ? gemm_flops : flops;
        /* ceil (issue 10): the measured table's own ceiling for the
         * dtype this peak is, already at the sustained clock */
        double ceil = cm->curve_ceiling[cm->bf16_peak_flops > 0 &&
                                                peak > cm->bf16_peak_flops
                                            ? TCE_DTYPE_FP8
                                            : TCE_DTYPE_BF16];

        /* kern (issue 11): the size at half efficiency is a fixed fill
         * time (tile prologue, pipeline fill, the last wave's tail) times
         * the peak the GEMM runs at: matmul_half_gflop is a BF16 figure,
         * an FP8 GEMM needs peak_fp8 / peak_bf16 times the work to hide
         * the same fill time */
        if (cm->bf16_peak_flops > 0 && peak > cm->bf16_peak_flops) {
            g *= cm->bf16_peak_flops / peak;
            /* shape (issue 11): likewise the reference's BF16 losses
             * (gemmshape.h) */
            shape = tce_gemmshape_at_peak(shape, peak / cm->bf16_peak_flops);
        }
        /* shape (issue 11): the shape reference's fraction in place of
         * the size term (costmodel.h) */
        e = shape > 0 ? cm->matmul_efficiency * shape
                      : tce_cost_matmul_efficiency(cm, g);
        if (ceil > 0) {
            tf = flops / (peak * e * ceil / cm->matmul_efficiency);
        } else {
            tf = flops / (peak * e);
            /* sust: the tensor pipe at the SM clock the board's power
             * holds */
            if (cm->curve_sustained > 0)
                tf /= cm->curve_sustained;
        }
    }
    if (bytes > 0)
        tm = bytes / (cm->hbm_bytes_per_s * cm->memory_efficiency);
    return tf > tm ? tf : tm;
}

double tce_cost_compute_s(const struct tce_costmodel *cm, double flops,
                          double gemm_flops, double bytes)
{
    return roofline(cm, cm->peak_flops, flops, gemm_flops, bytes, 0.0);
}

double tce_cost_op_s(const struct tce_costmodel *cm, const struct tce_op *op,
                     const struct tce_span spans[TCE_GROUP_COUNT])
{
    switch (op->kind) {
    case TCE_OP_COMPUTE:
        return tce_cost_compute_op_s(cm, op, NULL);
    case TCE_OP_COLLECTIVE:
        if ((unsigned)op->group >= TCE_GROUP_COUNT)
            return 0.0;
        return tce_cost_collective_wire_s(cm, op->coll, &spans[op->group],
                                          op->bytes, op->wire_efficiency,
                                          NULL);
    case TCE_OP_SEND:
    case TCE_OP_RECV:
        return tce_cost_p2p_s(cm, &spans[TCE_GROUP_PP], op->bytes);
    }
    return 0.0;
}
