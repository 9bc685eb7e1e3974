/*
 * watchdog.c - abort a job whose current operation hangs (--timeout S).
 *
 * A helper thread wakes every few tens of milliseconds; when the main thread
 * has been inside one operation longer than the timeout, it prints which
 * operation, group, rank and host hung and ends the whole job with
 * MPI_Abort(..., TCE_EXIT_HANG): the ranks can no longer agree then.  Before
 * aborting it waits a short grace period (min(1 s, timeout)) so that the
 * other stuck ranks print where they are stuck too: the rank that really
 * hung is then named even when a rank waiting for it noticed first.
 *
 * MPI_Abort from this thread needs MPI_THREAD_MULTIPLE (tce_rt_init asks
 * for it; the watchdog refuses to start without it): the main thread
 * cannot be asked to abort, it is blocked inside the hung operation.
 */
#include "tcemu/runtime.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tcemu/util.h"

static void *watch(void *arg)
{
    struct tce_watchdog *wd = arg;
    struct timespec tick = {0, 50 * 1000 * 1000};
    char op[TCE_RT_OPNAME_MAX], group[TCE_RT_OPNAME_MAX];
    double elapsed = 0.0;
    int hung, stop;

    for (;;) {
        nanosleep(&tick, NULL);
        pthread_mutex_lock(&wd->mu);
        stop = wd->stop;
        hung = !stop && wd->active &&
               (elapsed = tce_now_s() - wd->start_s) > wd->timeout_s;
        if (hung) {
            memcpy(op, wd->op, sizeof(op));
            memcpy(group, wd->group, sizeof(group));
        }
        pthread_mutex_unlock(&wd->mu);
        if (stop)
            break;
        if (hung) {
            fprintf(stderr,
                    "tcemu: rank %d (%s): error: watchdog: operation '%s' in "
                    "group '%s' has not completed after %.1f s (--timeout "
                    "%g): hang detected, aborting the job (exit %d)\n",
                    wd->rank, wd->host, op, group, elapsed, wd->timeout_s,
                    TCE_EXIT_HANG);
            fflush(stderr);
            fflush(stdout);
            {
                double grace = wd->timeout_s < 1.0 ? wd->timeout_s : 1.0;
                struct timespec g;

                g.tv_sec = (time_t)grace;
                g.tv_nsec = (long)((grace - (double)g.tv_sec) * 1e9);
                nanosleep(&g, NULL);
            }
            MPI_Abort(MPI_COMM_WORLD, TCE_EXIT_HANG);
        }
    }
    return NULL;
}

int tce_watchdog_start(struct tce_watchdog *wd, double timeout_s, int rank,
                       const char *host, struct tce_error *err)
{
    int rc = 0, multiple = wd->thread_multiple;

    memset(wd, 0, sizeof(*wd));
    wd->thread_multiple = multiple;
    wd->timeout_s = timeout_s;
    wd->rank = rank;
    snprintf(wd->host, sizeof(wd->host), "%s", host);
    if (timeout_s <= 0.0)
        goto out;
    /* MPI_Abort from another thread than the main one is allowed only
     * under MPI_THREAD_MULTIPLE. */
    if (!multiple) {
        rc = tce_error_set(err, TCE_EUSAGE,
                           "--timeout needs an MPI library with "
                           "MPI_THREAD_MULTIPLE (the watchdog aborts the "
                           "job from its own thread); this one does not "
                           "provide it");
        goto out;
    }
    pthread_mutex_init(&wd->mu, NULL);
    if (pthread_create(&wd->thread, NULL, watch, wd) != 0) {
        pthread_mutex_destroy(&wd->mu);
        rc = tce_error_set(err, TCE_EINTERNAL,
                           "cannot start the watchdog thread");
        goto out;
    }
    wd->running = 1;
out:
    return rc;
}

void tce_watchdog_enter(struct tce_watchdog *wd, const char *op,
                        const char *group)
{
    if (!wd->running)
        return;
    pthread_mutex_lock(&wd->mu);
    snprintf(wd->op, sizeof(wd->op), "%s", op);
    snprintf(wd->group, sizeof(wd->group), "%s", group);
    wd->start_s = tce_now_s();
    wd->active = 1;
    pthread_mutex_unlock(&wd->mu);
}

void tce_watchdog_leave(struct tce_watchdog *wd)
{
    if (!wd->running)
        return;
    pthread_mutex_lock(&wd->mu);
    wd->active = 0;
    pthread_mutex_unlock(&wd->mu);
}

void tce_watchdog_stop(struct tce_watchdog *wd)
{
    if (!wd->running)
        return;
    pthread_mutex_lock(&wd->mu);
    wd->stop = 1;
    pthread_mutex_unlock(&wd->mu);
    pthread_join(wd->thread, NULL);
    pthread_mutex_destroy(&wd->mu);
    wd->running = 0;
}
