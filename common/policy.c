/* policy.c — account policy read from the account entry: networks (service, account), the
 * lockout record shared by all hosts, disabled flag and forced password reset, and ppolicy's lock
 * (pwdAccountLockedTime; its end read from the pwdLockoutDuration of the account's policy entry,
 * the only other entry read here). Writes only the lockout record.
 *
 * The lockout record is the multi-valued sendsecFailure on the account, one value per password or
 * TOTP attempt, written before the password is checked (so that racing attempts see each other)
 * and kept when the attempt failed:
 *
 *   failure  = time SP source [SP tag]
 *   time     = 14DIGIT "." 6DIGIT "Z"   ; GeneralizedTime in UTC (YYYYMMDDHHMMSS) and a random
 *                                       ; fraction keeping the values of two hosts distinct
 *   source   = "-" / network            ; "-": the login had no client address
 *   network  = ipv4 ["/" 1*2DIGIT] / ipv6 ["/" 1*3DIGIT]
 *                                       ; the client's network at lockout_source_prefix, written
 *                                       ; as sendsec_cidr_format does: host bits zero, IPv6 in
 *                                       ; RFC 5952 form, no prefix when it is the full length
 *   tag      = 8(DIGIT / %x61-66)       ; only on a wrong password, see below
 *
 *   e.g. "20260301120000.483920Z 203.0.113.0/24 9f86d081", "20260301120005.000017Z -"
 *
 * Anything else is not a failure value of this version: it is logged and left alone (never
 * counted, never pruned; sendsecctl unlock removes it). The older form, a sendsecFailureTime
 * value (a GeneralizedTime alone), is still read as a failure of source "-" and pruned like the
 * others, but never written.
 *
 * The tag makes the same wrong password, tried again from the same source within
 * lockout_interval, count once. It is keyed with what the password check computed from the
 * password tried (hash.h: the raw argon2 output for the stored salt and cost, the crypt() or
 * salted SHA digest), so that whoever reads the directory tests a guess of the password tried no
 * faster than a guess against the stored hash itself, and learns only 32 bits even then. It is
 * never made from a right password (a wrong TOTP code after a right password leaves no tag), nor
 * in bind mode, where no digest exists: such failures each count. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "login.h"
#include "policy.h"
#include "timeutil.h"

bool sendsec_policy_service_network_ok(const struct sendsec_login *l)
{
	if (l->s->allow_networks.n == 0)
		return true;
	return l->has_addr && sendsec_cidr_list_match(&l->s->allow_networks, l->addr);
}

bool sendsec_policy_account_network_ok(const struct sendsec_login *l)
{
	size_t n;
	const struct sendsec_val *v = sendsec_entry_values(l->account, "sendsecAllowedNetwork", &n);
	struct sendsec_cidr_list list = {NULL, 0};
	char err[128];
	bool ok = true;

	if (n == 0)
		return true;
	for (size_t i = 0; i < n && ok; i++) {
		if (sendsec_cidr_list_add(&list, v[i].ptr, err, sizeof(err)) != SENDSEC_OK) {
			sendsec_logf(l->log, SENDSEC_LOG_ERROR, "account %s: bad sendsecAllowedNetwork: %s",
					sendsec_account_name(l), err);
			ok = false; /* fail closed on a value we cannot read */
		}
	}
	ok = ok && l->has_addr && sendsec_cidr_list_match(&list, l->addr);
	sendsec_cidr_list_clear(&list);
	return ok;
}

bool sendsec_policy_is_disabled(const struct sendsec_login *l)
{
	return sendsec_entry_is_true(l->account, "sendsecDisabled");
}

#define FAILURE_ATTR "sendsecFailure"
#define OLD_ATTR     "sendsecFailureTime"
#define TAG_CONTEXT  "sendsec failure tag v1"
#define WRITE_TRIES  3

static const char *const record_attrs[] = {FAILURE_ATTR, OLD_ATTR, "objectClass", NULL};
static const struct sendsec_val account_class = {"sendsecAccount", 14};

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static bool is_tag_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

