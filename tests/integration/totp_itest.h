/* totp_itest.h — helpers of the TOTP integration tests (on top of itest.h, whose itest_run runs
 * programs): enroll through sendsecctl (keeping the base32 secret out of any output), codes from the
 * independent oathtool (TOTP and HOTP), logins with a scripted answer to the code prompt, tokens
 * written by ldapmodify as other OATH-LDAP tools write them, reads as the rootdn, and a context
 * whose log lines a test can search.
 * No helper prints a secret, a code or a URI. */
#ifndef SENDSEC_TOTP_ITEST_H
#define SENDSEC_TOTP_ITEST_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "engine.h"

/* The start of a test run as "FIXTURE TEST PATH/TO/sendsecctl" (fixture: "with-slapd.sh" or
 * "with-fleet.sh"): checks the call and readies libsodium. Returns the path of sendsecctl; exits 2
 * with the usage otherwise. */
const char *totp_test_start(int argc, char **argv, const char *fixture);

/* Runs "sendsecctl --config conf totp enroll user --no-qr" and extracts the base32 secret of the
 * printed URI into b32_out (>= 64 bytes). Returns sendsecctl's exit status (-1 when the output
 * holds no URI). The URI is wiped, never printed. */
int totp_enroll(const char *sendsecctl, const char *conf, const char *user, char *b32_out);

/* The code of the base32 (is_hex false) or hex key at time t, from oathtool (alg "SHA1",
 * "SHA256" or "SHA512"). Exits 1 when oathtool fails. code_out >= 16 bytes. */
void totp_code(const char *key, bool is_hex, const char *alg, unsigned digits, time_t t, char *code_out);

/* Authenticates user with password, answering the code prompt with answer (NULL: the prompt
 * fails, as when the person cancels); no_ask: no callback (the code must be appended). */
enum sendsec_result totp_login(struct sendsec_ctx *ctx, const char *user, const char *password, const char *answer,
		bool no_ask, struct sendsec_outcome *out);

/* First value of attr on the entry dn (base search as the rootdn) into out; false when absent. */
bool totp_read_attr(const char *dn, const char *attr, char *out, size_t outlen);

/* The HOTP code of the hex key at counter, from oathtool --hotp (the key on stdin). Exits 1 when
 * oathtool fails. code_out >= 16 bytes. */
void hotp_code(const char *hex, unsigned digits, unsigned long long counter, char *code_out);

/* Adds the token entry "cn=<cn>,ou=tokens,<base>" as the rootdn with a fresh plain secret (its hex
 * in hex_out, >= 41 bytes): kind "totp" (oathTOTPToken, oathTOTPParams) or "hotp" (oathHOTPToken,
 * oathHOTPParams) pointing at "cn=<params_cn>,ou=params", with the state value state
 * (oathTOTPLastTimeStep / oathHOTPCounter; NULL: none), and links it from user with link_attr
 * (oathTOTPToken + class oathTOTPUser, oathHOTPToken + oathHOTPUser, or sendsecToken). Returns
 * ldapmodify's exit status. */
int totp_add_token(const char *user, const char *cn, const char *kind, const char *params_cn, const char *state,
		const char *link_attr, char *hex_out);

/* A context on conf (clock: the caller's, if set later) whose engine lines (debug included) also
 * go to a capture that totp_log_has searches; totp_log_clear empties it. */
struct sendsec_ctx *totp_ctx_logged(const char *conf);
bool totp_log_has(const char *text);
void totp_log_clear(void);

#endif
