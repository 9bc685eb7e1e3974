/*
 * breakdown.c - the descriptor table of the breakdown parts, generated
 * from TCE_BREAKDOWN_PARTS (breakdown.h), and its look-ups.
 */
#include "tcemu/breakdown.h"

#define PART_ROW(id_, field_, json_, human_, fmt_, charge_, meaning_)         \
    [TCE_PART_##id_] = {.id = TCE_PART_##id_,                                  \
                       .field = #field_,                                     \
                       .json = json_,                                        \
                       .human = human_,                                      \
                       .fmt = fmt_,                                          \
                       .charge = charge_,                                    \
                       .meaning = meaning_,                                  \
                       .offset = offsetof(struct tce_breakdown, field_)},

const struct tce_breakdown_part tce_breakdown_parts[TCE_PART_COUNT] = {
    TCE_BREAKDOWN_PARTS(PART_ROW)};

#undef PART_ROW

const struct tce_breakdown_part *tce_breakdown_part(enum tce_part p)
{
    return (unsigned)p < TCE_PART_COUNT ? &tce_breakdown_parts[p] : NULL;
}

double tce_breakdown_get(const struct tce_breakdown *b, enum tce_part p)
{
    const struct tce_breakdown_part *d = tce_breakdown_part(p);

    return d ? *(const double *)((const char *)b + d->offset) : 0.0;
}

enum tce_part tce_breakdown_part_of_charge(enum tce_charge c)
{
    int i;

    if ((unsigned)c >= TCE_CHARGE_COUNT)
        return TCE_PART_COUNT;
    for (i = 0; i < TCE_PART_COUNT; i++)
        if (tce_breakdown_parts[i].charge == (int)c)
            return (enum tce_part)i;
    return TCE_PART_COUNT;
}

const char *tce_charge_name(enum tce_charge c)
{
    enum tce_part p = tce_breakdown_part_of_charge(c);

    return p < TCE_PART_COUNT ? tce_breakdown_parts[p].json : "unknown";
}
