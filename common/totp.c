/* totp.c — RFC 6238 TOTP on top of liboath: every candidate code in the window is generated here
 * and compared with sodium_memcmp (liboath's own validators compare with strcmp), the step rules
 * for replay, otpauth:// URIs, and "{SEALED1}" oathSecret values (libsodium secretbox).
 * Every buffer that held a secret or a code is wiped before it goes out of scope. */
#include "totp.h"

#include <inttypes.h>
#include <liboath/oath.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "secret.h"

#define SEALED_TAG     "{SEALED1}"
#define SEALED_TAG_LEN (sizeof(SEALED_TAG) - 1)
/* Any value starting with this is sealed in some version: never read as a plain secret. */
#define SEALED_FAMILY     "{SEALED"
#define SEALED_FAMILY_LEN (sizeof(SEALED_FAMILY) - 1)
#define SEALED_BIN_MAX    (crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + SENDSEC_TOTP_SECRET_MAX)

#define PERIOD_MAX 3600
#define WINDOW_MAX 10
#define CODE_BUF   (SENDSEC_OTP_DIGITS_MAX + 1)

static const struct {
	const char *oid;
	const char *name;
	int oath_flags;
} algs[] = {
		[SENDSEC_TOTP_SHA1] = {"1.2.840.113549.2.7", "SHA1", 0},
		[SENDSEC_TOTP_SHA256] = {"1.2.840.113549.2.9", "SHA256", OATH_TOTP_HMAC_SHA256},
		[SENDSEC_TOTP_SHA512] = {"1.2.840.113549.2.11", "SHA512", OATH_TOTP_HMAC_SHA512},
};
#define ALG_COUNT (sizeof(algs) / sizeof(algs[0]))

void sendsec_totp_params_default(struct sendsec_totp_params *p)
{
	p->alg = SENDSEC_TOTP_SHA1;
	p->digits = 6;
	p->period = 30;
	p->window = 1;
}

bool sendsec_totp_alg_from_oid(const char *oid, enum sendsec_totp_alg *out)
{
	if (oid == NULL)
		return false;
	for (size_t i = 0; i < ALG_COUNT; i++) {
		if (strcmp(oid, algs[i].oid) == 0) {
			*out = (enum sendsec_totp_alg)i;
			return true;
		}
	}
	return false;
}

static bool alg_valid(enum sendsec_totp_alg alg)
{
	return (unsigned)alg < ALG_COUNT;
}

const char *sendsec_totp_alg_oid(enum sendsec_totp_alg alg)
{
	return alg_valid(alg) ? algs[alg].oid : NULL;
}

const char *sendsec_totp_alg_name(enum sendsec_totp_alg alg)
{
	return alg_valid(alg) ? algs[alg].name : NULL;
}

static bool params_valid(const struct sendsec_totp_params *p)
{
	return p != NULL && alg_valid(p->alg) && p->digits >= SENDSEC_OTP_DIGITS_MIN &&
			p->digits <= SENDSEC_OTP_DIGITS_MAX && p->period >= 1 && p->period <= PERIOD_MAX &&
			p->window <= WINDOW_MAX;
}

/* Writes the code of time step `step` into code_out (CODE_BUF bytes); false on any failure.
 * The caller holds an oath_init reference. */
static bool code_at_step(const unsigned char *secret, size_t secret_len, const struct sendsec_totp_params *p,
		uint64_t step, char code_out[CODE_BUF])
{
	/* liboath takes a time, not a step: the step's first second maps back to exactly that step. */
	if (step > (uint64_t)INT64_MAX / p->period)
		return false;
	return oath_totp_generate2((const char *)secret, secret_len, (time_t)(step * p->period), p->period,
			       OATH_TOTP_DEFAULT_START_TIME, p->digits, algs[p->alg].oath_flags, code_out) == OATH_OK &&
			strlen(code_out) == p->digits;
}

bool sendsec_otp_code_well_formed(const char *code, unsigned digits)
{
	if (code == NULL || strnlen(code, digits + 1) != digits)
		return false;
	for (unsigned i = 0; i < digits; i++)
		if (code[i] < '0' || code[i] > '9')
			return false;
	return true;
}

