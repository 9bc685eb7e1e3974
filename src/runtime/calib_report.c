/* calib_report.c - tcemu calibrate: points, fits, the calibration file
 * and the JSON (calib.h). */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tcemu/cli.h"
#include "tcemu/json.h"
#include "tcemu/linkcal.h"
#include "tcemu/output.h"

#include "calib.h"

void tce_calib_print_class_head(FILE *out, const struct cal_class *k)
{
    fprintf(out,
            "#\n# link class %s (%s): %d group(s) of %d ranks measured at "
            "the same time\n",
            tce_link_class_name(k->link), k->where, k->n_groups, k->g_size);
    fprintf(out, "# %-13s %12s %12s %12s %12s\n", "collective", "size", "time",
            "algbw", "busbw");
    fprintf(out, "# %-13s %12s %12s %12s %12s\n", "", "(B)", "(us)", "(GB/s)",
            "(GB/s)");
}

/* Measure every collective and size of one class (all ranks). */
void tce_calib_print_point(FILE *out, const struct cal_class *k,
                           enum tce_coll kind, double mb, double t)
{
    fprintf(out, "  %-13s %12.0f %12.2f %12.3f %12.3f\n",
            tce_coll_short_name(kind), mb, t * 1e6,
            tce_coll_algbw_gbytes_per_s(mb, t),
            tce_coll_busbw_gbytes_per_s(kind, k->g_size, mb, t));
    fflush(out);
}

static const struct cal_series *series_of(const struct cal_class *k,
                                          enum tce_coll kind)
{
    int i;

    for (i = 0; i < k->n_series; i++)
        if (k->s[i].kind == kind && k->s[i].fit_rc == 0)
            return &k->s[i];
    return NULL;
}

/* The entry's measured points: the sizes of the sweep (increasing) and the
 * statistic its lines were fitted to (the mean over ranks of each rank's
 * mean), at most TCE_CALIB_POINTS_MAX of them. */
static void points_of(const struct cal_series *s,
                      struct tce_calibration_coll *x)
{
    int p, n = 0;

    for (p = 0; p < s->n && n < TCE_CALIB_POINTS_MAX; p++) {
        if (n > 0 && !(s->bytes[p] > x->point_bytes[n - 1]))
            continue;
        x->point_bytes[n] = s->bytes[p];
        x->point_us[n] = s->time_avg_s[p] * 1e6;
        n++;
    }
    x->n_point_bytes = x->n_point_us = n;
}

/* links: the entries of every fitted series of every class (linkcal.h:
 * latency per step, bandwidth of the busiest link, per regime). */
int tce_calib_entries(const struct calib *c, struct tce_calibration_coll *e,
                      int max)
{
    int i, j, n = 0;

    if (c->o.links_only)
        return 0;
    for (i = 0; i < c->n_classes; i++) {
        const struct cal_class *k = &c->cls[i];

        for (j = 0; j < k->n_series; j++) {
            const struct cal_series *s = &k->s[j];
            struct tce_calibration_coll x;

            if (s->pieces_rc ||
                tce_calibfit_entry(&s->pieces, s->kind, k->link, k->g_size,
                                   k->members_per_node, k->concurrency,
                                   &x) != 0)
                continue;
            points_of(s, &x);
            if (n >= max) {
                fprintf(stderr,
                        "tcemu: warning: more than %d measured patterns: "
                        "the calibration file keeps the first %d\n",
                        max, max);
                return n;
            }
            e[n] = x;
            n++;
        }
    }
    return n;
}

