/*
 * stack.c - a training stack, comparisons between two, and a measured
 * stack overhead applied to an iteration (stack.h).
 */
#include "tcemu/stack.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

const char *const tce_attention_backend_names[TCE_ATTN_BACKEND_COUNT + 1] = {
    "unspecified", "auto", "flash", "fused", "unfused", "local", NULL};

int tce_stack_specified(const struct tce_stack *s)
{
    return s->framework[0] && strcasecmp(s->framework, "unspecified") != 0;
}

void tce_stack_from_table(const struct tce_computetable_stack *t,
                          struct tce_stack *s, int *flash)
{
    memset(s, 0, sizeof(*s));
    snprintf(s->framework, sizeof(s->framework), "%s", t->framework);
    snprintf(s->framework_version, sizeof(s->framework_version), "%s",
             t->framework_version);
    s->attention_backend = TCE_ATTN_BACKEND_UNSPECIFIED;
    s->cuda_graphs = t->cuda_graphs;
    snprintf(s->fp8_recipe, sizeof(s->fp8_recipe), "%s", t->fp8_recipe);
    *flash = t->flash_attention;
}

static const char *backend_name(enum tce_attention_backend b)
{
    return (unsigned)b < TCE_ATTN_BACKEND_COUNT ? tce_attention_backend_names[b]
                                                : "?";
}

void tce_stack_describe(const struct tce_stack *s, int flash, char *buf,
                        size_t n)
{
    char backend[48] = "";

    if (!tce_stack_specified(s)) {
        snprintf(buf, n, "unspecified");
        return;
    }
    if (s->attention_backend != TCE_ATTN_BACKEND_UNSPECIFIED)
        snprintf(backend, sizeof(backend), " (backend %s)",
                 backend_name(s->attention_backend));
    snprintf(buf, n, "%.40s%s%.40s, %s attention%s, %s CUDA graphs, %s%.40s",
             s->framework, s->framework_version[0] ? " " : "",
             s->framework_version, flash ? "fused" : "unfused", backend,
             s->cuda_graphs ? "with" : "no",
             s->fp8_recipe[0] ? "FP8 recipe " : "no FP8", s->fp8_recipe);
}

/* Append "what a / b" to buf. */
static void differs(char *buf, size_t n, int *count, const char *what,
                    const char *a, const char *b)
{
    size_t used;

    (*count)++;
    if (!buf || n == 0)
        return;
    used = strlen(buf);
    if (used < n)
        snprintf(buf + used, n - used, "%s%s %s / %s", used ? ", " : "", what,
                 a, b);
}

int tce_stack_diff(const struct tce_stack *a, int a_flash,
                   const struct tce_stack *b, int b_flash, char *buf,
                   size_t n)
{
    int count = 0;
    char qa[TCE_STACK_TEXT_MAX + 2], qb[TCE_STACK_TEXT_MAX + 2];

    if (buf && n)
        buf[0] = '\0';
    if (!tce_stack_specified(a) || !tce_stack_specified(b))
        return 0;
    if (strcasecmp(a->framework, b->framework) != 0)
        differs(buf, n, &count, "framework", a->framework, b->framework);
    if (a->framework_version[0] && b->framework_version[0] &&
        strcmp(a->framework_version, b->framework_version) != 0)
        differs(buf, n, &count, "framework_version", a->framework_version,
                b->framework_version);
    if (a->attention_backend != TCE_ATTN_BACKEND_UNSPECIFIED &&
        b->attention_backend != TCE_ATTN_BACKEND_UNSPECIFIED &&
        a->attention_backend != b->attention_backend)
        differs(buf, n, &count, "attention_backend",
                backend_name(a->attention_backend),
                backend_name(b->attention_backend));
    if (!a_flash != !b_flash)
        differs(buf, n, &count, "fused attention", a_flash ? "yes" : "no",
                b_flash ? "yes" : "no");
    if (!a->cuda_graphs != !b->cuda_graphs)
        differs(buf, n, &count, "cuda_graphs", a->cuda_graphs ? "yes" : "no",
                b->cuda_graphs ? "yes" : "no");
    if (strcmp(a->fp8_recipe, b->fp8_recipe) != 0) {
        snprintf(qa, sizeof(qa), "\"%s\"", a->fp8_recipe);
        snprintf(qb, sizeof(qb), "\"%s\"", b->fp8_recipe);
        differs(buf, n, &count, "fp8_recipe", qa, qb);
    }
    return count;
}

int tce_stack_overhead_present(const struct tce_stack_overhead *o)
{
    return o && o->points > 0;
}

double tce_stack_overhead_s(const struct tce_stack_overhead *o,
                            int64_t microbatches)
{
    if (!tce_stack_overhead_present(o))
        return 0.0;
    return o->per_iteration_s + o->per_microbatch_s * (double)microbatches;
}

double tce_stack_overhead_apply(const struct tce_stack_overhead *o,
                                int64_t microbatches,
                                struct tce_breakdown *b)
{
    b->stack_overhead_s = tce_stack_overhead_s(o, microbatches);
    return b->stack_overhead_s;
}