enum sendsec_result sendsec_otp_begin(const char *code, unsigned digits)
{
	if (sodium_init() < 0 || oath_init() != OATH_OK)
		return SENDSEC_UNAVAILABLE;
	if (!sendsec_otp_code_well_formed(code, digits)) {
		oath_done();
		return SENDSEC_DENIED;
	}
	return SENDSEC_OK;
}

bool sendsec_otp_code_equal(const char *candidate, const char *code, unsigned digits)
{
	return strnlen(candidate, digits + 1) == digits && sodium_memcmp(candidate, code, digits) == 0;
}

enum sendsec_result sendsec_totp_verify(const unsigned char *secret, size_t secret_len,
		const struct sendsec_totp_params *p, time_t now, bool has_last, uint64_t last_step, const char *code,
		uint64_t *step_out, bool *replayed_out)
{
	enum sendsec_result rc = SENDSEC_UNAVAILABLE;
	char candidate[CODE_BUF] = {0};
	uint64_t now_step, lo, hi, matched = 0;
	bool is_matched = false, is_replayed = false, have_oath = false;

	if (replayed_out != NULL)
		*replayed_out = false;
	if (step_out != NULL)
		*step_out = 0;
	if (secret == NULL || secret_len == 0 || !params_valid(p) || now < 0 || code == NULL || step_out == NULL)
		goto out;
	if ((rc = sendsec_otp_begin(code, p->digits)) != SENDSEC_OK)
		goto out;
	have_oath = true;
	rc = SENDSEC_DENIED;

	now_step = (uint64_t)now / p->period;
	lo = now_step >= p->window ? now_step - p->window : 0;
	hi = now_step + p->window;
	/* Every step of the window is generated and compared, whatever matched before, so the time
	 * taken does not depend on where (or whether) the code matched. */
	for (uint64_t step = lo; step <= hi; step++) {
		bool is_equal;

		if (!code_at_step(secret, secret_len, p, step, candidate)) {
			rc = SENDSEC_UNAVAILABLE;
			goto out;
		}
		is_equal = sendsec_otp_code_equal(candidate, code, p->digits);
		if (is_equal && has_last && step <= last_step) {
			is_replayed = true;
		} else if (is_equal && !is_matched) {
			/* The earliest unused match wins: it blocks the fewest later codes. */
			is_matched = true;
			matched = step;
		}
	}
	if (is_matched) {
		*step_out = matched;
		rc = SENDSEC_OK;
	} else if (is_replayed && replayed_out != NULL) {
		*replayed_out = true;
	}
out:
	sodium_memzero(candidate, sizeof(candidate));
	if (have_oath)
		oath_done();
	return rc;
}

enum sendsec_result sendsec_totp_generate(const unsigned char *secret, size_t secret_len,
		const struct sendsec_totp_params *p, time_t now, char *code_out, size_t len)
{
	enum sendsec_result rc = SENDSEC_UNAVAILABLE;
	char code[CODE_BUF] = {0};
	bool have_oath = false;

	if (code_out != NULL && len > 0)
		code_out[0] = '\0';
	if (secret == NULL || secret_len == 0 || !params_valid(p) || now < 0 || code_out == NULL || len <= p->digits)
		goto out;
	if (oath_init() != OATH_OK)
		goto out;
	have_oath = true;
	if (!code_at_step(secret, secret_len, p, (uint64_t)now / p->period, code))
		goto out;
	memcpy(code_out, code, p->digits + 1);
	rc = SENDSEC_OK;
out:
	sodium_memzero(code, sizeof(code));
	if (have_oath)
		oath_done();
	return rc;
}

static bool unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
			c == '_' || c == '~';
}

/* Appends s percent-encoded (RFC 3986: all but unreserved) at *pos; the caller sized buf. */
static void put_encoded(char *buf, size_t *pos, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (const unsigned char *c = (const unsigned char *)s; *c != '\0'; c++) {
		if (unreserved(*c)) {
			buf[(*pos)++] = (char)*c;
		} else {
			buf[(*pos)++] = '%';
			buf[(*pos)++] = hex[*c >> 4];
			buf[(*pos)++] = hex[*c & 15];
		}
	}
}

