/* cli_factors.c: `--factor NAME=FILE[:OP]` for model, forecast and evaluate
 * (see cli_factors.h). */
#include "cli/cli_factors.h"

#include <stdlib.h>
#include <string.h>

int rtm_cli_factor_parse(rtm_cli_factors *f, const rtm_cli *c, const char *s)
{
    const char *eq = strchr(s, '='), *colon;
    char *file;
    int iop = RTM_OP_AUTO;
    if (!eq || eq == s || !eq[1])
        return rtm_cli_usage(c, "--factor expects NAME=FILE[:OP] (got '%s')", s);
    if (f->n == RTM_CLI_MAX_FACTORS)
        return rtm_cli_usage(c, "too many factors (at most %d)", RTM_CLI_MAX_FACTORS);
    if (!(file = strdup(eq + 1)))
        return rtm_cli_usage(c, "out of memory");
    colon = strrchr(file, ':');
    if (colon && !rtm_vocab_parse("operationalization", colon + 1, &iop, NULL)) {
        file[colon - file] = '\0';
    } else if (colon && !strchr(colon, '/')) {
        int rc = rtm_cli_usage(c, "unknown operationalization '%s' in --factor (%s)",
                               colon + 1, rtm_vocab_list("operationalization"));
        free(file);
        return rc;
    }
    f->name[f->n] = strndup(s, (size_t)(eq - s));
    f->file[f->n] = file;
    f->spec[f->n].name = f->name[f->n];
    f->spec[f->n++].op = (rtm_op)iop;
    return 0;
}

int rtm_cli_factors_load(rtm_cli_factors *f, const rtm_cli *c, const char *dst_crs,
                         const rtm_product_env *env)
{
    rtm_error e;
    for (int i = 0; i < f->n; i++) {
        const char *files[1] = {f->file[i]};
        rtm_layer_spec ls = {f->name[i], files, 1, NULL, NULL, NULL, NULL, NULL};
        if (rtm_layer_spec_load(&ls, dst_crs, env, &f->feat[i], NULL, &e)) {
            rtm_error e2; /* "layer NAME: ..." is a factor here */
            rtm_error_set(&e2, e.code, "factor %s",
                          strncmp(e.msg, "layer ", 6) ? e.msg : e.msg + 6);
            return rtm_cli_fail(c, &e2);
        }
        f->spec[i].features = f->feat[i];
    }
    return 0;
}

const char *const *rtm_cli_factors_files(const rtm_cli_factors *f)
{
    return (const char *const *)f->file;
}

void rtm_cli_factors_free(rtm_cli_factors *f)
{
    for (int i = 0; i < f->n; i++) {
        free(f->name[i]);
        free(f->file[i]);
        rtm_features_free(f->feat[i]);
    }
    memset(f, 0, sizeof *f);
}
