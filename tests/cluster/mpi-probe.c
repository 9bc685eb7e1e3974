/*
 * mpi-probe.c - prove an MPI launch across emulated hosts: every rank
 * reports its host, an all-reduce checks the data, and ranks 0 and the first
 * rank on another host time a ping-pong so the link rate can be checked.
 *
 *   mpicc -O2 -o mpi-probe tests/cluster/mpi-probe.c
 *   mpirun ... mpi-probe [BYTES]
 *
 * Prints one "rank R host H" line per rank (from rank 0, in rank order),
 * "allreduce ok|BAD", and "pingpong BYTES bytes T s GBPS Gbit/s" for
 * the inter-host pair (or "pingpong none" when all ranks share a host).
 * Exit status 0 when the all-reduce was right, 3 otherwise.
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOST_MAX 64

int main(int argc, char **argv)
{
    int rank, size, i, peer = -1, ok, all_ok, rc = 0;
    char host[HOST_MAX] = {0};
    char *hosts = NULL;
    long bytes = argc > 1 ? strtol(argv[1], NULL, 10) : 4000000;
    double sum = 0.0;
    char *buf;

    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    {
        int len = 0;
        char name[MPI_MAX_PROCESSOR_NAME];
        MPI_Get_processor_name(name, &len);
        snprintf(host, HOST_MAX, "%.*s", HOST_MAX - 1, name);
    }
    hosts = calloc((size_t)size, HOST_MAX);
    buf = calloc((size_t)(bytes > 0 ? bytes : 1), 1);
    if (!hosts || !buf)
        MPI_Abort(MPI_COMM_WORLD, 1);
    MPI_Allgather(host, HOST_MAX, MPI_CHAR, hosts, HOST_MAX, MPI_CHAR,
                  MPI_COMM_WORLD);
    for (i = 1; i < size; i++)
        if (strcmp(hosts + (size_t)i * HOST_MAX, hosts) != 0) {
            peer = i;
            break;
        }
    {
        double mine = rank + 1.0;
        MPI_Allreduce(&mine, &sum, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
        ok = sum == size * (size + 1) / 2.0;
        MPI_Allreduce(&ok, &all_ok, 1, MPI_INT, MPI_LAND, MPI_COMM_WORLD);
    }
    if (peer > 0 && (rank == 0 || rank == peer)) {
        int other = rank == 0 ? peer : 0, rep, reps = 3;
        double t0;
        MPI_Barrier(MPI_COMM_WORLD);
        t0 = MPI_Wtime();
        for (rep = 0; rep < reps; rep++) {
            if (rank == 0) {
                MPI_Send(buf, (int)bytes, MPI_CHAR, other, 0, MPI_COMM_WORLD);
                MPI_Recv(buf, (int)bytes, MPI_CHAR, other, 0, MPI_COMM_WORLD,
                         MPI_STATUS_IGNORE);
            } else {
                MPI_Recv(buf, (int)bytes, MPI_CHAR, other, 0, MPI_COMM_WORLD,
                         MPI_STATUS_IGNORE);
                MPI_Send(buf, (int)bytes, MPI_CHAR, other, 0, MPI_COMM_WORLD);
            }
        }
        if (rank == 0) {
            double t = (MPI_Wtime() - t0) / (2.0 * reps);
            printf("pingpong %ld bytes %.6f s %.3f Gbit/s (rank 0 %s <-> "
                   "rank %d %s)\n",
                   bytes, t, bytes * 8.0 / t / 1e9, hosts,
                   peer, hosts + (size_t)peer * HOST_MAX);
        }
    } else {
        MPI_Barrier(MPI_COMM_WORLD);
    }
    if (rank == 0) {
        for (i = 0; i < size; i++)
            printf("rank %d host %s\n", i, hosts + (size_t)i * HOST_MAX);
        if (peer < 0)
            printf("pingpong none\n");
        printf("allreduce %s\n", all_ok ? "ok" : "BAD");
    }
    if (!all_ok)
        rc = 3;
    free(buf);
    free(hosts);
    MPI_Finalize();
    return rc;
}
