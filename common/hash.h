/* hash.h — password hash schemes, as a registry: verify a password against a stored RFC 2307
 * value ({ARGON2}, bare $argon2id$/$argon2i$, {CRYPT} yescrypt/sha512-crypt/bcrypt, {SSHA},
 * {SSHA256}, {SSHA512}) and make new argon2id hashes. Comparison is constant time. A malformed
 * stored value, an unknown scheme or a cost above the caps (hash.c; sendsec.conf(5)) is
 * SENDSEC_UNAVAILABLE, never a wrong password. */
#ifndef SENDSEC_HASH_H
#define SENDSEC_HASH_H

#include <stdbool.h>
#include <stddef.h>

#include "result.h"

/* Verifies password against stored (len bytes, not necessarily NUL-terminated). Returns
 * SENDSEC_OK on a match, SENDSEC_DENIED on a mismatch, SENDSEC_UNAVAILABLE when stored is
 * malformed, of an unknown scheme or asks for more than the caps (argon2 m over
 * max(4 * memlimit_kib, 256 MiB), t over max(opslimit, 10), p over 16; sha512-crypt rounds over
 * 1000000; bcrypt cost over 14; yescrypt over the argon2 m cap), checked before any computation,
 * or when the hash could not get its memory; then *scheme_out (static string, may be NULL) names the
 * scheme as far as it could be read ("ARGON2", "CRYPT", "SSHA", "unknown") for the log line.
 * *needs_rehash_out (may be NULL) is set true on OK when the stored hash is not argon2id at
 * least at the given cost. */
enum sendsec_result sendsec_hash_verify(const char *stored, size_t len, const char *password,
		unsigned long long opslimit, size_t memlimit_kib, const char **scheme_out,
		bool *needs_rehash_out) SENDSEC_MUST_CHECK;

/* What a verification computed from the password tried, for the lockout record's tag
 * (policy.c): BLAKE2b-256 of the raw argon2 output for the stored salt and cost, of crypt()'s
 * answer, or of the salted SHA digest. Only whoever computes the stored scheme for that password
 * can reproduce it. Wipe it after use. */
struct sendsec_hash_digest {
	unsigned char bytes[32];
	bool is_set; /* false when none was computed: argon2 with p > 1, a salt not of 16 bytes, or a
	              * cost libsodium's raw interface refuses (the string verifier is used then) */
};
/* sendsec_hash_verify, which also fills *digest_out on OK or DENIED (is_set false otherwise). */
enum sendsec_result sendsec_hash_verify_digest(const char *stored, size_t len, const char *password,
		unsigned long long opslimit, size_t memlimit_kib, const char **scheme_out, bool *needs_rehash_out,
		struct sendsec_hash_digest *digest_out) SENDSEC_MUST_CHECK;

/* Makes "{ARGON2}$argon2id$v=19$m=...,t=...,p=1$salt$hash" for password into out (size outlen,
 * at least SENDSEC_HASH_MAX). Returns SENDSEC_OK or SENDSEC_UNAVAILABLE (out of memory). */
#define SENDSEC_HASH_MAX 192
enum sendsec_result sendsec_hash_make(const char *password, unsigned long long opslimit, size_t memlimit_kib, char *out,
		size_t outlen) SENDSEC_MUST_CHECK;

/* Verifies password against a fixed dummy argon2id hash at the given cost and discards the
 * result, so that an unknown account costs as much as a known one. */
void sendsec_hash_dummy_verify(const char *password, unsigned long long opslimit, size_t memlimit_kib);

#endif
