/* numparse.h (private): strtod with a fast exact path for plain decimals. */
#ifndef RTM_NUMPARSE_H
#define RTM_NUMPARSE_H

/* As strtod(s, end) in the C locale, byte for byte the same result and end
 * pointer. Plain decimals ([+-]digits[.digits], at most 15 significant
 * digits, at most 22 after the point, not followed by an exponent or
 * another number character) are converted as m / 10^k: both are exact
 * doubles, so the one IEEE division is correctly rounded, as strtod is
 * (Clinger, "How to read floating point numbers accurately", PLDI 1990,
 * the "fast path"). Anything else goes to strtod. */
double rtm_strtod(const char *s, char **end);

#endif