static void print_entries(const struct calib *c, FILE *out)
{
    struct tce_calibration_coll e[TCE_CALIB_COLLS_MAX];
    int n = tce_calib_entries(c, e, TCE_CALIB_COLLS_MAX), i, r;

    if (n == 0)
        return;
    fprintf(out,
            "#\n# measured patterns (calibration.collectives; measured): "
            "t = steps x latency + load x bytes / bandwidth\n# per size "
            "regime; latency per step (us), bandwidth of the busiest link "
            "(GB/s); max_bytes: the largest size measured (beyond it the "
            "large line is extrapolated)\n");
    fprintf(out,
            "# %-10s %-13s %5s %5s %5s %11s %11s %11s %17s %17s %17s %7s\n",
            "span", "collective", "ranks", "m", "k", "medium_from",
            "large_from", "max_bytes", "small (us, GB/s)", "medium", "large",
            "rms(%)");
    for (i = 0; i < n; i++) {
        fprintf(out, "  %-10s %-13s %5lld %5lld %5lld %11lld %11lld %11lld",
                tce_link_class_name(e[i].span),
                tce_coll_short_name((enum tce_coll)e[i].kind),
                (long long)e[i].group_ranks, (long long)e[i].ranks_per_node,
                (long long)e[i].concurrency,
                (long long)e[i].medium_from_bytes,
                (long long)e[i].large_from_bytes,
                (long long)e[i].max_bytes);
        for (r = 0; r < TCE_LINKCAL_REGIMES; r++) {
            double l, w;

            tce_linkcal_regime_params(&e[i], (enum tce_linkcal_regime)r, &l,
                                      &w);
            fprintf(out, " %8.1f %8.4f", l * 1e6, w * 1e-9);
        }
        fprintf(out, " %7.1f\n", e[i].rms_rel_error * 100.0);
    }
}

void tce_calib_print_fits(const struct calib *c, FILE *out)
{
    int i, j;

    fprintf(out, "#\n# fits of time = latency + bytes / bandwidth (least "
                 "squares: latency from the smaller half of the sizes,\n# "
                 "bandwidth from the larger half; errors over all sizes; "
                 "measured):\n");
    fprintf(out, "# %-10s %-13s %10s %12s %10s %8s %10s %7s\n", "link",
            "collective", "latency", "busbw", "efficiency", "rms_err",
            "max_err", "points");
    fprintf(out, "# %-10s %-13s %10s %12s %10s %8s %10s %7s\n", "", "", "(us)",
            "(GB/s)", "", "(%)", "(%)", "");
    for (i = 0; i < c->n_classes; i++) {
        const struct cal_class *k = &c->cls[i];

        if (!k->n_series)
            continue;
        if (k->pattern)
            fprintf(out, "# pattern %s (%s):\n", tce_link_class_name(k->link),
                    k->where);
        for (j = 0; j < k->n_series; j++) {
            const struct cal_series *s = &k->s[j];

            if (s->fit_rc) {
                fprintf(out, "  %-10s %-13s not fitted: %s\n",
                        tce_link_class_name(k->link),
                        tce_coll_short_name(s->kind), s->fit_msg);
                continue;
            }
            fprintf(out,
                    "  %-10s %-13s %10.2f %12.4f %10.3f %8.1f %10.1f %7d\n",
                    tce_link_class_name(k->link), tce_coll_short_name(s->kind),
                    s->line.latency_s * 1e6,
                    tce_coll_busbw_factor(s->kind, k->g_size) * 1e-9 /
                        s->line.seconds_per_byte,
                    s->efficiency, s->line.rms_rel_error * 100.0,
                    s->line.max_rel_error * 100.0, s->line.points);
        }
        if (k->pattern)
            continue;
        if (k->fitted)
            fprintf(out,
                    "# %s: latency %.2f us, bandwidth %.4f GB/s per rank "
                    "(send/recv fit, RMS error %.1f%%)\n",
                    tce_link_class_name(k->link), k->latency_us,
                    k->bandwidth_gbytes_per_s,
                    k->link_series->line.rms_rel_error * 100.0);
        else
            fprintf(out, "# %s: link not fitted (no send/recv fit)\n",
                    tce_link_class_name(k->link));
        if (k->fitted && k->link == TCE_LINK_FABRIC)
            fprintf(out,
                    "# fabric: the file records %.2f us, the latency added "
                    "to scale_out's per crossing, and the bandwidth per "
                    "rank across the tier (%" PRId64 " nodes per switch)\n",
                    k->file_latency_us, c->leaf_nodes);
    }
    print_entries(c, out);
    if (c->topo) {
        const struct tce_topology *t = c->topo;
        double per_rank =
            t->scale_out.nic_bandwidth_gbit_per_s / 8.0 *
            (t->scale_out.nics_per_node > 0 ? t->scale_out.nics_per_node : 1) *
            (t->scale_out.efficiency > 0 ? t->scale_out.efficiency : 1.0) /
            (c->node_size_min > 0 ? c->node_size_min : 1);

        fprintf(out,
                "# datasheet (%s, modelled): scale_up latency %.2f us, "
                "bandwidth %.4f GB/s x efficiency %.2f; scale_out latency "
                "%.2f us, %.4f GB/s per rank with %d ranks per node\n",
                t->path, t->scale_up.latency_us,
                t->scale_up.bandwidth_gbytes_per_s,
                t->scale_up.efficiency > 0 ? t->scale_up.efficiency : 1.0,
                t->scale_out.latency_us, per_rank, c->node_size_min);
    }
    if (c->stopped)
        fprintf(out,
                "# INCOMPLETE: stopped by signal %d before every size "
                "was measured\n",
                c->stopped);
}

