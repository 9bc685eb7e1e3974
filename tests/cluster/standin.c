/*
 * standin.c - a stand-in for `tcemu run` and `tcemu calibrate` in the Slurm
 * test, used only while the real commands are not built yet: it follows the
 * same contract for the parts the batch scripts rely on, so those scripts
 * are proven now and keep working when the real ones land.
 *
 *   standin run [-t T] [-j J] [--gpus N] [--iterations K] [--json FILE] ...
 *   standin calibrate [-t T] [-o FILE] [--json FILE] ...
 *
 * Each iteration is one MPI_Allreduce across all ranks plus 0.2 s of
 * "compute".  SIGUSR1 or SIGTERM sets a flag; after each iteration the ranks
 * agree (all-reduce of the flag) and stop together; rank 0 then writes the
 * JSON with "complete": false.  Otherwise it writes "complete": true after K
 * iterations.  The JSON carries "standin": true, the ranks and their hosts.
 */
#include <mpi.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HOST_MAX 64

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

int main(int argc, char **argv)
{
    const char *json = NULL, *cfg = NULL, *mode = argc > 1 ? argv[1] : "";
    long iterations = 3, done = 0;
    int rank, size, i, stop = 0, rc = 0;
    char host[HOST_MAX], name[MPI_MAX_PROCESSOR_NAME], *hosts;
    struct sigaction sa;
    struct timespec ts = {0, 200000000L};
    FILE *f;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    for (i = 2; i + 1 < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            json = argv[++i];
        else if (strcmp(argv[i], "-o") == 0)
            cfg = argv[++i];
        else if (strcmp(argv[i], "--iterations") == 0)
            iterations = strtol(argv[++i], NULL, 10);
    }
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Get_processor_name(name, &i);
    snprintf(host, sizeof(host), "%.*s", HOST_MAX - 1, name);
    hosts = calloc((size_t)size, HOST_MAX);
    if (!hosts)
        MPI_Abort(MPI_COMM_WORLD, 1);
    MPI_Gather(host, HOST_MAX, MPI_CHAR, hosts, HOST_MAX, MPI_CHAR, 0,
               MPI_COMM_WORLD);
    while (done < iterations && !stop) {
        int mine, any;
        double x = 1.0, sum = 0.0;
        MPI_Allreduce(&x, &sum, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
        if (sum != size)
            rc = 3;
        nanosleep(&ts, NULL);
        done++;
        mine = stop_requested;
        MPI_Allreduce(&mine, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
        stop = any;
    }
    if (rank == 0) {
        printf("# standin %s: %d ranks, %ld iterations%s\n", mode, size, done,
               stop ? " (stopped by signal)" : "");
        for (i = 0; i < size; i++)
            printf("rank %d host %s\n", i, hosts + (size_t)i * HOST_MAX);
        if (cfg && (f = fopen(cfg, "w"))) {
            fprintf(f, "# standin calibration (not measured)\n"
                       "calibration = { ranks = %d; links = (); };\n", size);
            fclose(f);
        }
        if (json && (f = fopen(json, "w"))) {
            fprintf(f, "{\"schema\": \"tcemu.%s/1\", \"standin\": true, "
                       "\"complete\": %s, \"iterations\": %ld, "
                       "\"ranks\": %d, \"hosts\": [",
                    strcmp(mode, "calibrate") == 0 ? "calibrate" : "run",
                    stop ? "false" : "true", done, size);
            for (i = 0; i < size; i++)
                fprintf(f, "%s\"%s\"", i ? ", " : "",
                        hosts + (size_t)i * HOST_MAX);
            fprintf(f, "]}\n");
            fclose(f);
        }
    }
    free(hosts);
    MPI_Finalize();
    return rc;
}