bool sendsec_failure_parse(const char *text, size_t len, struct sendsec_failure *out)
{
	struct sendsec_failure f = {0};
	char stamp[16], canon[SENDSEC_SOURCE_MAX];
	const char *src, *sp;
	size_t src_len, rest;

	/* "YYYYMMDDHHMMSS.ffffffZ " and at least one character of source */
	if (text == NULL || out == NULL || len < 24 || len >= SENDSEC_FAILURE_MAX || memchr(text, '\0', len) != NULL)
		return false;
	if (!all_digits(text, 14) || text[14] != '.' || !all_digits(text + 15, 6) || text[21] != 'Z' || text[22] != ' ')
		return false;
	if (!sendsec_time_parse_generalized(text, 22, &f.when))
		return false;
	/* Only the seconds the formatter writes (no leap second, no other spelling). */
	sendsec_time_format_generalized(f.when, stamp, sizeof(stamp));
	if (strlen(stamp) != 15 || memcmp(stamp, text, 14) != 0)
		return false;
	for (size_t i = 15; i < 21; i++)
		f.micro = f.micro * 10 + (unsigned)(text[i] - '0');
	src = text + 23;
	rest = len - 23;
	sp = memchr(src, ' ', rest);
	src_len = sp != NULL ? (size_t)(sp - src) : rest;
	if (src_len == 1 && src[0] == '-') {
		f.has_addr = false;
	} else {
		if (src_len == 0 || !sendsec_cidr_parse(src, src_len, &f.source))
			return false;
		sendsec_cidr_format(&f.source, canon, sizeof(canon));
		if (strlen(canon) != src_len || memcmp(canon, src, src_len) != 0)
			return false;
		f.has_addr = true;
	}
	if (sp != NULL) {
		const char *tag = sp + 1;

		if ((size_t)(text + len - tag) != SENDSEC_FAILURE_TAG)
			return false;
		for (size_t i = 0; i < SENDSEC_FAILURE_TAG; i++)
			if (!is_tag_char(tag[i]))
				return false;
		memcpy(f.tag, tag, SENDSEC_FAILURE_TAG);
		f.tag[SENDSEC_FAILURE_TAG] = '\0';
	}
	*out = f;
	return true;
}

bool sendsec_failure_parse_old(const char *text, size_t len, struct sendsec_failure *out)
{
	struct sendsec_failure f = {.is_old = true};

	if (text == NULL || out == NULL || memchr(text, '\0', len) != NULL ||
			!sendsec_time_parse_generalized(text, len, &f.when))
		return false;
	*out = f;
	return true;
}

void sendsec_failure_source_text(const struct sendsec_failure *f, char buf[SENDSEC_SOURCE_MAX])
{
	if (f->has_addr)
		sendsec_cidr_format(&f->source, buf, SENDSEC_SOURCE_MAX);
	else
		snprintf(buf, SENDSEC_SOURCE_MAX, "-");
}

bool sendsec_failure_format(const struct sendsec_failure *f, char *buf, size_t len)
{
	char stamp[16], src[SENDSEC_SOURCE_MAX];
	int n;

	if (buf == NULL || len == 0)
		return false;
	buf[0] = '\0';
	sendsec_time_format_generalized(f->when, stamp, sizeof(stamp));
	if (strlen(stamp) != 15 || f->micro > 999999)
		return false;
	sendsec_failure_source_text(f, src);
	if (src[0] == '\0')
		return false;
	n = snprintf(buf, len, "%.14s.%06uZ %s%s%s", stamp, f->micro, src, f->tag[0] != '\0' ? " " : "", f->tag);
	if (n < 0 || (size_t)n >= len) {
		buf[0] = '\0';
		return false;
	}
	return true;
}

void sendsec_failure_set_source(struct sendsec_failure *f, const unsigned char *addr, int prefix4, int prefix6)
{
	f->has_addr = addr != NULL;
	memset(&f->source, 0, sizeof(f->source));
	if (addr != NULL)
		f->source = sendsec_cidr_of(addr, prefix4, prefix6);
}

bool sendsec_failure_is_from(const struct sendsec_failure *f, const unsigned char *addr)
{
	if (!f->has_addr || addr == NULL)
		return !f->has_addr && addr == NULL;
	return sendsec_cidr_contains(&f->source, addr);
}

void sendsec_failure_tag(const unsigned char digest[SENDSEC_FAILURE_DIGEST], const char *source,
		char tag_out[SENDSEC_FAILURE_TAG + 1])
{
	crypto_generichash_state st;
	unsigned char out[crypto_generichash_BYTES];

	crypto_generichash_init(&st, digest, SENDSEC_FAILURE_DIGEST, sizeof(out));
	crypto_generichash_update(&st, (const unsigned char *)TAG_CONTEXT, sizeof(TAG_CONTEXT)); /* with its NUL */
	crypto_generichash_update(&st, (const unsigned char *)source, strlen(source));
	crypto_generichash_final(&st, out, sizeof(out));
	sodium_bin2hex(tag_out, SENDSEC_FAILURE_TAG + 1, out, SENDSEC_FAILURE_TAG / 2);
	sodium_memzero(&st, sizeof(st));
	sodium_memzero(out, sizeof(out));
}

