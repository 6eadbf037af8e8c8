/* hotp.h — RFC 4226 HOTP through liboath: verify a code within the look-ahead window after the
 * last used counter, tell a code behind the counter (a replay) from a wrong one, and find two
 * consecutive codes further ahead (resynchronisation of a hardware token pressed away from a
 * login). The counter follows slapo-otp's oathHOTPCounter: the counter of the last code accepted;
 * none stored means no code was used yet. No directory access happens here: the caller stores
 * the returned counter. */
#ifndef SENDSEC_HOTP_H
#define SENDSEC_HOTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "result.h"

#define SENDSEC_HOTP_LOOKAHEAD_MAX     100    /* largest oathHOTPLookAhead accepted */
#define SENDSEC_HOTP_LOOKAHEAD_DEFAULT 10     /* without a params entry, and for new ones */
#define SENDSEC_HOTP_RESYNC_MAX        100000 /* largest resynchronisation window */
#define SENDSEC_HOTP_COUNTER_MAX       ((uint64_t)INT64_MAX)

struct sendsec_hotp_params {
	unsigned digits;    /* 6..8, default 6 */
	unsigned lookahead; /* codes that may be skipped, 0..SENDSEC_HOTP_LOOKAHEAD_MAX, default 10 */
};

void sendsec_hotp_params_default(struct sendsec_hotp_params *p);
/* True when p is within the ranges above. */
bool sendsec_hotp_params_valid(const struct sendsec_hotp_params *p);

/* Verifies code (digits only, length p->digits) against the counters first .. first + lookahead,
 * where first is last + 1 (has_last) or 0. Every counter of the window is generated and compared
 * (sodium_memcmp), matched or not. Returns OK and *counter_out (the matched counter, to be stored
 * as the new oathHOTPCounter), DENIED for a code that matches none (*replayed_out true when it
 * matches one of the lookahead + 1 counters at or behind last), or UNAVAILABLE when liboath fails,
 * the params are out of range or the counter cannot move further. */
enum sendsec_result sendsec_hotp_verify(const unsigned char *secret, size_t secret_len,
		const struct sendsec_hotp_params *p, bool has_last, uint64_t last, const char *code,
		uint64_t *counter_out, bool *replayed_out) SENDSEC_MUST_CHECK;

/* Finds the first counter c in first .. first + window - 1 (first as above; window 2 ..
 * SENDSEC_HOTP_RESYNC_MAX) whose code is code1 and whose successor's code is code2. Returns OK
 * and *counter_out = c + 1 (the last counter now used), DENIED when no such pair lies in the
 * window, or UNAVAILABLE on bad arguments or a liboath failure. */
enum sendsec_result sendsec_hotp_resync(const unsigned char *secret, size_t secret_len, unsigned digits, bool has_last,
		uint64_t last, unsigned window, const char *code1, const char *code2,
		uint64_t *counter_out) SENDSEC_MUST_CHECK;

#endif
