/*
 * economics.c - what a training run costs: the bill under a contract, the
 * time lost to failures and checkpoints, energy and carbon (economics.h
 * states every formula and rule).
 */
#include "tcemu/economics.h"

#include <math.h>
#include <string.h>

#include "tcemu/model.h"

double tce_econ_young_interval_s(double d, double m)
{
    if (!(d > 0.0) || !isfinite(m))
        return isfinite(m) ? 0.0 : INFINITY;
    return sqrt(2.0 * d * m);
}

/* Daly 2006, "A higher order estimate of the optimum checkpoint interval
 * for restart dumps", eq. 37. */
double tce_econ_daly_interval_s(double d, double m)
{
    double x;

    if (!(d > 0.0) || !isfinite(m))
        return isfinite(m) ? 0.0 : INFINITY;
    if (d >= 2.0 * m)
        return m;
    x = d / (2.0 * m);
    return sqrt(2.0 * d * m) * (1.0 + sqrt(x) / 3.0 + x / 9.0) - d;
}

int tce_econ_goodput(const struct tce_goodput_in *in, struct tce_goodput *out,
                     struct tce_error *err)
{
    double r, m, d, tau, lost, run_frac;

    memset(out, 0, sizeof(*out));
    if (in->nodes < 1 || in->interruptions_per_node_day < 0 ||
        in->restart_s < 0 || in->checkpoint_bytes < 0 ||
        in->checkpoint_write_gbytes_per_s < 0)
        return tce_error_set(err, TCE_ERANGE,
                             "goodput: negative or zero input (nodes %lld)",
                             (long long)in->nodes);
    r = (double)in->nodes * in->interruptions_per_node_day;
    m = r > 0.0 ? 86400.0 / r : INFINITY;
    d = in->checkpoint_write_gbytes_per_s > 0.0
            ? in->checkpoint_bytes / (in->checkpoint_write_gbytes_per_s * 1e9)
            : 0.0;
    out->interruptions_per_day = r;
    out->mtbf_s = m;
    out->checkpoint_write_s = d;
    if (!isfinite(m)) {
        /* No failures: never checkpoint for resilience. */
        out->checkpoint_interval_s = INFINITY;
        out->lost_per_interruption_s = 0.0;
        out->efficiency = 1.0;
        return 0;
    }
    tau = in->formula == TCE_ECON_YOUNG ? tce_econ_young_interval_s(d, m)
                                        : tce_econ_daly_interval_s(d, m);
    if (!(tau > 0.0))
        tau = d > 0.0 ? d : 0.0; /* d = 0: checkpoint continuously */
    lost = in->restart_s + 0.5 * (tau + d);
    out->checkpoint_interval_s = tau;
    out->lost_per_interruption_s = lost;
    run_frac = 1.0 - lost / m;
    if (run_frac <= 0.0) {
        out->efficiency = 0.0;
        return tce_error_set(err, TCE_ENOFIT,
                             "failures every %.0f s leave no time to train "
                             "(%.0f s lost per interruption)",
                             m, lost);
    }
    out->efficiency = tau + d > 0.0 ? run_frac * tau / (tau + d) : run_frac;
    return 0;
}

const struct tce_contract *tce_econ_find_contract(const struct tce_topology *t,
                                                  const char *name,
                                                  struct tce_contract *scratch)
{
    int i;

    if (name) {
        for (i = 0; i < t->n_contracts; i++)
            if (strcmp(t->contracts[i].name, name) == 0)
                return &t->contracts[i];
        if (strcmp(name, "on_demand") != 0 && strcmp(name, "on-demand") != 0)
            return NULL;
    }
    memset(scratch, 0, sizeof(*scratch));
    strcpy(scratch->name, "on_demand");
    scratch->kind = TCE_CONTRACT_ON_DEMAND;
    scratch->usd_per_node_hour = tce_econ_on_demand_price(t);
    memcpy(scratch->as_of, t->price.as_of, sizeof(scratch->as_of));
    memcpy(scratch->source, t->price.source, sizeof(scratch->source));
    return scratch;
}