bool sendsec_failure_is_expired(const struct sendsec_failure *f, const struct sendsec_lockout_rules *r, time_t now)
{
	return (long long)f->when + r->interval + r->duration <= (long long)now;
}

static int cmp_time(const void *a, const void *b)
{
	time_t x = *(const time_t *)a, y = *(const time_t *)b;

	return x < y ? -1 : x > y;
}

/* ppolicy (draft-behera-ldap-password-policy): "000001010000Z" means locked by an administrator
 * until unlocked; any other value is the time of a lockout after failed binds. */
#define PPOLICY_ADMIN_LOCK "000001010000Z"

bool sendsec_policy_is_admin_locked(const struct sendsec_login *l)
{
	const char *when = sendsec_entry_first(l->account, "pwdAccountLockedTime");

	return when != NULL && strcmp(when, PPOLICY_ADMIN_LOCK) == 0;
}

bool sendsec_ppolicy_duration_parse(const char *text, size_t len, long long *out)
{
	long long v = 0;

	if (text == NULL || len == 0 || len > 10 || !all_digits(text, len) || (len > 1 && text[0] == '0'))
		return false;
	for (size_t i = 0; i < len; i++)
		v = v * 10 + (text[i] - '0');
	if (v > 2147483647LL)
		return false;
	*out = v;
	return true;
}

enum sendsec_ppolicy_lock sendsec_ppolicy_decide(
		const char *locked, size_t len, long long duration, time_t now, time_t *until_out)
{
	time_t when;

	*until_out = 0;
	if (len == sizeof(PPOLICY_ADMIN_LOCK) - 1 && memcmp(locked, PPOLICY_ADMIN_LOCK, len) == 0)
		return SENDSEC_PPOLICY_ADMIN;
	if (memchr(locked, '\0', len) != NULL || !sendsec_time_parse_generalized(locked, len, &when))
		return SENDSEC_PPOLICY_UNKNOWN;
	if (duration <= 0)
		return SENDSEC_PPOLICY_HELD;
	/* A lock time in the future holds too (from now on, for the duration at least). */
	if ((long long)now >= (long long)when + duration)
		return SENDSEC_PPOLICY_OPEN;
	*until_out = (time_t)((long long)when + duration);
	return SENDSEC_PPOLICY_HELD;
}

/* The pwdLockoutDuration of the policy entry dn into *duration_out, -1 when no duration applies
 * that this side can know (no such entry, or not a pwdPolicy: slapd falls back to its default
 * policy). False (logged) when the directory fails or the value cannot be read. */
static bool read_lockout_duration(const struct sendsec_login *l, const char *dn, long long *duration_out)
{
	static const char *const attrs[] = {"objectClass", "pwdLockoutDuration", NULL};
	struct sendsec_entry *e = NULL;
	enum sendsec_dir_status st = sendsec_dir_read(l->dir, dn, attrs, &e);
	const char *value;
	bool ok = false;

	*duration_out = -1;
	if (st == SENDSEC_DIR_NO_ENTRY || (st == SENDSEC_DIR_OK && !sendsec_entry_has_class(e, "pwdPolicy"))) {
		sendsec_logf(l->log, SENDSEC_LOG_INFO, "account %s: ppolicy policy %s not found (or not readable)",
				sendsec_account_name(l), dn);
		ok = true;
		goto out;
	}
	if (st != SENDSEC_DIR_OK) {
		sendsec_logf(l->log, SENDSEC_LOG_ERROR, "account %s: could not read ppolicy policy %s",
				sendsec_account_name(l), dn);
		goto out;
	}
	/* Absent: ppolicy's default, 0 (locked until an administrator unlocks). */
	value = sendsec_entry_first(e, "pwdLockoutDuration");
	if (value == NULL) {
		*duration_out = 0;
		ok = true;
	} else if (sendsec_ppolicy_duration_parse(value, strlen(value), duration_out)) {
		ok = true;
	} else {
		sendsec_logf(l->log, SENDSEC_LOG_ERROR, "ppolicy policy %s: pwdLockoutDuration is not 0 to 2147483647",
				dn);
		*duration_out = -1;
	}
out:
	sendsec_entry_free(e);
	return ok;
}

enum sendsec_ppolicy_lock sendsec_policy_ppolicy_lock(const struct sendsec_login *l, time_t *until_out)
{
	const char *when = sendsec_entry_first(l->account, "pwdAccountLockedTime");
	const char *policy;
	long long duration = -1;
	enum sendsec_ppolicy_lock lock;

