/* test_kv.c: ordered KEY=VALUE lists: insertion order, printf values,
 * duplicates, exact-key lookup, the empty list, NULL termination, and the
 * list read back by GDAL's own string-list functions. */
#include "core/kv.h"
#include "rtm_test.h"

#include <cpl_string.h>

static void test_empty(void)
{
    rtm_kv kv;
    rtm_kv_init(&kv);
    const char *const *l = rtm_kv_list(&kv);
    RTM_CHECK(l != NULL && l[0] == NULL);
    RTM_CHECK(rtm_kv_get(&kv, "A") == NULL);
    rtm_kv_free(&kv);
    rtm_kv_free(&kv); /* twice is harmless */
    RTM_CHECK(rtm_kv_list(&kv)[0] == NULL);
}

static void test_order_and_lookup(void)
{
    static const char *const want[] = {"ZETA=1", "ALPHA=two words", "PI=3.14159",
                                       "EMPTY=", "MID=x=y", "ALPHA=second"};
    rtm_kv kv;
    rtm_kv_init(&kv);
    RTM_CHECK(rtm_kv_add(&kv, "ZETA", "%d", 1) == 0);
    RTM_CHECK(rtm_kv_add(&kv, "ALPHA", "%s %s", "two", "words") == 0);
    RTM_CHECK(rtm_kv_add(&kv, "PI", "%.5f", 3.14159265) == 0);
    RTM_CHECK(rtm_kv_add(&kv, "EMPTY", "%s", "") == 0);
    RTM_CHECK(rtm_kv_add(&kv, "MID", "x=%s", "y") == 0);
    RTM_CHECK(rtm_kv_add(&kv, "ALPHA", "second") == 0);
    const char *const *l = rtm_kv_list(&kv);
    size_t n = sizeof want / sizeof want[0];
    RTM_CHECK(kv.n == n);
    for (size_t i = 0; i < n; i++)
        RTM_CHECK(l[i] && strcmp(l[i], want[i]) == 0);
    RTM_CHECK(l[n] == NULL);
    /* duplicates are kept; lookup returns the first */
    RTM_CHECK(strcmp(rtm_kv_get(&kv, "ALPHA"), "two words") == 0);
    RTM_CHECK(strcmp(rtm_kv_get(&kv, "EMPTY"), "") == 0);
    RTM_CHECK(strcmp(rtm_kv_get(&kv, "MID"), "x=y") == 0);
    /* exact keys: no prefix, no case folding */
    RTM_CHECK(rtm_kv_get(&kv, "ALPH") == NULL);
    RTM_CHECK(rtm_kv_get(&kv, "alpha") == NULL);
    RTM_CHECK(rtm_kv_get(&kv, "M") == NULL);
    /* GDAL reads the same list */
    RTM_CHECK(CSLCount((CSLConstList)l) == (int)n);
    RTM_CHECK(strcmp(CSLFetchNameValue((CSLConstList)l, "PI"), "3.14159") == 0);
    rtm_kv_free(&kv);
    RTM_CHECK(kv.n == 0 && rtm_kv_list(&kv)[0] == NULL);
}

/* many items: still in order and NULL-terminated after every growth */
static void test_many(void)
{
    rtm_kv kv;
    rtm_kv_init(&kv);
    for (int i = 0; i < 1000; i++) {
        RTM_CHECK(rtm_kv_add(&kv, "K", "%d", i) == 0);
        RTM_CHECK(rtm_kv_list(&kv)[i + 1] == NULL);
    }
    const char *const *l = rtm_kv_list(&kv);
    int bad = 0;
    for (int i = 0; i < 1000; i++) {
        char buf[32];
        snprintf(buf, sizeof buf, "K=%d", i);
        bad += strcmp(l[i], buf) != 0;
    }
    RTM_CHECK(bad == 0);
    RTM_CHECK(strcmp(rtm_kv_get(&kv, "K"), "0") == 0);
    rtm_kv_free(&kv);
}

int main(void)
{
    RTM_RUN(test_empty);
    RTM_RUN(test_order_and_lookup);
    RTM_RUN(test_many);
    return RTM_TEST_END();
}
