/*
 * computetable.h - a measured compute table: how long the GEMMs, the
 * attention and the element-wise kernels of a layer took on one
 * accelerator under one software stack, and lookups that interpolate
 * between the measured rows.
 *
 * Where a slice was profiled, the cost model times compute ops from this
 * table; where a shape is not covered it falls back to the topology's
 * parametric curve (costmodel.h) and says so.  The table is plain data
 * (fixed-size arrays, no allocation, no globals); the calibration loader
 * fills it from a calibration file's `compute` section.
 *
 * GEMM rows
 *   A linear layer y = x W, x [m, k], W [k, n], in Megatron's terms:
 *   m = tokens (sequence x micro batch), k = input features, n = output
 *   features of the (TP-sharded) weight.  A row carries the layer's
 *   FORWARD shape (m, n, k) and the time of each pass (0 = not timed):
 *     fwd    x @ W       (GEMM m x n, depth k)
 *     dgrad  g @ W^T     (GEMM m x k, depth n)
 *     wgrad  x^T @ g     (GEMM k x n, depth m)
 *   Each pass does 2 m n k FLOPs.  dtype is bf16 or fp8 (e4m3 with scales).
 *
 * GEMM interpolation (tce_computetable_gemm_s)
 *   Among the rows of the same dtype that timed the pass:
 *   - a row of the same (m, n, k): its time ("exact"; the mean when the
 *     table holds several);
 *   - else, when the query lies inside the rows' bounding box in each of
 *     log m, log n, log k AND the nearest row lies within
 *     TCE_COMPUTETABLE_GEMM_RADIUS in log space: the achieved rate
 *     (FLOP/s) is interpolated, and time = 2 m n k / rate
 *     ("interpolated");
 *   - else "not covered" (the caller uses the curve).
 *   The rate, not the time, is interpolated: time varies by five orders of
 *   magnitude over the table and scales exactly with 2 m n k, while the
 *   achieved rate varies by a few per cent between neighbouring large
 *   shapes and is what tile and wave quantization actually change.  The
 *   interpolation is inverse-distance weighting of log(rate) over the
 *   TCE_COMPUTETABLE_GEMM_NEIGHBOURS nearest rows, distance Euclidean in
 *   (ln m / 2, ln n, ln k), weight 1 / d^3.  Tokens count half: a factor 4
 *   in m changes the rate about as much as a factor 2 in a weight
 *   dimension (in the H100 profile GPT-3's layer at micro batch 4 against
 *   1, same weights, runs 0-25% faster; the 18B model's layer, half the
 *   weight dimensions, 10-20% slower), and leave-one-out over the profile's
 *   layer cases confirms it (isotropic distance: the GPT-3 TP8 layer's
 *   GEMMs 13% off; halved m: every case within 5%).  The steep weight
 *   keeps the nearest measured shape dominant (rates change in steps with
 *   the kernel cuBLAS picks, so the nearest measured shape is the best
 *   single predictor).  A neighbour whose rate is off the neighbours'
 *   median by more than a factor 1.5 is left out (unless all are): one
 *   anomalous kernel choice belongs to its own shape (where it is returned
 *   exactly) and is not spread to its neighbours (the H100 profile has
 *   1024 x 7168 x 2048 forward at 120 TFLOP/s between two at 300 and 500,
 *   and 4096 x 7168 x 2048 dgrad at 207 where its forward runs at 643).
 *   Leave-one-out over the H100 profile's layer cases
 *   (tests/unit/test_computetable.c prints every op): the GEMM time of a
 *   whole layer comes within 9% on every case; single ops within 40%.
 *   A bounding box, not the convex hull: the rows are a few dozen points
 *   scattered in 3-D, their convex hull is thin; the radius keeps the box's
 *   empty corners out.
 *
 * Attention rows
 *   One fused (flash) attention call: micro batch b, h query heads and
 *   the KV heads (GQA) of the TP shard, head dim d, sequence length s,
 *   causal or not, window (0 = none): forward seconds and
 *   forward+backward seconds.
 *   FLOPs as the profile counts them (tce_computetable_attention_flops):
 *   forward 4 b h s s_k d with s_k the keys each query sees on average
 *   (the window when one shorter than s is set, else s / 2 causal, s not);
 *   forward+backward 3.5 x forward.
 *
 * Attention interpolation (tce_computetable_attention_s)
 *   Among the rows of the same head dim, causal and window: an equal shape
 *   is "exact"; else the achieved rate is interpolated linearly in
 *   (ln FLOPs, ln rate) between the nearest rows below and above the
 *   query's FLOPs (rows of equal FLOPs averaged); outside the rows' FLOP
 *   range "not covered".  FLOPs, not sequence or heads alone: the fused
 *   kernel's rate grows with the work it can spread over the SMs
 *   (b x h x s/128 thread blocks, each of s/2 keys), and over the H100
 *   profile the measured rate is monotone in FLOPs (122 TFLOP/s at 6.4
 *   GFLOP up to 597 at 550 GFLOP) across sequence lengths and head counts.
 *   The backward time is forward+backward minus forward, both
 *   interpolated.
 *
 * Element-wise kernels and launches
 *   elementwise_gbytes_per_s: the HBM bandwidth a memory-bound kernel
 *   achieves (bytes read + written per second, 1e9); launch_gap_us: the time a
 *   kernel costs beyond its bytes (launch and tail).  The shipped H100
 *   table fits both by least squares, t = kernels x gap + bytes / bw, over
 *   the profile's forward norm and activation rows, bytes counted as
 *   2 tokens hidden x 2 B per norm (read x, write y), 5 tokens ffn x 2 B
 *   for unfused SwiGLU (2 kernels: silu(a) reads a, writes t; t * b reads
 *   t and b, writes y) and 2 tokens ffn x 2 B for tanh-GeLU (1 kernel).
 *   0 = not measured.
 */