int tce_econ_price_run(const struct tce_contract *c,
                       double on_demand_usd_per_node_hour, int64_t nodes,
                       int64_t spare_nodes, int accelerators_per_node,
                       double days, struct tce_bill *out, struct tce_error *err)
{
    const double H = TCE_ECON_HOURS_PER_DAY;
    double price = c->usd_per_node_hour, hours = days * H;
    double used_nh, spare_nh, paid_nh = 0.0, total = 0.0;
    int ret = 0;

    memset(out, 0, sizeof(*out));
    if (nodes < 1 || spare_nodes < 0 || accelerators_per_node < 1 ||
        !(days >= 0.0) || !isfinite(days)) {
        ret = tce_error_set(err, TCE_ERANGE,
                            "price: bad run (%lld nodes, %g days)",
                            (long long)nodes, days);
        goto out;
    }
    /* one on-demand price: the list price wins over the contract's */
    if (c->kind == TCE_CONTRACT_ON_DEMAND && on_demand_usd_per_node_hour > 0.0)
        price = on_demand_usd_per_node_hour;
    if (!(price > 0.0)) {
        ret = tce_error_set(err, TCE_ECONFIG,
                            "contract '%s' has no usd_per_node_hour", c->name);
        goto out;
    }
    used_nh = (double)nodes * hours;
    spare_nh = (double)spare_nodes * hours;
    switch (c->kind) {
    case TCE_CONTRACT_ON_DEMAND:
    case TCE_CONTRACT_SPOT:
        paid_nh = used_nh + spare_nh;
        total = paid_nh * price;
        break;
    case TCE_CONTRACT_RESERVED: {
        double term_h = c->term_months * TCE_ECON_DAYS_PER_MONTH * H;
        double paid_h = hours;

        if (term_h > 0.0) {
            out->terms = (int64_t)ceil(hours / term_h - 1e-9);
            if (out->terms < 1)
                out->terms = 1;
            paid_h = (double)out->terms * term_h;
        }
        paid_nh = (double)(nodes + spare_nodes) * paid_h;
        total = paid_nh * price;
        break;
    }
    case TCE_CONTRACT_CAPACITY_BLOCK: {
        double paid_days = ceil(days - 1e-9);

        if (paid_days < 1.0)
            paid_days = 1.0;
        out->blocks = c->max_days > 0.0
                          ? (int64_t)ceil(paid_days / c->max_days - 1e-9)
                          : 1;
        out->start_delay_days = c->lead_days;
        paid_nh = (double)(nodes + spare_nodes) * paid_days * H;
        total = paid_nh * price;
        break;
    }
    case TCE_CONTRACT_COMMITMENT: {
        double term_h = c->term_months > 0.0
                            ? c->term_months * TCE_ECON_DAYS_PER_MONTH * H
                            : hours;
        double overage = c->overage_usd_per_node_hour > 0.0
                             ? c->overage_usd_per_node_hour
                             : on_demand_usd_per_node_hour;
        double want = (double)(nodes + spare_nodes);
        double committed = (double)c->committed_nodes;
        double covered_nh, over_nh, commit_nh;

        if (committed < 1.0) {
            ret = tce_error_set(err, TCE_ECONFIG,
                                "commitment '%s' has no committed_nodes",
                                c->name);
            goto out;
        }
        commit_nh = committed * term_h;
        covered_nh = fmin(want, committed) * fmin(hours, term_h);
        over_nh = want * hours - covered_nh;
        if (over_nh > 0.0 && !(overage > 0.0)) {
            ret = tce_error_set(err, TCE_ECONFIG,
                                "commitment '%s': no overage price and no "
                                "on-demand price for %.0f node-hours past "
                                "the commitment",
                                c->name, over_nh);
            goto out;
        }
        out->overage_usd = over_nh * overage;
        paid_nh = commit_nh + over_nh;
        total = commit_nh * price + out->overage_usd;
        break;
    }
    default:
        ret = tce_error_set(err, TCE_EINTERNAL, "unknown contract kind %d",
                            (int)c->kind);
        goto out;
    }
    out->total_usd = total;
    out->usd_per_node_hour = price;
    out->paid_node_hours = paid_nh;
    out->used_node_hours = used_nh;
    out->idle_node_hours = paid_nh - used_nh;
    if (out->idle_node_hours < 0.0)
        out->idle_node_hours = 0.0;
    /* Idle capacity is valued at the price paid for it: the average paid
     * price per node-hour times the idle node-hours. */
    out->idle_usd =
        paid_nh > 0.0 ? total * out->idle_node_hours / paid_nh : 0.0;
    out->usd_per_used_accelerator_hour =
        used_nh > 0.0 ? total / (used_nh * accelerators_per_node) : 0.0;
out:
    return ret;
}