	*until_out = 0;
	if (when == NULL)
		return SENDSEC_PPOLICY_OPEN;
	/* The policy slapd applies: the account's pwdPolicySubentry, else its default policy, which a
	 * client cannot discover: ppolicy_default names it, else the lock holds until an administrator
	 * removes it (duration -1). */
	if (strcmp(when, PPOLICY_ADMIN_LOCK) != 0 &&
			((policy = sendsec_entry_first(l->account, "pwdPolicySubentry")) != NULL ||
					(policy = l->s->ppolicy_default) != NULL) &&
			!read_lockout_duration(l, policy, &duration))
		return SENDSEC_PPOLICY_UNKNOWN;
	lock = sendsec_ppolicy_decide(when, strlen(when), duration, l->now, until_out);
	if (lock == SENDSEC_PPOLICY_UNKNOWN)
		sendsec_logf(l->log, SENDSEC_LOG_ERROR, "account %s: pwdAccountLockedTime %s is not a time read here",
				sendsec_account_name(l), when);
	return lock;
}

/* ppolicy's lock before a password attempt: OK when it does not refuse the attempt here. With
 * password_check bind a lock after failed binds is slapd's to decide (its policy knows the
 * duration): a bind while it holds fails as a wrong password would. */
static enum sendsec_result ppolicy_gate(const struct sendsec_login *l, enum sendsec_reason *reason_out)
{
	const char *when = sendsec_entry_first(l->account, "pwdAccountLockedTime");
	time_t until;

	if (when == NULL)
		return SENDSEC_OK;
	if (l->s->password_check == SENDSEC_CHECK_BIND && strcmp(when, PPOLICY_ADMIN_LOCK) != 0) {
		sendsec_logf(l->log, SENDSEC_LOG_INFO,
				"account %s: ppolicy lock of %s left to the directory's bind (pwdAccountLockedTime)",
				sendsec_account_name(l), when);
		return SENDSEC_OK;
	}
	switch (sendsec_policy_ppolicy_lock(l, &until)) {
	case SENDSEC_PPOLICY_OPEN:
		sendsec_logf(l->log, SENDSEC_LOG_DEBUG, "account %s: ppolicy lock of %s is over",
				sendsec_account_name(l), when);
		return SENDSEC_OK;
	case SENDSEC_PPOLICY_HELD:
	case SENDSEC_PPOLICY_ADMIN: *reason_out = SENDSEC_REASON_LOCKED; return SENDSEC_DENIED;
	case SENDSEC_PPOLICY_UNKNOWN: break;
	}
	*reason_out = SENDSEC_REASON_UNAVAILABLE;
	return SENDSEC_UNAVAILABLE;
}

/* The lock rule over the times of one source (or of all): threshold of them within interval, the
 * last less than duration ago. Skips f[skip] (the attempt's own value). */
static bool holds(const struct sendsec_failure *f, size_t n, size_t skip, bool by_source, const unsigned char *addr,
		int threshold, const struct sendsec_lockout_rules *r, time_t now, time_t *until_out)
{
	time_t *t, until = 0;
	size_t k = 0, need = (size_t)threshold;
	bool locked = false;

	if (threshold <= 0 || r->duration <= 0 || n < need)
		return false;
	if ((t = calloc(n, sizeof(*t))) == NULL)
		return true; /* fail closed */
	for (size_t i = 0; i < n; i++)
		if (i != skip && (!by_source || sendsec_failure_is_from(&f[i], addr)))
			t[k++] = f[i].when;
	qsort(t, k, sizeof(*t), cmp_time);
	for (size_t i = 0; i + need <= k; i++) {
		time_t last = t[i + need - 1];

		if ((long long)last - t[i] <= r->interval && (long long)now < (long long)last + r->duration) {
			locked = true;
			until = last + r->duration > until ? last + r->duration : until;
		}
	}
	free(t);
	if (until_out != NULL)
		*until_out = until;
	return locked;
}

bool sendsec_lockout_holds(const struct sendsec_failure *f, size_t n, bool by_source, const unsigned char *addr,
		int threshold, const struct sendsec_lockout_rules *r, time_t now, time_t *until_out)
{
	if (until_out != NULL)
		*until_out = 0;
	return holds(f, n, n, by_source, addr, threshold, r, now, until_out);
}

