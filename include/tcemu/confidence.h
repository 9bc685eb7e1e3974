/*
 * confidence.h - how sure each input figure is, read from the `source`
 * strings the topology files already carry (no schema change).
 *
 * A source string names its confidence in words (see README "Topology
 * files"): "read" (read in the primary source), "secondary" (quoted by a
 * third party), "recalled" (remembered from the named source, not re-read),
 * "estimate" (our assumption; "estimates" counts too), "unconfirmed" (seen
 * once, not confirmed).  Words match whole, case-insensitively.  A string
 * is as sure as its weakest word, in the order
 *     read > secondary > recalled > estimate > unconfirmed;
 * a string with none of them is "unstated".
 *
 * An answer rests on six input groups; each group is as sure as the weakest
 * stated source it reads (unstated only when none states a word):
 *     accelerator  accelerator.source
 *     scale_up     scale_up.source
 *     scale_out    scale_out.source
 *     price        price.source (the on-demand price) and, when the answer
 *                  is priced under a contract, that contract's source
 *     power        power.source and node.source (the node's watts)
 *     reliability  reliability.source
 * Pure: no I/O, no allocation.
 */
#ifndef TCEMU_CONFIDENCE_H
#define TCEMU_CONFIDENCE_H

#include <stddef.h>

#include "tcemu/json.h"
#include "tcemu/types.h"

/* Weakest first after UNSTATED, so a smaller stated value is weaker. */
enum tce_confidence {
    TCE_CONF_UNSTATED = 0,
    TCE_CONF_UNCONFIRMED,
    TCE_CONF_ESTIMATE,
    TCE_CONF_RECALLED,
    TCE_CONF_SECONDARY,
    TCE_CONF_READ,
};

enum tce_conf_group {
    TCE_CONF_ACCELERATOR,
    TCE_CONF_SCALE_UP,
    TCE_CONF_SCALE_OUT,
    TCE_CONF_PRICE,
    TCE_CONF_POWER,
    TCE_CONF_RELIABILITY,
    TCE_CONF_GROUPS
};

#define TCE_CONF_INPUTS_MAX 8

/* One source string an answer reads. */
struct tce_confidence_input {
    enum tce_conf_group group;
    char what[96];                /* "on-demand price", "contract
                                     capacity-block's price", "accelerator" */
    const char *source;           /* points into the topology/contract */
    enum tce_confidence word;
};

struct tce_confidence_set {
    int n;
    struct tce_confidence_input in[TCE_CONF_INPUTS_MAX];
    enum tce_confidence group[TCE_CONF_GROUPS];
};

/* The weakest confidence word of a source string (NULL: unstated). */
enum tce_confidence tce_confidence_parse(const char *source);

/* "read", "secondary", "recalled", "estimate", "unconfirmed", "unstated". */
const char *tce_confidence_name(enum tce_confidence c);

/* Weaker of two (an unstated one never weakens a stated one). */
enum tce_confidence tce_confidence_weaker(enum tce_confidence a,
                                          enum tce_confidence b);

/* JSON key of a group: "accelerator", "scale_up", "scale_out", "price",
 * "power", "reliability". */
const char *tce_confidence_group_key(enum tce_conf_group g);

/* Words for people: "accelerator", "scale-up", "scale-out", ... */
const char *tce_confidence_group_label(enum tce_conf_group g);

/* The inputs of topology t priced under contract c (NULL: on demand only)
 * and the confidence of each group.  s points into t and c, which must
 * outlive it. */
void tce_confidence_of(const struct tce_topology *t,
                       const struct tce_contract *c,
                       struct tce_confidence_set *s);

/* "accelerator read, scale-up estimate, ..., reliability recalled" into buf
 * (NUL-terminated, truncated to n); returns buf. */
char *tce_confidence_summary(const struct tce_confidence_set *s, char *buf,
                             size_t n);

/* The inputs of s whose word is `word`, described as
 * "aws-trn2's on-demand price (unconfirmed: one public ...)" and joined by
 * "; " into buf (each source cut to about 90 characters), prefixed by name
 * (the offering) when name is not NULL; the number of such inputs. */
int tce_confidence_describe(const struct tce_confidence_set *s,
                            enum tce_confidence word, const char *name,
                            char *buf, size_t n);

/* {group: word} as a JSON object named key (NULL inside an array). */
void tce_confidence_json(struct tce_json *j, const char *key,
                         const struct tce_confidence_set *s);

#endif
