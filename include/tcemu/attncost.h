/*
 * attncost.h - time of a fused (flash) attention kernel from its two
 * pipes: the tensor cores (QK^T and PV, and the backward's five GEMMs) and
 * the special function units (SFUs) that compute the softmax's
 * exponentials (MUFU.EX2), one per score element the kernel executes, in
 * the forward and again in the backward (P recomputed from the saved
 * log-sum-exp).
 *
 * bw (issue 11).  Why: tensor-core throughput doubled from Hopper to
 * Blackwell while the exponential rate did not (FlashAttention-4, Zadouri,
 * Dao et al., arXiv 2603.05451: on B200 the forward is bound by the
 * exponential as much as by the MMA), and Blackwell Ultra doubles it again
 * (NVIDIA, "Inside NVIDIA Blackwell Ultra", 2025: 5 vs 10.7
 * TeraExponentials/s; "Making Softmax More Efficient with NVIDIA Blackwell
 * Ultra", 2026: exp2 loop measured 4,943 vs 10,024 Gop/s on GB200 vs
 * GB300).  The exponential's share grows as the head dimension shrinks:
 * per score element the forward does 2 (d_qk + d_v) FLOPs and one
 * exponential, so head dim 64 (GPT-OSS) is twice as exponential-bound as
 * head dim 128.
 *
 * The kernel model:  t = max(t_mma, t_exp) + serial x min(t_mma, t_exp)
 *   t_mma = FLOPs / (peak x e)        e: the kernel's tensor-pipe efficiency
 *                                      (forward; backward x TCE_ATTNCOST_
 *                                      BWD_TENSOR_RATIO)
 *   t_exp = exponentials / SFU rate
 * serial is the fraction of the shorter pipe the kernel does not hide
 * (softmax between the two GEMMs of a tile: "BMM2 cannot start until the
 * softmax completes", NVIDIA's Blackwell Ultra softmax blog).
 *
 * The constants are derived from two measurements of flash kernels at
 * head dim 128, causal, 8K tokens: H100 SXM (PyTorch 2.11 SDPA, this
 * repository's measured table topologies/compute/h100-sxm5-80gb-
 * pytorch2.11.cfg: forward 0.604 and backward 0.500 of 989 TFLOP/s, SFU
 * 3.9 T/s per FlashAttention-3, arXiv 2407.08608, 3.1) and B200 (cuDNN
 * 9.13: FlashAttention-4's 1,613 TFLOP/s over its 1.3x = 1,241 TFLOP/s,
 * 0.552 of 2,250, SFU 5 T/s).  Two equations, two unknowns:
 *   1/0.604 = 1/e + serial x 0.495,  1/0.552 = 1/e + serial x 0.879
 * give serial = 0.408 and e = 0.688 (the topologies' attention_efficiency
 * where they name sfu_exp_tera_per_s); the H100 backward then gives the
 * backward's tensor-pipe efficiency, 0.521 = 0.757 x e (shared-memory
 * traffic, FlashAttention-4 4.2).  Modelled, not measured on any
 * Blackwell part beyond the B200 forward figure.
 */
#ifndef TCEMU_ATTNCOST_H
#define TCEMU_ATTNCOST_H

/* the fraction of the shorter pipe's time a flash kernel leaves exposed */
#define TCE_ATTNCOST_SERIAL 0.408
/* backward tensor-pipe efficiency over the forward's (H100 measured) */
#define TCE_ATTNCOST_BWD_TENSOR_RATIO 0.757

/* One fused attention op, what its time depends on. */
struct tce_attncost_in {
    double flops;        /* executed FLOPs: the backward's 2.5x included */
    double exps;         /* exponentials (score elements executed) */
    double peak_flops;   /* the tensor peak it runs at (BF16 or FP8), 1/s */
    double efficiency;   /* forward tensor-pipe efficiency e, with any GEMM
                            size factor already applied */
    double exp_per_s;    /* the accelerator's SFU exponential rate */
    int backward;        /* 1: the backward kernel */
};

/* Seconds of the op's compute (no HBM bound); 0 when flops, peak or
 * efficiency is not positive.  exp_per_s <= 0 or exps <= 0: the tensor
 * pipe alone at e (backward: e too, the model before this mechanism). */
double tce_attncost_s(const struct tce_attncost_in *in);

/* The achieved fraction of peak_flops the same op reaches (flops / (t x
 * peak)); 0 when tce_attncost_s gives 0. */
double tce_attncost_efficiency(const struct tce_attncost_in *in);

#endif