enum sendsec_lockout sendsec_lockout_decide(const struct sendsec_failure *f, size_t n, size_t ours,
		const unsigned char *addr, const struct sendsec_lockout_rules *r, time_t now)
{
	if (holds(f, n, ours, false, NULL, r->account_threshold, r, now, NULL))
		return SENDSEC_LOCKOUT_ACCOUNT;
	if (holds(f, n, ours, true, addr, r->threshold, r, now, NULL))
		return SENDSEC_LOCKOUT_SOURCE;
	return SENDSEC_LOCKOUT_OPEN;
}

/* The record as read from an entry: the parsed values that count, each with its stored value
 * and attribute; values of neither form are counted in n_bad and left out. */
struct record {
	struct sendsec_failure *f;
	const struct sendsec_val **v;
	size_t n, n_bad;
};

static void record_clear(struct record *rec)
{
	free(rec->f);
	free(rec->v);
	*rec = (struct record){0};
}

/* Reads both attributes of e into rec (cleared first). False on out of memory. */
static bool record_read(const struct sendsec_entry *e, struct record *rec)
{
	size_t n_new, n_old;
	const struct sendsec_val *vn = sendsec_entry_values(e, FAILURE_ATTR, &n_new);
	const struct sendsec_val *vo = sendsec_entry_values(e, OLD_ATTR, &n_old);

	record_clear(rec);
	if (n_new + n_old == 0)
		return true;
	rec->f = calloc(n_new + n_old, sizeof(*rec->f));
	rec->v = calloc(n_new + n_old, sizeof(*rec->v));
	if (rec->f == NULL || rec->v == NULL) {
		record_clear(rec);
		return false;
	}
	for (size_t i = 0; i < n_new + n_old; i++) {
		bool is_old = i >= n_new;
		const struct sendsec_val *v = is_old ? &vo[i - n_new] : &vn[i];
		bool ok = is_old ? sendsec_failure_parse_old(v->ptr, v->len, &rec->f[rec->n])
				 : sendsec_failure_parse(v->ptr, v->len, &rec->f[rec->n]);

		if (!ok) {
			rec->n_bad++;
			continue;
		}
		rec->v[rec->n++] = v;
	}
	return true;
}

static struct sendsec_lockout_rules rules_of(const struct sendsec_settings *s)
{
	return (struct sendsec_lockout_rules){
			.threshold = s->lockout_threshold,
			.account_threshold = s->lockout_account_threshold,
			.interval = s->lockout_interval,
			.duration = s->lockout_duration,
	};
}

/* True when no lock can ever hold: nothing is recorded then. */
static bool lockout_off(const struct sendsec_settings *s)
{
	return s->lockout_duration <= 0 || (s->lockout_threshold <= 0 && s->lockout_account_threshold <= 0);
}

static const unsigned char *client(const struct sendsec_login *l)
{
	return l->has_addr ? l->addr : NULL;
}

static void log_bad_values(const struct sendsec_login *l, const struct record *rec)
{
	if (rec->n_bad > 0)
		sendsec_logf(l->log, SENDSEC_LOG_INFO, "account %s: %zu lockout record values of unknown form ignored",
				sendsec_account_name(l), rec->n_bad);
}

static enum sendsec_reason reason_of(enum sendsec_lockout d)
{
	return d == SENDSEC_LOCKOUT_ACCOUNT           ? SENDSEC_REASON_LOCKED
			: d == SENDSEC_LOCKOUT_SOURCE ? SENDSEC_REASON_SOURCE_LOCKED
						      : SENDSEC_REASON_NONE;
}

/* Writes into vals the stored values of rec that pick selects, and into mods one delete for each
 * attribute that has any (sendsecFailure first, then sendsecFailureTime). Returns the number of
 * mods (0 to 2); vals must hold rec->n entries. */
static int select_deletes(const struct record *rec, struct sendsec_val *vals, struct sendsec_mod *mods,
		bool (*pick)(const struct sendsec_failure *f, const void *arg), const void *arg)
{
	size_t k = 0;
	int m = 0;

	for (int pass = 0; pass < 2; pass++) {
		size_t first = k;

		for (size_t i = 0; i < rec->n; i++)
			if (rec->f[i].is_old == (pass == 1) && pick(&rec->f[i], arg))
				vals[k++] = *rec->v[i];
		if (k > first)
			mods[m++] = (struct sendsec_mod){SENDSEC_MOD_DELETE, pass == 0 ? FAILURE_ATTR : OLD_ATTR,
					vals + first, k - first};
	}
	return m;
}

struct expiry {
	struct sendsec_lockout_rules r;
	time_t now;
};

