/*
 * report_search.c - a layout search as a human table and as JSON
 * (report_search.h).
 */
#include "tcemu/report_search.h"

#include <stddef.h>
#include <string.h>

#include "tcemu/confidence.h"
#include "tcemu/humanfmt.h"

/* ---- the columns of a hit (struct tce_search_hit) ---------------------- */

static const struct tce_search_hit *hit_of(const struct tce_report *r, int i)
{
    return (const struct tce_search_hit *)((const char *)r->rows +
                                           (size_t)i * r->row_size);
}

static void get_rank(const struct tce_report *r, int i,
                     struct tce_report_value *v)
{
    (void)r;
    v->i = i + 1;
}

static void get_recompute(const struct tce_report *r, int i,
                          struct tce_report_value *v)
{
    v->s = tce_recompute_name(hit_of(r, i)->recompute);
}

static void get_mem_gib(const struct tce_report *r, int i,
                        struct tce_report_value *v)
{
    v->d = hit_of(r, i)->eval.memory_bytes / TCE_GIB;
}

static void get_eff_mfu(const struct tce_report *r, int i,
                        struct tce_report_value *v)
{
    const struct tce_search_hit *h = hit_of(r, i);

    v->d = h->eval.mfu * h->econ.goodput.efficiency;
}

#define OFF(member) offsetof(struct tce_search_hit, member)
#define ALL TCE_REPORT_ALL
#define HUM TCE_REPORT_HUMAN
#define JSN (TCE_REPORT_CSV | TCE_REPORT_JSON)
#define INT TCE_REPORT_INT
#define DBL TCE_REPORT_DOUBLE
#define BOOL TCE_REPORT_BOOL
#define LAYOUT(key_, human_, fmt_, member)                                   \
    {.key = key_, .group = "layout", .human = human_, .fmt = fmt_,          \
     .in = ALL, .type = INT, .offset = OFF(member)}
#define PART(id, field, json, human_, fmt_, charge, meaning)                 \
    {.key = #field, .json_key = json, .group = "breakdown_s", .in = JSN,    \
     .type = DBL, .offset = OFF(eval.breakdown.field)},
/* a JSON-only double */
#define JD(key_, member)                                                     \
    {.key = key_, .in = JSN, .type = DBL, .offset = OFF(member)}
#define FAIL(key_, member)                                                   \
    {.key = key_, .group = "failures", .in = JSN, .type = DBL,              \
     .offset = OFF(econ.goodput.member)}

