/* run_setup.c - tcemu run: configs, layout, plan, communicators, buffers,
 * modelled times (run.h). */
#define _DEFAULT_SOURCE /* sysconf pages */
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tcemu/walk.h"

#include "run.h"

/* ------------------------------------------------------------------------ */
/* Setup                                                                      */

/* Rank 0 loads the scenario (topology, job, calibration, cost model:
 * scenario.h); every rank gets the struct or the same error. */
int tce_run_load_configs(struct run *r, struct tce_error *err)
{
    struct tce_scenario_files files = {r->o.topo_path, r->o.job_path,
                                       r->o.cal_path};
    struct tce_diag diag;
    struct tce_error lerr;
    int rc = 0, mrc;

    if (r->rt->rank == 0) {
        tce_diag_init(&diag, stderr);
        tce_error_clear(&lerr);
        rc = tce_scenario_load(&r->sc, &files, &diag, &lerr);
        /* A file's errors went through diag (file:line); a figure the cost
         * model lacks is in lerr. */
        if (rc && diag.errors == 0)
            tce_rt_print_error(r->rt, &lerr);
        if (rc)
            rc = TCE_ECONFIG;
    }
    mrc = MPI_Bcast(&rc, 1, MPI_INT, 0, r->rt->world);
    if (mrc != MPI_SUCCESS) {
        rc = tce_rt_mpi_error(err, mrc, "broadcasting config status");
        goto out;
    }
    if (rc) /* rank 0 printed the diagnostics */
        goto out;
    mrc = MPI_Bcast(&r->sc, (int)sizeof(r->sc), MPI_BYTE, 0, r->rt->world);
    if (mrc != MPI_SUCCESS)
        rc = tce_rt_mpi_error(err, mrc, "broadcasting the scenario");
out:
    return rc;
}

/* Every rank places the scenario at the world size (the same layout and
 * spans everywhere) and builds its stage's plan. */
int tce_run_make_layout(struct run *r, struct tce_error *err)
{
    int rc = 0;

    if (r->o.gpus > 0 && r->o.gpus != r->rt->size) {
        rc = tce_error_set(err, TCE_EUSAGE,
                           "--gpus %" PRId64 " but %d MPI ranks: each rank "
                           "is one accelerator (mpirun -np %" PRId64 ")",
                           r->o.gpus, r->rt->size, r->o.gpus);
        goto out;
    }
    if (r->o.gpus == 0 && r->sc.job.parallel.num_gpus != r->rt->size) {
        rc = tce_error_set(err, TCE_EUSAGE,
                           "%s: parallel.num_gpus is %" PRId64
                           " but %d MPI ranks run: use mpirun -np %" PRId64
                           ", or --gpus %d to re-derive DP",
                           r->sc.job.path, r->sc.job.parallel.num_gpus,
                           r->rt->size, r->sc.job.parallel.num_gpus,
                           r->rt->size);
        goto out;
    }
    r->sc.job.parallel.num_gpus = r->rt->size;
    rc = tce_scenario_place(&r->sc, r->rt->size, err);
    if (rc)
        goto out;
    if (tce_layout_coords(&r->sc.layout, r->rt->rank, &r->me) != 0) {
        rc = tce_error_set(err, TCE_EINTERNAL, "rank %d outside layout",
                           r->rt->rank);
        goto out;
    }
    rc = tce_plan_build(&r->sc.job, &r->sc.layout, r->me.pp, &r->plan, err);
out:
    return rc;
}

