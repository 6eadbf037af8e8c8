/* token.h — the second-factor tokens of an account as OATH-LDAP stores them: which entries an
 * account links (oathTOTPToken, oathHOTPToken, and the project's multi-valued sendsecToken), and
 * what one token entry and its params entry say (kind, name, code length, params, secret, stored
 * counter). Pure: the caller reads the entries (account_tokens.c), so the fuzzer drives the same
 * code. Values read (ABNF, RFC 5234; anything else is malformed, which makes the token unavailable):
 *
 *   counter     = 1*19DIGIT          ; oathTOTPLastTimeStep, oathHOTPCounter: one value, no sign,
 *                                    ; at most 2^63-1 (HOTP: the counter of the last code accepted)
 *   length      = "6" / "7" / "8"    ; oathOTPLength (params)
 *   algorithm   = "1.2.840.113549.2.7" / "1.2.840.113549.2.9" / "1.2.840.113549.2.11"
 *                                    ; oathHMACAlgorithm: HMAC-SHA1/256/512 (HOTP: SHA1 only)
 *   period      = 1*4DIGIT           ; oathTOTPTimeStepPeriod, 1..3600
 *   window      = 1*2DIGIT           ; oathTOTPTimeStepWindow, 0..10
 *   lookahead   = 1*3DIGIT           ; oathHOTPLookAhead, 0..100
 *   token-link  = distinguishedName  ; oathTOTPToken, oathHOTPToken (one each), sendsecToken (any)
 *   new-name    = 1*32(ALPHA / DIGIT / "." / "_" / "-")   ; sendsecctl --name, kept as a cn value
 *
 * An account links at most SENDSEC_TOKENS_MAX tokens. A token's entry has exactly one of the
 * classes oathTOTPToken and oathHOTPToken (the one its link demands, for the OATH attributes) and
 * exactly one oathSecret; absent params, or absent attributes in them, take the defaults. */
#ifndef SENDSEC_TOKEN_H
#define SENDSEC_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dir.h"
#include "hotp.h"
#include "result.h"
#include "totp.h"

#define SENDSEC_TOKENS_MAX         16 /* tokens linked from one account */
#define SENDSEC_TOKEN_NAME_MAX     64 /* bytes of a token's name as read (longer ones are cut) */
#define SENDSEC_TOKEN_NEW_NAME_MAX 32 /* bytes of a name given to sendsecctl */

enum sendsec_token_kind {
	SENDSEC_TOKEN_ANY = 0, /* a sendsecToken link: the entry's class decides */
	SENDSEC_TOKEN_TOTP,
	SENDSEC_TOKEN_HOTP,
};

/* "totp", "hotp" or "token" (ANY); static. */
const char *sendsec_token_kind_name(enum sendsec_token_kind kind);

/* One link from an account to a token entry. */
struct sendsec_token_link {
	const char *dn;               /* points into the account entry */
	const char *attr;             /* "oathTOTPToken", "oathHOTPToken" or "sendsecToken" */
	enum sendsec_token_kind kind; /* what the link demands */
};

/* The account's links in this order: oathTOTPToken, oathHOTPToken, then the sendsecToken values,
 * each DN once (a DN linked twice, compared without regard to case, counts at its first place).
 * Fills up to max links and returns how many there are in all (more than max: the caller refuses). */
size_t sendsec_token_links(const struct sendsec_entry *account, struct sendsec_token_link *links, size_t max);

/* The attributes to read from a token entry and from a params entry. */
extern const char *const sendsec_token_attrs[];
extern const char *const sendsec_token_params_attrs[];

/* One token, parsed. The pointers refer into the token entry (and dn into the account), which
 * the caller keeps alive. */
struct sendsec_token {
	enum sendsec_token_kind kind; /* TOTP or HOTP */
	const char *dn;               /* as linked */
	const char *link_attr;        /* the link's attribute (static) */
	char name[SENDSEC_TOKEN_NAME_MAX + 1];
	unsigned digits; /* code length: totp.digits or hotp.digits */
	struct sendsec_totp_params totp;
	struct sendsec_hotp_params hotp;
	const struct sendsec_val *secret; /* the oathSecret value (plain or sealed) */
	const struct sendsec_val *state;  /* the oathTOTPLastTimeStep / oathHOTPCounter value, or NULL */
	uint64_t state_value;             /* its number when state is set */
};

/* The state attribute of a kind: "oathTOTPLastTimeStep" or "oathHOTPCounter". */
const char *sendsec_token_state_attr(enum sendsec_token_kind kind);

/* Parses token entry e, linked as link (link->dn becomes out->dn): kind, name, secret, state.
 * *params_dn_out: the DN of its params entry (oathTOTPParams / oathHOTPParams), or NULL. Returns
 * OK, or UNAVAILABLE with the problem in err (one phrase, no secret). */
enum sendsec_result sendsec_token_parse(const struct sendsec_entry *e, const struct sendsec_token_link *link,
		struct sendsec_token *out, const char **params_dn_out, char *err, size_t errlen) SENDSEC_MUST_CHECK;

/* Applies params (NULL: every default) to a parsed token: the entry must have the params class of
 * the token's kind (oathTOTPParams / oathHOTPParams) and values in range; HOTP takes HMAC-SHA1
 * only. OK, or UNAVAILABLE with the problem in err. */
enum sendsec_result sendsec_token_set_params(struct sendsec_token *tok, const struct sendsec_entry *params, char *err,
		size_t errlen) SENDSEC_MUST_CHECK;

/* Reads TOTP params from an oathTOTPParams entry (NULL: all defaults; absent attributes take
 * defaults; the class is not checked here). False (out unspecified) on an unknown algorithm OID
 * or a value out of range. */
bool sendsec_totp_params_from_entry(const struct sendsec_entry *params, struct sendsec_totp_params *out);

/* Parses one counter value (ABNF counter above); false when malformed. */
bool sendsec_token_parse_counter(const struct sendsec_val *v, uint64_t *out);

/* The name of token entry e: its cn value that differs from the value of its RDN (the name
 * sendsecctl --name adds beside a random RDN), else its first cn value; "" when it has no cn.
 * Cut to SENDSEC_TOKEN_NAME_MAX bytes. */
void sendsec_token_name(const struct sendsec_entry *e, char *out, size_t len);

/* True when name is a valid new name (ABNF new-name). */
bool sendsec_token_name_valid(const char *name);

#endif