static const struct tce_report_column hit_columns[] = {
    {.key = "rank", .human = " rank", .fmt = "5d", .sep = "", .in = HUM,
     .type = INT, .get = get_rank},
    {.key = "gpus", .human = "gpus", .fmt = "7d", .as = TCE_REPORT_AS_COUNT,
     .in = ALL, .type = INT, .offset = OFF(gpus)},
    {.key = "nodes", .human = "nodes", .fmt = "6d", .as = TCE_REPORT_AS_COUNT,
     .in = ALL, .type = INT, .offset = OFF(econ.nodes)},
    TCE_REPORT_LAYOUT_COLUMNS(LAYOUT),
    {.key = "recompute", .group = "layout", .human = "recompute",
     .fmt = "-9s", .in = ALL, .type = TCE_REPORT_TEXT,
     .get = get_recompute},
    {.key = "distributed_optimizer", .group = "layout", .human = "dopt",
     .fmt = "4s", .yes = "on", .no = "off", .in = ALL, .type = BOOL,
     .offset = OFF(distributed_optimizer)},
    {.key = "sequence_parallel", .group = "layout", .in = JSN, .type = BOOL,
     .offset = OFF(sequence_parallel)},
    {.key = "iteration_s", .human = "iter(s)", .fmt = "9.3f", .in = ALL,
     .type = DBL, .offset = OFF(eval.iteration_s)},
    TCE_BREAKDOWN_PARTS(PART)
    JD("exposed_comm_s", eval.exposed_comm_s),
    JD("tokens_per_s", eval.tokens_per_s),
    JD("model_tflops_per_gpu", eval.model_tflops_per_gpu),
    JD("hardware_tflops_per_gpu", eval.hardware_tflops_per_gpu),
    {.key = "mfu", .human = "MFU%", .fmt = "5.1f", .scale = 100.0,
     .in = ALL, .type = DBL, .offset = OFF(eval.mfu)},
    JD("hfu", eval.hfu),
    {.key = "effective_mfu", .in = JSN, .type = DBL, .get = get_eff_mfu},
    {.key = "memory_gib_per_gpu", .human = "mem(GiB)", .fmt = "8.1f",
     .in = ALL, .type = DBL, .get = get_mem_gib},
    {.key = "fits_memory", .in = JSN, .type = BOOL,
     .offset = OFF(eval.fits_memory)},
    JD("time_to_train_days", ideal_days),
    JD("train_days_with_failures", econ.train_days),
    {.key = "days_to_done", .human = "days", .fmt = "8.1f", .in = ALL,
     .type = DBL, .offset = OFF(econ.days_to_done)},
    JD("gpu_hours", econ.accelerator_hours),
    {.key = "cost_usd", .human = "cost", .fmt = "11s",
     .as = TCE_REPORT_AS_USD, .in = ALL, .type = DBL,
     .offset = OFF(econ.bill.total_usd)},
    JD("idle_usd", econ.bill.idle_usd),
    JD("idle_node_hours", econ.bill.idle_node_hours),
    JD("usd_per_used_gpu_hour", econ.bill.usd_per_used_accelerator_hour),
    FAIL("interruptions_per_day", interruptions_per_day),
    FAIL("checkpoint_write_s", checkpoint_write_s),
    FAIL("checkpoint_interval_s", checkpoint_interval_s),
    FAIL("lost_per_interruption_s", lost_per_interruption_s),
    FAIL("effective_training_fraction", efficiency),
    JD("energy_mwh", econ.energy.facility_mwh),
    JD("electricity_usd", econ.energy.electricity_usd),
    JD("tco2e", econ.energy.tco2e),
};

#undef FAIL
#undef JD
#undef PART
#undef LAYOUT
#undef BOOL
#undef DBL
#undef INT
#undef JSN
#undef HUM
#undef ALL
#undef OFF

void tce_report_search_hits(struct tce_report *t,
                            const struct tce_search_hit *first,
                            size_t stride, int n)
{
    memset(t, 0, sizeof(*t));
    t->cols = hit_columns;
    t->n_cols = (int)(sizeof(hit_columns) / sizeof(hit_columns[0]));
    t->rows = first;
    t->row_size = stride;
    t->n_rows = n;
    t->row_lead = "";
}

static void print_layout(FILE *f, const struct tce_search_hit *h)
{
    fprintf(f,
            "gpus=%lld tp=%lld pp=%lld vpp=%lld cp=%lld ep=%lld dp=%lld "
            "mbsz=%lld %s%s",
            (long long)h->gpus, (long long)h->tp, (long long)h->pp,
            (long long)h->vpp, (long long)h->cp, (long long)h->ep,
            (long long)h->dp, (long long)h->micro_batch,
            tce_recompute_name(h->recompute),
            h->distributed_optimizer ? " distopt" : "");
}

/* A pick whose modelled memory leaves less than this fraction of HBM free
 * is flagged (a reporting threshold, not a model constant: the memory
 * model's fixed overhead and fragmentation are model.h's). */
#define TIGHT_PICK_FREE 0.10

/* Say so when a pick fits only just (report_search.h): the memory model
 * has no measured check (no published run gives its per-GPU memory), and
 * what it does not itemise (allocator caching beyond its fragmentation
 * share, NCCL and dispatcher buffers, CUDA graph pools) can take the rest. */
