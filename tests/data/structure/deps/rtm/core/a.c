/* #include "output/high.h" is only a comment here */
#include "core/ab.h"

int fx_a(int n)
{
    return n > 0 ? fx_b(n - 1) : 0;
}
