/* clang_compat.h: force-included (clang -include) into the sources that use
 * GCC's __builtin_shuffle, which clang lacks, when the library is built with
 * clang for the fuzz harnesses. Same result, element by element. */
#if defined(__clang__) && !defined(__builtin_shuffle)
#define __builtin_shuffle(a, b, ...) __extension__({ \
    __typeof__((a) + 0) a_ = (a), b_ = (b), r_; __typeof__((__VA_ARGS__) + 0) m_ = (__VA_ARGS__); \
    int n_ = (int)(sizeof r_ / sizeof r_[0]); \
    for (int i_ = 0; i_ < n_; i_++) { \
        int k_ = (int)(m_[i_] % (2 * n_)); \
        r_[i_] = k_ < n_ ? a_[k_] : b_[k_ - n_]; \
    } \
    r_; })
#endif
