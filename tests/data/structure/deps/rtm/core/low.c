#include "core/ab.h"
#include "output/high.h"

int fx_low(int n)
{
    return n > 0 ? fx_high(n - 1) : 2;
}
