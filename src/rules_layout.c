/*
 * rules_layout.c - Megatron-LM's --pipeline-model-parallel-layout, parsed
 * (rules.h: tce_rule_parse_pipeline_layout, tce_rule_parse_layout_text);
 * tce_rule_layers (rules.c) checks the parsed layout against the job.
 */
#include <stdlib.h>
#include <string.h>

#include "tcemu/rules.h"

#define LL(x) ((long long)(x))
#define BROKEN(err, key, ...)                                                  \
    tce_error_set_at((err), TCE_ECONFIG, NULL, 0, (key), __VA_ARGS__)

/* ---- Megatron-LM's pipeline_model_parallel_layout (repro, issue 11) ---- */

#define LAYOUT_EXPANDED_MAX 8192

struct expander {
    const char *s;
    char out[LAYOUT_EXPANDED_MAX];
    size_t n;
    const char *why;
};

static int expand_seq(struct expander *x, int depth);

/* "*N" after an atom: N (1 when absent), or -1 (x->why). */
static long repeat_count(struct expander *x)
{
    long n = 0;

    while (*x->s == ' ')
        x->s++;
    if (*x->s != '*')
        return 1;
    x->s++;
    if (*x->s < '0' || *x->s > '9') {
        x->why = "'*' needs a count";
        return -1;
    }
    while (*x->s >= '0' && *x->s <= '9' && n < 100000)
        n = n * 10 + (*x->s++ - '0');
    return n;
}

/* Append out[from, n) count - 1 more times. */
static int repeat(struct expander *x, size_t from, long count)
{
    size_t len = x->n - from;
    long i;

    if (count < 1) {
        x->n = from;
        return 0;
    }
    for (i = 1; i < count; i++) {
        if (x->n + len >= sizeof(x->out)) {
            x->why = "expands to too many entries";
            return -1;
        }
        memmove(x->out + x->n, x->out + from, len);
        x->n += len;
    }
    return 0;
}

static int expand_seq(struct expander *x, int depth)
{
    size_t from;
    long count;

    for (;;) {
        char c = *x->s;

        if (c == '\0' || c == ')')
            return 0;
        if (c == ' ' || c == ',') {
            x->s++;
            continue;
        }
        from = x->n;
        if (c == '(') {
            x->s++;
            if (depth > 8 || expand_seq(x, depth + 1) != 0)
                return -1;
            if (*x->s != ')') {
                x->why = "unbalanced '('";
                return -1;
            }
            x->s++;
        } else if (c == 'E' || c == 't' || c == 'm' || c == 'L' || c == '|') {
            if (x->n + 1 >= sizeof(x->out)) {
                x->why = "expands to too many entries";
                return -1;
            }
            x->out[x->n++] = c;
            x->s++;
        } else {
            x->why = "unknown letter (E embedding, t decoder layer, m MTP, "
                     "L loss, | next stage, *N repeat, (...) group)";
            return -1;
        }
        count = repeat_count(x);
        if (count < 0 || repeat(x, from, count) != 0)
            return -1;
    }
}

/* Parse s into stages / layers (at most TCE_PIPELINE_LAYOUT_MAX); 0, or
 * TCE_ECONFIG with why. */
int tce_rule_parse_layout_text(const char *s, int64_t *stages,
                               int16_t *layers, const char **why)
{
    struct expander *x = calloc(1, sizeof(*x));
    int64_t j = 0;
    size_t i;
    int e_at = -1, l_at = -1, rc = 0;

    *stages = 0;
    if (!x) {
        *why = "out of memory";
        return TCE_ECONFIG;
    }
    x->s = s;
    if (expand_seq(x, 0) != 0 || *x->s == ')') {
        *why = x->why ? x->why : "unbalanced ')'";
        rc = TCE_ECONFIG;
        goto out;
    }
    layers[0] = 0;
    for (i = 0; i < x->n; i++) {
        switch (x->out[i]) {
        case '|':
            if (++j >= TCE_PIPELINE_LAYOUT_MAX) {
                *why = "more than 256 virtual stages";
                rc = TCE_ECONFIG;
                goto out;
            }
            layers[j] = 0;
            break;
        case 't':
            if (layers[j] >= INT16_MAX) {
                *why = "too many layers in one stage";
                rc = TCE_ECONFIG;
                goto out;
            }
            layers[j]++;
            break;
        case 'E':
            e_at = e_at < 0 ? (int)j : -2;
            break;
        case 'L':
            l_at = l_at < 0 ? (int)j : -2;
            break;
        default:
            break;
        }
    }
    /* tcemu's plan holds the embedding in the first virtual stage and the
     * output layer and loss in the last, as every published layout does */
    if (e_at != 0 || l_at != (int)j) {
        *why = "the embedding E must be in the first virtual stage and the "
               "loss L in the last, once each";
        rc = TCE_ECONFIG;
        goto out;
    }
    *stages = j + 1;
out:
    free(x);
    return rc;
}

int tce_rule_parse_pipeline_layout(struct tce_parallel *p,
                                   struct tce_error *err)
{
    const char *why = NULL;

    p->pipeline_layout_stages = 0;
    if (p->pipeline_model_parallel_layout[0] == '\0')
        return 0;
    if (tce_rule_parse_layout_text(p->pipeline_model_parallel_layout,
                     &p->pipeline_layout_stages, p->pipeline_layout_layers,
                     &why) != 0) {
        p->pipeline_layout_stages = -1;
        return BROKEN(err, "parallel.pipeline_model_parallel_layout", "%s",
                      why);
    }
    return 0;
}
