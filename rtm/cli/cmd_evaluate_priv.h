/* cmd_evaluate_priv.h (CLI only): what cmd_evaluate.c shares with
 * cmd_evaluate_opts.c. */
#ifndef RTM_CMD_EVALUATE_PRIV_H
#define RTM_CMD_EVALUATE_PRIV_H

#include "cli/cli.h"
#include "rtm/product.h"

#define RTM_EVAL_CLI_MAX_FACTORS 32

extern const char RTM_EVALUATE_HELP[];

/* Risk factors of the re-fitted RTM. */
typedef struct rtm_eval_factors {
    char *name[RTM_EVAL_CLI_MAX_FACTORS], *file[RTM_EVAL_CLI_MAX_FACTORS];
    rtm_factor_spec spec[RTM_EVAL_CLI_MAX_FACTORS];
    rtm_features *feat[RTM_EVAL_CLI_MAX_FACTORS];
    int n;
} rtm_eval_factors;

/* "1,5,0.5km2,100cells": up to max coverages into v/unit; count or -1. */
int rtm_eval_cli_coverages(const char *arg, double *v, int *unit, int max);
/* --factor NAME=FILE[:OP]; 0 or a usage exit code. */
int rtm_eval_cli_factor(rtm_eval_factors *f, const rtm_cli *c, const char *s);
/* Load every factor's features in dst_crs; 0 or an exit code. */
int rtm_eval_cli_factors_load(rtm_eval_factors *f, const rtm_cli *c, const char *dst_crs,
                              const rtm_product_env *env);
void rtm_eval_cli_factors_free(rtm_eval_factors *f);

#endif
