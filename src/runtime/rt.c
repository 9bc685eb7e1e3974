/*
 * rt.c - the emulator's MPI context: init with MPI_ERRORS_RETURN, error
 * agreement across ranks, rank-prefixed messages, real and virtual nodes,
 * environment checks (cores, /dev/shm, Slurm), host map, fault injection.
 */
#define _DEFAULT_SOURCE /* gethostname, statvfs */
#include "tcemu/runtime.h"

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "tcemu/cli.h"
#include "tcemu/json.h"
#include "tcemu/output.h"
#include "tcemu/util.h"

int tce_rt_comm_errors_return(MPI_Comm comm)
{
    return MPI_Comm_set_errhandler(comm, MPI_ERRORS_RETURN);
}

int tce_rt_mpi_error(struct tce_error *err, int mpi_rc, const char *what)
{
    char msg[MPI_MAX_ERROR_STRING];
    int len = 0;

    if (MPI_Error_string(mpi_rc, msg, &len) != MPI_SUCCESS)
        snprintf(msg, sizeof(msg), "MPI error %d", mpi_rc);
    return tce_error_set(err, TCE_EMPI, "%s: %s", what, msg);
}

int tce_rt_init(struct tce_rt *rt, int *argc, char ***argv,
                struct tce_error *err)
{
    int provided = 0, flag = 0, rc = 0;

    memset(rt, 0, sizeof(*rt));
    rt->world = MPI_COMM_NULL;
    rt->node = MPI_COMM_NULL;
    rt->inter = MPI_COMM_NULL;
    MPI_Initialized(&flag);
    if (!flag) {
        /* MULTIPLE: the main thread makes every MPI call but one: the
         * watchdog's MPI_Abort from its own thread, while the main thread
         * is blocked inside a hung operation (it cannot be told to abort:
         * it never returns).  Open MPI 4.1 provides MULTIPLE. */
        if (MPI_Init_thread(argc, argv, MPI_THREAD_MULTIPLE, &provided) !=
            MPI_SUCCESS) {
            rc = tce_error_set(err, TCE_EMPI, "MPI_Init_thread failed");
            goto out;
        }
        rt->inited = 1;
    } else {
        MPI_Query_thread(&provided);
    }
    rt->wd.thread_multiple = provided >= MPI_THREAD_MULTIPLE;
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    if (MPI_Comm_dup(MPI_COMM_WORLD, &rt->world) != MPI_SUCCESS) {
        rc = tce_error_set(err, TCE_EMPI, "MPI_Comm_dup failed");
        goto out;
    }
    tce_rt_comm_errors_return(rt->world);
    MPI_Comm_rank(rt->world, &rt->rank);
    MPI_Comm_size(rt->world, &rt->size);
    if (gethostname(rt->host, sizeof(rt->host)) != 0)
        snprintf(rt->host, sizeof(rt->host), "unknown");
    rt->host[sizeof(rt->host) - 1] = '\0';
out:
    return rc;
}

int tce_rt_begin(struct tce_rt *rt, int parse_rc, struct tce_error *err,
                 void (*usage)(FILE *), int *argc, char ***argv)
{
    int rc = parse_rc;

    if (rc == 1) {
        usage(stdout);
        goto out;
    }
    if (rc == 0)
        rc = tce_rt_init(rt, argc, argv, err);
    if (rc)
        tce_error_print(err, stderr);
out:
    return rc;
}

