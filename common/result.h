/* result.h — the one result type of the engine and the audit reasons that travel beside it.
 * Every engine function that decides something returns enum sendsec_result; a function that
 * cannot decide returns SENDSEC_UNAVAILABLE, never SENDSEC_OK. */
#ifndef SENDSEC_RESULT_H
#define SENDSEC_RESULT_H

#define SENDSEC_MUST_CHECK __attribute__((warn_unused_result))

enum sendsec_result {
	SENDSEC_OK = 0,
	SENDSEC_DENIED, /* wrong or refused credentials: the answer is "no" */
	SENDSEC_UNKNOWN_USER,
	SENDSEC_CHANGE_REQUIRED, /* credentials fine, but the password must be changed first */
	SENDSEC_UNAVAILABLE,     /* we could not decide: directory down, bad config, bad data */
};

/* Why a decision was taken; printed as reason= in the audit line (DESIGN.md section 7). */
enum sendsec_reason {
	SENDSEC_REASON_NONE = 0,
	SENDSEC_REASON_BAD_PASSWORD,
	SENDSEC_REASON_BAD_TOTP,
	SENDSEC_REASON_TOTP_REPLAYED,
	SENDSEC_REASON_LOCKED,
	SENDSEC_REASON_NETWORK,
	SENDSEC_REASON_SCOPE,
	SENDSEC_REASON_EXPIRED,
	SENDSEC_REASON_DISABLED,
	SENDSEC_REASON_UNKNOWN_USER,
	SENDSEC_REASON_UNAVAILABLE,
	SENDSEC_REASON_RESET_REQUIRED,
	SENDSEC_REASON_PASSWORD_TOO_SHORT, /* a new password under password_min_length */
	SENDSEC_REASON_IDLE,               /* an API key unused for longer than apikey_max_idle */
	SENDSEC_REASON_NOT_DELEGATE,       /* the authzid names an account the person may not act as */
	SENDSEC_REASON_SOURCE_LOCKED,      /* this client's network is locked, the account is not */
	SENDSEC_REASON_BUSY,               /* no password-hash slot within the timeout */
	SENDSEC_REASON_PASSWORD_REFUSED,   /* a new password the directory's own policy refused (bind mode) */
};

/* Static strings, never NULL: "ok", "denied", ... and "bad_password", "locked", ... */
const char *sendsec_result_name(enum sendsec_result r);
const char *sendsec_reason_name(enum sendsec_reason r);

#endif