int tce_run_make_comms(struct run *r, struct tce_error *err)
{
    int g, rc = 0, mrc = MPI_SUCCESS;
    int64_t color, key;

    for (g = 0; g < TCE_GROUP_COUNT; g++)
        r->comm[g] = MPI_COMM_NULL;
    for (g = 0; g < TCE_GROUP_COUNT && rc == 0; g++) {
        if (g == TCE_GROUP_WORLD) {
            mrc = MPI_Comm_dup(r->rt->world, &r->comm[g]);
        } else {
            color = tce_layout_color(&r->sc.layout, r->rt->rank, (enum tce_group)g);
            key = tce_layout_key(&r->sc.layout, r->rt->rank, (enum tce_group)g);
            if (color < 0 || key < 0 || color > INT_MAX) {
                rc = tce_error_set(
                    err, TCE_EINTERNAL, "no %s group for rank %d",
                    tce_group_name((enum tce_group)g), r->rt->rank);
                break;
            }
            mrc =
                MPI_Comm_split(r->rt->world, (int)color, (int)key, &r->comm[g]);
        }
        if (mrc != MPI_SUCCESS) {
            rc = tce_rt_mpi_error(err, mrc, "MPI_Comm_split");
            break;
        }
        tce_rt_comm_errors_return(r->comm[g]);
        MPI_Comm_size(r->comm[g], &r->comm_size[g]);
        MPI_Comm_rank(r->comm[g], &r->comm_rank[g]);
    }
    if (rc == 0 && (r->comm_size[TCE_GROUP_PP] != r->sc.layout.pp ||
                    r->comm_size[TCE_GROUP_TP] != r->sc.layout.tp ||
                    r->comm_rank[TCE_GROUP_PP] != r->me.pp))
        rc = tce_error_set(err, TCE_EINTERNAL,
                           "communicators disagree with the layout");
    return rc;
}

int tce_run_is_comm(const struct tce_op *op)
{
    return op->kind != TCE_OP_COMPUTE;
}

/* Is op overlapped with the compute of its own list (TP communication
 * with tp_comm_overlap, CP K/V exchange)?  Run non-blocking, waited for at
 * the end of the list. */
int tce_run_is_overlap_compute(const struct tce_op *op)
{
    return op->kind == TCE_OP_COLLECTIVE &&
           (op->overlap == TCE_OVERLAP_COMPUTE ||
            op->overlap == TCE_OVERLAP_ATTENTION) && /* attn (issue 11) */
           op->coll != TCE_COLL_ALL_TO_ALL;
}

int tce_run_is_pipeline_head(const struct tce_op_list *l, int i)
{
    const struct tce_op *op = &l->ops[i];

    return op->kind == TCE_OP_COLLECTIVE && op->count <= 1 &&
           !tce_run_is_overlap_compute(op) && !tce_walk_is_deferred(op) &&
           i + 1 < l->n &&
           (l->ops[i + 1].flags & TCE_OP_F_PIPELINED) &&
           tce_run_is_comm(&l->ops[i + 1]);
}

/* Receive-side elements an op needs in its (scaled) buffer. */
static double op_recv_bytes(const struct run *r, const struct tce_op *op)
{
    double n = r->comm_size[op->group];

    if (op->kind == TCE_OP_COLLECTIVE && op->coll == TCE_COLL_ALL_TO_ALL)
        return op->bytes * (1.0 + r->a2a_skew) + n * ELEM_BYTES;
    return op->bytes + n * ELEM_BYTES;
}

/* Buffers: A (blocking collectives in place, all-to-all receive, p2p
 * receive), B (all-to-all and p2p send, read only), NB (one slice per
 * outstanding non-blocking bucket), OV (communication under the list's
 * compute), PP (deepep: a stage posted beside the next op). */
