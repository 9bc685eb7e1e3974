/*
 * collcheck.h - the data of tcemu bench's --check, without MPI: buffer
 * counts per collective, seeded values, and the count of wrong elements in
 * a result.  Values are small integers (0..16) so sums over ranks are exact
 * in float and the check can demand equality.  Layouts (nccl-tests "count"
 * = size / sizeof(float)):
 *   allreduce      send count, recv count;   out[i] = sum_r v(r, i)
 *   allgather      send count/n, recv n*c;   out[r*c + i] = v(r, i)
 *   reducescatter  send n*c, recv c;         out[i] = sum_r v(r, rank*c + i)
 *   alltoall       send n*c, recv n*c;       out[j*c + i] = v(j, rank*c + i)
 *   sendrecv       ring, from rank-1;        out[i] = v(rank-1, i)
 *   broadcast      from rank 0;              out[i] = v(0, i) (root: not
 *                                            checked, it sends)
 */
#ifndef TCEMU_COLLCHECK_H
#define TCEMU_COLLCHECK_H

#include <stddef.h>
#include <stdint.h>

#include "tcemu/busbw.h"

/* The seeded value of element i of rank's send data. */
float tce_collcheck_value(uint32_t seed, int rank, size_t i);

/* Send and receive element counts of one operation of nccl-tests count. */
void tce_collcheck_counts(enum tce_busbw_kind kind, size_t count, int n,
                          size_t *send, size_t *recv);

/* Fill rank's send buffer. */
void tce_collcheck_init(float *send, size_t send_count, int rank,
                        uint32_t seed);

/* Wrong elements of rank's receive buffer after the operation. */
int64_t tce_collcheck_wrong(enum tce_busbw_kind kind, const float *recv,
                            size_t recv_count, int rank, int n,
                            uint32_t seed);

#endif
