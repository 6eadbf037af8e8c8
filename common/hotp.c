/* hotp.c — RFC 4226 HOTP on top of liboath's oath_hotp_validate_callback: liboath generates each
 * candidate code and hands it to our comparison (sodium_memcmp; liboath's own validator uses
 * strcmp), which records the first match and answers "no match" so that liboath walks the whole
 * window whatever matched. Buffers that held a code are wiped. */
#include "hotp.h"

#include <liboath/oath.h>
#include <sodium.h>
#include <string.h>

#include "totp.h"

void sendsec_hotp_params_default(struct sendsec_hotp_params *p)
{
	p->digits = 6;
	p->lookahead = SENDSEC_HOTP_LOOKAHEAD_DEFAULT;
}

bool sendsec_hotp_params_valid(const struct sendsec_hotp_params *p)
{
	return p != NULL && p->digits >= SENDSEC_OTP_DIGITS_MIN && p->digits <= SENDSEC_OTP_DIGITS_MAX &&
			p->lookahead <= SENDSEC_HOTP_LOOKAHEAD_MAX;
}

/* One walk over a window: the code looked for, how many candidates liboath has shown so far,
 * and the offset of the first that matched. */
struct walk {
	const char *code;
	unsigned digits;
	uint64_t seen;
	bool is_matched;
	uint64_t matched; /* offset from the window's first counter */
};

static int compare_all(void *handle, const char *candidate)
{
	struct walk *w = handle;
	bool is_equal = sendsec_otp_code_equal(candidate, w->code, w->digits);

	if (is_equal && !w->is_matched) {
		w->is_matched = true;
		w->matched = w->seen;
	}
	w->seen++;
	return 1; /* "no match": liboath goes on to the end of the window */
}

/* Walks counters first .. first + window with liboath; false on a liboath failure. */
static bool walk_window(const unsigned char *secret, size_t secret_len, uint64_t first, size_t window, struct walk *w)
{
	int rc = oath_hotp_validate_callback(
			(const char *)secret, secret_len, first, window, w->digits, compare_all, w);

	return rc == OATH_INVALID_OTP && w->seen == window + 1;
}

enum sendsec_result sendsec_hotp_verify(const unsigned char *secret, size_t secret_len,
		const struct sendsec_hotp_params *p, bool has_last, uint64_t last, const char *code,
		uint64_t *counter_out, bool *replayed_out)
{
	struct walk ahead = {0}, behind = {0};
	uint64_t first, back;
	enum sendsec_result rc = SENDSEC_UNAVAILABLE;
	bool have_oath = false;

	if (replayed_out != NULL)
		*replayed_out = false;
	if (counter_out != NULL)
		*counter_out = 0;
	if (secret == NULL || secret_len == 0 || !sendsec_hotp_params_valid(p) || counter_out == NULL ||
			replayed_out == NULL || (has_last && last >= SENDSEC_HOTP_COUNTER_MAX - p->lookahead - 1))
		goto out;
	if ((rc = sendsec_otp_begin(code, p->digits)) != SENDSEC_OK)
		goto out;
	have_oath = true;
	rc = SENDSEC_DENIED;
	first = has_last ? last + 1 : 0;
	ahead = (struct walk){.code = code, .digits = p->digits};
	if (!walk_window(secret, secret_len, first, p->lookahead, &ahead)) {
		rc = SENDSEC_UNAVAILABLE;
		goto out;
	}
	if (ahead.is_matched) {
		*counter_out = first + ahead.matched;
		rc = SENDSEC_OK;
		goto out;
	}
	if (has_last) {
		/* Only to name the refusal: a code already used is a replay, not a typo. */
		back = last >= p->lookahead ? last - p->lookahead : 0;
		behind = (struct walk){.code = code, .digits = p->digits};
		if (!walk_window(secret, secret_len, back, (size_t)(last - back), &behind)) {
			rc = SENDSEC_UNAVAILABLE;
			goto out;
		}
		*replayed_out = behind.is_matched;
	}
out:
	if (have_oath)
		oath_done();
	return rc;
}

/* A walk looking for code1 immediately followed by code2. */
struct pair {
	const char *code1, *code2;
	unsigned digits;
	uint64_t seen;
	bool is_prev_code1, is_found;
	uint64_t found; /* offset of code2's counter */
};

static int compare_pair(void *handle, const char *candidate)
{
	struct pair *w = handle;
	bool is_code2 = sendsec_otp_code_equal(candidate, w->code2, w->digits);
	bool is_code1 = sendsec_otp_code_equal(candidate, w->code1, w->digits);

	if (w->is_prev_code1 && is_code2 && !w->is_found) {
		w->is_found = true;
		w->found = w->seen;
	}
	w->is_prev_code1 = is_code1;
	w->seen++;
	return w->is_found ? 0 : 1; /* an admin command: stop at the first pair */
}

enum sendsec_result sendsec_hotp_resync(const unsigned char *secret, size_t secret_len, unsigned digits, bool has_last,
		uint64_t last, unsigned window, const char *code1, const char *code2, uint64_t *counter_out)
{
	struct pair w = {0};
	uint64_t first;
	enum sendsec_result rc = SENDSEC_UNAVAILABLE;
	bool have_oath = false;
	int lrc;

	if (counter_out != NULL)
		*counter_out = 0;
	if (secret == NULL || secret_len == 0 || digits < SENDSEC_OTP_DIGITS_MIN || digits > SENDSEC_OTP_DIGITS_MAX ||
			window < 2 || window > SENDSEC_HOTP_RESYNC_MAX || counter_out == NULL ||
			(has_last && last >= SENDSEC_HOTP_COUNTER_MAX - window - 1))
		goto out;
	if ((rc = sendsec_otp_begin(code1, digits)) != SENDSEC_OK)
		goto out;
	have_oath = true;
	rc = SENDSEC_DENIED;
	if (!sendsec_otp_code_well_formed(code2, digits))
		goto out;
	first = has_last ? last + 1 : 0;
	w = (struct pair){.code1 = code1, .code2 = code2, .digits = digits};
	/* code1 may sit at first .. first + window - 1, so code2 at up to first + window. */
	lrc = oath_hotp_validate_callback((const char *)secret, secret_len, first, window, digits, compare_pair, &w);
	if (w.is_found) {
		*counter_out = first + w.found;
		rc = SENDSEC_OK;
	} else if (lrc != OATH_INVALID_OTP) {
		rc = SENDSEC_UNAVAILABLE;
	}
out:
	if (have_oath)
		oath_done();
	return rc;
}
