/* check.h — the unit tests' assertions: CHECK(cond) reports file:line and counts; each test file
 * ends with "return check_report(argv[0]);" which prints a summary and exits 1 on any failure. */
#ifndef SENDSEC_CHECK_H
#define SENDSEC_CHECK_H

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

#define CHECK_STR(a, b) CHECK((a) != NULL && strcmp((a), (b)) == 0)

/* CHECK(a == b) for integers and enums, printing both values when they differ. */
#define CHECK_INT(a, b)                                                                                                \
	do {                                                                                                           \
		long long check_a_ = (long long)(a), check_b_ = (long long)(b);                                        \
		check_count++;                                                                                         \
		if (check_a_ != check_b_) {                                                                            \
			fprintf(stderr, "%s:%d: CHECK failed: %s == %s (%lld != %lld)\n", __FILE__, __LINE__, #a, #b,  \
					check_a_, check_b_);                                                           \
			check_failures++;                                                                              \
		}                                                                                                      \
	} while (0)

static inline int check_report(const char *name)
{
	printf("%s: %d checks, %d failed\n", name, check_count, check_failures);
	return check_failures == 0 ? 0 : 1;
}

#endif
