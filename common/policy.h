/* policy.h — the lockout record's pure parts (policy.c): the text of one failure value
 * ("<time> <source>[ <tag>]", ABNF in policy.c), a client's source (its network at the
 * configured prefix lengths), the tag of a wrong password, and the decision whether an attempt may
 * reach the password check. No directory access and no clock: the caller passes both in. */
#ifndef SENDSEC_POLICY_H
#define SENDSEC_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "cidr.h"

#define SENDSEC_FAILURE_MAX    96 /* longest value written or read, with its NUL */
#define SENDSEC_SOURCE_MAX     48 /* "-" or a network: "ffff:…:ffff/128" is 43 characters */
#define SENDSEC_FAILURE_TAG    8  /* hex characters of a tag (32 bits) */
#define SENDSEC_FAILURE_DIGEST 32 /* bytes of the verification digest a tag is keyed with */

/* One parsed failure value. Values of the older form (sendsecFailureTime: a time only) parse
 * with is_old set and no source: they count as failures of the source "-". */
struct sendsec_failure {
	time_t when;
	unsigned micro;                    /* the fraction written with it (0..999999), for rewriting it */
	bool is_old;                       /* sendsecFailureTime value */
	bool has_addr;                     /* false: source "-" (no client address) or an older value */
	struct sendsec_cidr source;        /* when has_addr */
	char tag[SENDSEC_FAILURE_TAG + 1]; /* "" when the value carries none */
};

/* Parses a sendsecFailure value (exactly the ABNF of policy.c). False on anything else. */
bool sendsec_failure_parse(const char *text, size_t len, struct sendsec_failure *out);
/* Parses a sendsecFailureTime value (any GeneralizedTime) as an older failure. */
bool sendsec_failure_parse_old(const char *text, size_t len, struct sendsec_failure *out);
/* Writes the value of f (when, micro, source, tag; is_old ignored) into buf (SENDSEC_FAILURE_MAX).
 * Returns false when it does not fit or f cannot be written (a time before 1970 or after 9999). */
bool sendsec_failure_format(const struct sendsec_failure *f, char *buf, size_t len);
/* The source text of f: "-" or the network ("203.0.113.0/24", "2001:db8:1:100::/56"). */
void sendsec_failure_source_text(const struct sendsec_failure *f, char buf[SENDSEC_SOURCE_MAX]);

/* Fills f's source from a client address (NULL: no address, source "-"): the network of addr at
 * prefix4 (IPv4, IPv4-mapped IPv6) or prefix6 bits. */
void sendsec_failure_set_source(struct sendsec_failure *f, const unsigned char *addr, int prefix4, int prefix6);
/* True when f was recorded for the source of addr (NULL: no address): the client lies inside f's
 * network (so a changed prefix length still finds older values), or both have none. */
bool sendsec_failure_is_from(const struct sendsec_failure *f, const unsigned char *addr);

/* The tag of a wrong password tried from source: the first 4 bytes, in lower-case hex, of
 * BLAKE2b-256 keyed with digest (what the verification computed from the password tried, see
 * hash.h) over "sendsec failure tag v1", a NUL byte and the source text. */
void sendsec_failure_tag(const unsigned char digest[SENDSEC_FAILURE_DIGEST], const char *source,
		char tag_out[SENDSEC_FAILURE_TAG + 1]);

/* The lockout settings (sendsec.conf(5)). A threshold or a duration of 0 disables that lock. */
struct sendsec_lockout_rules {
	int threshold;          /* failures from one source */
	int account_threshold;  /* failures from all sources together */
	int interval, duration; /* seconds */
};

enum sendsec_lockout {
	SENDSEC_LOCKOUT_OPEN = 0, /* the attempt may reach the password check */
	SENDSEC_LOCKOUT_SOURCE,   /* the client's source is locked (reason source_locked) */
	SENDSEC_LOCKOUT_ACCOUNT,  /* the account is locked for every source (reason locked) */
};

/* Decides whether an attempt at now from addr (NULL: no address) may go on, given the record
 * f[0..n) in which ours is the attempt's own value (n: not written yet). Refused — the account
 * first, then the source — when the values other than ours hold a lock: threshold of them within
 * interval, the last of which is less than duration old. Each attempt is written before it is
 * decided, so of attempts racing from one source at most threshold see fewer than threshold others
 * and reach the password check. */
enum sendsec_lockout sendsec_lockout_decide(const struct sendsec_failure *f, size_t n, size_t ours,
		const unsigned char *addr, const struct sendsec_lockout_rules *r, time_t now);

/* True when the values of f[0..n) from addr's source (all of them when by_source is false) hold
 * a lock of threshold at now; *until_out (may be NULL) is then when it ends. */
bool sendsec_lockout_holds(const struct sendsec_failure *f, size_t n, bool by_source, const unsigned char *addr,
		int threshold, const struct sendsec_lockout_rules *r, time_t now, time_t *until_out);

/* One source's part of an account's lockout record (sendsecctl status). */
struct sendsec_source_state {
	char source[SENDSEC_SOURCE_MAX]; /* "-" or the network */
	size_t n_failures;               /* values of this source, expired ones included */
	time_t last;                     /* the latest of them */
	bool is_locked;                  /* the source is locked (lockout_threshold) */
	time_t locked_until;             /* when is_locked */
};

/* True when f can no longer take part in any lock: it is at least interval + duration old. */
bool sendsec_failure_is_expired(const struct sendsec_failure *f, const struct sendsec_lockout_rules *r, time_t now);

/* ppolicy's lock (pwdAccountLockedTime) as ppolicy ends it (draft-behera-ldap-password-policy). */
enum sendsec_ppolicy_lock {
	SENDSEC_PPOLICY_OPEN,    /* no lock, or one that is over */
	SENDSEC_PPOLICY_HELD,    /* a lock after failed binds: until *until_out (0: until unlocked) */
	SENDSEC_PPOLICY_ADMIN,   /* 000001010000Z: locked by an administrator until unlocked */
	SENDSEC_PPOLICY_UNKNOWN, /* a lock time or duration not read here, or the policy unreadable */
};
/* Parses a pwdLockoutDuration value: decimal digits without leading zeros, 0 to 2147483647 (slapd
 * keeps it in an int). False on anything else. */
bool sendsec_ppolicy_duration_parse(const char *text, size_t len, long long *out);
/* The rule over one pwdAccountLockedTime value (len bytes): ADMIN for 000001010000Z; UNKNOWN when
 * it is not a GeneralizedTime with seconds; else HELD while now < its time + duration (and for a
 * duration of 0 or below: until unlocked, *until_out 0), OPEN after. *until_out is set when HELD. */
enum sendsec_ppolicy_lock sendsec_ppolicy_decide(
		const char *locked, size_t len, long long duration, time_t now, time_t *until_out);

#endif
