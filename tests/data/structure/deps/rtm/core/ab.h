#ifndef FX_AB_H
#define FX_AB_H
int fx_a(int n);
int fx_b(int n);
int fx_low(int n);
#endif
