/*
 * projector.c - evaluate the plan of a job on a topology at any scale (the
 * rules are in projector.h).  Pure and allocation-free: one plan on the
 * stack, reused for each evaluated stage; spans in closed form.
 */
#include <math.h>
#include <string.h>

#include "tcemu/economics.h"
#include "tcemu/model.h"
#include "tcemu/plan.h"
#include "tcemu/projector.h"

#define GIB 1073741824.0

/* Time of a list for one execution, split by charge. */
struct list_time {
    double total_s;
    double part_s[TCE_CHARGE_COUNT];
};

static void eval_list(const struct tce_costmodel *cm,
                      const struct tce_span spans[TCE_GROUP_COUNT],
                      const struct tce_op_list *l, struct list_time *out)
{
    double compute = 0.0, hidden = 0.0, exposed_hidden, scale;
    double hid_part[TCE_CHARGE_COUNT];
    int i;

    memset(out, 0, sizeof(*out));
    memset(hid_part, 0, sizeof(hid_part));
    for (i = 0; i < l->n; i++) {
        const struct tce_op *op = &l->ops[i];
        double t = tce_cost_op_s(cm, op, spans) * (double)op->count;

        if (op->kind == TCE_OP_COMPUTE) {
            compute += t;
            out->part_s[op->charge] += t;
        } else if (op->overlap == TCE_OVERLAP_COMPUTE) {
            hidden += t;
            hid_part[op->charge] += t;
        } else {
            out->part_s[op->charge] += t;
        }
    }
    exposed_hidden = hidden > compute ? hidden - compute : 0.0;
    if (hidden > 0 && exposed_hidden > 0) {
        scale = exposed_hidden / hidden;
        for (i = 0; i < TCE_CHARGE_COUNT; i++)
            out->part_s[i] += hid_part[i] * scale;
    }
    for (i = 0; i < TCE_CHARGE_COUNT; i++)
        out->total_s += out->part_s[i];
}

static void add_scaled(struct list_time *acc, const struct list_time *x,
                       double k)
{
    int i;

    for (i = 0; i < TCE_CHARGE_COUNT; i++)
        acc->part_s[i] += x->part_s[i] * k;
    acc->total_s += x->total_s * k;
}

/* One stage: per-microbatch forward and backward time (all chunks). */
struct stage_time {
    struct list_time fwd, bwd;
    double p2p_s;               /* one message */
    double dp_total_s, dp_bucket_s;
    double ag_total_s, ag_bucket_s;
    double optimizer_s;
};

/* The per-layer lists are the same on every stage: timed once. */
struct layer_times {
    struct list_time dense_fwd, dense_bwd, moe_fwd, moe_bwd;
};

static void eval_layers(const struct tce_costmodel *cm,
                        const struct tce_span spans[TCE_GROUP_COUNT],
                        const struct tce_plan *plan, struct layer_times *lt)
{
    const struct tce_op_list *L = plan->list;

    memset(lt, 0, sizeof(*lt));
    eval_list(cm, spans, &L[TCE_PLAN_DENSE_FWD], &lt->dense_fwd);
    eval_list(cm, spans, &L[TCE_PLAN_DENSE_BWD], &lt->dense_bwd);
    if (L[TCE_PLAN_MOE_FWD].n > 0) {
        eval_list(cm, spans, &L[TCE_PLAN_MOE_FWD], &lt->moe_fwd);
        eval_list(cm, spans, &L[TCE_PLAN_MOE_BWD], &lt->moe_bwd);
    }
}