int tce_econ_energy(const struct tce_energy_in *in, struct tce_energy *out,
                    struct tce_error *err)
{
    double accel_w, host_w, load, pue, kwh_it;

    memset(out, 0, sizeof(*out));
    if (in->nodes < 0 || in->accelerators_per_node < 1 ||
        in->accelerator_watts < 0 || in->node_watts < 0 || in->hours < 0 ||
        in->pue < 0 || in->usd_per_kwh < 0 || in->grid_kgco2e_per_kwh < 0)
        return tce_error_set(err, TCE_ERANGE, "energy: negative input");
    load = in->load < 0.0 ? 0.0 : in->load > 1.0 ? 1.0 : in->load;
    pue = in->pue > 0.0 ? in->pue : 1.0;
    accel_w = in->accelerators_per_node * in->accelerator_watts;
    host_w = in->node_watts > 0.0 ? in->node_watts - accel_w
                                  : TCE_ECON_NODE_OVERHEAD * accel_w;
    if (host_w < 0.0)
        host_w = 0.0;
    out->it_watts_per_node =
        host_w + accel_w * (TCE_ECON_ACCEL_IDLE_FRACTION +
                            (1.0 - TCE_ECON_ACCEL_IDLE_FRACTION) * load);
    kwh_it = out->it_watts_per_node * (double)in->nodes * in->hours / 1000.0;
    out->it_mwh = kwh_it / 1000.0;
    out->facility_mwh = out->it_mwh * pue;
    out->electricity_usd = kwh_it * pue * in->usd_per_kwh;
    out->tco2e = kwh_it * pue * in->grid_kgco2e_per_kwh / 1000.0;
    return 0;
}

int tce_econ_evaluate(const struct tce_econ_in *in, struct tce_econ *out,
                      struct tce_error *err)
{
    const struct tce_topology *t = in->topo;
    const struct tce_reliability *rel = &t->reliability;
    struct tce_contract scratch;
    const struct tce_contract *c = in->contract;
    struct tce_goodput_in gin;
    struct tce_energy_in ein;
    int per_node = t->node.accelerators;
    int ret;

    memset(out, 0, sizeof(*out));
    if (per_node < 1 || in->gpus < 1 || !(in->ideal_days >= 0.0)) {
        ret = tce_error_set(err, TCE_ERANGE,
                            "economics: bad input (%lld gpus, %d per node)",
                            (long long)in->gpus, per_node);
        goto out;
    }
    if (!c)
        c = tce_econ_find_contract(t, NULL, &scratch);
    out->nodes = tce_econ_nodes(t, in->gpus);

    memset(&gin, 0, sizeof(gin));
    gin.nodes = out->nodes;
    gin.interruptions_per_node_day = rel->interruptions_per_node_day;
    if (c->kind == TCE_CONTRACT_SPOT)
        gin.interruptions_per_node_day += c->interruptions_per_node_day;
    gin.restart_s = rel->restart_minutes * 60.0;
    gin.checkpoint_bytes = in->checkpoint_bytes;
    gin.checkpoint_write_gbytes_per_s = rel->checkpoint_write_gbytes_per_s;
    gin.formula = TCE_ECON_DALY;
    ret = tce_econ_goodput(&gin, &out->goodput, err);
    if (ret < 0)
        goto out;
    out->train_days = in->ideal_days / out->goodput.efficiency;
    out->accelerator_hours =
        (double)in->gpus * out->train_days * TCE_ECON_HOURS_PER_DAY;

    ret = tce_econ_price_run(c, tce_econ_on_demand_price(t), out->nodes, rel->hot_spare_nodes, per_node,
                             out->train_days, &out->bill, err);
    if (ret < 0)
        goto out;
    out->days_to_done = out->bill.start_delay_days + out->train_days;

