/* computecache.c - compute ops' times by op (computecache.h). */
#include "tcemu/computecache.h"

#include <stdint.h>
#include <string.h>

/* A hash of the fields that tell shapes apart (the slot only: a hit
 * compares the whole op). */
static uint64_t op_hash(const struct tce_op *op)
{
    uint64_t h = UINT64_C(14695981039346656037), w[6];
    int i;

    memcpy(&w[0], &op->flops, 8);
    memcpy(&w[1], &op->bytes, 8);
    w[2] = (uint64_t)op->gemm_m ^ ((uint64_t)op->gemm_n << 21) ^
           ((uint64_t)op->gemm_k << 42);
    w[3] = (uint64_t)op->attn.seq_length ^
           ((uint64_t)op->attn.micro_batch_size << 32);
    w[4] = (uint64_t)op->flags;
    w[5] = (uint64_t)(uintptr_t)op->name;
    for (i = 0; i < 6; i++)
        h = (h ^ w[i]) * UINT64_C(1099511628211);
    return h ^ (h >> 29);
}

void tce_compute_cache_init(struct tce_compute_cache *c)
{
    c->cm = NULL;
    c->hits = c->misses = 0;
    memset(c->used, 0, sizeof(c->used));
}

double tce_compute_cache_op_s(struct tce_compute_cache *c,
                              const struct tce_costmodel *cm,
                              const struct tce_op *op)
{
    uint64_t h;
    unsigned i, k, slot;

    if (!c)
        return tce_cost_compute_op_s(cm, op, NULL);
    if (c->cm != cm) {
        tce_compute_cache_init(c);
        c->cm = cm;
    }
    h = op_hash(op);
    slot = (unsigned)h & (TCE_COMPUTE_CACHE_SLOTS - 1);
    for (k = 0; k < TCE_COMPUTE_CACHE_PROBE; k++) {
        i = (slot + k) & (TCE_COMPUTE_CACHE_SLOTS - 1);
        if (!c->used[i])
            break;
        if (c->hash[i] == h && memcmp(&c->op[i], op, sizeof(*op)) == 0) {
            c->hits++;
            return c->s[i];
        }
    }
    if (k == TCE_COMPUTE_CACHE_PROBE)
        i = slot; /* all probed slots taken: replace the first */
    c->misses++;
    c->used[i] = 1;
    c->hash[i] = h;
    memcpy(&c->op[i], op, sizeof(*op));
    c->s[i] = tce_cost_compute_op_s(cm, op, NULL);
    return c->s[i];
}

