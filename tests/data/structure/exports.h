/* exports.h: a header whose file-scope declarations tools/exports.py must
 * list (tests/cli/install.sh): exports.txt holds the expected names.
 * Not real: int fx_in_comment(void); */
#ifndef FX_EXPORTS_H
#define FX_EXPORTS_H
#include <stddef.h>
#define FX_MACRO(a) fx_not_a_symbol(a);
#ifdef __cplusplus
extern "C" {
#endif

typedef struct fx_thing {
    int (*callback)(void *arg);            /* a member, not a symbol */
    char name[16];
} fx_thing;
typedef int (*fx_fn)(double frac, const char *msg);
typedef enum { FX_A, FX_B } fx_enum;
struct fx_tagged { double x; };

int fx_plain(int a, const char *s);
const char *
fx_multiline(const fx_thing *t,
             size_t n);
void fx_attr(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
__attribute__((warn_unused_result)) int fx_attr_first(void);
extern const double fx_table[4];
extern int fx_counter;
static inline int fx_inline(int a) { return a + 1; }
static int fx_static(void);
int fx_after_string(const char *s /* ";{" */);
struct fx_tagged fx_returns_struct(void);

#ifdef __cplusplus
}
#endif
#endif