int tce_rt_nodes(struct tce_rt *rt, int ranks_per_node, struct tce_error *err)
{
    MPI_Comm shared = MPI_COMM_NULL;
    int rc = 0, mrc, lowest = 0, is_leader;

    mrc = MPI_Comm_split_type(rt->world, MPI_COMM_TYPE_SHARED, rt->rank,
                              MPI_INFO_NULL, &shared);
    if (mrc != MPI_SUCCESS) {
        rc = tce_rt_mpi_error(err, mrc, "MPI_Comm_split_type");
        goto out;
    }
    MPI_Comm_size(shared, &rt->real_node_size);
    MPI_Comm_rank(shared, &rt->real_node_rank);
    rt->ranks_per_node = ranks_per_node;
    if (ranks_per_node > 0) {
        mrc = MPI_Comm_split(rt->world, rt->rank / ranks_per_node, rt->rank,
                             &rt->node);
    } else {
        mrc = MPI_Comm_dup(shared, &rt->node);
    }
    if (mrc != MPI_SUCCESS) {
        rc = tce_rt_mpi_error(err, mrc, "node communicator");
        goto out;
    }
    tce_rt_comm_errors_return(rt->node);
    MPI_Comm_rank(rt->node, &rt->node_rank);
    MPI_Comm_size(rt->node, &rt->node_size);
    /* Node id: the rank of this node's leader among the leaders. */
    lowest = rt->rank;
    mrc = MPI_Allreduce(MPI_IN_PLACE, &lowest, 1, MPI_INT, MPI_MIN, rt->node);
    if (mrc != MPI_SUCCESS) {
        rc = tce_rt_mpi_error(err, mrc, "node leader");
        goto out;
    }
    mrc = MPI_Comm_split(rt->world, rt->node_rank, rt->rank, &rt->inter);
    if (mrc != MPI_SUCCESS) {
        rc = tce_rt_mpi_error(err, mrc, "inter-node communicator");
        goto out;
    }
    tce_rt_comm_errors_return(rt->inter);
    is_leader = rt->node_rank == 0;
    MPI_Allreduce(&is_leader, &rt->n_nodes, 1, MPI_INT, MPI_SUM, rt->world);
    /* Leaders are ranked by world rank inside the inter comm of node rank 0;
     * every member of a node shares the leader's index. */
    {
        int id = 0;

        if (is_leader)
            MPI_Comm_rank(rt->inter, &id);
        MPI_Bcast(&id, 1, MPI_INT, 0, rt->node);
        rt->node_id = id;
    }
    (void)lowest;
out:
    if (shared != MPI_COMM_NULL)
        MPI_Comm_free(&shared);
    return rc;
}

void tce_rt_finalize(struct tce_rt *rt)
{
    tce_watchdog_stop(&rt->wd);
    if (rt->inter != MPI_COMM_NULL)
        MPI_Comm_free(&rt->inter);
    if (rt->node != MPI_COMM_NULL)
        MPI_Comm_free(&rt->node);
    if (rt->world != MPI_COMM_NULL)
        MPI_Comm_free(&rt->world);
    if (rt->inited)
        MPI_Finalize();
}

int tce_rt_agree(struct tce_rt *rt, int rc)
{
    int all = rc;

    if (MPI_Allreduce(&rc, &all, 1, MPI_INT, MPI_MIN, rt->world) !=
        MPI_SUCCESS)
        return rc ? rc : TCE_EMPI;
    return all;
}

int tce_rt_report_agree(struct tce_rt *rt, int rc, const struct tce_error *err)
{
    if (rc)
        tce_rt_print_error(rt, err);
    return tce_rt_agree(rt, rc);
}

void tce_rt_catch_stop_signals(void (*handler)(int))
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int tce_rt_ready(const struct tce_rt *rt, const char *path,
                 struct tce_error *err)
{
    struct tce_output o;
    int rc;

    if (!path || rt->rank != 0)
        return 0;
    rc = tce_output_open(&o, path, err);
    if (rc == 0) {
        fprintf(o.fp, "ready: %d ranks take SIGUSR1/SIGTERM as a stop\n",
                rt->size);
        rc = tce_output_commit(&o, err);
    }
    return rc;
}

void tce_rt_print_error(const struct tce_rt *rt, const struct tce_error *err)
{
    const char *msg = err->msg[0] ? err->msg : tce_strerror(err->code);

    if (err->file[0]) {
        fprintf(stderr, "%s:%d: error: ", err->file, err->line);
        if (err->key[0])
            fprintf(stderr, "%s: ", err->key);
        fprintf(stderr, "%s (rank %d, %s)\n", msg, rt->rank, rt->host);
    } else {
        fprintf(stderr, "tcemu: rank %d (%s): error: %s\n", rt->rank,
                rt->host, msg);
    }
    fflush(stderr);
}

int tce_rt_check_environment(struct tce_rt *rt, int64_t shm_need_bytes,
                             struct tce_error *err)
{
    const char *ntasks = getenv("SLURM_STEP_NUM_TASKS");
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    struct statvfs vfs;
    int64_t n = 0;
    int rc = 0;