#ifndef TCEMU_COMPUTETABLE_H
#define TCEMU_COMPUTETABLE_H

#include <stdint.h>

#include "tcemu/error.h"

#define TCE_COMPUTETABLE_GEMMS_MAX 128
#define TCE_COMPUTETABLE_ATTENTION_MAX 32
#define TCE_COMPUTETABLE_TEXT_MAX 128
#define TCE_COMPUTETABLE_GEMM_NEIGHBOURS 8
#define TCE_COMPUTETABLE_GEMM_M_WEIGHT 0.5
/* ln 4: the nearest measured shape at most a factor 4 away in n or k (16
 * in m), or about 2.2 in each of n and k. */
#define TCE_COMPUTETABLE_GEMM_RADIUS 1.3862943611198906

enum tce_dtype { TCE_DTYPE_BF16, TCE_DTYPE_FP8, TCE_DTYPE_COUNT };

enum tce_gemm_pass {
    TCE_GEMM_FWD,
    TCE_GEMM_DGRAD,
    TCE_GEMM_WGRAD,
    TCE_GEMM_PASS_COUNT
};

/* How a looked-up time was obtained. */
enum tce_table_how {
    TCE_TABLE_EXACT,         /* a measured row of this shape */
    TCE_TABLE_INTERPOLATED,  /* between measured rows */
    TCE_TABLE_NOT_COVERED,   /* outside the table: use the curve */
};

/* The training stack a table was measured under (and, in a job, the stack
 * it runs): a table measured under one stack is not silently applied to a
 * job that runs another.  Field names are the configuration keys. */
struct tce_computetable_stack {
    char framework[TCE_COMPUTETABLE_TEXT_MAX];  /* "PyTorch", "Megatron-LM" */
    char framework_version[TCE_COMPUTETABLE_TEXT_MAX];   /* "2.11.0+cu130" */
    int flash_attention;      /* bool: fused attention kernels */
    int cuda_graphs;          /* bool */
    char fp8_recipe[TCE_COMPUTETABLE_TEXT_MAX]; /* "" = no FP8 */
};

/* One linear layer shape, its three passes timed (0 = not measured). */
struct tce_computetable_gemm {
    int64_t m, n, k;          /* the layer's forward shape (see above) */
    enum tce_dtype dtype;
    double fwd_s;
    double dgrad_s;
    double wgrad_s;
};

/* Field names are the configuration keys (Megatron-LM's argument names):
 * micro batch, query heads and KV heads of the TP shard, head dim. */
struct tce_attention_shape {
    int64_t micro_batch_size;
    int64_t num_attention_heads;
    int64_t num_query_groups; /* KV heads, dividing the query heads */
    int64_t kv_channels;      /* head dim */
    int64_t seq_length;
    int causal;               /* bool */
    int64_t window_size;      /* sliding window in tokens; 0 = none */
};

struct tce_computetable_attention {
    struct tce_attention_shape shape;
    double forward_s;
    double forward_backward_s;
};

/* Field names are the configuration keys of a calibration file's
 * `compute` group. */
struct tce_computetable {
    char device[TCE_COMPUTETABLE_TEXT_MAX];     /* "NVIDIA H100 80GB HBM3" */
    char driver[TCE_COMPUTETABLE_TEXT_MAX];
    char software[TCE_COMPUTETABLE_TEXT_MAX];   /* CUDA, cuBLAS, ... */
    char date[TCE_COMPUTETABLE_TEXT_MAX];       /* ISO 8601 */
    char measured_by[TCE_COMPUTETABLE_TEXT_MAX];
    char method[TCE_COMPUTETABLE_TEXT_MAX];     /* how it was timed */
    struct tce_computetable_stack stack;
    double elementwise_gbytes_per_s;  /* 0 = not measured */
    double launch_gap_us;             /* 0 = not measured */
    double sustained_ratio;           /* sust: the device's throughput
                                         under sustained load over the
                                         rows' (1: rows timed after a soak,
                                         at the sustained clock; below 1:
                                         rows timed as short bursts, which
                                         the cost model divides by it) */
    int n_gemms;
    struct tce_computetable_gemm gemms[TCE_COMPUTETABLE_GEMMS_MAX];
    int n_attention;
    struct tce_computetable_attention attention[TCE_COMPUTETABLE_ATTENTION_MAX];
    /* derived by tce_computetable_prepare (no configuration keys): per
     * GEMM row its coordinates (M weight x ln m, ln n, ln k) and ln rate of
     * each pass (0 = not timed), so that a lookup takes no logarithm per
     * row; lookups compute them when `prepared` is 0 */
    int prepared;
    double gemm_log[TCE_COMPUTETABLE_GEMMS_MAX][3 + TCE_GEMM_PASS_COUNT];
};