    memset(&ein, 0, sizeof(ein));
    ein.nodes = out->nodes;
    ein.accelerators_per_node = per_node;
    ein.accelerator_watts = t->accelerator.watts;
    ein.node_watts = t->node.watts;
    ein.load = in->load;
    ein.hours = out->train_days * TCE_ECON_HOURS_PER_DAY;
    ein.pue = t->power.pue;
    ein.usd_per_kwh = t->power.usd_per_kwh;
    ein.grid_kgco2e_per_kwh = t->power.grid_kgco2e_per_kwh;
    ret = tce_econ_energy(&ein, &out->energy, err);
    if (ret < 0 || rel->hot_spare_nodes < 1)
        goto out;
    /* Hot spares stand by with idle accelerators. */
    {
        struct tce_energy spare;

        ein.nodes = rel->hot_spare_nodes;
        ein.load = 0.0;
        ret = tce_econ_energy(&ein, &spare, err);
        if (ret < 0)
            goto out;
        out->energy.it_mwh += spare.it_mwh;
        out->energy.facility_mwh += spare.facility_mwh;
        out->energy.electricity_usd += spare.electricity_usd;
        out->energy.tco2e += spare.tco2e;
    }
out:
    return ret;
}

double tce_econ_on_demand_price(const struct tce_topology *t)
{
    double price = t->price.on_demand_usd_per_node_hour;
    int i;

    for (i = 0; !(price > 0.0) && i < t->n_contracts; i++)
        if (t->contracts[i].kind == TCE_CONTRACT_ON_DEMAND)
            price = t->contracts[i].usd_per_node_hour;
    return price > 0.0 ? price : 0.0;
}

int64_t tce_econ_nodes(const struct tce_topology *t, int64_t gpus)
{
    int64_t per_node = t->node.accelerators > 0 ? t->node.accelerators : 1;

    return (gpus + per_node - 1) / per_node;
}

int tce_econ_over_capacity(const struct tce_topology *t, int64_t gpus)
{
    return t->capacity.max_nodes > 0 &&
           tce_econ_nodes(t, gpus) > t->capacity.max_nodes;
}

int tce_econ_price_projection(const struct tce_topology *t,
                              const struct tce_job *job,
                              const struct tce_contract *c,
                              const struct tce_projection *p,
                              struct tce_projection_price *out,
                              struct tce_error *err)
{
    struct tce_energy_in ein;
    struct tce_energy en;
    struct tce_econ_in in;
    int64_t gpus = p->layout.gpus;
    double apn = t->node.accelerators > 0 ? (double)t->node.accelerators : 1.0;
    double hours = p->time_to_train_days * 24.0;
    int ret = 0;

    memset(out, 0, sizeof(*out));
    out->nodes = tce_econ_nodes(t, gpus);
    /* the run uses gpus x hours; the rental is whole nodes, as every bill
     * (tce_econ_price_run) counts them.  Written as rented accelerator-hours
     * x price per accelerator-hour (the order of operations of the earlier
     * per-GPU formula, so whole-node counts are unchanged to the last
     * bit). */
    out->gpu_hours = (double)gpus * p->time_to_train_days * 24.0;
    out->cost_usd = (double)(out->nodes * (int64_t)apn) *
                    p->time_to_train_days * 24.0 *
                    (tce_econ_on_demand_price(t) / apn);
    memset(&ein, 0, sizeof(ein));
    ein.nodes = out->nodes;
    ein.accelerators_per_node = (int)apn;
    ein.accelerator_watts = t->accelerator.watts;
    ein.node_watts = t->node.watts;
    ein.load = p->utilisation;
    ein.hours = hours;
    ein.pue = t->power.pue;
    ein.usd_per_kwh = t->power.usd_per_kwh;
    ein.grid_kgco2e_per_kwh = t->power.grid_kgco2e_per_kwh;
    if (tce_econ_energy(&ein, &en, NULL) == 0)
        out->energy_mwh = en.facility_mwh;
    if (!c)
        goto out;
    memset(&in, 0, sizeof(in));
    in.topo = t;
    in.contract = c;
    in.gpus = gpus;
    in.ideal_days = p->time_to_train_days;
    in.checkpoint_bytes = tce_econ_checkpoint_bytes(job);
    in.load = p->utilisation;
    ret = tce_econ_evaluate(&in, &out->plan, err);
    out->have_plan = ret == 0;
out:
    return ret;
}

double tce_econ_checkpoint_bytes(const struct tce_job *job)
{
    struct tce_param_count pc;

    tce_model_count_params(&job->model, &pc);
    return pc.total * TCE_ECON_CHECKPOINT_BYTES_PER_PARAM;
}