    /* Started by srun itself (not by mpirun's daemons, which set
     * OMPI_COMM_WORLD_SIZE): the step's task count must be the world size;
     * srun without PMI starts N singletons of world size 1. */
    if (!ntasks)
        ntasks = getenv("SLURM_NTASKS");
    if (ntasks && getenv("SLURM_JOB_ID") && !getenv("OMPI_COMM_WORLD_SIZE")) {
        if (tce_parse_int64(ntasks, 1, INT32_MAX, &n, NULL) == 0 &&
            n != rt->size) {
            rc = tce_error_set(err, TCE_EUSAGE,
                               "MPI world size %d differs from SLURM_NTASKS "
                               "%lld: srun started without PMI? (use srun "
                               "--mpi=pmix, or mpirun)",
                               rt->size, (long long)n);
            goto out;
        }
    }
    if (rt->real_node_rank == 0 && cores > 0 && rt->real_node_size > cores)
        fprintf(stderr,
                "tcemu: rank %d (%s): warning: %d ranks share %ld cores on "
                "this host; timings are not representative of one rank per "
                "accelerator\n",
                rt->rank, rt->host, rt->real_node_size, cores);
    if (shm_need_bytes <= 0)
        shm_need_bytes = (int64_t)rt->real_node_size * TCE_RT_SHM_PER_RANK_BYTES;
    if (rt->real_node_rank == 0 && shm_need_bytes > 0 &&
        statvfs("/dev/shm", &vfs) == 0) {
        double avail = (double)vfs.f_bavail * (double)vfs.f_frsize;

        if (avail < (double)shm_need_bytes)
            fprintf(stderr,
                    "tcemu: rank %d (%s): warning: /dev/shm has %.0f MB "
                    "free, less than the %.0f MB the ranks of this host may "
                    "need for shared-memory transport\n",
                    rt->rank, rt->host, avail / 1e6,
                    (double)shm_need_bytes / 1e6);
    }
out:
    return rc;
}

int tce_rt_gather_hosts(struct tce_rt *rt, char *hosts, struct tce_error *err)
{
    int mrc;

    mrc = MPI_Gather(rt->host, TCE_RT_HOST_MAX, MPI_CHAR, hosts,
                     TCE_RT_HOST_MAX, MPI_CHAR, 0, rt->world);
    if (mrc != MPI_SUCCESS)
        return tce_rt_mpi_error(err, mrc, "gathering host names");
    return 0;
}

void tce_rt_mpi_library(char *buf, size_t len)
{
    char lib[MPI_MAX_LIBRARY_VERSION_STRING];
    int n = 0;
    char *cut;

    /* Callable before MPI_Init (MPI 3.0). */
    MPI_Get_library_version(lib, &n);
    lib[n < (int)sizeof(lib) ? n : (int)sizeof(lib) - 1] = '\0';
    cut = strchr(lib, '\n');
    if (cut)
        *cut = '\0';
    cut = strchr(lib, ',');
    if (cut)
        *cut = '\0';
    snprintf(buf, len, "%s", lib);
}

void tce_rt_print_header(const struct tce_rt *rt, FILE *out, int argc,
                         char **argv, const char *hosts)
{
    char lib[256], cmd[2048];
    int r, start;

    tce_rt_mpi_library(lib, sizeof(lib));
    tce_cli_join_args(argc, argv, "", cmd, sizeof(cmd));
    fprintf(out, "# tcemu %s\n", tce_cli_version());
    fprintf(out, "# MPI library: %s (MPI %d.%d)\n", lib, MPI_VERSION,
            MPI_SUBVERSION);
    fprintf(out, "# command: tcemu %s\n", cmd);
    if (rt->ranks_per_node > 0)
        fprintf(out,
                "# ranks: %d, nodes: %d virtual (%d ranks per node, "
                "--ranks-per-node)\n",
                rt->size, rt->n_nodes, rt->ranks_per_node);
    else
        fprintf(out, "# ranks: %d, nodes: %d (from shared memory)\n",
                rt->size, rt->n_nodes);
    if (!hosts)
        return;
    for (start = 0, r = 1; r <= rt->size; r++) {
        if (r < rt->size && strcmp(hosts + (size_t)r * TCE_RT_HOST_MAX,
                                   hosts + (size_t)start * TCE_RT_HOST_MAX) ==
                                0)
            continue;
        fprintf(out, "# host map: %s: ranks %d-%d\n",
                hosts + (size_t)start * TCE_RT_HOST_MAX, start, r - 1);
        start = r;
    }
}