static void eval_stage(const struct tce_costmodel *cm,
                       const struct tce_span spans[TCE_GROUP_COUNT],
                       const struct tce_plan *plan,
                       const struct layer_times *lt, struct stage_time *st)
{
    struct list_time t;
    const struct tce_op_list *L = plan->list;
    int i;

    memset(st, 0, sizeof(*st));
    add_scaled(&st->fwd, &lt->dense_fwd, (double)plan->dense_layers);
    add_scaled(&st->bwd, &lt->dense_bwd, (double)plan->dense_layers);
    if (plan->moe_layers > 0) {
        add_scaled(&st->fwd, &lt->moe_fwd, (double)plan->moe_layers);
        add_scaled(&st->bwd, &lt->moe_bwd, (double)plan->moe_layers);
    }
    if (plan->first_stage) {
        eval_list(cm, spans, &L[TCE_PLAN_EMBED_FWD], &t);
        add_scaled(&st->fwd, &t, 1.0);
        eval_list(cm, spans, &L[TCE_PLAN_EMBED_BWD], &t);
        add_scaled(&st->bwd, &t, 1.0);
    }
    if (plan->last_stage) {
        eval_list(cm, spans, &L[TCE_PLAN_HEAD_FWD], &t);
        add_scaled(&st->fwd, &t, 1.0);
        eval_list(cm, spans, &L[TCE_PLAN_HEAD_BWD], &t);
        add_scaled(&st->bwd, &t, 1.0);
    }
    if (L[TCE_PLAN_P2P_FWD].n > 0)
        st->p2p_s = tce_cost_op_s(cm, &L[TCE_PLAN_P2P_FWD].ops[0], spans);
    for (i = 0; i < L[TCE_PLAN_ITER_BEGIN].n; i++) {
        const struct tce_op *op = &L[TCE_PLAN_ITER_BEGIN].ops[i];
        double x = tce_cost_op_s(cm, op, spans);
        st->ag_total_s += x * (double)op->count;
        if (x > st->ag_bucket_s)
            st->ag_bucket_s = x;
    }
    for (i = 0; i < L[TCE_PLAN_ITER_END].n; i++) {
        const struct tce_op *op = &L[TCE_PLAN_ITER_END].ops[i];
        double x = tce_cost_op_s(cm, op, spans);
        if (op->kind == TCE_OP_COMPUTE) {
            st->optimizer_s += x * (double)op->count;
        } else {
            st->dp_total_s += x * (double)op->count;
            if (x > st->dp_bucket_s)
                st->dp_bucket_s = x;
        }
    }
}

static double exposed_under(double total, double bucket, double window,
                            int overlap)
{
    double e;

    if (!overlap)
        return total;
    e = total - window;
    if (e < bucket)
        e = bucket;
    return e < total ? e : total;
}

int tce_project(const struct tce_topology *topo, const struct tce_job *job,
                const struct tce_costmodel *cm, int64_t gpus,
                struct tce_projection *out, struct tce_error *err)
{
    struct tce_plan plan;
    struct tce_span spans[TCE_GROUP_COUNT];
    struct stage_time st, slow;
    struct layer_times lt;
    struct tce_iteration_flops fl;
    struct tce_memory_opts mopts;
    struct tce_memory mem;
    struct tce_energy_in ein;
    struct tce_energy en;
    const struct tce_training *tr = &job->training;
    int64_t stages[3], n_stages = 0, p, v, m, i;
    double T = -1.0, Ts, tokens, peak, dp_exp, ag_exp, iter, nodes, apn;
    double per_gpu_node_price;
    int ret = 0;

    memset(out, 0, sizeof(*out));
    ret = tce_layout_init(&out->layout, job, topo, gpus, err);
    if (ret < 0)
        goto out;
    /* every group an op can name (the plan never uses WORLD) */
    memset(&spans[TCE_GROUP_WORLD], 0, sizeof(spans[TCE_GROUP_WORLD]));
    for (i = 0; i < TCE_GROUP_COUNT; i++)
        if (i != TCE_GROUP_WORLD)
            tce_layout_group_span(&out->layout, (enum tce_group)i, topo,
                                  &spans[i]);
    p = out->layout.pp;
    v = out->layout.vpp > 0 ? out->layout.vpp : 1;
    m = out->layout.microbatches;
    stages[n_stages++] = 0;
    if (p > 1)
        stages[n_stages++] = p - 1;
    if (p > 2)
        /* a middle stage of a dense model with no more layers than the
         * first is never slower than it (same layers, no embedding) */
        if (job->model.num_experts > 0 ||
            tce_layout_stage_layers(job, &out->layout, p / 2) >
                tce_layout_stage_layers(job, &out->layout, 0))
            stages[n_stages++] = p / 2;
    memset(&slow, 0, sizeof(slow));
    for (i = 0; i < n_stages; i++) {
        if (i == 0) {
            ret = tce_plan_build(job, &out->layout, stages[i], &plan, err);
            if (ret == 0)
                eval_layers(cm, spans, &plan, &lt);
        } else {
            ret = tce_plan_restage(job, stages[i], &plan, err);
        }
        if (ret < 0)
            goto out;
        eval_stage(cm, spans, &plan, &lt, &st);
        Ts = st.fwd.total_s + st.bwd.total_s;
        if (Ts > T) {
            T = Ts;
            slow = st;
            out->slowest_stage = stages[i];
        }
    }
    out->stage_microbatch_s = T;
    out->bubble_fraction = tce_schedule_bubble_fraction(p, v, m);