static void put_str(char *buf, size_t *pos, const char *s)
{
	size_t n = strlen(s);

	memcpy(buf + *pos, s, n);
	*pos += n;
}

/* "otpauth://<type>/ISSUER:ACCOUNT?secret=BASE32&issuer=ISSUER<tail>" into a malloc'd *uri_out. */
static enum sendsec_result otp_uri(const char *type, const char *issuer, const char *account,
		const unsigned char *secret, size_t secret_len, const char *tail, char **uri_out)
{
	enum sendsec_result rc = SENDSEC_UNAVAILABLE;
	char *b32 = NULL, *uri = NULL;
	size_t b32_len = 0, b32_size = 0, cap = 0, pos = 0;
	bool has_issuer;

	if (uri_out != NULL)
		*uri_out = NULL;
	if (account == NULL || *account == '\0' || secret == NULL || secret_len == 0 ||
			secret_len > SENDSEC_TOTP_SECRET_MAX || uri_out == NULL)
		goto out;
	has_issuer = issuer != NULL && *issuer != '\0';

	/* liboath's RFC 4648 base32 (malloc'd, padded with '='); the URI carries it without padding. */
	if (oath_base32_encode((const char *)secret, secret_len, &b32, &b32_len) != OATH_OK || b32 == NULL)
		goto out;
	b32_size = b32_len + 1;
	b32[strcspn(b32, "=")] = '\0';

	/* Each encoded character takes at most three bytes; the issuer appears twice. */
	cap = sizeof("otpauth:///:?secret=&issuer=") + strlen(type) + 3 * strlen(account) + b32_size + strlen(tail);
	if (has_issuer)
		cap += 6 * strlen(issuer);
	if ((uri = malloc(cap)) == NULL)
		goto out;
	put_str(uri, &pos, "otpauth://");
	put_str(uri, &pos, type);
	put_str(uri, &pos, "/");
	if (has_issuer) {
		put_encoded(uri, &pos, issuer);
		put_str(uri, &pos, ":");
	}
	put_encoded(uri, &pos, account);
	put_str(uri, &pos, "?secret=");
	put_str(uri, &pos, b32);
	if (has_issuer) {
		put_str(uri, &pos, "&issuer=");
		put_encoded(uri, &pos, issuer);
	}
	put_str(uri, &pos, tail);
	uri[pos] = '\0';
	*uri_out = uri;
	uri = NULL;
	rc = SENDSEC_OK;
out:
	secret_free_n(uri, cap);
	secret_free_n(b32, b32_size);
	return rc;
}

enum sendsec_result sendsec_totp_uri(const char *issuer, const char *account, const unsigned char *secret,
		size_t secret_len, const struct sendsec_totp_params *p, char **uri_out)
{
	char tail[64];

	if (uri_out != NULL)
		*uri_out = NULL;
	if (!params_valid(p) ||
			snprintf(tail, sizeof(tail), "&algorithm=%s&digits=%u&period=%u", algs[p->alg].name, p->digits,
					p->period) >= (int)sizeof(tail))
		return SENDSEC_UNAVAILABLE;
	return otp_uri("totp", issuer, account, secret, secret_len, tail, uri_out);
}

enum sendsec_result sendsec_hotp_uri(const char *issuer, const char *account, const unsigned char *secret,
		size_t secret_len, unsigned digits, uint64_t counter, char **uri_out)
{
	char tail[80];

	if (uri_out != NULL)
		*uri_out = NULL;
	if (digits < SENDSEC_OTP_DIGITS_MIN || digits > SENDSEC_OTP_DIGITS_MAX ||
			snprintf(tail, sizeof(tail), "&algorithm=SHA1&digits=%u&counter=%" PRIu64, digits, counter) >=
					(int)sizeof(tail))
		return SENDSEC_UNAVAILABLE;
	return otp_uri("hotp", issuer, account, secret, secret_len, tail, uri_out);
}

