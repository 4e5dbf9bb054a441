/* check.h: the few assertion helpers the C unit tests share. A failed check prints where and why and
 * counts; main returns check_report(), non-zero when anything failed. */
#ifndef INITLAB_CHECK_H
#define INITLAB_CHECK_H

#include <math.h>
#include <stdio.h>

static int check_failures = 0;

#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);   \
            check_failures++;                                                          \
        }                                                                              \
    } while (0)

/* |got - want| <= tol * max(1, |want|): relative for large values, absolute near zero. */
#define CHECK_CLOSE(got, want, tol)                                                                 \
    do {                                                                                            \
        double g_ = (got), w_ = (want);                                                             \
        if (!(fabs(g_ - w_) <= (tol) * fmax(1.0, fabs(w_)) || (isnan(g_) && isnan(w_)) || g_ == w_)) { \
            fprintf(stderr, "%s:%d: %s = %.17g, expected %.17g\n", __FILE__, __LINE__, #got, g_, w_);   \
            check_failures++;                                                                       \
        }                                                                                           \
    } while (0)

static inline int check_report(const char *suite)
{
    if (check_failures) fprintf(stderr, "%s: %d check(s) failed\n", suite, check_failures);
    else printf("%s: all checks passed\n", suite);
    return check_failures ? 1 : 0;
}

#endif