void tce_econ_print(FILE *out, const struct tce_contract *c, int64_t gpus,
                    const struct tce_econ *e)
{
    const struct tce_goodput *g = &e->goodput;
    const struct tce_bill *b = &e->bill;

    fprintf(out,
            "# plan %s (%s, %.2f USD/node-hour%s%s) at %lld GPUs, "
            "%lld nodes:\n",
            c->name, tce_contract_kind_name(c->kind), b->usd_per_node_hour,
            c->as_of[0] ? ", as of " : "", c->as_of, (long long)gpus,
            (long long)e->nodes);
    fprintf(out,
            "#   failures: %.2f interruptions/day, MTBF %.0f s, "
            "checkpoint %.1f s every %.0f s, %.0f s lost per "
            "interruption, effective training time %.1f%%\n",
            g->interruptions_per_day, g->mtbf_s, g->checkpoint_write_s,
            g->checkpoint_interval_s, g->lost_per_interruption_s,
            100.0 * g->efficiency);
    fprintf(out,
            "#   time: %.1f days training with failures, %.1f days "
            "to done (start delay %.1f), %.3g GPU-hours\n",
            e->train_days, e->days_to_done, b->start_delay_days,
            e->accelerator_hours);
    fprintf(out,
            "#   bill: %.4g USD; paid %.4g node-hours, used %.4g, idle "
            "%.4g (%.4g USD paid but idle); overage %.4g USD; %.3f USD "
            "per used GPU-hour",
            b->total_usd, b->paid_node_hours, b->used_node_hours,
            b->idle_node_hours, b->idle_usd, b->overage_usd,
            b->usd_per_used_accelerator_hour);
    if (b->blocks > 0)
        fprintf(out, "; %lld capacity blocks", (long long)b->blocks);
    if (b->terms > 0)
        fprintf(out, "; %lld terms", (long long)b->terms);
    fprintf(out,
            "\n#   energy: %.4g MWh facility (%.4g MWh IT), %.4g USD "
            "electricity (in the cloud price, not added)",
            e->energy.facility_mwh, e->energy.it_mwh,
            e->energy.electricity_usd);
    if (e->energy.tco2e > 0.0)
        fprintf(out, ", %.4g tCO2e", e->energy.tco2e);
    fprintf(out, "\n");
}

void tce_econ_json(struct tce_json *j, const char *key,
                   const struct tce_contract *c, const struct tce_econ *e)
{
    const struct tce_goodput *g = &e->goodput;
    const struct tce_bill *b = &e->bill;

    tce_json_object_begin(j, key);
    tce_json_string(j, "plan", c->name);
    tce_json_string(j, "kind", tce_contract_kind_name(c->kind));
    tce_json_double(j, "usd_per_node_hour", b->usd_per_node_hour);
    tce_json_int(j, "nodes", e->nodes);
    tce_json_double(j, "interruptions_per_day", g->interruptions_per_day);
    tce_json_double(j, "mtbf_s", g->mtbf_s);
    tce_json_double(j, "checkpoint_write_s", g->checkpoint_write_s);
    tce_json_double(j, "checkpoint_interval_s", g->checkpoint_interval_s);
    tce_json_double(j, "lost_per_interruption_s", g->lost_per_interruption_s);
    tce_json_double(j, "effective_training_fraction", g->efficiency);
    tce_json_double(j, "train_days", e->train_days);
    tce_json_double(j, "days_to_done", e->days_to_done);
    tce_json_double(j, "start_delay_days", b->start_delay_days);
    tce_json_double(j, "gpu_hours", e->accelerator_hours);
    tce_json_double(j, "cost_usd", b->total_usd);
    tce_json_double(j, "idle_usd", b->idle_usd);
    tce_json_double(j, "overage_usd", b->overage_usd);
    tce_json_double(j, "paid_node_hours", b->paid_node_hours);
    tce_json_double(j, "used_node_hours", b->used_node_hours);
    tce_json_double(j, "idle_node_hours", b->idle_node_hours);
    tce_json_double(j, "usd_per_used_gpu_hour",
                    b->usd_per_used_accelerator_hour);
    tce_json_int(j, "capacity_blocks", b->blocks);
    tce_json_int(j, "terms", b->terms);
    tce_json_double(j, "energy_mwh", e->energy.facility_mwh);
    tce_json_double(j, "it_energy_mwh", e->energy.it_mwh);
    tce_json_double(j, "electricity_usd", e->energy.electricity_usd);
    tce_json_double(j, "tco2e", e->energy.tco2e);
    tce_json_object_end(j);
}