enum sendsec_result sendsec_totp_seal(
		const unsigned char key[32], const unsigned char *secret, size_t secret_len, char **value_out)
{
	enum sendsec_result rc = SENDSEC_UNAVAILABLE;
	unsigned char bin[SEALED_BIN_MAX];
	size_t bin_len = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + secret_len;
	size_t b64_size = 0;
	char *value = NULL;

	if (value_out != NULL)
		*value_out = NULL;
	if (key == NULL || secret == NULL || secret_len == 0 || secret_len > SENDSEC_TOTP_SECRET_MAX ||
			value_out == NULL)
		goto out;
	if (sodium_init() < 0)
		goto out;

	randombytes_buf(bin, crypto_secretbox_NONCEBYTES);
	if (crypto_secretbox_easy(bin + crypto_secretbox_NONCEBYTES, secret, secret_len, bin, key) != 0)
		goto out;
	b64_size = sodium_base64_ENCODED_LEN(bin_len, sodium_base64_VARIANT_ORIGINAL);
	if ((value = malloc(SEALED_TAG_LEN + b64_size)) == NULL)
		goto out;
	memcpy(value, SEALED_TAG, SEALED_TAG_LEN);
	sodium_bin2base64(value + SEALED_TAG_LEN, b64_size, bin, bin_len, sodium_base64_VARIANT_ORIGINAL);
	*value_out = value;
	rc = SENDSEC_OK;
out:
	sodium_memzero(bin, sizeof(bin));
	return rc;
}

bool sendsec_totp_is_sealed(const char *value, size_t len)
{
	return value != NULL && len >= SEALED_FAMILY_LEN && memcmp(value, SEALED_FAMILY, SEALED_FAMILY_LEN) == 0;
}

enum sendsec_result sendsec_totp_unseal(const unsigned char *key, bool allow_plain, const char *value, size_t len,
		unsigned char *secret_out, size_t *secret_len_out)
{
	enum sendsec_result rc = SENDSEC_UNAVAILABLE;
	unsigned char bin[SEALED_BIN_MAX];
	unsigned char plain[SENDSEC_TOTP_SECRET_MAX];
	const char *b64, *b64_end = NULL;
	size_t b64_len, bin_len = 0, plain_len;

	if (secret_len_out != NULL)
		*secret_len_out = 0;
	if (value == NULL || len == 0 || secret_out == NULL || secret_len_out == NULL)
		goto out;

	if (!sendsec_totp_is_sealed(value, len)) {
		/* A plain secret: the raw bytes of oathSecret. */
		if (!allow_plain || len > SENDSEC_TOTP_SECRET_MAX)
			goto out;
		memcpy(secret_out, value, len);
		*secret_len_out = len;
		rc = SENDSEC_OK;
		goto out;
	}
	/* "{SEALED" but not version 1 is a format we cannot read, not a plain secret. */
	if (len < SEALED_TAG_LEN || memcmp(value, SEALED_TAG, SEALED_TAG_LEN) != 0 || key == NULL)
		goto out;
	if (sodium_init() < 0)
		goto out;
	b64 = value + SEALED_TAG_LEN;
	b64_len = len - SEALED_TAG_LEN;
	if (sodium_base642bin(bin, sizeof(bin), b64, b64_len, NULL, &bin_len, &b64_end,
			    sodium_base64_VARIANT_ORIGINAL) != 0 ||
			b64_end != b64 + b64_len)
		goto out;
	if (bin_len <= crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
		goto out;
	plain_len = bin_len - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
	if (crypto_secretbox_open_easy(plain, bin + crypto_secretbox_NONCEBYTES, bin_len - crypto_secretbox_NONCEBYTES,
			    bin, key) != 0)
		goto out;
	memcpy(secret_out, plain, plain_len);
	*secret_len_out = plain_len;
	rc = SENDSEC_OK;
out:
	sodium_memzero(plain, sizeof(plain));
	sodium_memzero(bin, sizeof(bin));
	return rc;
}
