/*
 * bench_report.c - `tcemu bench` table (nccl-tests' columns: size, count,
 * type, redop, root, then time, algbw, busbw, #wrong out of place and in
 * place; '#' on every line that is not data), JSON (schema tcemu.bench/3)
 * and CSV (schema column tcemu.bench.csv/1).  A place that was not
 * measured is N/A in the table, null in JSON and empty in CSV (report.h
 * has no absent value, so bench writes its three forms here).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "tcemu/json.h"
#include "tcemu/output.h"

#include "bench.h"

static const char *redop_of(const struct bench *b, const struct bench_row *r)
{
    return r->reduces ? tce_benchdata_op_name(b->o.op) : "none";
}

void tce_bench_print_head(FILE *out, const struct bench *b)
{
    fprintf(out,
            "# group: %s, %d group(s) of %d ranks, measured at the same "
            "time\n",
            b->o.group, b->n_groups, b->g_size);
    fprintf(out,
            "# iterations: %" PRId64 " timed after %" PRId64
            " warm-up; time = %s (-a %d) (measured)\n",
            b->o.sw.iters, b->o.sw.warmup, tce_benchdata_avg_name(b->o.avg),
            (int)b->o.avg);
    if (b->o.check)
        fprintf(out,
                "# data check: %" PRId64 " checked operation(s) per size "
                "and place, seed %" PRId64 "\n",
                b->o.check, b->o.seed);
    else
        fprintf(out, "# data check: off (-c 0)\n");
    fprintf(out, "#\n# %-13s %12s %12s %8s %6s %6s %31s %31s\n", "", "", "",
            "", "", "", "out-of-place", "in-place");
    fprintf(out,
            "# %-13s %12s %12s %8s %6s %6s %7s %7s %7s %7s %7s %7s %7s %7s\n",
            "collective", "size", "count", "type", "redop", "root", "time",
            "algbw", "busbw", "#wrong", "time", "algbw", "busbw", "#wrong");
    fprintf(out,
            "# %-13s %12s %12s %8s %6s %6s %7s %7s %7s %7s %7s %7s %7s %7s\n",
            "", "(B)", "(elements)", "", "", "", "(us)", "(GB/s)", "(GB/s)",
            "", "(us)", "(GB/s)", "(GB/s)", "");
}

/* A figure in w characters: 2 decimals while they fit, then fewer. */
static void fit(char *buf, size_t size, int w, double v)
{
    int prec;

    for (prec = 2; prec >= 0; prec--)
        if (snprintf(buf, size, "%*.*f", w, prec, v) <= w)
            return;
    snprintf(buf, size, "%*.1e", w, v);
}

static void print_place(FILE *out, const struct bench_place *p)
{
    char t[32], a[32], s[32], wr[32];

    if (!p->measured) {
        fprintf(out, " %7s %7s %7s %7s", "N/A", "N/A", "N/A", "N/A");
        return;
    }
    fit(t, sizeof(t), 7, p->time_s * 1e6);
    fit(a, sizeof(a), 7, p->algbw);
    fit(s, sizeof(s), 7, p->busbw);
    if (p->wrong < 0)
        snprintf(wr, sizeof(wr), "N/A");
    else
        snprintf(wr, sizeof(wr), "%" PRId64, p->wrong);
    fprintf(out, " %s %s %s %7s", t, a, s, wr);
}

void tce_bench_print_row(FILE *out, const struct bench *b,
                         const struct bench_row *r)
{
    fprintf(out, "  %-13s %12" PRId64 " %12" PRId64 " %8s %6s %6d",
            tce_coll_short_name(r->kind), r->bytes, r->count, "float",
            redop_of(b, r), r->root);
    print_place(out, &r->oop);
    print_place(out, &r->ip);
    fputc('\n', out);
    fflush(out);
}

void tce_bench_print_foot(FILE *out, const struct bench *b)
{
    double avg = b->n_busbw ? b->busbw_sum / b->n_busbw : 0.0;

    fprintf(out, "# Out of bounds values : %" PRId64 " %s\n", b->total_wrong,
            b->total_wrong ? "FAILED" : "OK");
    fprintf(out, "# Avg bus bandwidth    : %.3f GB/s\n", avg);
    fprintf(out, "# data check: %s\n",
            !b->o.check ? "skipped (-c 0)"
                        : (b->total_wrong ? "FAILED" : "OK"));
    if (b->stopped)
        fprintf(out,
                "# INCOMPLETE: stopped by signal %d after %d row(s); the "
                "rows above are complete measurements\n",
                b->stopped, b->n_rows);
}

static void json_place(struct tce_json *j, const struct bench_place *p)
{
    tce_json_double(j, "time_us", p->time_s * 1e6);
    tce_json_double(j, "algbw_gbytes_per_s", p->algbw);
    tce_json_double(j, "busbw_gbytes_per_s", p->busbw);
    if (p->wrong < 0)
        tce_json_null(j, "wrong");
    else
        tce_json_int(j, "wrong", p->wrong);
}

