/* functions.c: fixture for tools/check-functions.py (tests/cli/structure.sh).
 * functions.txt lists each function's name and length: the lines from its
 * opening brace to its closing brace, both included. Not a function: { } */
#include <stdio.h>
#define OPEN {
#define CLOSE(x) } while (x)
#define LONG_MACRO(a) \
    do { \
        (void)(a); \
    } while (0)

struct point { double x, y; };
static const int table[3] = { 1, 2, 3 };
static const char *const words[] = { "{", "}", "{{" };
typedef struct { int (*fn)(void); } holder;

static int one_line(void) { return 1; }

static int braces_in_literals(void)
{
    const char *s = "}}} { \" }";   /* } */
    char c = '}', d = '{', e = '\'';
    // a comment with a brace }
    return s[0] + c + d + e;
}

int with_preprocessor(int a)
{
#if defined(OPEN_ALL) /* { */
    a += 1;
#else
    a -= 1;
#endif
    return a;
}

__attribute__((unused)) static int attribute_after(int a) __attribute__((const));
static int attribute_after(int a)
{
    return a * 2;
}

static void nested(int n)
{
    for (int i = 0; i < n; i++) {
        if (i % 2) {
            struct point p = { (double)i, 0 };
            printf("%g %s\n", p.x, words[i % 3]);
        } else {
            LONG_MACRO(i);
        }
    }
    (void)table;
}

int main(void)
{
    holder h = { one_line };
    nested(braces_in_literals() + with_preprocessor(h.fn()) + attribute_after(1));
    return 0;
}
