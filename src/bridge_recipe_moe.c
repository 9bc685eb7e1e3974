/*
 * bridge_recipe_moe.c - Megatron-Bridge's performance-recipe settings of the
 * moe rows (bridge_recipe.h).
 */
#include "tcemu/bridge_recipe.h"

int tce_bridge_recipe_moe(const struct tce_bridge_row *r, struct tce_job *job,
                         struct tce_error *err)
{
    (void)r;
    (void)job;
    (void)err;
    return 0;
}
