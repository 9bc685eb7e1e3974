/*
 * layout.h - the parallel shape of a job and where each rank sits.
 *
 * Megatron order: TP innermost (inside a node / scale-up domain), then CP,
 * then DP (with EP carved out of DP), PP outermost:
 *     rank = tp + t*(cp + c*(dp + d*pp))
 * An expert-parallel group is ep consecutive DP replicas of the same
 * (tp, cp, pp) coordinates; the expert-data-parallel group is the dp/ep
 * replicas holding the same experts.
 *
 * Pure functions over plain structs; used by the projector (any scale, never
 * enumerating ranks) and by the emulator (to build communicators with
 * MPI_Comm_split from the same colours).
 *
 * Relation to Megatron-LM: its RankGenerator (parallel_state.py) orders
 * "tp-cp-ep-dp-pp" and, for the dense groups, leaves ep out, which gives the
 * formula above.  Expert groups here follow Megatron-Core's layout with
 * expert tensor parallel = tp and cp = 1: the EP group is the inner ep
 * positions of the DP index.  (With cp > 1, newer Megatron-Core folds CP
 * into the expert region, ep carved out of cp*dp; tcemu keeps EP inside DP,
 * as the job rule "ep divides the data-parallel size" says.)
 *
 * Node placement: rank r sits on node r / gpus_per_node and in scale-up
 * domain r / scale_up_domain (ranks are packed, as Slurm's block
 * distribution and mpirun --map-by core place them).
 *
 * Every group kind is an arithmetic progression of world ranks:
 *     kind   size   stride       first member of rank r's group
 *     tp     t      1            r - tp
 *     cp     c      t            r - cp*t
 *     dp     d      t*c          r - dp*t*c
 *     ep     e      t*c          r - ep*t*c
 *     edp    d/e    t*c*e        r - edp*t*c*e
 *     pp     p      t*c*d        r - pp*t*c*d
 *     world  n      1            0
 *
 * MoE Parallel Folding (Megatron-Core expert_tensor_parallel_size, Liu et
 * al., "MoE Parallel Folding", arXiv:2504.14960; layout.etp > 0): for the
 * expert layers the t*c*d ranks of a pipeline stage are viewed as
 * etp x ep x edp, etp innermost:
 *     ep     e      etp          stage base + i - (i / etp % e) * etp
 *     edp    tcd/(etp e)  etp*e  (i = rank's index in its stage)
 * so an EP group may span TP, CP and DP ranks (Qwen3-235B on H100: TP 2,
 * EP 32, DP 16, etp 1).
 * so tce_layout_group_span describes a group without enumerating ranks.
 */
#ifndef TCEMU_LAYOUT_H
#define TCEMU_LAYOUT_H

#include <stdint.h>

#include "tcemu/config.h"
#include "tcemu/error.h"

struct tce_layout {
    int64_t gpus;          /* world size */
    int64_t tp, pp, vpp, cp, ep, dp;
    int64_t micro_batch;   /* b */
    int64_t microbatches;  /* m = global_batch / (dp * b) */
    int64_t gpus_per_node; /* from the topology (node.accelerators) */
    int64_t scale_up_domain; /* accelerators per scale-up domain the job
                                uses (tce_layout_segment_ranks) */
    int64_t etp;           /* repro (issue 11): expert tensor parallel size
                              with EP folded over the stage's tp x cp x dp
                              ranks (MoE Parallel Folding); 0 = EP inside
                              DP (the table above) */
};

/* A rank's coordinates in the layout. */
struct tce_coords {
    int64_t tp, cp, dp, pp;
    int64_t ep;            /* dp % ep: position inside its EP group */
    int64_t edp;           /* dp / ep: position among expert replicas */
    int64_t node;          /* rank / gpus_per_node */
};

/* Group kinds a rank communicates in. */
enum tce_group {
    TCE_GROUP_TP,
    TCE_GROUP_CP,
    TCE_GROUP_DP,       /* all data-parallel replicas (dense weights) */
    TCE_GROUP_EP,       /* expert-parallel group */
    TCE_GROUP_EDP,      /* expert-data-parallel (expert weights' DP) */
    TCE_GROUP_PP,       /* the pipeline: neighbours are prev/next stage */
    TCE_GROUP_WORLD,
    /* moe (issue 11): the EP group split at scale-up domains, for the
     * node-deduplicated (flex, DeepEP) dispatch: EP_INTRA the EP members
     * of one domain (NVLink fan-out), EP_INTER the members with the same
     * position in each domain (one copy per destination domain over the
     * scale-out links).  EP = EP_INTRA x EP_INTER. */
    TCE_GROUP_EP_INTRA,
    TCE_GROUP_EP_INTER,
    TCE_GROUP_COUNT
};

const char *tce_group_name(enum tce_group g);

/* moe (issue 11): EP members in one scale-up domain (the size of
 * TCE_GROUP_EP_INTRA): the largest divisor of ep that fits the domain at
 * the EP group's stride; 1 when the stride is a domain or more. */
int64_t tce_layout_ep_domain_members(const struct tce_layout *layout);

