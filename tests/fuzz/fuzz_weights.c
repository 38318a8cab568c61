/* fuzz_weights.c: the harm weight table (rtm_weight_table_load) on a CSV
 * whose bytes are the fuzz input. A loaded table must give finite weights
 * >= 0 for its own categories and for an unlisted one. */
#include <math.h>
#include "fuzz_common.h"
#include "rtm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 16) return 0;
    const char *path = fuzz_write("weights.csv", data, size);
    rtm_error err = {0};
    rtm_weight_table *t = rtm_weight_table_load(path, &err);
    if (!t) {
        if (!err.msg[0]) abort();                        /* a failure says why */
        return 0;
    }
    const char *field = rtm_weight_table_field(t);
    if (!field) abort();
    int listed = -1;
    double w = rtm_weight_table_lookup(t, "no such category \x01", &listed);
    if (!isfinite(w) || w < 0 || listed != 0) abort();
    /* every line's first cell, looked up as a category */
    char cat[256];
    size_t i = 0;
    while (i < size) {
        size_t j = 0;
        while (i < size && data[i] != ',' && data[i] != '\n' && j + 1 < sizeof cat)
            cat[j++] = (char)data[i++];
        cat[j] = 0;
        w = rtm_weight_table_lookup(t, cat, &listed);
        if (!isfinite(w) || w < 0) abort();
        while (i < size && data[i] != '\n') i++;
        i++;
    }
    rtm_weight_table_free(t);
    return 0;
}