/* Comma-separated distinct hosts in rank order. */
static void host_list(const struct calib *c, char *buf, size_t len)
{
    size_t used = 0;
    int r, q, w;

    buf[0] = '\0';
    for (r = 0; c->hosts && r < c->rt.size; r++) {
        const char *h = c->hosts + (size_t)r * TCE_RT_HOST_MAX;

        for (q = 0; q < r; q++)
            if (strcmp(h, c->hosts + (size_t)q * TCE_RT_HOST_MAX) == 0)
                break;
        if (q < r)
            continue;
        w = snprintf(buf + used, len - used, "%s%s", used ? "," : "", h);
        if (w < 0 || (size_t)w >= len - used)
            break;
        used += (size_t)w;
    }
}

void tce_calib_utc_now(char *buf, size_t len)
{
    time_t now = time(NULL);
    struct tm tm;

    gmtime_r(&now, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The largest efficiency a calibration file accepts. */
#define CAL_EFFICIENCY_MAX 10.0

static double eff_of(const struct cal_class *k, enum tce_coll kind)
{
    const struct cal_series *s = series_of(k, kind);

    /* Not measured: the neutral 1.0 (the file's default). */
    if (!s || !(s->efficiency > 0))
        return 1.0;
    /* A collective 10x faster than send/recv on the same link means the
     * send/recv fit is off (a disturbed measurement): say so, and keep the
     * file loadable. */
    if (s->efficiency > CAL_EFFICIENCY_MAX) {
        fprintf(stderr,
                "tcemu: warning: %s %s efficiency %.2f is above %.0f: the "
                "link's send/recv fit looks disturbed (busy machine?); the "
                "file records %.0f\n",
                tce_link_class_name(k->link), tce_coll_short_name(kind),
                s->efficiency, CAL_EFFICIENCY_MAX, CAL_EFFICIENCY_MAX);
        return CAL_EFFICIENCY_MAX;
    }
    return s->efficiency;
}

int tce_calib_write_calibration(const struct calib *c, const char *date,
                                struct tce_error *err)
{
    struct tce_calibration *cal = calloc(1, sizeof(*cal));
    struct tce_output o;
    int i, j, rc = 0;

    if (!cal)
        return tce_error_set(err, TCE_ENOMEM, "out of memory");
    snprintf(cal->tcemu_version, sizeof(cal->tcemu_version), "%s",
             tce_cli_version());
    tce_rt_mpi_library(cal->mpi_library, sizeof(cal->mpi_library));
    snprintf(cal->date, sizeof(cal->date), "%s", date);
    host_list(c, cal->hosts, sizeof(cal->hosts));
    cal->ranks = c->rt.size;
    cal->ranks_per_node = c->node_size_min;
    for (i = 0; i < CAL_CLASSES; i++) {
        const struct cal_class *k = &c->cls[i];
        struct tce_calibration_link *l = &cal->links[cal->n_links];

        if (!k->fitted || k->pattern)
            continue;
        l->link = k->link;
        l->latency_us = k->file_latency_us;
        l->bandwidth_gbytes_per_s = k->bandwidth_gbytes_per_s;
        l->rms_rel_error = k->link_series->line.rms_rel_error;
        l->points = k->link_series->line.points;
        for (j = 0; j < TCE_COLL_COUNT; j++)
            tce_coll_calib_set_efficiency((enum tce_coll)j, l,
                                          eff_of(k, (enum tce_coll)j));
        cal->n_links++;
    }
    /* links: the measured patterns, with the links they fall back to */
    if (cal->n_links > 0)
        cal->n_colls = tce_calib_entries(c, cal->colls, TCE_CALIB_COLLS_MAX);
    rc = tce_output_open(&o, c->o.out_path, err);
    if (rc)
        goto out;
    fprintf(o.fp,
            "# tcemu calibrate: measured on %d ranks, %d per node; "
            "latency and bandwidth\n# from send/recv, efficiencies = "
            "collective bus bandwidth / link bandwidth.\n",
            c->rt.size, c->node_size_min);
    if (c->stopped)
        fprintf(o.fp,
                "# INCOMPLETE: stopped by signal %d before every size "
                "was measured.\n",
                c->stopped);
    rc = tce_calibration_write(cal, o.fp);
    if (rc) {
        tce_output_abort(&o);
        rc = tce_error_set(err, rc, "cannot write the calibration to %s",
                           c->o.out_path);
        goto out;
    }
    rc = tce_output_commit(&o, err);
out:
    free(cal);
    return rc;
}

/* links: the entries as the calibration file holds them. */
static void write_entries_json(const struct calib *c, struct tce_json *j)
{
    struct tce_calibration_coll e[TCE_CALIB_COLLS_MAX];
    int n = tce_calib_entries(c, e, TCE_CALIB_COLLS_MAX), i, r;

    tce_json_array_begin(j, "collective_entries");
    for (i = 0; i < n; i++) {
        tce_json_object_begin(j, NULL);
        tce_json_string(j, "collective",
                        tce_coll_short_name((enum tce_coll)e[i].kind));
        tce_json_string(j, "span", tce_link_class_name(e[i].span));
        tce_json_int(j, "group_ranks", e[i].group_ranks);
        tce_json_int(j, "ranks_per_node", e[i].ranks_per_node);
        tce_json_int(j, "concurrency", e[i].concurrency);
        tce_json_array_begin(j, "regimes");
        for (r = 0; r < TCE_LINKCAL_REGIMES; r++) {
            double l, w;

            tce_linkcal_regime_params(&e[i], (enum tce_linkcal_regime)r, &l,
                                      &w);
            tce_json_object_begin(j, NULL);
            tce_json_string(j, "regime",
                            tce_linkcal_regime_name((enum tce_linkcal_regime)r));
            tce_json_int(j, "from_bytes",
                         r == 0 ? 0
                         : r == 1 ? e[i].medium_from_bytes
                                  : e[i].large_from_bytes);
            tce_json_double(j, "latency_us", l * 1e6);
            tce_json_double(j, "bandwidth_gbytes_per_s", w * 1e-9);
            tce_json_object_end(j);
        }
        tce_json_array_end(j);
        tce_json_double(j, "rms_rel_error", e[i].rms_rel_error);
        tce_json_int(j, "points", e[i].points);
        tce_json_int(j, "min_bytes", e[i].min_bytes);
        tce_json_int(j, "max_bytes", e[i].max_bytes);
        tce_json_object_end(j);
    }
    tce_json_array_end(j);
}

int tce_calib_write_json(const struct calib *c, int argc, char **argv,
                         const char *date, struct tce_error *err)
{
    struct tce_output o;
    struct tce_json j;
    int i, s, p, rc;

    rc = tce_output_open(&o, c->o.json_path, err);
    if (rc)
        return rc;
    tce_json_init(&j, o.fp);
    tce_json_object_begin(&j, NULL);
    tce_json_string(&j, "schema", "tcemu.calibrate/2");
    tce_json_bool(&j, "complete", !c->stopped);
    if (c->stopped)
        tce_json_int(&j, "stopped_by_signal", c->stopped);
    tce_json_string(&j, "date", date);
    tce_rt_json_header(&c->rt, &j, argc, argv, c->hosts, c->nodes);
    tce_json_int(&j, "ranks_per_node_measured", c->node_size_min);
    tce_json_string(&j, "calibration_file", c->o.out_path);
    tce_json_int(&j, "iterations", c->o.sw.iters);
    tce_json_int(&j, "warmup", c->o.sw.warmup);
    tce_json_int(&j, "rounds", c->o.rounds);
    tce_json_bool(&j, "arrival_wait_asleep", c->sleep_wait);
    tce_json_string(&j, "time", "slowest rank's median per operation "
                                "(time_avg_us: mean over ranks of each "
                                "rank's mean)");
    tce_json_array_begin(&j, "links");
    for (i = 0; i < c->n_classes; i++) {
        const struct cal_class *k = &c->cls[i];

        if (!k->n_series)
            continue;
        tce_json_object_begin(&j, NULL);
        tce_json_string(&j, "link", tce_link_class_name(k->link));
        tce_json_string(&j, "where", k->where);
        tce_json_int(&j, "group_size", k->g_size);
        tce_json_int(&j, "groups", k->n_groups);
        tce_json_bool(&j, "pattern", k->pattern);
        tce_json_int(&j, "ranks_per_node", k->members_per_node);
        tce_json_int(&j, "concurrency", k->concurrency);
        tce_json_bool(&j, "fitted", k->fitted);
        if (k->fitted) {
            tce_json_double(&j, "latency_us", k->latency_us);
            tce_json_double(&j, "file_latency_us", k->file_latency_us);
            tce_json_double(&j, "bandwidth_gbytes_per_s",
                            k->bandwidth_gbytes_per_s);
            tce_json_double(&j, "rms_rel_error",
                            k->link_series->line.rms_rel_error);
        }
        tce_json_array_begin(&j, "collectives");
        for (s = 0; s < k->n_series; s++) {
            const struct cal_series *se = &k->s[s];

            tce_json_object_begin(&j, NULL);
            tce_json_string(&j, "collective", tce_coll_short_name(se->kind));
            if (se->fit_rc == 0) {
                tce_json_double(&j, "latency_us", se->line.latency_s * 1e6);
                tce_json_double(&j, "seconds_per_byte",
                                se->line.seconds_per_byte);
                tce_json_double(&j, "busbw_gbytes_per_s",
                                tce_coll_busbw_factor(se->kind, k->g_size) *
                                    1e-9 / se->line.seconds_per_byte);
                tce_json_double(&j, "efficiency", se->efficiency);
                tce_json_double(&j, "rms_rel_error", se->line.rms_rel_error);
                tce_json_double(&j, "max_rel_error", se->line.max_rel_error);
                tce_json_bool(&j, "latency_clamped", se->line.latency_clamped);
            } else {
                tce_json_string(&j, "fit_error", se->fit_msg);
            }
            tce_json_array_begin(&j, "points");
            for (p = 0; p < se->n; p++) {
                tce_json_object_begin(&j, NULL);
                tce_json_double(&j, "size_bytes", se->bytes[p]);
                tce_json_double(&j, "time_us", se->time_s[p] * 1e6);
                tce_json_double(&j, "time_avg_us", se->time_avg_s[p] * 1e6);
                if (se->fit_rc == 0)
                    tce_json_double(
                        &j, "fit_time_us",
                        tce_calibfit_time_s(&se->line, se->bytes[p]) * 1e6);
                tce_json_object_end(&j);
            }
            tce_json_array_end(&j);
            tce_json_object_end(&j);
        }
        tce_json_array_end(&j);
        tce_json_object_end(&j);
    }
    tce_json_array_end(&j);
    write_entries_json(c, &j);
    tce_json_finish(&j);
    return tce_output_commit(&o, err);
}
