/* margin.c - a pick against the job's own layout (margin.h). */
#include "tcemu/margin.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void tce_term_errors_from_validation(const struct tce_validation *v,
                                     struct tce_term_errors *out)
{
    int i;

    for (i = 0; i < TCE_PART_COUNT; i++)
        out->rel[i] = v && v->applies ? v->worst : -1.0;
    if (v && v->applies)
        snprintf(out->source, sizeof(out->source),
                 "%s, %s %s runs: worst %.1f%% on the whole iteration, "
                 "taken for every term",
                 v->reference ? v->reference : "published runs", v->family,
                 v->kind ? v->kind : "", 100.0 * v->worst);
    else
        snprintf(out->source, sizeof(out->source),
                 "no published validation for %s %s runs",
                 v ? v->family : "these", v && v->kind ? v->kind : "");
}

void tce_margin_compare(const struct tce_breakdown *pick, double pick_iter_s,
                        double pick_score, const struct tce_breakdown *own,
                        double own_iter_s, double own_score, int same,
                        int own_fits, const struct tce_term_errors *e,
                        struct tce_margin *out)
{
    double d[TCE_PART_COUNT], err[TCE_PART_COUNT];
    int used[TCE_PART_COUNT] = {0};
    int i, k, best, unmeasured = 0, doubtful = 0;

    memset(out, 0, sizeof(*out));
    out->same = same;
    out->margin = pick_score > 0.0 ? own_score / pick_score - 1.0 : 0.0;
    out->advantage_s = own_iter_s - pick_iter_s;
    for (i = 0; i < TCE_PART_COUNT; i++) {
        double a = tce_breakdown_get(pick, (enum tce_part)i);
        double b = tce_breakdown_get(own, (enum tce_part)i);

        d[i] = b - a;
        err[i] = e && e->rel[i] >= 0.0 ? e->rel[i] * fmax(a, b) : -1.0;
        if (d[i] > 0.0) {
            if (err[i] < 0.0)
                unmeasured = 1;
            else {
                out->gain_error_s += err[i];
                if (err[i] >= out->advantage_s)
                    doubtful = 1;
            }
        }
    }
    for (k = 0; k < TCE_MARGIN_TERMS; k++) {
        best = -1;
        for (i = 0; i < TCE_PART_COUNT; i++)
            if (!used[i] && fabs(d[i]) > 0.0 &&
                (best < 0 || fabs(d[i]) > fabs(d[best])))
                best = i;
        if (best < 0)
            break;
        used[best] = 1;
        out->terms[k].part = (enum tce_part)best;
        out->terms[k].delta_s = d[best];
        out->terms[k].error_s = err[best];
        out->terms[k].doubtful = d[best] > 0.0 && err[best] >= 0.0 &&
                                 err[best] >= out->advantage_s;
        out->n_terms++;
    }
    if (same)
        out->verdict = 0;
    else if (!own_fits)
        out->verdict = 2;
    else if (unmeasured)
        out->verdict = -1;
    else
        out->verdict = doubtful || out->gain_error_s >= out->advantage_s;
}

const char *tce_margin_verdict_name(int verdict)
{
    return verdict == 2   ? "own does not fit"
           : verdict > 0  ? "doubtful"
           : verdict == 0 ? "stands"
                          : "cannot be judged";
}

char *tce_margin_sentence(const struct tce_margin *m,
                          const struct tce_term_errors *e, char *buf,
                          size_t n)
{
    size_t len;
    int k, first = 1;

    if (n == 0)
        return buf;
    if (m->same) {
        snprintf(buf, n, "the pick is the job's own layout");
        return buf;
    }
    snprintf(buf, n, "own layout %.1f%% %s (terms own - pick:", 
             100.0 * fabs(m->margin), m->margin >= 0.0 ? "worse" : "better");
    for (k = 0; k < m->n_terms; k++) {
        len = strlen(buf);
        snprintf(buf + len, n - len, "%s %s %+.3g s", k ? "," : "",
                 tce_breakdown_parts[m->terms[k].part].json,
                 m->terms[k].delta_s);
    }
    len = strlen(buf);
    if (m->verdict == 2) {
        snprintf(buf + len, n - len,
                 "); the own layout does not fit in memory in the model: "
                 "no rival, whatever its time");
        return buf;
    }
    if (m->verdict < 0) {
        snprintf(buf + len, n - len, "); the advantage cannot be judged: %s",
                 e ? e->source : "no validation");
        return buf;
    }
    if (m->verdict == 0) {
        snprintf(buf + len, n - len,
                 "); the advantage (%.3g s) stands: larger than the "
                 "validation error of the terms it rests on (%.3g s)",
                 m->advantage_s, m->gain_error_s);
        return buf;
    }
    snprintf(buf + len, n - len, "); the advantage (%.3g s) rests on",
             m->advantage_s);
    for (k = 0; k < m->n_terms; k++) {
        if (!m->terms[k].doubtful)
            continue;
        len = strlen(buf);
        snprintf(buf + len, n - len, "%s %s", first ? "" : ",",
                 tce_breakdown_parts[m->terms[k].part].json);
        first = 0;
    }
    len = strlen(buf);
    snprintf(buf + len, n - len,
             "%s terms whose validation error (%.3g s) is at least as "
             "large: within the model's error",
             first ? "" : ":", m->gain_error_s);
    return buf;
}
