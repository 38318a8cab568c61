/* cmd_evaluate_priv.h (CLI only): what cmd_evaluate.c shares with
 * cmd_evaluate_opts.c. */
#ifndef RTM_CMD_EVALUATE_PRIV_H
#define RTM_CMD_EVALUATE_PRIV_H

#include "cli/cli.h"
#include "rtm/product.h"

extern const char RTM_EVALUATE_HELP[];

/* "1,5,0.5km2,100cells": up to max coverages into v/unit; count or -1. */
int rtm_eval_cli_coverages(const char *arg, double *v, int *unit, int max);

#endif
