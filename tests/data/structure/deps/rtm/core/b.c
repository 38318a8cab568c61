#include "core/ab.h"

int fx_b(int n)
{
    return n > 0 ? fx_a(n - 1) : 1;
}