void tce_report_search_tight_human(FILE *f, double headroom,
                                   const struct tce_search_hit *h,
                                   const char *who)
{
    const struct tce_search_eval *e = &h->eval;
    double free_frac;

    if (headroom > 0.0 || e->capacity_bytes <= 0.0 || !e->fits_memory)
        return;
    free_frac = 1.0 - e->memory_bytes / e->capacity_bytes;
    if (free_frac >= TIGHT_PICK_FREE)
        return;
    fprintf(f,
            "# memory: %s uses %.1f of %.1f GiB in the model (%.0f%% free, "
            "its fixed overhead and fragmentation included);\n#   the memory "
            "model is not checked against measured memory, so a real run may "
            "not fit (--hbm-headroom %.1f: only layouts with %.0f%% free)\n",
            who, e->memory_bytes / TCE_GIB, e->capacity_bytes / TCE_GIB,
            100.0 * free_frac, TIGHT_PICK_FREE, 100.0 * TIGHT_PICK_FREE);
}

void tce_report_search_human(FILE *f, const struct tce_search_report *rep)
{
    const struct tce_search_opts *s = rep->opts;
    const struct tce_topology *t = rep->topo;
    const struct tce_contract *c = rep->contract;
    const struct tce_search_result *r = rep->result;
    const struct tce_search_hit *best = &r->top[0];
    struct tce_report tab;
    struct tce_confidence_set conf;
    char b1[TCE_HUMANFMT_MAX], b2[TCE_HUMANFMT_MAX], line[320];
    int i;

    fprintf(f, "# tcemu search: job %s (%s) on %s (%s)\n", rep->job->name,
            rep->job_path, t->name, rep->topology_path);
    fprintf(f, "# gpus:");
    for (i = 0; i < s->n_gpus; i++)
        fprintf(f, " %lld", (long long)s->gpus[i]);
    tce_confidence_of(t, c, &conf);
    fprintf(f,
            "; ranked by %s; contract %s (%.2f USD/node-hour%s%s; price "
            "%s)\n",
            s->by == TCE_SEARCH_BY_COST ? "cost" : "time to train", c->name,
            c->usd_per_node_hour, c->as_of[0] ? ", as of " : "", c->as_of,
            tce_confidence_name(conf.group[TCE_CONF_PRICE]));
    fprintf(f,
            "# candidates %lld: projected %lld, pruned %lld (shape cannot "
            "fit), invalid %lld, over memory %lld, fit %lld\n",
            (long long)r->candidates, (long long)r->projected,
            (long long)r->pruned, (long long)r->invalid, (long long)r->no_fit,
            (long long)r->fits);
    tce_report_search_headroom_human(f, s->hbm_headroom, &t, 1);
    fprintf(f, "# search time %.3f s: %.0f candidates/s, %.0f projections/s\n",
            r->elapsed_s, r->candidates_per_s,
            r->elapsed_s > 0 ? (double)r->projected / r->elapsed_s : 0.0);
    tce_report_search_hits(&tab, r->top, sizeof(r->top[0]), r->n_top);
    tce_report_human(f, &tab);
    fprintf(f,
            "# best: %.1f days to done (%.1f failure-free; %.2f "
            "interruptions/day, checkpoint every %.0f s, %.1f%% effective "
            "training time),\n#   %s GPU-h, %s",
            best->econ.days_to_done, best->ideal_days,
            best->econ.goodput.interruptions_per_day,
            best->econ.goodput.checkpoint_interval_s,
            100.0 * best->econ.goodput.efficiency,
            tce_humanfmt_si(best->econ.accelerator_hours, b1, sizeof(b1)),
            tce_humanfmt_usd(best->econ.bill.total_usd, b2, sizeof(b2)));
    fprintf(f,
            " (%s paid idle), USD %.3f per used GPU-hour, %s MWh, "
            "effective MFU %.1f%%\n",
            tce_humanfmt_usd(best->econ.bill.idle_usd, b1, sizeof(b1)),
            best->econ.bill.usd_per_used_accelerator_hour,
            tce_humanfmt_si(best->econ.energy.facility_mwh, b2, sizeof(b2)),
            100.0 * best->eval.mfu * best->econ.goodput.efficiency);
    tce_report_search_tight_human(f, s->hbm_headroom, best, "#1");
    if (rep->validation) {
        fprintf(f, "# %s\n", rep->validation->line);
        if (rep->validation->held_out_line[0])
            fprintf(f, "# %s\n", rep->validation->held_out_line);
        if (r->n_top > 1 && best->score > 0.0) {
            tce_validation_margin(rep->validation,
                                  r->top[1].score / best->score - 1.0, line,
                                  sizeof(line));
            fprintf(f, "# %s (#1 vs #2)\n", line);
        }
    }
    if (r->own_status >= 0) {
        struct tce_term_errors e;
        struct tce_margin m;

        tce_report_search_margin(rep, &e, &m);
        tce_report_search_own_human(f, r->own_status, &r->own, &m, &e);
    }
    if (r->n_explained > 0)
        fprintf(f, "# why the first rejected alternatives lost to #1:\n");
    for (i = 0; i < r->n_explained; i++) {
        const struct tce_search_reject *x = &r->explained[i];

        fprintf(f, "#   ");
        print_layout(f, &x->hit);
        if (x->reason == TCE_SEARCH_LOST_MEMORY) {
            const struct tce_search_eval *e = &x->hit.eval;
            char limit[64] = " HBM";

            /* against the limit: HBM, or HBM less the headroom */
            if (e->limit_bytes < e->capacity_bytes)
                snprintf(limit, sizeof(limit), ", HBM %.1f less the headroom",
                         e->capacity_bytes / TCE_GIB);
            fprintf(f, ": memory (%.1f GiB > %.1f GiB%s; it would take "
                       "%.1f days)\n",
                    e->memory_bytes / TCE_GIB, e->limit_bytes / TCE_GIB, limit,
                    x->hit.econ.days_to_done);
        } else if (x->reason == TCE_SEARCH_LOST_COST)
            fprintf(f, ": cost (%s vs %s, %.1f days)\n",
                    tce_humanfmt_usd(x->hit.econ.bill.total_usd, b1,
                                     sizeof(b1)),
                    tce_humanfmt_usd(best->econ.bill.total_usd, b2,
                                     sizeof(b2)),
                    x->hit.econ.days_to_done);
        else
            fprintf(f, ": %s (+%.3f s per iteration; %.3f s vs %.3f s)\n",
                    tce_search_reason_name(x->reason), x->delta_s,
                    x->hit.eval.iteration_s, best->eval.iteration_s);
    }
    fprintf(f, "# units: GPU counts and nodes with thousands separators; "
               "mbsz micro-batch size (sequences), n_mb microbatches per "
               "iteration;\n# units: iter(s) seconds per iteration; MFU%% "
               "percent of peak (a fraction in CSV/JSON); GiB = 2^30 bytes; "
               "days to done incl. failures;\n# units: cost in USD with "
               "k/M/B/T = 1e3/1e6/1e9/1e12 (raw USD in CSV/JSON)\n");
    fprintf(f, "# modelled: every figure (projector, failures, prices from "
               "the topology file); measured: none\n");
}

