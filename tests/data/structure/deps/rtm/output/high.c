#include "core/ab.h"
#include "output/high.h"

int fx_high(int n)
{
    return n > 0 ? fx_low(n - 1) + fx_a(n) : 3;
}
