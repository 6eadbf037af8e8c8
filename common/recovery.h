/* recovery.h — single-use recovery codes: "xxxx-xxxx-xxxx-xxxx", 16 characters of lower-case
 * RFC 4648 base32 (80 random bits). The first four characters are the code's index, stored in
 * clear in its sendsecRecoveryCode value "<index>$<argon2id hash of all 16 characters>", so a
 * login verifies exactly one hash. No directory access happens here. */
#ifndef SENDSEC_RECOVERY_H
#define SENDSEC_RECOVERY_H

#include <stdbool.h>
#include <stddef.h>

#include "dir.h"
#include "result.h"

#define SENDSEC_RECOVERY_INDEX_LEN   4
#define SENDSEC_RECOVERY_NORM_LEN    16 /* characters without dashes */
#define SENDSEC_RECOVERY_PRINTED_LEN 19 /* "xxxx-xxxx-xxxx-xxxx" */
#define SENDSEC_RECOVERY_STORED_MAX  (SENDSEC_RECOVERY_INDEX_LEN + 1 + 192)

/* Normalises a typed code (case-insensitive, '-' and ' ' ignored) into out (17 bytes: 16
 * characters and NUL). False when it is not a recovery code; out is then wiped. */
bool sendsec_recovery_normalize(const char *code, char out[SENDSEC_RECOVERY_NORM_LEN + 1]);

/* The length of a recovery code in its printed form (with dashes) at the end of s, or 0. Used to
 * split an appended code: a TOTP code (digits only) can never match this form. */
size_t sendsec_recovery_tail(const char *s);

/* Draws a fresh code: printed_out (20 bytes) "xxxx-xxxx-xxxx-xxxx", norm_out (17 bytes) the
 * same without dashes. The caller wipes both. */
void sendsec_recovery_generate(
		char printed_out[SENDSEC_RECOVERY_PRINTED_LEN + 1], char norm_out[SENDSEC_RECOVERY_NORM_LEN + 1]);

/* Writes the stored value "<index>$<{ARGON2} hash>" of a normalised code into out (at least
 * SENDSEC_RECOVERY_STORED_MAX bytes). OK or UNAVAILABLE. */
enum sendsec_result sendsec_recovery_store(const char *norm, unsigned long long opslimit, size_t memlimit_kib,
		char *out, size_t outlen) SENDSEC_MUST_CHECK;

/* The stored value among vals (n) whose index is norm's, or NULL. Indexes are public. */
const struct sendsec_val *sendsec_recovery_find(const struct sendsec_val *vals, size_t n, const char *norm);

/* Verifies norm against one stored value: OK, DENIED (no match) or UNAVAILABLE (malformed value). */
enum sendsec_result sendsec_recovery_verify(const struct sendsec_val *stored, const char *norm,
		unsigned long long opslimit, size_t memlimit_kib) SENDSEC_MUST_CHECK;

#endif