/*
 * Derive the layout of job on gpus accelerators (0 = the job's
 * parallel.num_gpus): dp = gpus / (tp*pp*cp), microbatches
 * m = global_batch / (dp * micro_batch).  Checks that tp*pp*cp divides the
 * GPU count, that ep divides dp, that dp * micro_batch divides the global
 * batch, heads and query groups divisible by tp, experts by ep, layers by
 * pp*vpp; errors (TCE_ECONFIG) name the --gpus value and the rule, and cite
 * the job file.  gpus_per_node and scale_up_domain come from topo
 * (node.accelerators, scale_up.domain_accelerators); a NULL topology or a 0
 * there means one rank per node (and a domain of one node).
 */
int tce_layout_init(struct tce_layout *layout, const struct tce_job *job,
                    const struct tce_topology *topo, int64_t gpus,
                    struct tce_error *err);

/* The ranks of one scale-up domain a job of gpus ranks uses (fitd, issue
 * 11): where a domain holds several nodes (NVL72: 18 nodes of 4), the job
 * is placed in equal segments of whole nodes, each inside one domain (Slurm
 * --segment as Megatron-Bridge's launcher asks for it: the job's node
 * count up to the domain's, else its largest divisor up to it), so a group
 * that fits one segment stays on the scale-up links; a domain of one node,
 * or counts that are not whole nodes, give domain unchanged.
 * tce_layout_init sets layout->scale_up_domain to it. */
int64_t tce_layout_segment_ranks(int64_t gpus, int64_t gpus_per_node,
                                 int64_t domain);

/* search2 (issue 11): the ranks of one scale-up domain that a job of gpus
 * ranks on topo uses: node.accelerators and scale_up.domain_accelerators
 * (a NULL topology or 0 there: one rank per node, a domain of one node),
 * placed by tce_layout_segment_ranks.  tce_layout_init and search use it
 * (one placement rule). */
int64_t tce_layout_scale_up_ranks(const struct tce_topology *topo,
                                  int64_t gpus);

/* Coordinates of a world rank; TCE_ERANGE when rank is outside [0, gpus). */
int tce_layout_coords(const struct tce_layout *layout, int64_t rank,
                      struct tce_coords *out);

/* World rank of coordinates (tp, cp, dp, pp are used; ep, edp, node
 * ignored); -1 when a coordinate is out of range. */
int64_t tce_layout_rank(const struct tce_layout *layout,
                        const struct tce_coords *c);

/*
 * For MPI_Comm_split(world, color, key): ranks with equal colour form one
 * group of the kind; the key is the rank's position in it (0 .. size-1, in
 * the order of the progression above).  Colour is the world rank of the
 * group's first member, so colours are >= 0 and unique per group.  For
 * TCE_GROUP_PP the group is the whole pipeline (key = stage).  -1 for a
 * rank out of range or an unknown kind.
 */
int64_t tce_layout_color(const struct tce_layout *layout, int64_t rank,
                         enum tce_group g);
int64_t tce_layout_key(const struct tce_layout *layout, int64_t rank,
                       enum tce_group g);
int64_t tce_layout_group_size(const struct tce_layout *layout,
                              enum tce_group g);
/* Rank distance between consecutive members of a group; 0 if unknown. */
int64_t tce_layout_group_stride(const struct tce_layout *layout,
                                enum tce_group g);

/* Previous / next pipeline stage of the same (tp, cp, dp); -1 at the ends. */
int64_t tce_layout_pp_prev(const struct tce_layout *layout, int64_t rank);
int64_t tce_layout_pp_next(const struct tce_layout *layout, int64_t rank);

/*
 * Where the groups of one kind sit, in closed form, for the cost model.
 * Counts (ranks_per_node, nodes, node_range, domains) are those of the
 * group holding rank 0; all groups of a kind have that shape when the node
 * size is a multiple of the stride or the stride a multiple of the node
 * size, as in every Megatron layout on 2^k-GPU nodes.  The crossings
 * (leaves_node, leaves_domain, tier) are those of the worst group of the
 * kind: with a TP of 3 on 8-GPU nodes, or 12-node DP groups under 16-node
 * leaf switches, some groups straddle a boundary that the first does not
 * (nodes and domains are then at least 2).
 */
struct tce_span {
    int64_t size;            /* ranks in one group */
    int64_t stride;          /* rank distance between consecutive members */
    int64_t ranks_per_node;  /* members of one group on one node (the most
                                on any node); = size inside one node */
    int64_t nodes;           /* nodes holding at least one member */
    int64_t node_range;      /* last member's node - first's + 1: the
                                contiguous block of nodes the group's
                                traffic has to reach (>= nodes) */
    int64_t domains;         /* scale-up domains holding members */
    int leaves_node;         /* members on more than one node */
    int leaves_domain;       /* members in more than one scale-up domain:
                                traffic goes through the NICs */
    int tier;                /* highest fabric tier crossed: -1 none (the
                                group stays in a scale-up domain); else the
                                lowest tier i under one switch of which
                                every group of the kind fits
                                (fabric[i].group_nodes nodes, aligned), or
                                the top tier n_fabric - 1 when none does;
                                0 when the group leaves the domain and the
                                topology has no fabric tiers */
    int64_t groups_per_node; /* groups of this kind with members on one
                                node, communicating at the same time */
    int64_t nic_ranks;       /* ranks of one node whose traffic for this
                                kind goes through the node's NICs at the
                                same time: every rank of the node when the
                                group leaves the scale-up domain (e.g. a DP
                                all-reduce with one member per node: all 8
                                GPUs of the node run their own ring at
                                once), 0 when it stays inside */
    double oversubscription; /* bandwidth taper the group's traffic meets
                                going up to tier: the product of the
                                downlink:uplink ratios of the tiers below
                                it (fabric[0 .. tier-1]); 1.0 when tier
                                <= 0 or the fabric is full bisection */
    double fabric_latency_us; /* sum of latency_us of fabric[0 .. tier]:
                                what the topology adds to a message that
                                climbs to tier; 0 when tier < 0 */
};

