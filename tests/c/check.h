/*
 * check.h -- a tiny test runner for the C tests (header only).
 *
 * In the style of mimalloc's test/test-api.c (test cases by name, an exit
 * code that counts failures) with jemalloc's typed expectations
 * (expect_zu_eq: both sides are printed on failure):
 *
 *     static void test_overflow(void) {
 *         EXPECT_NULL(ab_alloc_array(a, SIZE_MAX, 2, 1));
 *         EXPECT_ZU_EQ(st.block_count, 1);
 *     }
 *     int main(int argc, char **argv) {
 *         CK_INIT(argc, argv);
 *         CK_RUN("arena/overflow", test_overflow);
 *         return CK_DONE();
 *     }
 *
 * A failed expectation prints file:line, the expression, both values, the
 * running test case and the seed in effect (ck_seed, set by CK_SEED), and
 * the case goes on (jemalloc's expect_*, not assert_*). CK_REQUIRE* also
 * leaves the case at once (it returns from the test function, so use it
 * only where nothing needs cleaning up, or in the case's top function).
 *
 * The output ends with exactly one line `N passed, N failed` (test cases,
 * parsed by CI) and CK_DONE() returns the number of failed cases, capped at
 * 125 so that 256 failures cannot wrap to a passing status.
 *
 * argv: every non-option argument is a substring filter on case names
 * (a case runs if it matches any); `-l` lists the case names only.
 */
#ifndef AB_TEST_CHECK_H
#define AB_TEST_CHECK_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Everything is static: one runner per test executable. */
static int ck_cases_passed, ck_cases_failed;
static unsigned long ck_checks_failed_in_case;
static const char *ck_case_name = "(none)";
static uint64_t ck_seed;        /* the seed in effect, printed with every failure */
static bool ck_seed_set;
static int ck_argc;
static char **ck_argv;
static bool ck_list_only;

#define CK_INIT(argc, argv) ck_init_((argc), (argv))
#define CK_DONE() ck_done_()
/** Sets the seed that failures report (for reproducing a random test). */
#define CK_SEED(s) (ck_seed = (uint64_t)(s), ck_seed_set = true)

static inline void ck_init_(int argc, char **argv) {
    ck_argc = argc;
    ck_argv = argv;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "-l") == 0) ck_list_only = true;
    setvbuf(stdout, NULL, _IOLBF, 0);
}

static inline bool ck_selected_(const char *name) {
    bool any_filter = false;
    for (int i = 1; i < ck_argc; i++) {
        if (ck_argv[i][0] == '-') continue;
        any_filter = true;
        if (strstr(name, ck_argv[i]) != NULL) return true;
    }
    return !any_filter;
}

static inline void ck_fail_prefix_(const char *file, int line) {
    ck_checks_failed_in_case++;
    fprintf(stdout, "  FAIL %s:%d [%s]", file, line, ck_case_name);
    if (ck_seed_set) fprintf(stdout, " seed=0x%016" PRIx64, ck_seed);
    fputs(": ", stdout);
}

/** Runs fn as test case `name` (if selected) and records pass/fail. */
#define CK_RUN(name, fn) ck_run_((name), (fn))
static inline void ck_run_(const char *name, void (*fn)(void)) {
    if (!ck_selected_(name)) return;
    if (ck_list_only) {
        printf("%s\n", name);
        return;
    }
    ck_case_name = name;
    ck_checks_failed_in_case = 0;
    ck_seed_set = false;
    fn();
    if (ck_checks_failed_in_case == 0) {
        ck_cases_passed++;
        printf("ok   %s\n", name);
    } else {
        ck_cases_failed++;
        printf("FAIL %s (%lu failed checks)\n", name, ck_checks_failed_in_case);
    }
    ck_case_name = "(none)";
    fflush(stdout);
}

static inline int ck_done_(void) {
    printf("%d passed, %d failed\n", ck_cases_passed, ck_cases_failed);
    fflush(stdout);
    return ck_cases_failed > 125 ? 125 : ck_cases_failed;
}

/** True while the running case has no failed check (to stop a long loop early). */
#define CK_CASE_OK() (ck_checks_failed_in_case == 0)

/* ---- expectations: record, print, continue ---------------------------- */

