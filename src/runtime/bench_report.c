/*
 * bench_report.c - `tcemu bench` table and JSON.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcemu/json.h"
#include "tcemu/output.h"

#include "bench.h"

void tce_bench_print_head(FILE *out, const struct bench *b)
{
    fprintf(out,
            "# group: %s, %d group(s) of %d ranks, measured at the same "
            "time\n",
            b->o.group, b->n_groups, b->g_size);
    fprintf(out,
            "# iterations: %" PRId64 " timed after %" PRId64
            " warm-up; time = slowest rank's mean per operation (measured)\n",
            b->o.sw.iters, b->o.sw.warmup);
    fprintf(out, "#\n# %-13s %12s %12s %6s %12s %12s %12s %8s\n",
            "collective", "size", "count", "type", "time", "algbw", "busbw",
            "#wrong");
    fprintf(out, "# %-13s %12s %12s %6s %12s %12s %12s %8s\n", "", "(B)",
            "(elements)", "", "(us)", "(GB/s)", "(GB/s)", "");
}

void tce_bench_print_row(FILE *out, const struct bench_row *r)
{
    char wrong[32];

    if (r->wrong < 0)
        snprintf(wrong, sizeof(wrong), "N/A");
    else
        snprintf(wrong, sizeof(wrong), "%" PRId64, r->wrong);
    fprintf(out, "  %-13s %12" PRId64 " %12" PRId64 " %6s %12.2f %12.3f "
                 "%12.3f %8s\n",
            tce_coll_short_name(r->kind), r->bytes, r->count, "float",
            r->time_s * 1e6, r->algbw, r->busbw, wrong);
    fflush(out);
}

int tce_bench_write_json(const struct bench *b, int argc, char **argv,
                      const char *hosts, const int *nodes, double avg_busbw,
                      int64_t total_wrong, struct tce_error *err)
{
    struct tce_output o;
    struct tce_json j;
    int i, rc;

    rc = tce_output_open(&o, b->o.json_path, err);
    if (rc)
        goto out;
    tce_json_init(&j, o.fp);
    tce_json_object_begin(&j, NULL);
    tce_json_string(&j, "schema", "tcemu.bench/1");
    tce_rt_json_header(&b->rt, &j, argc, argv, hosts, nodes);
    tce_json_string(&j, "group", b->o.group);
    tce_json_int(&j, "group_size", b->g_size);
    tce_json_int(&j, "groups", b->n_groups);
    tce_json_int(&j, "iterations", b->o.sw.iters);
    tce_json_int(&j, "warmup", b->o.sw.warmup);
    tce_json_string(&j, "type", "float");
    tce_json_string(&j, "time", "slowest rank's mean per operation");
    tce_json_array_begin(&j, "results");
    for (i = 0; i < b->n_rows; i++) {
        const struct bench_row *r = &b->rows[i];

        tce_json_object_begin(&j, NULL);
        tce_json_string(&j, "collective", tce_coll_short_name(r->kind));
        tce_json_int(&j, "size_bytes", r->bytes);
        tce_json_int(&j, "count", r->count);
        tce_json_double(&j, "time_us", r->time_s * 1e6);
        tce_json_double(&j, "algbw_gbytes_per_s", r->algbw);
        tce_json_double(&j, "busbw_gbytes_per_s", r->busbw);
        tce_json_double(&j, "busbw_factor",
                        tce_coll_busbw_factor(r->kind, b->g_size));
        if (r->wrong < 0)
            tce_json_null(&j, "wrong");
        else
            tce_json_int(&j, "wrong", r->wrong);
        tce_json_object_end(&j);
    }
    tce_json_array_end(&j);
    tce_json_double(&j, "avg_busbw_gbytes_per_s", avg_busbw);
    tce_json_string(&j, "data_check",
                    !b->o.check ? "skipped"
                                : (total_wrong ? "FAILED" : "OK"));
    tce_json_int(&j, "wrong_total", total_wrong);
    tce_json_finish(&j);
    rc = tce_output_commit(&o, err);
out:
    return rc;
}