/* ---- the CSV: a role, the margin against the own layout, the hit ------ */

struct csv_row {
    const char *role; /* "pick", "top", "own" */
    int has_margin;
    double margin_vs_own;
    struct tce_search_hit hit;
};

static void get_role(const struct tce_report *r, int i,
                     struct tce_report_value *v)
{
    v->s = ((const struct csv_row *)r->rows)[i].role;
}

static int has_margin(const struct tce_report *r, int i)
{
    return ((const struct csv_row *)r->rows)[i].has_margin;
}

static void csv_hit_sub(const struct tce_report *r, struct tce_report *out)
{
    const struct csv_row *rows = r->rows;

    tce_report_search_hits(out, &rows[0].hit, sizeof(rows[0]), r->n_rows);
}

static const struct tce_report_column csv_columns[] = {
    {.key = "role", .in = TCE_REPORT_CSV, .type = TCE_REPORT_TEXT,
     .get = get_role},
    {.key = "margin_vs_own", .in = TCE_REPORT_CSV, .type = TCE_REPORT_DOUBLE,
     .offset = offsetof(struct csv_row, margin_vs_own), .when = has_margin},
    {.key = "hit", .in = TCE_REPORT_CSV, .sub = csv_hit_sub,
     .csv_prefix = ""},
};