#define EXPECT_TRUE(c)                                                        \
    do {                                                                      \
        if (!(c)) {                                                           \
            ck_fail_prefix_(__FILE__, __LINE__);                              \
            printf("expected true: %s\n", #c);                                \
        }                                                                     \
    } while (0)
#define EXPECT_FALSE(c)                                                       \
    do {                                                                      \
        if (c) {                                                              \
            ck_fail_prefix_(__FILE__, __LINE__);                              \
            printf("expected false: %s\n", #c);                               \
        }                                                                     \
    } while (0)
/** Like EXPECT_TRUE with a printf-style explanation. */
#define EXPECT_MSG(c, ...)                                                    \
    do {                                                                      \
        if (!(c)) {                                                           \
            ck_fail_prefix_(__FILE__, __LINE__);                              \
            printf("expected true: %s: ", #c);                                \
            printf(__VA_ARGS__);                                              \
            putchar('\n');                                                    \
        }                                                                     \
    } while (0)

#define CK_EXPECT_CMP_(T, fmt, a, op, b)                                      \
    do {                                                                      \
        T ck_a_ = (T)(a);                                                     \
        T ck_b_ = (T)(b);                                                     \
        if (!(ck_a_ op ck_b_)) {                                              \
            ck_fail_prefix_(__FILE__, __LINE__);                              \
            printf("expected %s " #op " %s: (" fmt ") " #op " (" fmt ")\n",   \
                   #a, #b, ck_a_, ck_b_);                                     \
        }                                                                     \
    } while (0)

/* size_t */
#define EXPECT_ZU_EQ(a, b) CK_EXPECT_CMP_(size_t, "%zu", a, ==, b)
#define EXPECT_ZU_NE(a, b) CK_EXPECT_CMP_(size_t, "%zu", a, !=, b)
#define EXPECT_ZU_LT(a, b) CK_EXPECT_CMP_(size_t, "%zu", a, <, b)
#define EXPECT_ZU_LE(a, b) CK_EXPECT_CMP_(size_t, "%zu", a, <=, b)
#define EXPECT_ZU_GT(a, b) CK_EXPECT_CMP_(size_t, "%zu", a, >, b)
#define EXPECT_ZU_GE(a, b) CK_EXPECT_CMP_(size_t, "%zu", a, >=, b)
/* uint64_t */
#define EXPECT_U64_EQ(a, b) CK_EXPECT_CMP_(uint64_t, "%" PRIu64, a, ==, b)
#define EXPECT_U64_LE(a, b) CK_EXPECT_CMP_(uint64_t, "%" PRIu64, a, <=, b)
#define EXPECT_U64_GT(a, b) CK_EXPECT_CMP_(uint64_t, "%" PRIu64, a, >, b)
/* int */
#define EXPECT_INT_EQ(a, b) CK_EXPECT_CMP_(long long, "%lld", a, ==, b)
/* pointers */
#define EXPECT_PTR_EQ(a, b) CK_EXPECT_CMP_(const void *, "%p", a, ==, b)
#define EXPECT_PTR_NE(a, b) CK_EXPECT_CMP_(const void *, "%p", a, !=, b)
#define EXPECT_NULL(a) CK_EXPECT_CMP_(const void *, "%p", a, ==, NULL)
#define EXPECT_NOT_NULL(a) CK_EXPECT_CMP_(const void *, "%p", a, !=, NULL)
/** p is aligned to align (a power of two). */
#define EXPECT_ALIGNED(p, align)                                              \
    do {                                                                      \
        uintptr_t ck_p_ = (uintptr_t)(p);                                     \
        size_t ck_al_ = (size_t)(align);                                      \
        if ((ck_p_ & (ck_al_ - 1)) != 0) {                                    \
            ck_fail_prefix_(__FILE__, __LINE__);                              \
            printf("%s = %p is not aligned to %s = %zu\n", #p, (void *)ck_p_, \
                   #align, ck_al_);                                           \
        }                                                                     \
    } while (0)
/* strings */
#define EXPECT_STR_EQ(a, b)                                                   \
    do {                                                                      \
        const char *ck_sa_ = (a), *ck_sb_ = (b);                              \
        if (ck_sa_ == NULL || ck_sb_ == NULL || strcmp(ck_sa_, ck_sb_) != 0) {\
            ck_fail_prefix_(__FILE__, __LINE__);                              \
            printf("expected %s == %s: \"%.80s\" vs \"%.80s\"\n", #a, #b,     \
                   ck_sa_ ? ck_sa_ : "(null)", ck_sb_ ? ck_sb_ : "(null)");   \
        }                                                                     \
    } while (0)

/* ---- requirements: as EXPECT_*, then leave the test function --------- */

#define REQUIRE_TRUE(c)                                                       \
    do {                                                                      \
        if (!(c)) {                                                           \
            ck_fail_prefix_(__FILE__, __LINE__);                              \
            printf("required: %s\n", #c);                                     \
            return;                                                           \
        }                                                                     \
    } while (0)
#define REQUIRE_NOT_NULL(a)                                                   \
    do {                                                                      \
        if ((a) == NULL) {                                                    \
            ck_fail_prefix_(__FILE__, __LINE__);                              \
            printf("required non-NULL: %s\n", #a);                            \
            return;                                                           \
        }                                                                     \
    } while (0)

#endif /* AB_TEST_CHECK_H */
