/*
 * jsonread.h - a small, strict JSON reader for the result files tcemu
 * itself writes (`bench --json`, `run --json`), read back by `tcemu plot`.
 *
 * RFC 8259 only: one value, objects, arrays, strings (escapes, \uXXXX with
 * surrogate pairs, valid UTF-8), numbers, true, false, null; no comments,
 * no trailing commas, nothing after the value but white space.  Nesting at
 * most TCE_JSONREAD_DEPTH_MAX deep.  The document is parsed into one
 * malloc'ed array of nodes (children of a container are contiguous through
 * `next` links); strings are decoded in place in a copy of the text.
 *
 *   struct tce_jsonread doc;
 *   if (tce_jsonread_parse(&doc, text, len, &err) != 0) ...  line:col in err
 *   const struct tce_jnode *r = tce_jsonread_get(&doc, doc.root, "results");
 *   for (i = r ? r->first : -1; i >= 0; i = doc.nodes[i].next) ...
 *   tce_jsonread_release(&doc);
 */
#ifndef TCEMU_JSONREAD_H
#define TCEMU_JSONREAD_H

#include <stddef.h>

#include "tcemu/error.h"

#define TCE_JSONREAD_DEPTH_MAX 64

enum tce_jtype {
    TCE_JNULL,
    TCE_JFALSE,
    TCE_JTRUE,
    TCE_JNUMBER,
    TCE_JSTRING,
    TCE_JARRAY,
    TCE_JOBJECT
};

struct tce_jnode {
    enum tce_jtype type;
    const char *key; /* member name inside an object, else NULL */
    const char *s;   /* TCE_JSTRING: decoded, NUL-terminated */
    double d;        /* TCE_JNUMBER */
    int first;       /* containers: index of the first child, -1 if none */
    int next;        /* index of the next sibling, -1 if last */
    int n;           /* containers: number of children */
};

struct tce_jsonread {
    struct tce_jnode *nodes;
    int n_nodes;
    int root; /* index of the document's value (0) */
    char *text; /* the decoded copy strings point into */
};

/* Parse text[0..len).  0, or TCE_EPARSE with "line L, column C: what"
 * in err (TCE_ENOMEM when out of memory); doc is empty on failure. */
int tce_jsonread_parse(struct tce_jsonread *doc, const char *text,
                       size_t len, struct tce_error *err);

void tce_jsonread_release(struct tce_jsonread *doc);

/* Node i (NULL when i < 0). */
const struct tce_jnode *tce_jsonread_node(const struct tce_jsonread *doc,
                                          int i);

/* Member key of object obj (NULL when obj is not an object or has no such
 * member; the first one when repeated). */
const struct tce_jnode *tce_jsonread_get(const struct tce_jsonread *doc,
                                         const struct tce_jnode *obj,
                                         const char *key);

/* The member's string / number, or NULL / 0 with *ok = 0 when missing or
 * of another type (ok may be NULL). */
const char *tce_jsonread_str(const struct tce_jsonread *doc,
                             const struct tce_jnode *obj, const char *key);
double tce_jsonread_num(const struct tce_jsonread *doc,
                        const struct tce_jnode *obj, const char *key,
                        int *ok);

#endif