void tce_report_search_csv(FILE *f, const struct tce_search_report *rep)
{
    const struct tce_search_result *r = rep->result;
    struct csv_row rows[TCE_SEARCH_TOP_MAX + 1];
    struct tce_term_errors e;
    struct tce_margin m;
    struct tce_report t;
    int i, n = 0, have = tce_report_search_margin(rep, &e, &m);

    memset(rows, 0, sizeof(rows));
    for (i = 0; i < r->n_top; i++, n++) {
        rows[n].role = i == 0 ? "pick" : "top";
        rows[n].hit = r->top[i];
        rows[n].has_margin = i == 0 && have;
        rows[n].margin_vs_own = m.margin;
    }
    if (r->own_status == 1) {
        rows[n].role = "own";
        rows[n].hit = r->own;
        rows[n].has_margin = have;
        rows[n].margin_vs_own = m.margin;
        n++;
    }
    memset(&t, 0, sizeof(t));
    t.cols = csv_columns;
    t.n_cols = (int)(sizeof(csv_columns) / sizeof(csv_columns[0]));
    t.rows = rows;
    t.row_size = sizeof(rows[0]);
    t.n_rows = n;
    t.schema = TCE_SEARCH_CSV_SCHEMA;
    tce_report_csv(f, &t);
}

/* ---- the pick against the job's own layout (margin.h) ------------------ */

int tce_report_search_margin(const struct tce_search_report *rep,
                             struct tce_term_errors *e, struct tce_margin *m)
{
    const struct tce_search_result *r = rep->result;

    memset(m, 0, sizeof(*m));
    if (rep->errors)
        *e = *rep->errors;
    else
        tce_term_errors_from_validation(rep->validation, e);
    if (r->n_top < 1 || r->own_status != 1)
        return 0;
    tce_margin_compare(&r->top[0].eval.breakdown, r->top[0].eval.iteration_s,
                       r->top[0].score, &r->own.eval.breakdown,
                       r->own.eval.iteration_s, r->own.score, r->own_is_pick,
                       r->own.eval.fits_memory, e, m);
    return 1;
}

void tce_report_search_headroom_human(FILE *f, double headroom,
                                      const struct tce_topology *const *topos,
                                      int n)
{
    int i;

    if (headroom <= 0.0)
        return;
    fprintf(f,
            "# memory: a layout fits when its modelled memory leaves %.0f%% "
            "of HBM free (--hbm-headroom %g): at most",
            100.0 * headroom, headroom);
    for (i = 0; i < n; i++) {
        fprintf(f, "%s %.1f of %.1f GiB", i ? "," : "",
                (1.0 - headroom) * topos[i]->accelerator.hbm_gib,
                topos[i]->accelerator.hbm_gib);
        if (n > 1)
            fprintf(f, " on %s", topos[i]->name);
    }
    fputc('\n', f);
}

void tce_report_search_own_human(FILE *f, int own_status,
                                 const struct tce_search_hit *own,
                                 const struct tce_margin *m,
                                 const struct tce_term_errors *e)
{
    char line[640];

    fprintf(f, "# job's own layout: ");
    print_layout(f, own);
    if (own_status != 1) {
        fprintf(f, ": not a valid layout at this GPU count\n");
        return;
    }
    fprintf(f, ": %.1f days, %.3f s per iteration, %.1f GiB per GPU",
            own->econ.days_to_done, own->eval.iteration_s,
            own->eval.memory_bytes / TCE_GIB);
    if (own->eval.fits_memory)
        fputc('\n', f);
    else if (own->eval.memory_bytes <= own->eval.capacity_bytes &&
             own->eval.memory_bytes > own->eval.limit_bytes)
        fprintf(f, " (over the %.1f GiB limit in the model: HBM %.1f less "
                "the headroom)\n", own->eval.limit_bytes / TCE_GIB,
                own->eval.capacity_bytes / TCE_GIB);
    else
        fprintf(f, " (over HBM in the model)\n");
    fprintf(f, "# pick vs own: %s\n", tce_margin_sentence(m, e, line,
                                                          sizeof(line)));
}

