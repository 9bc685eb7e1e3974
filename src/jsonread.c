/* jsonread.c - a small strict JSON reader (jsonread.h). */
#include "tcemu/jsonread.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tcemu/util.h"

struct parser {
    char *t;          /* the copy (strings decoded in place) */
    size_t len, pos;
    struct tce_jnode *nodes;
    int n, cap;
    struct tce_error *err;
};

static int fail(struct parser *p, const char *what)
{
    size_t i, line = 1, col = 1;

    for (i = 0; i < p->pos && i < p->len; i++) {
        if (p->t[i] == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    return tce_error_set(p->err, TCE_EPARSE, "line %zu, column %zu: %s",
                         line, col, what);
}

static void skip_ws(struct parser *p)
{
    while (p->pos < p->len &&
           (p->t[p->pos] == ' ' || p->t[p->pos] == '\t' ||
            p->t[p->pos] == '\n' || p->t[p->pos] == '\r'))
        p->pos++;
}

static int new_node(struct parser *p, enum tce_jtype type, const char *key)
{
    struct tce_jnode *nn;

    if (p->n == p->cap) {
        int cap = p->cap ? p->cap * 2 : 64;

        if (cap > (1 << 24))
            return tce_error_set(p->err, TCE_ENOMEM,
                                 "JSON document has too many values");
        nn = realloc(p->nodes, (size_t)cap * sizeof(*nn));
        if (!nn)
            return tce_error_set(p->err, TCE_ENOMEM, "out of memory");
        p->nodes = nn;
        p->cap = cap;
    }
    nn = &p->nodes[p->n];
    memset(nn, 0, sizeof(*nn));
    nn->type = type;
    nn->key = key;
    nn->first = -1;
    nn->next = -1;
    return p->n++;
}

static int hex4(const char *s, unsigned *out)
{
    unsigned v = 0;
    int i;

    for (i = 0; i < 4; i++) {
        char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

static char *put_utf8(char *w, unsigned cp)
{
    if (cp < 0x80) {
        *w++ = (char)cp;
    } else if (cp < 0x800) {
        *w++ = (char)(0xC0 | (cp >> 6));
        *w++ = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *w++ = (char)(0xE0 | (cp >> 12));
        *w++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *w++ = (char)(0x80 | (cp & 0x3F));
    } else {
        *w++ = (char)(0xF0 | (cp >> 18));
        *w++ = (char)(0x80 | ((cp >> 12) & 0x3F));
        *w++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *w++ = (char)(0x80 | (cp & 0x3F));
    }
    return w;
}

/* The string at p->pos (its opening quote), decoded in place; *out points
 * to it, NUL-terminated. */
static int string(struct parser *p, const char **out)
{
    char *w = p->t + p->pos + 1, *start = w;
    unsigned cp, lo;
    size_t n;

    p->pos++;
    for (;;) {
        unsigned char c;

        if (p->pos >= p->len)
            return fail(p, "unterminated string");
        c = (unsigned char)p->t[p->pos];
        if (c == '"')
            break;
        if (c < 0x20)
            return fail(p, "control character in a string");
        if (c == '\\') {
            char e = p->pos + 1 < p->len ? p->t[p->pos + 1] : '\0';
            char d = e == '"' || e == '\\' || e == '/' ? e
                     : e == 'b' ? '\b' : e == 'f' ? '\f' : e == 'n' ? '\n'
                     : e == 'r' ? '\r' : e == 't' ? '\t' : '\0';

            if (d != '\0') {
                *w++ = d;
                p->pos += 2;
                continue;
            }
            if (e != 'u')
                return fail(p, "bad escape in a string");
            if (p->pos + 6 > p->len || hex4(p->t + p->pos + 2, &cp) != 0)
                return fail(p, "bad \\u escape");
            p->pos += 6;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (p->pos + 6 > p->len || p->t[p->pos] != '\\' ||
                    p->t[p->pos + 1] != 'u' ||
                    hex4(p->t + p->pos + 2, &lo) != 0 || lo < 0xDC00 ||
                    lo > 0xDFFF)
                    return fail(p, "unpaired surrogate in a \\u escape");
                p->pos += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                return fail(p, "unpaired surrogate in a \\u escape");
            }
            if (cp == 0)
                return fail(p, "\\u0000 in a string");
            w = put_utf8(w, cp);
            continue;
        }
        n = tce_utf8_seq_len((const unsigned char *)p->t + p->pos);
        if (n == 0 || p->pos + n > p->len)
            return fail(p, "invalid UTF-8 in a string");
        memmove(w, p->t + p->pos, n);
        w += n;
        p->pos += n;
    }
    *w = '\0'; /* w <= the closing quote */
    p->pos++;
    *out = start;
    return 0;
}

static int number(struct parser *p, double *out)
{
    size_t s = p->pos, i = p->pos;
    const char *t = p->t;
    char buf[64];

    if (i < p->len && t[i] == '-')
        i++;
    if (i < p->len && t[i] == '0') {
        i++;
    } else if (i < p->len && t[i] >= '1' && t[i] <= '9') {
        while (i < p->len && t[i] >= '0' && t[i] <= '9')
            i++;
    } else {
        return fail(p, "bad number");
    }
    if (i < p->len && t[i] == '.') {
        i++;
        if (i >= p->len || t[i] < '0' || t[i] > '9')
            return fail(p, "bad number");
        while (i < p->len && t[i] >= '0' && t[i] <= '9')
            i++;
    }
    if (i < p->len && (t[i] == 'e' || t[i] == 'E')) {
        i++;
        if (i < p->len && (t[i] == '+' || t[i] == '-'))
            i++;
        if (i >= p->len || t[i] < '0' || t[i] > '9')
            return fail(p, "bad number");
        while (i < p->len && t[i] >= '0' && t[i] <= '9')
            i++;
    }
    if (i - s >= sizeof(buf))
        return fail(p, "number too long");
    memcpy(buf, t + s, i - s);
    buf[i - s] = '\0';
    *out = strtod(buf, NULL);
    p->pos = i;
    return 0;
}

static int literal(struct parser *p, const char *word)
{
    size_t n = strlen(word);

    if (p->len - p->pos < n || memcmp(p->t + p->pos, word, n) != 0)
        return fail(p, "unexpected character");
    p->pos += n;
    return 0;
}

static int value(struct parser *p, const char *key, int depth);

/* An array or object at p->pos; node idx. */
static int container(struct parser *p, int idx, int depth)
{
    int obj = p->t[p->pos] == '{', last = -1, child, ret;
    char close = obj ? '}' : ']';
    const char *key = NULL;

    if (depth >= TCE_JSONREAD_DEPTH_MAX)
        return fail(p, "nested too deep");
    p->pos++;
    skip_ws(p);
    if (p->pos < p->len && p->t[p->pos] == close) {
        p->pos++;
        return 0;
    }
    for (;;) {
        skip_ws(p);
        if (obj) {
            if (p->pos >= p->len || p->t[p->pos] != '"')
                return fail(p, "expected a member name");
            ret = string(p, &key);
            if (ret)
                return ret;
            skip_ws(p);
            if (p->pos >= p->len || p->t[p->pos] != ':')
                return fail(p, "expected ':'");
            p->pos++;
        }
        child = value(p, key, depth + 1);
        if (child < 0)
            return child;
        if (last < 0)
            p->nodes[idx].first = child;
        else
            p->nodes[last].next = child;
        p->nodes[idx].n++;
        last = child;
        skip_ws(p);
        if (p->pos < p->len && p->t[p->pos] == ',') {
            p->pos++;
            continue;
        }
        if (p->pos < p->len && p->t[p->pos] == close) {
            p->pos++;
            return 0;
        }
        return fail(p, obj ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

/* Parse one value; its node index, or a negative error. */
static int value(struct parser *p, const char *key, int depth)
{
    int idx, ret;
    char c;

    skip_ws(p);
    if (p->pos >= p->len)
        return fail(p, "unexpected end of input");
    c = p->t[p->pos];
    if (c == '{' || c == '[') {
        idx = new_node(p, c == '{' ? TCE_JOBJECT : TCE_JARRAY, key);
        if (idx < 0)
            return idx;
        ret = container(p, idx, depth);
        return ret < 0 ? ret : idx;
    }
    if (c == '"') {
        idx = new_node(p, TCE_JSTRING, key);
        if (idx < 0)
            return idx;
        ret = string(p, &p->nodes[idx].s);
        return ret < 0 ? ret : idx;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
        idx = new_node(p, TCE_JNUMBER, key);
        if (idx < 0)
            return idx;
        ret = number(p, &p->nodes[idx].d);
        return ret < 0 ? ret : idx;
    }
    idx = new_node(p, c == 't' ? TCE_JTRUE : c == 'f' ? TCE_JFALSE : TCE_JNULL,
                   key);
    if (idx < 0)
        return idx;
    ret = literal(p, c == 't' ? "true" : c == 'f' ? "false" : "null");
    return ret < 0 ? ret : idx;
}

int tce_jsonread_parse(struct tce_jsonread *doc, const char *text,
                       size_t len, struct tce_error *err)
{
    struct parser p;
    int ret;

    memset(doc, 0, sizeof(*doc));
    memset(&p, 0, sizeof(p));
    p.err = err;
    p.len = len;
    p.t = malloc(len + 1);
    if (!p.t)
        return tce_error_set(err, TCE_ENOMEM, "out of memory");
    memcpy(p.t, text, len);
    p.t[len] = '\0';
    ret = value(&p, NULL, 0);
    if (ret >= 0) {
        skip_ws(&p);
        ret = p.pos < p.len ? fail(&p, "text after the JSON value") : 0;
    }
    if (ret < 0) {
        free(p.nodes);
        free(p.t);
        return ret;
    }
    doc->nodes = p.nodes;
    doc->n_nodes = p.n;
    doc->root = 0;
    doc->text = p.t;
    return 0;
}

void tce_jsonread_release(struct tce_jsonread *doc)
{
    free(doc->nodes);
    free(doc->text);
    memset(doc, 0, sizeof(*doc));
}

const struct tce_jnode *tce_jsonread_node(const struct tce_jsonread *doc,
                                          int i)
{
    return i >= 0 && i < doc->n_nodes ? &doc->nodes[i] : NULL;
}

const struct tce_jnode *tce_jsonread_get(const struct tce_jsonread *doc,
                                         const struct tce_jnode *obj,
                                         const char *key)
{
    int i;

    if (!obj || obj->type != TCE_JOBJECT)
        return NULL;
    for (i = obj->first; i >= 0; i = doc->nodes[i].next)
        if (strcmp(doc->nodes[i].key, key) == 0)
            return &doc->nodes[i];
    return NULL;
}

const char *tce_jsonread_str(const struct tce_jsonread *doc,
                             const struct tce_jnode *obj, const char *key)
{
    const struct tce_jnode *n = tce_jsonread_get(doc, obj, key);

    return n && n->type == TCE_JSTRING ? n->s : NULL;
}

double tce_jsonread_num(const struct tce_jsonread *doc,
                        const struct tce_jnode *obj, const char *key, int *ok)
{
    const struct tce_jnode *n = tce_jsonread_get(doc, obj, key);
    int good = n && n->type == TCE_JNUMBER;

    if (ok)
        *ok = good;
    return good ? n->d : 0.0;
}