/* An empty table (no rows, empty provenance). */
void tce_computetable_init(struct tce_computetable *t);

/* Fill the derived coordinates (after the rows were filled or changed by
 * other means than tce_computetable_add_gemm, which keeps them). */
void tce_computetable_prepare(struct tce_computetable *t);

/* 1 when the table holds any GEMM or attention row. */
int tce_computetable_has_rows(const struct tce_computetable *t);

/* Check a row (dimensions >= 1, times finite and >= 0, at least one pass
 * timed, dtype in range; attention: KV heads dividing the heads,
 * 0 < forward < forward+backward).  0 or TCE_ERANGE with err's message
 * naming the field (the config loader adds file and line). */
int tce_computetable_gemm_check(const struct tce_computetable_gemm *row,
                                struct tce_error *err);
int tce_computetable_attention_check(
    const struct tce_computetable_attention *row, struct tce_error *err);

/* Append a row after checking it; TCE_ERANGE when full or invalid. */
int tce_computetable_add_gemm(struct tce_computetable *t,
                              const struct tce_computetable_gemm *row,
                              struct tce_error *err);
int tce_computetable_add_attention(struct tce_computetable *t,
                                   const struct tce_computetable_attention *row,
                                   struct tce_error *err);

/* A row's time of one pass (0 = not measured). */
double tce_computetable_row_s(const struct tce_computetable_gemm *row,
                              enum tce_gemm_pass pass);

/* Seconds of one pass of the linear layer (m, n, k); *how (may be NULL)
 * says how it was obtained.  0 when not covered. */
double tce_computetable_gemm_s(const struct tce_computetable *t, int64_t m,
                               int64_t n, int64_t k, enum tce_dtype dtype,
                               enum tce_gemm_pass pass,
                               enum tce_table_how *how);

/* shape (issue 11): the rate a large GEMM reaches in t (FLOP/s): the
 * median forward rate of its BF16 rows of at least min_flops (2 m n k);
 * 0 when it has none.  gemmshape.h rates a shape against it. */
double tce_computetable_large_rate(const struct tce_computetable *t,
                                  double min_flops);

/* shape (issue 11): the same lookup for a table carried to another
 * accelerator (costmodel.h gemm_shape_reference): a row of the query's own
 * shape is returned only when its rate lies within the outlier factor
 * (1.5) of the median of its nearest rows, itself among them; a rate off
 * its neighbours by more is the measuring stack's kernel choice for that
 * one shape, not a property of the shape, and the shape is interpolated
 * from the other rows instead ("interpolated"). */
double tce_computetable_gemm_carried_s(const struct tce_computetable *t,
                                       int64_t m, int64_t n, int64_t k,
                                       enum tce_dtype dtype,
                                       enum tce_gemm_pass pass,
                                       enum tce_table_how *how);

/* Seconds of the attention's forward (backward = 0) or backward
 * (backward = 1: forward+backward minus forward); 0 when not covered. */
double tce_computetable_attention_s(const struct tce_computetable *t,
                                    const struct tce_attention_shape *q,
                                    int backward, enum tce_table_how *how);

/* Forward FLOPs of an attention call, as counted above. */
double tce_computetable_attention_flops(const struct tce_attention_shape *s);

/* The fastest GEMM rate of dtype in the table (FLOP/s over every timed
 * pass); 0 when it has none. */
double tce_computetable_max_rate(const struct tce_computetable *t,
                                 enum tce_dtype dtype);

/* Names as the calibration file spells them: "bf16", "fp8"; "fwd",
 * "dgrad", "wgrad"; "exact", "interpolated", "not covered".  NULL (names)
 * or TCE_EPARSE (parse) for unknown values. */
const char *tce_computetable_dtype_name(enum tce_dtype d);
const char *tce_computetable_pass_name(enum tce_gemm_pass p);
const char *tce_computetable_how_name(enum tce_table_how h);
int tce_computetable_dtype_parse(const char *s, enum tce_dtype *out);
int tce_computetable_pass_parse(const char *s, enum tce_gemm_pass *out);

#endif