static bool pick_expired(const struct sendsec_failure *f, const void *arg)
{
	const struct expiry *e = arg;

	return sendsec_failure_is_expired(f, &e->r, e->now);
}

static bool pick_source(const struct sendsec_failure *f, const void *arg)
{
	return sendsec_failure_is_from(f, arg);
}

/* Re-reads the record into l->failures (replacing it). */
static enum sendsec_dir_status reread(struct sendsec_login *l)
{
	struct sendsec_entry *e = NULL;
	enum sendsec_dir_status st = sendsec_dir_read(l->dir, l->account->dn, record_attrs, &e);

	if (st != SENDSEC_DIR_OK)
		return st;
	sendsec_entry_free(l->failures);
	l->failures = e;
	return SENDSEC_DIR_OK;
}

/* The record last read: the one read back after the attempt was written, else the account's. */
static const struct sendsec_entry *current(const struct sendsec_login *l)
{
	return l->failures != NULL ? l->failures : l->account;
}

/* Writes the attempt's value (fresh fraction each try) and deletes the expired values of the
 * record in the same modify, adding the sendsecAccount class to an entry that lacks it; a
 * conflict (a value deleted or added by another host meanwhile) re-reads and tries again. */
static enum sendsec_dir_status write_attempt(struct sendsec_login *l, struct sendsec_failure *ours)
{
	struct expiry exp = {rules_of(l->s), l->now};
	struct record rec = {0};
	struct sendsec_val *vals = NULL, add = {l->attempt, 0};
	struct sendsec_mod mods[4];
	enum sendsec_dir_status st = SENDSEC_DIR_FAILED;
	int m;

	for (int attempt = 0; attempt < WRITE_TRIES; attempt++) {
		if (attempt > 0 && (st = reread(l)) != SENDSEC_DIR_OK)
			break;
		st = SENDSEC_DIR_FAILED;
		free(vals);
		vals = NULL;
		if (!record_read(current(l), &rec) || (vals = calloc(rec.n + 1, sizeof(*vals))) == NULL)
			break;
		m = select_deletes(&rec, vals, mods, pick_expired, &exp);
		if (!sendsec_entry_has_class(current(l), "sendsecAccount"))
			mods[m++] = (struct sendsec_mod){SENDSEC_MOD_ADD, "objectClass", &account_class, 1};
		ours->micro = randombytes_uniform(1000000);
		if (!sendsec_failure_format(ours, l->attempt, sizeof(l->attempt)))
			break;
		add.len = strlen(l->attempt);
		mods[m++] = (struct sendsec_mod){SENDSEC_MOD_ADD, FAILURE_ATTR, &add, 1};
		if ((st = sendsec_dir_modify(l->dir, l->account->dn, mods, (size_t)m)) != SENDSEC_DIR_CONFLICT)
			break;
	}
	if (st != SENDSEC_DIR_OK)
		l->attempt[0] = '\0';
	free(vals);
	record_clear(&rec);
	return st;
}

/* Deletes the attempt's value; gone already (an unlock) is fine. */
static void drop_attempt(struct sendsec_login *l)
{
	struct sendsec_val v = {l->attempt, strlen(l->attempt)};
	struct sendsec_mod mod = {SENDSEC_MOD_DELETE, FAILURE_ATTR, &v, 1};
	enum sendsec_dir_status st;

	if (l->attempt[0] == '\0')
		return;
	st = sendsec_dir_modify(l->dir, l->account->dn, &mod, 1);
	if (st != SENDSEC_DIR_OK && st != SENDSEC_DIR_CONFLICT)
		sendsec_logf(l->log, SENDSEC_LOG_ERROR,
				"account %s: could not remove an attempt from the lockout record",
				sendsec_account_name(l));
	l->attempt[0] = '\0';
}

/* The index of the attempt's value in rec, or rec->n. */
static size_t find_attempt(const struct sendsec_login *l, const struct record *rec)
{
	size_t len = strlen(l->attempt);

	for (size_t i = 0; i < rec->n; i++)
		if (!rec->f[i].is_old && rec->v[i]->len == len && memcmp(rec->v[i]->ptr, l->attempt, len) == 0)
			return i;
	return rec->n;
}

enum sendsec_result sendsec_policy_attempt_begin(struct sendsec_login *l, enum sendsec_reason *reason_out)
{
	struct sendsec_lockout_rules r = rules_of(l->s);
	struct sendsec_failure ours = {.when = l->now};
	struct record rec = {0};
	enum sendsec_lockout d;
	enum sendsec_dir_status st;
	enum sendsec_result rc = SENDSEC_UNAVAILABLE;

