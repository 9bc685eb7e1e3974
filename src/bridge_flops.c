/*
 * bridge_flops.c - model FLOPs as Megatron-Bridge counts them (bridge.h:
 * tce_bridge_arch_of, tce_bridge_flops_per_token), following
 * src/megatron/bridge/training/utils/flop_utils.py,
 * num_floating_point_operations / transformer_flops.
 */
#include <string.h>

#include "tcemu/bridge.h"

void tce_bridge_arch_of(const struct tce_bridge_row *r,
                        const struct tce_job *job, struct tce_bridge_arch *a)
{
    (void)r;
    memset(a, 0, sizeof(*a));
    /* the job's own keys (Megatron-LM's names), as the row's recipe set
     * them on it (tce_bridge_apply: "w/o MTP" rows have no MTP layer);
     * the window is causal: (window_size, 0) */
    a->window_left = job->model.window_size;
    a->window_attn_skip_freq = job->model.window_attn_skip_freq;
    a->mtp_num_layers = job->model.mtp_num_layers;
}

double tce_bridge_flops_per_token(const struct tce_model *m, int64_t seq,
                                  int64_t tp, const struct tce_bridge_arch *a)
{
    double h = (double)m->hidden_size, s = (double)seq;
    double heads = (double)m->num_attention_heads;
    double groups = m->num_query_groups ? (double)m->num_query_groups : heads;
    double kv = m->kv_channels ? (double)m->kv_channels : h / heads;
    double fm = m->moe_ffn_hidden_size ? (double)m->moe_ffn_hidden_size
                                       : (double)m->ffn_hidden_size;
    double fs = (double)m->moe_shared_expert_intermediate_size;
    double glu = m->swiglu ? 3.0 : 2.0;
    double mtp = (double)a->mtp_num_layers;
    int64_t moe_layers = tce_model_moe_layers_in(m, 0, m->num_layers);
    int64_t dense_layers = m->num_layers - moe_layers;
    int64_t pad = 128 * tp, vocab;
    double layers, attn, mlp, mtp_proj, logits;

    /* MTP layers repeat the last layer's kind */
    if (m->num_experts > 0 &&
        tce_model_moe_layers_in(m, m->num_layers - 1, m->num_layers) > 0)
        moe_layers += a->mtp_num_layers;
    else
        dense_layers += a->mtp_num_layers;
    layers = (double)(m->num_layers + a->mtp_num_layers);
    if (m->multi_latent_attention) {
        double qk = (double)m->qk_head_dim, pe = (double)m->qk_pos_emb_head_dim;
        double v = (double)m->v_head_dim, q;

        q = m->q_lora_rank ? (double)m->q_lora_rank * (h + heads * (qk + pe) + 1)
                           : h * heads * (qk + pe);
        attn = 6.0 * layers *
               (q + (double)m->kv_lora_rank * (h + heads * (qk + v) + 1) +
                h * pe + heads * v * h + s * heads * (qk + pe) / 2.0 +
                s * heads * v / 2.0);
    } else {
        double qp = kv * heads, kp = kv * groups;
        double proj = h * (qp + 2.0 * kp) + qp * h;
        double full = qp * s;               /* causal: s/2, x 2 GEMMs */
        double w = (double)(a->window_left + a->window_right + 1);
        double swa_layers = 0.0, k = (double)a->window_attn_skip_freq;
        int64_t i;

        if (a->window_left + a->window_right > 0 && w < s) {
            double ctx = w - w * (w - 1.0) / (2.0 * s);

            for (i = 0; i < m->num_layers + a->mtp_num_layers; i++)
                if (k <= 0 || (i + 1) % (int64_t)k != 0)
                    swa_layers += 1.0;
            attn = 6.0 * ((layers - swa_layers) * (proj + full) +
                          swa_layers * (proj + qp * ctx * 2.0));
        } else {
            attn = 6.0 * layers * (proj + full);
        }
    }
    mlp = 6.0 * h *
          ((double)m->ffn_hidden_size * glu * (double)dense_layers +
           (fm * (double)m->moe_router_topk * glu + fs * glu) *
               (double)moe_layers);
    mtp_proj = 6.0 * mtp * (3.0 * h + 2.0 * h * h);
    vocab = (m->vocab_size + pad - 1) / pad * pad;
    logits = 6.0 * h * (double)vocab * (mtp + 1.0);
    return mlp + attn + mtp_proj + logits;
}
