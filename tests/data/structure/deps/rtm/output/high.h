#ifndef FX_HIGH_H
#define FX_HIGH_H
int fx_high(int n);
#endif