    /* steady state: m microbatches of the slowest stage */
    out->breakdown.compute_s =
        (double)m * (slow.fwd.part_s[TCE_CHARGE_COMPUTE] +
                     slow.bwd.part_s[TCE_CHARGE_COMPUTE]);
    out->breakdown.tp_exposed_s =
        (double)m * (slow.fwd.part_s[TCE_CHARGE_TP] +
                     slow.bwd.part_s[TCE_CHARGE_TP]);
    out->breakdown.cp_exposed_s =
        (double)m * (slow.fwd.part_s[TCE_CHARGE_CP] +
                     slow.bwd.part_s[TCE_CHARGE_CP]);
    out->breakdown.ep_exposed_s =
        (double)m * (slow.fwd.part_s[TCE_CHARGE_EP] +
                     slow.bwd.part_s[TCE_CHARGE_EP]);
    out->breakdown.pp_bubble_s = (double)(p - 1) / (double)v * T;
    out->breakdown.pp_p2p_s =
        p > 1 ? 2.0 * (double)v * (double)m * slow.p2p_s : 0.0;
    /* DP: under the last microbatch's backward / first one's forward */
    dp_exp = exposed_under(slow.dp_total_s, slow.dp_bucket_s,
                           slow.bwd.total_s, tr->overlap_grad_reduce);
    ag_exp = exposed_under(slow.ag_total_s, slow.ag_bucket_s,
                           slow.fwd.total_s, tr->overlap_param_gather);
    out->dp_total_s = slow.dp_total_s + slow.ag_total_s;
    out->breakdown.dp_exposed_s = dp_exp + ag_exp;
    out->breakdown.optimizer_s = slow.optimizer_s;
    iter = out->breakdown.compute_s + out->breakdown.tp_exposed_s +
           out->breakdown.cp_exposed_s + out->breakdown.ep_exposed_s +
           out->breakdown.pp_bubble_s + out->breakdown.pp_p2p_s +
           out->breakdown.dp_exposed_s + out->breakdown.optimizer_s;
    out->iteration_s = iter;

    /* throughput */
    tce_model_flops_per_iteration(&job->model, tr, &fl);
    tokens = fl.tokens;
    out->tokens_per_s = iter > 0 ? tokens / iter : 0.0;
    gpus = out->layout.gpus;
    out->model_tflops_per_gpu = fl.model_flops / (iter * (double)gpus) / 1e12;
    out->hardware_tflops_per_gpu =
        fl.hardware_flops / (iter * (double)gpus) / 1e12;
    peak = cm->peak_flops / 1e12;
    out->mfu = out->model_tflops_per_gpu / peak;
    out->hfu = out->hardware_tflops_per_gpu / peak;
    out->utilisation = iter > 0 ? out->breakdown.compute_s / iter : 0.0;

    /* memory */
    tce_memory_opts_init(&mopts, topo->accelerator.hbm_gib);
    ret = tce_model_memory(job, &out->layout, &mopts, &mem, err);
    if (ret < 0)
        goto out;
    out->memory_gib_per_gpu = mem.total_bytes / GIB;
    out->fits_memory = mem.fits;

    /* economics: ideal time, on-demand */
    out->iterations = tr->train_tokens > 0 ? (double)tr->train_tokens / tokens
                                           : 0.0;
    out->time_to_train_days = out->iterations * iter / 86400.0;
    out->gpu_hours = (double)gpus * out->time_to_train_days * 24.0;
    apn = topo->node.accelerators > 0 ? (double)topo->node.accelerators : 1.0;
    per_gpu_node_price = topo->price.on_demand_usd_per_node_hour / apn;
    out->cost_usd = out->gpu_hours * per_gpu_node_price;
    nodes = ceil((double)gpus / apn);
    memset(&ein, 0, sizeof(ein));
    ein.nodes = (int64_t)nodes;
    ein.accelerators_per_node = (int)apn;
    ein.accelerator_watts = topo->accelerator.watts;
    ein.node_watts = topo->node.watts;
    ein.load = out->utilisation;
    ein.hours = out->time_to_train_days * 24.0;
    ein.pue = topo->power.pue;
    ein.usd_per_kwh = topo->power.usd_per_kwh;
    ein.grid_kgco2e_per_kwh = topo->power.grid_kgco2e_per_kwh;
    if (tce_econ_energy(&ein, &en, NULL) == 0)
        out->energy_mwh = en.facility_mwh;
out:
    return ret;
}
