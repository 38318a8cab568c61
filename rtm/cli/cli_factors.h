/* cli_factors.h (CLI only): `--factor NAME=FILE[:OP]`, the risk factors of
 * the commands that build risk-terrain variables (model, forecast, evaluate):
 * parsed, loaded in the grid CRS and freed in one place. */
#ifndef RTM_CLI_FACTORS_H
#define RTM_CLI_FACTORS_H

#include "cli/cli.h"
#include "rtm/model.h"
#include "rtm/product.h"

#define RTM_CLI_MAX_FACTORS 512

typedef struct rtm_cli_factors {
    char *name[RTM_CLI_MAX_FACTORS], *file[RTM_CLI_MAX_FACTORS];
    rtm_factor_spec spec[RTM_CLI_MAX_FACTORS];   /* name, op; features after loading */
    rtm_features *feat[RTM_CLI_MAX_FACTORS];
    int n;
} rtm_cli_factors;

/* One --factor NAME=FILE[:OP] (OP a name of the vocabulary's
 * operationalization, default auto; a ':' inside a path is kept). Returns 0
 * or a usage exit code (message printed). */
int rtm_cli_factor_parse(rtm_cli_factors *f, const rtm_cli *c, const char *s);
/* Load every factor's features in dst_crs. Returns 0 or an exit code. */
int rtm_cli_factors_load(rtm_cli_factors *f, const rtm_cli *c, const char *dst_crs,
                         const rtm_product_env *env);
/* The factor files, as the products' `sources` (metadata). */
const char *const *rtm_cli_factors_files(const rtm_cli_factors *f);
void rtm_cli_factors_free(rtm_cli_factors *f);

#endif
