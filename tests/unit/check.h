/* check.h — the tests' assertions. Each counts one check; a failed one reports file:line and the
 * expression, and the comparing forms print both values:
 *   CHECK(cond)            any condition (prints the expression only)
 *   CHECK_EQ_INT(a, b)     integers, compared and printed as long long
 *   CHECK_STR(a, b)        strings (NULL prints as "(null)"); never hand it a secret
 *   CHECK_RESULT(a, b)     enum sendsec_result, printed by name (include result.h first)
 * Each test file ends with "return check_report(argv[0]);" which prints a summary and exits 1 on
 * any failure. */
#ifndef SENDSEC_CHECK_H
#define SENDSEC_CHECK_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int check_failures;
static int check_count;

#define CHECK(cond)                                                                                                    \
	do {                                                                                                           \
		check_count++;                                                                                         \
		if (!(cond)) {                                                                                         \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);                       \
			check_failures++;                                                                              \
		}                                                                                                      \
	} while (0)

static inline void check_eq_int(
		const char *file, int line, const char *a_expr, const char *b_expr, long long a, long long b)
{
	check_count++;
	if (a == b)
		return;
	fprintf(stderr, "%s:%d: CHECK failed: %s == %s\n  left:  %lld\n  right: %lld\n", file, line, a_expr, b_expr, a,
			b);
	check_failures++;
}

static inline void check_str(
		const char *file, int line, const char *a_expr, const char *b_expr, const char *a, const char *b)
{
	check_count++;
	if (a != NULL && b != NULL && strcmp(a, b) == 0)
		return;
	fprintf(stderr, "%s:%d: CHECK failed: %s == %s\n  left:  \"%s\"\n  right: \"%s\"\n", file, line, a_expr, b_expr,
			a != NULL ? a : "(null)", b != NULL ? b : "(null)");
	check_failures++;
}

#define CHECK_EQ_INT(a, b) check_eq_int(__FILE__, __LINE__, #a, #b, (long long)(a), (long long)(b))
#define CHECK_STR(a, b)    check_str(__FILE__, __LINE__, #a, #b, (a), (b))
#define CHECK_RESULT(a, b)                                                                                             \
	do {                                                                                                           \
		enum sendsec_result check_a_ = (a), check_b_ = (b);                                                    \
                                                                                                                       \
		check_count++;                                                                                         \
		if (check_a_ != check_b_) {                                                                            \
			fprintf(stderr, "%s:%d: CHECK failed: %s == %s\n  left:  %s\n  right: %s\n", __FILE__,         \
					__LINE__, #a, #b, sendsec_result_name(check_a_),                               \
					sendsec_result_name(check_b_));                                                \
			check_failures++;                                                                              \
		}                                                                                                      \
	} while (0)

static inline int check_report(const char *name)
{
	printf("%s: %d checks, %d failed\n", name, check_count, check_failures);
	return check_failures == 0 ? 0 : 1;
}

#endif
