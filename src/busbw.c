/* busbw.c - collective names and nccl-tests bandwidth factors (busbw.h). */
#include "tcemu/busbw.h"

#include <string.h>

static const char *const coll_names[TCE_BUSBW_COUNT] = {
    "allreduce", "allgather", "reducescatter",
    "alltoall",  "sendrecv",  "broadcast",
};

const char *tce_busbw_coll_name(enum tce_busbw_kind kind)
{
    if ((int)kind < 0 || kind >= TCE_BUSBW_COUNT)
        return "unknown";
    return coll_names[kind];
}

int tce_busbw_coll_parse(const char *name, enum tce_busbw_kind *out,
                         struct tce_error *err)
{
    int i;

    for (i = 0; i < TCE_BUSBW_COUNT; i++) {
        if (strcmp(name, coll_names[i]) == 0) {
            *out = (enum tce_busbw_kind)i;
            return 0;
        }
    }
    return tce_error_set(err, TCE_EUSAGE,
                         "unknown collective '%s' (known: allreduce, "
                         "allgather, reducescatter, alltoall, sendrecv, "
                         "broadcast)",
                         name);
}

double tce_busbw_factor(enum tce_busbw_kind kind, int nranks)
{
    double n = nranks;

    if (nranks < 1)
        return 0.0;
    switch (kind) {
    case TCE_BUSBW_ALLREDUCE:
        return 2.0 * (n - 1.0) / n;
    case TCE_BUSBW_ALLGATHER:
    case TCE_BUSBW_REDUCESCATTER:
    case TCE_BUSBW_ALLTOALL:
        return (n - 1.0) / n;
    case TCE_BUSBW_SENDRECV:
    case TCE_BUSBW_BROADCAST:
        return 1.0;
    default:
        return 0.0;
    }
}

double tce_busbw_algbw_gbytes_per_s(double bytes, double time_s)
{
    if (!(time_s > 0.0))
        return 0.0;
    return bytes / time_s / 1e9;
}

double tce_busbw_busbw_gbytes_per_s(enum tce_busbw_kind kind, int nranks,
                                    double bytes, double time_s)
{
    return tce_busbw_algbw_gbytes_per_s(bytes, time_s) *
           tce_busbw_factor(kind, nranks);
}