	*reason_out = SENDSEC_REASON_UNAVAILABLE;
	l->attempt[0] = '\0';
	if ((rc = ppolicy_gate(l, reason_out)) != SENDSEC_OK)
		return rc;
	rc = SENDSEC_UNAVAILABLE;
	if (lockout_off(l->s)) {
		*reason_out = SENDSEC_REASON_NONE;
		return SENDSEC_OK;
	}
	/* Locked already: refused without writing anything, so a flood against a locked source
	 * costs the directory no write. */
	if (!record_read(l->account, &rec))
		goto out;
	log_bad_values(l, &rec);
	if ((d = sendsec_lockout_decide(rec.f, rec.n, rec.n, client(l), &r, l->now)) != SENDSEC_LOCKOUT_OPEN) {
		*reason_out = reason_of(d);
		rc = SENDSEC_DENIED;
		goto out;
	}
	sendsec_failure_set_source(&ours, client(l), l->s->lockout_source_prefix4, l->s->lockout_source_prefix6);
	if (write_attempt(l, &ours) != SENDSEC_DIR_OK) {
		sendsec_logf(l->log, SENDSEC_LOG_ERROR,
				"account %s: could not record the attempt in the lockout record",
				sendsec_account_name(l));
		goto out;
	}
	/* Read back what every host wrote meanwhile, and decide once more, counting their attempts:
	 * from the provider that took the write (pinned), so that the read sees it and every write
	 * ordered before it there. */
	sendsec_dir_pin(l->dir, true);
	st = reread(l);
	sendsec_dir_pin(l->dir, false);
	if (st != SENDSEC_DIR_OK || !record_read(l->failures, &rec)) {
		sendsec_logf(l->log, SENDSEC_LOG_ERROR, "account %s: could not read the lockout record back",
				sendsec_account_name(l));
		drop_attempt(l);
		goto out;
	}
	d = sendsec_lockout_decide(rec.f, rec.n, find_attempt(l, &rec), client(l), &r, l->now);
	if (d != SENDSEC_LOCKOUT_OPEN) {
		drop_attempt(l);
		*reason_out = reason_of(d);
		rc = SENDSEC_DENIED;
		goto out;
	}
	*reason_out = SENDSEC_REASON_NONE;
	rc = SENDSEC_OK;
out:
	record_clear(&rec);
	return rc;
}

void sendsec_policy_attempt_failed(struct sendsec_login *l, enum sendsec_reason reason)
{
	struct sendsec_lockout_rules r = rules_of(l->s);
	struct record rec = {0};
	struct sendsec_failure tagged;
	char src[SENDSEC_SOURCE_MAX], value[SENDSEC_FAILURE_MAX];
	struct sendsec_val del = {l->attempt, strlen(l->attempt)}, add = {value, 0};
	struct sendsec_mod mods[2] = {
			{SENDSEC_MOD_DELETE, FAILURE_ATTR, &del, 1},
			{SENDSEC_MOD_ADD, FAILURE_ATTR, &add, 1},
	};
	enum sendsec_dir_status st;

	/* Only a wrong password gets a tag; anything else stays recorded as written. */
	if (l->attempt[0] == '\0' || reason != SENDSEC_REASON_BAD_PASSWORD || !l->has_digest)
		goto out;
	if (!sendsec_failure_parse(l->attempt, strlen(l->attempt), &tagged) || !record_read(current(l), &rec))
		goto out;
	sendsec_failure_source_text(&tagged, src);
	sendsec_failure_tag(l->digest, src, tagged.tag);
	for (size_t i = 0; i < rec.n; i++) {
		const struct sendsec_failure *f = &rec.f[i];

		if (f->tag[0] != '\0' && sodium_memcmp(f->tag, tagged.tag, SENDSEC_FAILURE_TAG) == 0 &&
				sendsec_failure_is_from(f, client(l)) &&
				(long long)f->when >= (long long)l->now - r.interval) {
			sendsec_logf(l->log, SENDSEC_LOG_DEBUG,
					"account %s: the same wrong password again from %s: counted once",
					sendsec_account_name(l), src);
			drop_attempt(l);
			goto out;
		}
	}
	if (!sendsec_failure_format(&tagged, value, sizeof(value)))
		goto out;
	add.len = strlen(value);
	/* A conflict: the attempt's value is gone (an unlock meanwhile); nothing to tag. */
	st = sendsec_dir_modify(l->dir, l->account->dn, mods, 2);
	if (st != SENDSEC_DIR_OK && st != SENDSEC_DIR_CONFLICT)
		sendsec_logf(l->log, SENDSEC_LOG_ERROR, "account %s: could not tag the failed attempt",
				sendsec_account_name(l));
out:
	record_clear(&rec);
	l->attempt[0] = '\0';
}

