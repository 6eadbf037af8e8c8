/* message.h — the client messages of the SASL mechanisms PLAIN (RFC 4616: authzid NUL authcid
 * NUL passwd) and LOGIN (the "Username:" / "Password:" exchange), parsed into wiped copies. Pure
 * parsing: no SASL header, no engine call, no I/O, so the fuzzer and the plugin share it. */
#ifndef SENDSEC_SASL_MESSAGE_H
#define SENDSEC_SASL_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "result.h"

#define MSG_FIELD_MAX 1024 /* longest authzid, authcid or password, in bytes */
#define MSG_PLAIN_MAX 4096 /* longest PLAIN message, in bytes */

enum msg_status {
	MSG_DONE = 0, /* credentials complete in the msg_creds */
	MSG_CONTINUE, /* send *prompt_out to the client and wait for its answer */
	MSG_BAD,      /* malformed message or step out of order: a protocol error */
	MSG_NOMEM,
};

/* Credentials taken from a message. Each string is malloc'd and NUL-terminated; authzid is ""
 * when the client sent none. Release with msg_creds_clear (wipes all three). */
struct msg_creds {
	char *authzid;
	char *authcid;
	char *password;
};

/* Wipes and frees the strings and zeroes the struct; fine on a zeroed struct. */
void msg_creds_clear(struct msg_creds *c);

/* True when the len bytes at s are well-formed UTF-8 (no overlong forms, no surrogates, nothing
 * above U+10FFFF) and contain no NUL. */
bool msg_utf8_valid(const char *s, size_t len);

/* Parses one PLAIN message: exactly two NULs, each field at most MSG_FIELD_MAX bytes and the whole
 * at most MSG_PLAIN_MAX, authcid and password non-empty, authzid and authcid valid UTF-8.
 * Returns MSG_DONE with *out filled (caller clears it), or MSG_BAD / MSG_NOMEM with *out zeroed.
 * The input is not modified; the caller wipes it if it owns it. */
enum msg_status msg_plain_parse(const char *in, size_t len, struct msg_creds *out) SENDSEC_MUST_CHECK;

enum msg_login_state { MSG_LOGIN_START = 0, MSG_LOGIN_WANT_USER, MSG_LOGIN_WANT_PASSWORD, MSG_LOGIN_FINISHED };

/* One LOGIN exchange. Zero it (or msg_login_init) before the first step. */
struct msg_login {
	enum msg_login_state state;
	struct msg_creds creds; /* filled as the answers arrive; complete after MSG_DONE */
};

#define MSG_LOGIN_USER_PROMPT     "Username:"
#define MSG_LOGIN_PASSWORD_PROMPT "Password:"

void msg_login_init(struct msg_login *l);

/* Feeds one client message to the exchange; in == NULL means the client sent nothing (the start
 * of "AUTH LOGIN" without an initial response), which is only valid at the start. Returns
 * MSG_CONTINUE with a static prompt in *prompt_out, MSG_DONE when the password arrived (the
 * credentials are in l->creds), or MSG_BAD / MSG_NOMEM (the state is finished and wiped). The user
 * name must be 1..MSG_FIELD_MAX bytes of UTF-8 without NUL; the password 1..MSG_FIELD_MAX bytes
 * without NUL. */
enum msg_status msg_login_step(
		struct msg_login *l, const char *in, size_t len, const char **prompt_out) SENDSEC_MUST_CHECK;

/* Wipes whatever the exchange holds; the struct can be reused after msg_login_init. */
void msg_login_clear(struct msg_login *l);

/* Takes the address out of a SASL "addr;port" string (IPv6 without brackets: the port follows the
 * last ';'); a string without ';' is taken whole. Writes a NUL-terminated address to out and
 * returns true, or returns false (out = "") when ipport is NULL, empty, too long for out, or the
 * address contains anything but hex digits, '.', ':' and '%'-zone characters [A-Za-z0-9_.-]. */
bool msg_rhost_from_ipport(const char *ipport, char *out, size_t outlen) SENDSEC_MUST_CHECK;

#endif