int tce_run_size_buffers(struct run *r, struct tce_error *err)
{
    double a = 0, b = 0, nb = 0, ov = 0, pp = 0, ov_list, need, phys;
    int64_t max_buf;
    int l, i;

    for (l = 0; l < TCE_PLAN_LIST_COUNT; l++) {
        ov_list = 0;
        for (i = 0; i < r->plan.list[l].n; i++) {
            const struct tce_op *op = &r->plan.list[l].ops[i];

            if (!tce_run_is_comm(op))
                continue;
            if (tce_run_is_pipeline_head(&r->plan.list[l], i) &&
                op_recv_bytes(r, op) * (double)op->count > pp)
                pp = op_recv_bytes(r, op) * (double)op->count;
            if (tce_run_is_overlap_compute(op)) {
                ov_list += op_recv_bytes(r, op) * (double)op->count;
                if (ov_list > ov)
                    ov = ov_list;
                continue;
            }
            if (tce_walk_is_deferred(op)) {
                nb += op_recv_bytes(r, op) * (double)op->count;
                continue;
            }
            if (op_recv_bytes(r, op) > a)
                a = op_recv_bytes(r, op);
            if ((op->kind == TCE_OP_SEND ||
                 (op->kind == TCE_OP_COLLECTIVE &&
                  op->coll == TCE_COLL_ALL_TO_ALL)) &&
                op->bytes > b)
                b = op->bytes + ELEM_BYTES;
        }
    }
    need = a + b + nb + ov + pp;
    max_buf = r->o.max_buffer_bytes;
    if (max_buf == 0) {
        phys = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE);
        max_buf = (int64_t)(phys / (4.0 * (r->rt->real_node_size > 0
                                               ? r->rt->real_node_size
                                               : 1)));
        if (max_buf < (64 << 20))
            max_buf = 64 << 20;
    }
    r->byte_scale = tce_stats_byte_scale((int64_t)ceil(need), max_buf);
    /* One factor for every rank: the smallest. */
    MPI_Allreduce(MPI_IN_PLACE, &r->byte_scale, 1, MPI_DOUBLE, MPI_MIN,
                  r->rt->world);
    r->a_elems =
        (size_t)ceil(a * r->byte_scale / ELEM_BYTES) + 64 + (size_t)r->rt->size;
    r->b_elems = (size_t)ceil(b * r->byte_scale / ELEM_BYTES) + 64;
    r->nb_elems = (size_t)ceil(nb * r->byte_scale / ELEM_BYTES) + 64 +
                  (size_t)r->rt->size * 64;
    r->buf_a = calloc(r->a_elems, ELEM_BYTES);
    r->buf_b = calloc(r->b_elems, ELEM_BYTES);
    r->buf_nb = calloc(r->nb_elems, ELEM_BYTES);
    r->ov_elems = (size_t)ceil(ov * r->byte_scale / ELEM_BYTES) + 64 +
                  (size_t)r->rt->size * 64;
    r->buf_ov = calloc(r->ov_elems, ELEM_BYTES);
    r->pp_elems = (size_t)ceil(pp * r->byte_scale / ELEM_BYTES) + 64 +
                  (size_t)r->rt->size * 64;
    r->buf_pp = calloc(r->pp_elems, ELEM_BYTES);
    if (!r->buf_a || !r->buf_b || !r->buf_nb || !r->buf_ov || !r->buf_pp)
        return tce_error_set(err, TCE_ENOMEM,
                             "cannot allocate %.0f MB of message buffers",
                             need * r->byte_scale / 1e6);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Modelled times                                                             */

static double modeled_s(const struct run *r, const struct tce_op *op,
                        double bytes)
{
    struct tce_op o = *op;

    o.bytes = bytes;
    return tce_cost_op_s(&r->sc.cm, &o, r->sc.spans);
}

void tce_run_model_classes(struct run *r)
{
    int l, i;

    for (l = 0; l < TCE_PLAN_LIST_COUNT; l++) {
        for (i = 0; i < r->plan.list[l].n; i++) {
            const struct tce_op *op = &r->plan.list[l].ops[i];
            struct tce_runstats_class *c = &r->cls[l * TCE_PLAN_OPS_MAX + i];

            c->bytes = tce_run_is_comm(op)
                           ? (double)tce_stats_scale_bytes(
                                 (int64_t)op->bytes, r->byte_scale, ELEM_BYTES)
                           : op->bytes;
            if (tce_run_is_comm(op) && r->byte_scale >= 1.0)
                c->bytes = op->bytes;
            c->real_bytes = op->bytes;
            c->modeled_full_s = modeled_s(r, op, op->bytes);
            c->modeled_s = tce_run_is_comm(op) ? modeled_s(r, op, c->bytes)
                                               : c->modeled_full_s;
        }
    }
}
