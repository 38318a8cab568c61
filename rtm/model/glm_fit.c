/* glm_fit.c: the GLM entry points that fit a family (see rtm/glm.h):
 * rtm_glm_fit_data() checks the aggregated data and dispatches to the
 * Poisson (glm_poisson.c) or negative binomial (glm_nb.c) fit;
 * rtm_glm_fit_cols() aggregates design columns first (glm_data.c).
 * Kept apart from glm_data.c so that the data helpers, which the fits call,
 * never call the fits back. */
#include "model/glm_internal.h"

int rtm_glm_fit_data(const rtm_glm_data *g, rtm_family fam, const rtm_glm_opts *o,
                     rtm_glm_fit *out, rtm_error *err)
{
    rtm_glm_opts def;
    if (!o) {
        rtm_glm_opts_init(&def);
        o = &def;
    }
    if (!g || !out)
        return rtm_error_set(err, RTM_ERR_ARG, "glm: no data or no output");
    if (fam != RTM_FAMILY_POISSON && fam != RTM_FAMILY_NB2 && fam != RTM_FAMILY_NBII)
        return rtm_error_set(err, RTM_ERR_ARG, "glm: unknown family %d", (int)fam);
    int rc = rtm_glm_i_check(g, fam, err);
    if (rc)
        return rc;
    if (fam == RTM_FAMILY_POISSON)
        return rtm_glm_i_poisson(g, fam, o, NULL, out, err);
    return rtm_glm_i_nb(g, fam, o, out, err);
}

int rtm_glm_fit_cols(const rtm_design *d, const int *cols, int k, rtm_family fam,
                     const rtm_glm_opts *o, rtm_glm_fit *out, rtm_error *err)
{
    if (k > 0 && !cols)
        return rtm_error_set(err, RTM_ERR_ARG, "glm: %d columns but no column list", k);
    static const int none[1] = {0};
    rtm_glm_data *g = rtm_glm_data_build(d, k > 0 ? cols : none, k, err);
    if (!g)
        return err ? err->code : RTM_ERR_ARG;
    int rc = rtm_glm_fit_data(g, fam, o, out, err);
    rtm_glm_data_free(g);
    return rc;
}