void tce_report_search_own_json(struct tce_json *j, const char *key,
                                int own_status,
                                const struct tce_search_hit *own,
                                const struct tce_margin *m,
                                const struct tce_term_errors *e)
{
    int k;

    tce_json_object_begin(j, key);
    tce_json_string(j, "layout_status", own_status == 1
                                            ? "projected"
                                            : "not a valid layout");
    tce_report_search_hit_json(j, "candidate", own);
    if (own_status == 1) {
        tce_json_bool(j, "is_pick", m->same);
        tce_json_double(j, "margin_vs_own", m->margin);
        tce_json_double(j, "advantage_s", m->advantage_s);
        tce_json_string(j, "advantage", tce_margin_verdict_name(m->verdict));
        tce_json_array_begin(j, "term_deltas");
        for (k = 0; k < m->n_terms; k++) {
            tce_json_object_begin(j, NULL);
            tce_json_string(j, "part",
                            tce_breakdown_parts[m->terms[k].part].json);
            tce_json_double(j, "own_minus_pick_s", m->terms[k].delta_s);
            if (m->terms[k].error_s >= 0.0)
                tce_json_double(j, "validation_error_s",
                                m->terms[k].error_s);
            else
                tce_json_null(j, "validation_error_s");
            tce_json_bool(j, "doubtful", m->terms[k].doubtful);
            tce_json_object_end(j);
        }
        tce_json_array_end(j);
        tce_json_string(j, "term_errors_source", e->source);
    }
    tce_json_object_end(j);
}

void tce_report_search_hit_json(struct tce_json *j, const char *key,
                                const struct tce_search_hit *h)
{
    struct tce_report t;

    tce_report_search_hits(&t, h, sizeof(*h), 1);
    tce_report_json_row(j, key, &t, 0);
}

/* ---- the rejected alternatives (struct tce_search_reject) -------------- */

static void get_reason(const struct tce_report *r, int i,
                       struct tce_report_value *v)
{
    const struct tce_search_reject *x = r->rows;

    v->s = tce_search_reason_name(x[i].reason);
}

static void put_candidate(struct tce_json *j, const char *name,
                          const struct tce_report *r, int i)
{
    const struct tce_search_reject *x = r->rows;

    tce_report_search_hit_json(j, name, &x[i].hit);
}

static const struct tce_report_column reject_columns[] = {
    {.key = "reason", .in = TCE_REPORT_JSON, .type = TCE_REPORT_TEXT,
     .get = get_reason},
    {.key = "delta_s", .in = TCE_REPORT_JSON, .type = TCE_REPORT_DOUBLE,
     .offset = offsetof(struct tce_search_reject, delta_s)},
    {.key = "candidate", .in = TCE_REPORT_JSON, .type = TCE_REPORT_TEXT,
     .put_json = put_candidate},
};

