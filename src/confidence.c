/*
 * confidence.c - the weakest confidence word of a source string and the
 * confidence of each input group an answer rests on (confidence.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "tcemu/confidence.h"

static const struct {
    const char *word;
    enum tce_confidence conf;
} words[] = {
    {"read", TCE_CONF_READ},           {"secondary", TCE_CONF_SECONDARY},
    {"recalled", TCE_CONF_RECALLED},   {"estimate", TCE_CONF_ESTIMATE},
    {"estimates", TCE_CONF_ESTIMATE},  {"unconfirmed", TCE_CONF_UNCONFIRMED},
};

static const char *const group_keys[TCE_CONF_GROUPS] = {
    "accelerator", "scale_up", "scale_out", "price", "power", "reliability",
};

static const char *const group_labels[TCE_CONF_GROUPS] = {
    "accelerator", "scale-up", "scale-out", "price", "power", "reliability",
};

enum tce_confidence tce_confidence_weaker(enum tce_confidence a,
                                          enum tce_confidence b)
{
    if (a == TCE_CONF_UNSTATED)
        return b;
    if (b == TCE_CONF_UNSTATED)
        return a;
    return a < b ? a : b;
}

/* The confidence of the word p[0..len), or UNSTATED. */
static enum tce_confidence word_of(const char *p, size_t len)
{
    size_t i, k;

    for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        if (strlen(words[i].word) != len)
            continue;
        for (k = 0; k < len; k++)
            if (tolower((unsigned char)p[k]) != words[i].word[k])
                break;
        if (k == len)
            return words[i].conf;
    }
    return TCE_CONF_UNSTATED;
}

enum tce_confidence tce_confidence_parse(const char *source)
{
    enum tce_confidence c = TCE_CONF_UNSTATED;
    const char *p = source, *start;

    if (!source)
        return c;
    while (*p) {
        if (!isalpha((unsigned char)*p)) {
            p++;
            continue;
        }
        start = p;
        while (isalpha((unsigned char)*p))
            p++;
        /* a word glued to digits or '_' (matmul_efficiency) is a name */
        if ((start > source && (isalnum((unsigned char)start[-1]) ||
                                start[-1] == '_')) ||
            isdigit((unsigned char)*p) || *p == '_')
            continue;
        c = tce_confidence_weaker(c, word_of(start, (size_t)(p - start)));
    }
    return c;
}

const char *tce_confidence_name(enum tce_confidence c)
{
    switch (c) {
    case TCE_CONF_READ:
        return "read";
    case TCE_CONF_SECONDARY:
        return "secondary";
    case TCE_CONF_RECALLED:
        return "recalled";
    case TCE_CONF_ESTIMATE:
        return "estimate";
    case TCE_CONF_UNCONFIRMED:
        return "unconfirmed";
    case TCE_CONF_UNSTATED:
        break;
    }
    return "unstated";
}

const char *tce_confidence_group_key(enum tce_conf_group g)
{
    return (unsigned)g < TCE_CONF_GROUPS ? group_keys[g] : "?";
}

const char *tce_confidence_group_label(enum tce_conf_group g)
{
    return (unsigned)g < TCE_CONF_GROUPS ? group_labels[g] : "?";
}

static void add(struct tce_confidence_set *s, enum tce_conf_group g,
                const char *what, const char *source)
{
    struct tce_confidence_input *in;

    if (s->n >= TCE_CONF_INPUTS_MAX)
        return;
    in = &s->in[s->n++];
    in->group = g;
    snprintf(in->what, sizeof(in->what), "%s", what);
    in->source = source;
    in->word = tce_confidence_parse(source);
    s->group[g] = tce_confidence_weaker(s->group[g], in->word);
}

void tce_confidence_of(const struct tce_topology *t,
                       const struct tce_contract *c,
                       struct tce_confidence_set *s)
{
    char what[96];

    memset(s, 0, sizeof(*s));
    add(s, TCE_CONF_ACCELERATOR, "accelerator", t->accelerator.source);
    add(s, TCE_CONF_SCALE_UP, "scale-up", t->scale_up.source);
    add(s, TCE_CONF_SCALE_OUT, "scale-out", t->scale_out.source);
    add(s, TCE_CONF_PRICE, "on-demand price", t->price.source);
    if (c) {
        snprintf(what, sizeof(what), "contract %.60s's price", c->name);
        add(s, TCE_CONF_PRICE, what, c->source);
    }
    add(s, TCE_CONF_POWER, "power", t->power.source);
    add(s, TCE_CONF_POWER, "node power", t->node.source);
    add(s, TCE_CONF_RELIABILITY, "reliability", t->reliability.source);
}

char *tce_confidence_summary(const struct tce_confidence_set *s, char *buf,
                             size_t n)
{
    size_t used = 0;
    int g, k;

    if (n == 0)
        return buf;
    buf[0] = '\0';
    for (g = 0; g < TCE_CONF_GROUPS; g++) {
        k = snprintf(buf + used, n - used, "%s%s %s", g ? ", " : "",
                     group_labels[g], tce_confidence_name(s->group[g]));
        if (k < 0 || (size_t)k >= n - used)
            break;
        used += (size_t)k;
    }
    return buf;
}

int tce_confidence_describe(const struct tce_confidence_set *s,
                            enum tce_confidence word, const char *name,
                            char *buf, size_t n)
{
    size_t used = 0;
    int i, k, prefixed, count = 0;

    if (n == 0)
        return 0;
    buf[0] = '\0';
    for (i = 0; i < s->n; i++) {
        const struct tce_confidence_input *in = &s->in[i];
        size_t len;

        if (in->word != word)
            continue;
        len = strlen(in->source);
        /* "(unconfirmed: one public ...)": the word once, first */
        prefixed = strncasecmp(in->source, tce_confidence_name(word),
                               strlen(tce_confidence_name(word))) == 0;
        k = snprintf(buf + used, n - used, "%s%s%s%s (%s%s%.90s%s)",
                     count ? "; " : "", name ? name : "", name ? "'s " : "",
                     in->what, prefixed ? "" : tce_confidence_name(word),
                     prefixed ? "" : ": ", in->source,
                     len > 90 ? "..." : "");
        count++;
        if (k < 0 || (size_t)k >= n - used)
            break;
        used += (size_t)k;
    }
    return count;
}

void tce_confidence_json(struct tce_json *j, const char *key,
                         const struct tce_confidence_set *s)
{
    int g;

    tce_json_object_begin(j, key);
    for (g = 0; g < TCE_CONF_GROUPS; g++)
        tce_json_string(j, group_keys[g], tce_confidence_name(s->group[g]));
    tce_json_object_end(j);
}