void tce_rt_json_header(const struct tce_rt *rt, struct tce_json *j,
                        int argc, char **argv, const char *hosts,
                        const int *node_of_rank)
{
    char lib[256], cmd[2048];
    int r;

    tce_rt_mpi_library(lib, sizeof(lib));
    tce_cli_join_args(argc, argv, "", cmd, sizeof(cmd));
    tce_json_string(j, "tcemu_version", tce_cli_version());
    tce_json_string(j, "mpi_library", lib);
    tce_json_string(j, "command", cmd);
    tce_json_int(j, "ranks", rt->size);
    tce_json_int(j, "nodes", rt->n_nodes);
    tce_json_int(j, "ranks_per_node", rt->ranks_per_node);
    tce_json_bool(j, "virtual_nodes", rt->ranks_per_node > 0);
    tce_json_array_begin(j, "hosts");
    for (r = 0; hosts && r < rt->size; r++) {
        tce_json_object_begin(j, NULL);
        tce_json_int(j, "rank", r);
        tce_json_string(j, "host", hosts + (size_t)r * TCE_RT_HOST_MAX);
        if (node_of_rank)
            tce_json_int(j, "node", node_of_rank[r]);
        tce_json_object_end(j);
    }
    tce_json_array_end(j);
}

int tce_rt_gather_nodes(struct tce_rt *rt, int *node_of_rank,
                        struct tce_error *err)
{
    int mrc = MPI_Gather(&rt->node_id, 1, MPI_INT, node_of_rank, 1, MPI_INT,
                         0, rt->world);

    if (mrc != MPI_SUCCESS)
        return tce_rt_mpi_error(err, mrc, "gathering node ids");
    return 0;
}

int tce_rt_alloc_host_map(const struct tce_rt *rt, char **hosts, int **nodes,
                          struct tce_error *err)
{
    int rc = 0;

    if (rt->rank == 0) {
        *hosts = calloc((size_t)rt->size, TCE_RT_HOST_MAX);
        *nodes = calloc((size_t)rt->size, sizeof(int));
        if (!*hosts || !*nodes)
            rc = tce_error_set(err, TCE_ENOMEM, "out of memory");
    }
    return rc;
}

int tce_rt_gather_host_map(struct tce_rt *rt, char *hosts, int *nodes,
                           struct tce_error *err)
{
    int rc = tce_rt_gather_hosts(rt, hosts, err);

    if (rc == 0)
        rc = tce_rt_gather_nodes(rt, nodes, err);
    return rc;
}

/* The kernel this rank runs on: the FNV-1a hash of its boot id, which
 * network namespaces and containers share with their host and another
 * machine does not (-1 when it cannot be read: then only the MPI node's
 * ranks count). */
static int kernel_color(void)
{
    char id[64] = {0};
    unsigned h = 2166136261u;
    FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");
    size_t i, n = 0;

    if (f) {
        n = fread(id, 1, sizeof(id) - 1, f);
        fclose(f);
    }
    for (i = 0; i < n; i++) {
        h ^= (unsigned char)id[i];
        h *= 16777619u;
    }
    return n > 0 ? (int)(h & 0x7fffffffu) : -1;
}

int tce_rt_cores_shared(struct tce_rt *rt, int *shared, struct tce_error *err)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    MPI_Comm kernel = MPI_COMM_NULL;
    int color = kernel_color(), on_kernel = rt->real_node_size, mine, mrc;

    /* Namespace hosts on one machine are separate hosts to MPI (2 ranks
     * each) but share its cores: count the ranks of the kernel. */
    mrc = MPI_Comm_split(rt->world, color < 0 ? MPI_UNDEFINED : color,
                         rt->rank, &kernel);
    if (mrc == MPI_SUCCESS && kernel != MPI_COMM_NULL) {
        MPI_Comm_size(kernel, &on_kernel);
        MPI_Comm_free(&kernel);
    }
    mine = cores > 0 && (rt->real_node_size > cores || on_kernel > cores);
    if (mrc == MPI_SUCCESS)
        mrc = MPI_Allreduce(&mine, shared, 1, MPI_INT, MPI_MAX, rt->world);
    return mrc == MPI_SUCCESS ? 0 : tce_rt_mpi_error(err, mrc, "core count");
}

void tce_rt_nap(void)
{
    struct timespec nap = {0, TCE_RT_ARRIVE_POLL_NS};

    nanosleep(&nap, NULL);
}

int tce_rt_waitall_asleep(int n, MPI_Request *reqs)
{
    int done = 0, mrc = MPI_SUCCESS;

    while (mrc == MPI_SUCCESS) {
        mrc = MPI_Testall(n, reqs, &done, MPI_STATUSES_IGNORE);
        if (mrc != MPI_SUCCESS || done)
            break;
        tce_rt_nap();
    }
    return mrc;
}

int tce_rt_arrive(MPI_Comm comm)
{
    MPI_Request req;
    int mrc = MPI_Ibarrier(comm, &req);

    return mrc == MPI_SUCCESS ? tce_rt_waitall_asleep(1, &req) : mrc;
}