void tce_report_search_json(struct tce_json *j,
                            const struct tce_search_report *rep)
{
    const struct tce_search_opts *s = rep->opts;
    const struct tce_search_result *r = rep->result;
    struct tce_confidence_set conf;
    struct tce_report t;
    char line[320];
    double margin;
    int i, within;

    tce_json_object_begin(j, NULL);
    tce_json_string(j, "schema", TCE_SEARCH_JSON_SCHEMA);
    tce_json_string(j, "tcemu_version", rep->version);
    tce_json_object_begin(j, "topology");
    tce_json_string(j, "name", rep->topo->name);
    tce_json_string(j, "path", rep->topology_path);
    tce_json_int(j, "max_nodes", rep->topo->capacity.max_nodes);
    tce_json_object_end(j);
    tce_json_object_begin(j, "job");
    tce_json_string(j, "name", rep->job->name);
    tce_json_string(j, "path", rep->job_path);
    tce_json_int(j, "train_tokens", rep->job->training.train_tokens);
    tce_json_object_end(j);
    tce_json_string(j, "by", s->by == TCE_SEARCH_BY_COST ? "cost" : "time");
    tce_json_double(j, "hbm_headroom", s->hbm_headroom);
    tce_json_string(j, "contract", rep->contract->name);
    tce_confidence_of(rep->topo, rep->contract, &conf);
    tce_json_string(j, "price_confidence",
                    tce_confidence_name(conf.group[TCE_CONF_PRICE]));
    tce_confidence_json(j, "confidence", &conf);
    if (rep->validation) {
        tce_validation_json(j, "validation", rep->validation);
        if (r->n_top > 1 && r->top[0].score > 0.0) {
            margin = r->top[1].score / r->top[0].score - 1.0;
            tce_json_double(j, "ranking_margin", margin);
            within = tce_validation_margin(rep->validation, margin, line,
                                           sizeof(line));
            if (within < 0)
                tce_json_null(j, "margin_within_error");
            else
                tce_json_bool(j, "margin_within_error", within);
        } else {
            tce_json_null(j, "ranking_margin");
            tce_json_null(j, "margin_within_error");
        }
    }
    if (r->own_status >= 0) {
        struct tce_term_errors e;
        struct tce_margin m;

        tce_report_search_margin(rep, &e, &m);
        tce_report_search_own_json(j, "own_layout", r->own_status, &r->own,
                                   &m, &e);
    }
    tce_json_array_begin(j, "gpus");
    for (i = 0; i < s->n_gpus; i++)
        tce_json_int(j, NULL, s->gpus[i]);
    tce_json_array_end(j);
    tce_json_object_begin(j, "search");
    tce_json_int(j, "candidates", r->candidates);
    tce_json_int(j, "projected", r->projected);
    tce_json_int(j, "pruned", r->pruned);
    tce_json_int(j, "invalid", r->invalid);
    tce_json_int(j, "over_memory", r->no_fit);
    tce_json_int(j, "fit", r->fits);
    tce_json_double(j, "elapsed_s", r->elapsed_s);
    tce_json_double(j, "candidates_per_s", r->candidates_per_s);
    tce_json_object_end(j);
    tce_report_search_hits(&t, r->top, sizeof(r->top[0]), r->n_top);
    tce_report_json_rows(j, "results", &t);
    memset(&t, 0, sizeof(t));
    t.cols = reject_columns;
    t.n_cols = (int)(sizeof(reject_columns) / sizeof(reject_columns[0]));
    t.rows = r->explained;
    t.row_size = sizeof(r->explained[0]);
    t.n_rows = r->n_explained;
    tce_report_json_rows(j, "rejected", &t);
    tce_json_string(j, "figures", "modelled");
    tce_json_object_end(j);
    tce_json_finish(j);
}

void tce_report_search_progress(FILE *f, const struct tce_search_result *r)
{
    fprintf(f, "tcemu search: %lld candidates in %.3f s (%.0f/s)\n",
            (long long)r->candidates, r->elapsed_s, r->candidates_per_s);
}

void tce_report_search_hints(FILE *f, int64_t want,
                             const struct tce_search_hit *h, int n)
{
    int i;

    for (i = 0; i < n; i++)
        fprintf(f,
                "tcemu: hint: %lld GPUs fit (tp %lld pp %lld cp %lld dp "
                "%lld, %.1f days)\n",
                (long long)h[i].gpus, (long long)h[i].tp, (long long)h[i].pp,
                (long long)h[i].cp, (long long)h[i].dp, h[i].econ.days_to_done);
    if (n == 0)
        fprintf(f,
                "tcemu: hint: no GPU count within 25%% of %lld has "
                "a layout that fits\n",
                (long long)want);
}