int tce_layout_group_span(const struct tce_layout *layout, enum tce_group g,
                          const struct tce_topology *topo,
                          struct tce_span *out);

/* The span of every group kind (indexed by enum tce_group; WORLD's is all
 * zero: no op of a plan uses it).  What the projector and the emulator
 * price each op's group with. */
void tce_layout_spans(const struct tce_layout *layout,
                      const struct tce_topology *topo,
                      struct tce_span spans[TCE_GROUP_COUNT]);

/*
 * speed (issue 11): tce_layout_spans with the spans of earlier layouts kept,
 * for sweeps (tce_projector).  A group's span is a function of its size and
 * stride, the node and scale-up domain sizes, and of the GPU count only
 * through min(node, gpus) and whether some group of the kind crosses a
 * node, a domain or (when it leaves the domain) a fabric tier's block of
 * fabric[i].group_nodes nodes, each "gpus > block" where the group can
 * cross that block at all.  A kept span holds while its size, stride, node
 * and domain sizes are the same and the GPU count stays inside the range
 * where none of those answers changes; else it is computed again.  Across
 * a GPU-count sweep the TP, CP and EP spans are kept, DP, EDP and PP
 * computed.  The spans are those of tce_layout_spans, bit for bit.  The
 * cache holds the spans of one topology (another topology pointer empties
 * it; a topology changed in place needs tce_span_cache_init).
 */
struct tce_span_key {
    int64_t size, stride, node, domain;
    int64_t gpus_lo, gpus_hi; /* GPU counts the span holds for */
};

struct tce_span_cache {
    const struct tce_topology *topo; /* the topology span[] were made on */
    unsigned valid;                  /* bit g: key[g], span[g] are set */
    int64_t hits, misses;            /* spans kept / computed */
    struct tce_span_key key[TCE_GROUP_COUNT];
    struct tce_span span[TCE_GROUP_COUNT];
};

void tce_span_cache_init(struct tce_span_cache *c);

/* The spans of every group kind of layout on topo (tce_layout_spans's), in
 * c (valid until the next call); *moved: bit g set when the span of group
 * g differs from the one the previous call returned (or there was none). */
const struct tce_span *tce_layout_spans_cached(const struct tce_layout *layout,
                                               const struct tce_topology *topo,
                                               struct tce_span_cache *c,
                                               unsigned *moved);

/* The span of a point-to-point exchange between neighbouring pipeline
 * stages (ranks r and r + t*c*d): size 2 (1 when pp = 1), with the
 * crossings of the worst neighbour pair.  Narrower than the PP group's
 * span, whose tier is that of the whole pipeline. */
int tce_layout_pp_pair_span(const struct tce_layout *layout,
                            const struct tce_topology *topo,
                            struct tce_span *out);

/*
 * Layers per pipeline stage and virtual stage (added by the projector
 * engineer; Megatron-LM's rules).  By default every virtual stage (chunk c
 * of stage s is virtual stage j = c * pp + s) holds num_layers / (pp vpp)
 * consecutive layers.  With account_for_embedding_in_pipeline_split (and
 * / or ..._loss_...) the embedding (loss) takes one layer's slot: the
 * slots num_layers + 1 (+ 1) split evenly and virtual stage 0 (the last)
 * holds one layer less.  With decoder_first/last_pipeline_num_layers the
 * first and/or last stage hold that many and the other stages split the
 * rest evenly; a stage's layers spread evenly over its vpp chunks, chunk c
 * starting at c * num_layers / vpp + (layers of earlier stages) / vpp.
 * tce_layout_check_layers says whether the split is exact (0) or why not
 * (TCE_ECONFIG, message in err).
 */
int tce_layout_check_layers(const struct tce_job *job, int64_t pp,
                            int64_t vpp, struct tce_error *err);
int64_t tce_layout_stage_layers(const struct tce_job *job,
                                const struct tce_layout *layout,
                                int64_t stage);
int64_t tce_layout_chunk_first_layer(const struct tce_job *job,
                                     const struct tce_layout *layout,
                                     int64_t stage, int64_t chunk);
int64_t tce_layout_chunk_layers(const struct tce_job *job,
                                const struct tce_layout *layout,
                                int64_t stage, int64_t chunk);

#endif