void sendsec_policy_attempt_succeeded(struct sendsec_login *l)
{
	struct record rec = {0};
	struct sendsec_val *vals = NULL;
	struct sendsec_mod mods[2];
	enum sendsec_dir_status st = SENDSEC_DIR_OK;
	int m;

	/* The values of this source, the attempt's own among them; a conflict means another host
	 * deleted one meanwhile: read again and retry. */
	for (int attempt = 0; attempt < WRITE_TRIES; attempt++) {
		if (attempt > 0 && (st = reread(l)) != SENDSEC_DIR_OK)
			break;
		free(vals);
		vals = NULL;
		st = SENDSEC_DIR_FAILED;
		if (!record_read(current(l), &rec) || (vals = calloc(rec.n + 1, sizeof(*vals))) == NULL)
			break;
		st = SENDSEC_DIR_OK;
		if ((m = select_deletes(&rec, vals, mods, pick_source, client(l))) <= 0)
			break;
		if ((st = sendsec_dir_modify(l->dir, l->account->dn, mods, (size_t)m)) != SENDSEC_DIR_CONFLICT)
			break;
	}
	if (st != SENDSEC_DIR_OK)
		sendsec_logf(l->log, SENDSEC_LOG_ERROR, "account %s: could not clear the failures of this source",
				sendsec_account_name(l));
	free(vals);
	record_clear(&rec);
	l->attempt[0] = '\0';
}

void sendsec_policy_attempt_abandon(struct sendsec_login *l)
{
	drop_attempt(l);
}

static int cmp_last_desc(const void *a, const void *b)
{
	const struct sendsec_source_state *x = a, *y = b;

	return x->last > y->last ? -1 : x->last < y->last;
}

size_t sendsec_policy_sources(const struct sendsec_login *l, struct sendsec_source_state *out, size_t max,
		bool *account_locked_out, time_t *until_out, size_t *n_unknown_out)
{
	struct sendsec_lockout_rules r = rules_of(l->s);
	struct record rec = {0};
	struct sendsec_source_state *all = NULL;
	size_t n = 0;

	*account_locked_out = true; /* until read: fail closed */
	*until_out = 0;
	*n_unknown_out = 0;
	if (!record_read(l->account, &rec) || (rec.n > 0 && (all = calloc(rec.n, sizeof(*all))) == NULL))
		goto out;
	*n_unknown_out = rec.n_bad;
	*account_locked_out =
			sendsec_lockout_holds(rec.f, rec.n, false, NULL, r.account_threshold, &r, l->now, until_out);
	for (size_t i = 0; i < rec.n; i++) {
		const struct sendsec_failure *f = &rec.f[i];
		char src[SENDSEC_SOURCE_MAX];
		size_t k;

		sendsec_failure_source_text(f, src);
		for (k = 0; k < n && strcmp(all[k].source, src) != 0; k++)
			;
		if (k == n) {
			const unsigned char *addr = f->has_addr ? f->source.addr : NULL;

			snprintf(all[n].source, sizeof(all[n].source), "%s", src);
			all[n].is_locked = sendsec_lockout_holds(
					rec.f, rec.n, true, addr, r.threshold, &r, l->now, &all[n].locked_until);
			n++;
		}
		all[k].n_failures++;
		if (f->when > all[k].last)
			all[k].last = f->when;
	}
	if (n > 0) {
		qsort(all, n, sizeof(*all), cmp_last_desc);
		if (out != NULL)
			memcpy(out, all, (n < max ? n : max) * sizeof(*all));
	}
out:
	free(all);
	record_clear(&rec);
	return n;
}

bool sendsec_policy_reset_required(const struct sendsec_login *l)
{
	const char *changed;
	time_t when;

	if (sendsec_entry_is_true(l->account, "sendsecResetRequired") || sendsec_entry_is_true(l->account, "pwdReset"))
		return true;
	if (l->s->password_reset_before == 0)
		return false;
	changed = sendsec_entry_first(l->account, "sendsecPasswordChanged");
	if (changed == NULL)
		changed = sendsec_entry_first(l->account, "pwdChangedTime");
	/* Never changed (or unreadable): older than any reset date. */
	if (changed == NULL || !sendsec_time_parse_generalized(changed, strlen(changed), &when))
		return true;
	return when < l->s->password_reset_before;
}