static void json_body(struct tce_json *j, const struct bench *b)
{
    int i;

    tce_json_string(j, "group", b->o.group);
    tce_json_int(j, "group_size", b->g_size);
    tce_json_int(j, "groups", b->n_groups);
    tce_json_int(j, "iterations", b->o.sw.iters);
    tce_json_int(j, "warmup", b->o.sw.warmup);
    tce_json_int(j, "check_iterations", b->o.check);
    tce_json_string(j, "type", "float");
    tce_json_string(j, "redop", tce_benchdata_op_name(b->o.op));
    tce_json_int(j, "average_mode", (int)b->o.avg);
    tce_json_string(j, "time", tce_benchdata_avg_name(b->o.avg));
    tce_json_string(j, "figures", "measured");
    tce_json_array_begin(j, "results");
    for (i = 0; i < b->n_rows; i++) {
        const struct bench_row *r = &b->rows[i];

        tce_json_object_begin(j, NULL);
        tce_json_string(j, "collective", tce_coll_short_name(r->kind));
        tce_json_int(j, "size_bytes", r->bytes);
        tce_json_int(j, "count", r->count);
        tce_json_string(j, "type", "float");
        tce_json_string(j, "redop", redop_of(b, r));
        tce_json_int(j, "root", r->root);
        tce_json_double(j, "busbw_factor",
                        tce_coll_busbw_factor(r->kind, b->g_size));
        /* out of place at the row's level, as in schema 1 */
        json_place(j, &r->oop);
        if (r->ip.measured) {
            tce_json_object_begin(j, "in_place");
            json_place(j, &r->ip);
            tce_json_object_end(j);
        } else {
            tce_json_null(j, "in_place");
        }
        tce_json_object_end(j);
    }
    tce_json_array_end(j);
    tce_json_double(j, "avg_busbw_gbytes_per_s",
                    b->n_busbw ? b->busbw_sum / b->n_busbw : 0.0);
    tce_json_string(j, "data_check",
                    !b->o.check ? "skipped"
                                : (b->total_wrong ? "FAILED" : "OK"));
    tce_json_int(j, "wrong_total", b->total_wrong);
    tce_json_bool(j, "complete", !b->stopped);
    tce_json_int(j, "stopped_by_signal", b->stopped);
}

static int write_json(const struct bench *b, int argc, char **argv,
                      const char *hosts, const int *nodes,
                      struct tce_error *err)
{
    struct tce_output o;
    struct tce_json j;
    int rc = tce_output_open(&o, b->o.json_path, err);

    if (rc)
        return rc;
    tce_json_init(&j, o.fp);
    tce_json_object_begin(&j, NULL);
    tce_json_string(&j, "schema", BENCH_JSON_SCHEMA);
    tce_rt_json_header(&b->rt, &j, argc, argv, hosts, nodes);
    json_body(&j, b);
    tce_json_finish(&j);
    return tce_output_commit(&o, err);
}

static void csv_place(FILE *fp, const struct bench_place *p)
{
    if (!p->measured) {
        fputs(",,,,", fp);
        return;
    }
    fprintf(fp, ",%.9g,%.9g,%.9g,", p->time_s * 1e6, p->algbw, p->busbw);
    if (p->wrong >= 0)
        fprintf(fp, "%" PRId64, p->wrong);
}

static int write_csv(const struct bench *b, struct tce_error *err)
{
    struct tce_output o;
    int i, rc = tce_output_open(&o, b->o.csv_path, err);

    if (rc)
        return rc;
    fprintf(o.fp, "schema,collective,group,group_size,size_bytes,count,type,"
                  "redop,root,average,oop_time_us,oop_algbw_gbytes_per_s,"
                  "oop_busbw_gbytes_per_s,oop_wrong,ip_time_us,"
                  "ip_algbw_gbytes_per_s,ip_busbw_gbytes_per_s,ip_wrong,"
                  "complete\n");
    for (i = 0; i < b->n_rows; i++) {
        const struct bench_row *r = &b->rows[i];

        /* group names and the words here hold no comma or quote */
        fprintf(o.fp, "%s,%s,%s,%d,%" PRId64 ",%" PRId64 ",float,%s,%d,%s",
                BENCH_CSV_SCHEMA, tce_coll_short_name(r->kind), b->o.group,
                b->g_size, r->bytes, r->count, redop_of(b, r), r->root,
                tce_benchdata_avg_key(b->o.avg));
        csv_place(o.fp, &r->oop);
        csv_place(o.fp, &r->ip);
        fprintf(o.fp, ",%d\n", !b->stopped);
    }
    return tce_output_commit(&o, err);
}

int tce_bench_write_files(const struct bench *b, int argc, char **argv,
                          const char *hosts, const int *nodes,
                          struct tce_error *err)
{
    int rc = 0;

    if (b->o.json_path)
        rc = write_json(b, argc, argv, hosts, nodes, err);
    if (rc == 0 && b->o.csv_path)
        rc = write_csv(b, err);
    return rc;
}
