/* totp.h — RFC 6238 TOTP through liboath: verify a code against a secret at a given time within
 * a window, refusing steps at or before the last used one, and build otpauth:// URIs. Also the
 * OATH-LDAP params (oathHMACAlgorithm OID, length, period, window) with defaults, and the sealing
 * of oathSecret values with a 32-byte key (libsodium secretbox, versioned text encoding).
 * No directory access happens here: the caller stores the returned step. */
#ifndef SENDSEC_TOTP_H
#define SENDSEC_TOTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "result.h"

/* OATH codes, TOTP and HOTP alike: SENDSEC_OTP_DIGITS_MIN to SENDSEC_OTP_DIGITS_MAX decimal digits. */
#define SENDSEC_OTP_DIGITS_MIN 6
#define SENDSEC_OTP_DIGITS_MAX 8
/* True when code is exactly digits decimal digits (false for NULL). */
bool sendsec_otp_code_well_formed(const char *code, unsigned digits);
/* True when the generated candidate is digits long and equal to code (a well-formed code of that
 * length), compared with sodium_memcmp: the time does not depend on where they differ. */
bool sendsec_otp_code_equal(const char *candidate, const char *code, unsigned digits);
/* Starts the verification of code (digits long): readies libsodium and liboath and checks the
 * code's shape. Returns SENDSEC_OK (liboath ready: call oath_done() when finished), SENDSEC_DENIED
 * for a code that is not digits decimal digits, or SENDSEC_UNAVAILABLE when a library fails; on
 * anything but OK liboath is not left initialised. */
enum sendsec_result sendsec_otp_begin(const char *code, unsigned digits) SENDSEC_MUST_CHECK;

enum sendsec_totp_alg { SENDSEC_TOTP_SHA1 = 0, SENDSEC_TOTP_SHA256, SENDSEC_TOTP_SHA512 };

struct sendsec_totp_params {
	enum sendsec_totp_alg alg; /* default SHA1 */
	unsigned digits;           /* 6..8, default 6 */
	unsigned period;           /* seconds, default 30 */
	unsigned window;           /* steps accepted either side of now, default 1 */
};

void sendsec_totp_params_default(struct sendsec_totp_params *p);
/* Maps an RFC 8018 OID (1.2.840.113549.2.7 / .2.9 / .2.11) to an algorithm; false if unknown. */
bool sendsec_totp_alg_from_oid(const char *oid, enum sendsec_totp_alg *out);
const char *sendsec_totp_alg_oid(enum sendsec_totp_alg alg);
const char *sendsec_totp_alg_name(enum sendsec_totp_alg alg); /* "SHA1", "SHA256", "SHA512" */
/* (Both return static strings; NULL only for a value outside the enum.) */

/* Verifies code (digits only, length p->digits) for secret at time now. has_last/last_step: the
 * last step already used (oathTOTPLastTimeStep); a match at or before it is a replay.
 * Returns SENDSEC_OK and *step_out (the matched step, to be stored), SENDSEC_DENIED with
 * *replayed_out true when the code matched only a used step, SENDSEC_DENIED for a wrong code, or
 * SENDSEC_UNAVAILABLE when liboath fails or the params are out of range. */
enum sendsec_result sendsec_totp_verify(const unsigned char *secret, size_t secret_len,
		const struct sendsec_totp_params *p, time_t now, bool has_last, uint64_t last_step, const char *code,
		uint64_t *step_out, bool *replayed_out) SENDSEC_MUST_CHECK;

/* Generates the code for secret at time now into code_out (size >= 9); for tests and enrollment. */
enum sendsec_result sendsec_totp_generate(const unsigned char *secret, size_t secret_len,
		const struct sendsec_totp_params *p, time_t now, char *code_out, size_t len) SENDSEC_MUST_CHECK;

/* Writes "otpauth://totp/ISSUER:ACCOUNT?secret=BASE32&issuer=ISSUER&algorithm=..&digits=..&period=.."
 * (percent-encoded) into a malloc'd *uri_out. The URI carries the secret: free it with secret_free. */
enum sendsec_result sendsec_totp_uri(const char *issuer, const char *account, const unsigned char *secret,
		size_t secret_len, const struct sendsec_totp_params *p, char **uri_out) SENDSEC_MUST_CHECK;

/* The same for an HOTP token: "otpauth://hotp/ISSUER:ACCOUNT?secret=BASE32&issuer=ISSUER&algorithm=SHA1&
 * digits=..&counter=.." where counter is the counter of the token's next code. */
enum sendsec_result sendsec_hotp_uri(const char *issuer, const char *account, const unsigned char *secret,
		size_t secret_len, unsigned digits, uint64_t counter, char **uri_out) SENDSEC_MUST_CHECK;

/* Sealed oathSecret values: "{SEALED1}" base64(nonce || secretbox(secret)). */
#define SENDSEC_TOTP_SECRET_MAX 128
/* Seals secret with key into a malloc'd NUL-terminated *value_out. */
enum sendsec_result sendsec_totp_seal(const unsigned char key[32], const unsigned char *secret, size_t secret_len,
		char **value_out) SENDSEC_MUST_CHECK;
/* True when the stored oathSecret value (len bytes) is sealed in some version ("{SEALED..."),
 * false for a plain secret (raw bytes). */
bool sendsec_totp_is_sealed(const char *value, size_t len);
/* Reads a stored oathSecret value (len bytes): a sealed one is opened with key (NULL key and a
 * sealed value: UNAVAILABLE); a plain one (raw bytes, as OATH-LDAP tools write it) is copied
 * unless allow_plain is false. Writes at most SENDSEC_TOTP_SECRET_MAX bytes to secret_out and
 * the length to *secret_len_out. Returns SENDSEC_OK or SENDSEC_UNAVAILABLE (malformed, tampered,
 * wrong key, plain refused). The caller wipes secret_out. */
enum sendsec_result sendsec_totp_unseal(const unsigned char *key, bool allow_plain, const char *value, size_t len,
		unsigned char *secret_out, size_t *secret_len_out) SENDSEC_MUST_CHECK;

#endif
