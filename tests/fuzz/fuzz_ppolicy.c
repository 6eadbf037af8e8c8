/* fuzz_ppolicy.c — feeds arbitrary bytes to ppolicy's lock rule (policy.h): the input is a
 * pwdAccountLockedTime value, a newline, a pwdLockoutDuration value, a newline and a clock (the
 * rest, as decimal digits; none: the lock time itself). A duration that parses formats back to
 * the same bytes and lies in 0..2147483647; the decision never opens the administrative lock or a
 * lock it cannot read, opens a readable one only once its duration (above 0) has passed, and a
 * held lock with an end ends after now. Aborts on a violated property. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "timeutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data, *nl1 = memchr(text, '\n', size), *dur, *nl2, *clk;
	size_t lock_len, dur_len, clk_len;
	long long duration = -1, now_ll = 0;
	char back[32];
	time_t when = 0, now, until;
	bool readable;
	enum sendsec_ppolicy_lock lock;

	lock_len = nl1 != NULL ? (size_t)(nl1 - text) : size;
	dur = nl1 != NULL ? nl1 + 1 : text + size;
	nl2 = memchr(dur, '\n', (size_t)(text + size - dur));
	dur_len = nl2 != NULL ? (size_t)(nl2 - dur) : (size_t)(text + size - dur);
	clk = nl2 != NULL ? nl2 + 1 : text + size;
	clk_len = (size_t)(text + size - clk);
	if (sendsec_ppolicy_duration_parse(dur, dur_len, &duration)) {
		snprintf(back, sizeof(back), "%lld", duration);
		if (duration < 0 || duration > 2147483647LL || strlen(back) != dur_len ||
				memcmp(back, dur, dur_len) != 0)
			abort();
	} else {
		duration = -1;
	}
	readable = memchr(text, '\0', lock_len) == NULL && sendsec_time_parse_generalized(text, lock_len, &when);
	for (size_t i = 0; i < clk_len && i < 12 && clk[i] >= '0' && clk[i] <= '9'; i++)
		now_ll = now_ll * 10 + (clk[i] - '0');
	now = clk_len > 0 ? (time_t)now_ll : when;
	lock = sendsec_ppolicy_decide(text, lock_len, duration, now, &until);
	if (lock_len == 13 && memcmp(text, "000001010000Z", 13) == 0) {
		if (lock != SENDSEC_PPOLICY_ADMIN)
			abort();
		return 0;
	}
	if (lock == SENDSEC_PPOLICY_ADMIN || (lock == SENDSEC_PPOLICY_UNKNOWN) == readable)
		abort();
	if (lock == SENDSEC_PPOLICY_OPEN && (duration <= 0 || (long long)now < (long long)when + duration))
		abort();
	if (lock == SENDSEC_PPOLICY_HELD && until != 0 && until <= now)
		abort();
	if (lock == SENDSEC_PPOLICY_HELD && duration > 0 && (long long)now >= (long long)when + duration)
		abort();
	return 0;
}
