/* factor_apikey.c — the API key factor (DESIGN.md sections 5 and 12): the presented key is parsed
 * and its check characters verified before any directory access; then exactly one search
 * (sendsecKeyId=<id>) returns the account with everything the decision needs, the key's last use
 * included (apikey_max_idle). After a success the last use is written when apikey_touch_interval
 * has passed, by one compare-and-swap on the value that was read (sendsec_apikey_touch). No lockout
 * is read or written here (only ppolicy's administrative lock, which is about the account, is
 * honoured) and no expensive hash is computed: a key carries 256 random bits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "apikey.h"
#include "escape.h"
#include "login.h"

#define FILTER_MAX  128
#define FILTER_HEAD "(sendsecKeyId="

_Static_assert(sizeof(FILTER_HEAD) + 3 * SENDSEC_KEY_ID_LEN + 1 <= FILTER_MAX, "the key filter fits");

/* Finds and parses the one sendsecApiKey value of the account whose id is id. OK with *rec filled
 * and *stored_out pointing at the value as read; UNAVAILABLE (logged) when it is missing, malformed
 * or present twice. */
static enum sendsec_result find_record(struct sendsec_login *l, const char *id, struct sendsec_keyrec *rec,
		const struct sendsec_val **stored_out)
{
	size_t n, found = 0, at = 0;
	const struct sendsec_val *v = sendsec_entry_values(l->account, "sendsecApiKey", &n);
	const char *name = sendsec_account_name(l);
	char err[128], vid[SENDSEC_KEY_ID_LEN + 1];

	/* Only the id is read, so values of other keys are never parsed. */
	for (size_t i = 0; i < n; i++) {
		if (sendsec_keyrec_value_id(v[i].ptr, v[i].len, vid) && strcmp(vid, id) == 0) {
			found++;
			at = i;
		}
	}
	if (found != 1) {
		sendsec_logf(l->log, SENDSEC_LOG_ERROR, "account %s: key %s has %s sendsecApiKey value",
				name != NULL ? name : l->account->dn, id, found == 0 ? "no" : "more than one");
		return SENDSEC_UNAVAILABLE;
	}
	if (sendsec_keyrec_parse(v[at].ptr, v[at].len, rec, err, sizeof(err)) != SENDSEC_OK) {
		sendsec_logf(l->log, SENDSEC_LOG_ERROR, "account %s: key %s: %s", name != NULL ? name : l->account->dn,
				id, err);
		return SENDSEC_UNAVAILABLE;
	}
	*stored_out = &v[at];
	return SENDSEC_OK;
}

enum sendsec_dir_status sendsec_apikey_touch(
		struct sendsec_login *l, const struct sendsec_val *stored, const struct sendsec_keyrec *rec)
{
	struct sendsec_keyrec used = *rec; /* shallow: only the last use differs; rec keeps ownership */
	struct sendsec_val new_value = {NULL, 0};
	/* Delete exactly the value read, add the new one, in one modify: a revoke, a rotation or
	 * another host's touch since the read removed that value, so the modify fails (CONFLICT)
	 * and changes nothing; a revoked key is never written back. */
	const struct sendsec_mod mods[] = {
			{.op = SENDSEC_MOD_DELETE, .attr = "sendsecApiKey", .vals = stored, .n = 1},
			{.op = SENDSEC_MOD_ADD, .attr = "sendsecApiKey", .vals = &new_value, .n = 1},
	};
	char *formatted = NULL;
	enum sendsec_dir_status st = SENDSEC_DIR_FAILED;

	used.used = l->now;
	used.used_has_addr = l->has_addr;
	memcpy(used.used_addr, l->addr, sizeof(used.used_addr));
	if (sendsec_keyrec_format(&used, &formatted) != SENDSEC_OK)
		goto out;
	new_value = (struct sendsec_val){formatted, strlen(formatted)};
	st = sendsec_dir_modify(l->dir, l->account->dn, mods, 2);
out:
	free(formatted);
	return st;
}

/* Writes the last use when it is due; best effort: a lost compare-and-swap or a failed write is
 * logged and does not change the login's result. */
static void touch_if_due(struct sendsec_login *l, const struct sendsec_val *stored, const struct sendsec_keyrec *rec)
{
	enum sendsec_dir_status st;
	int interval = l->s->apikey_touch_interval;

	/* With apikey_max_idle, the last use is written at least every half of it, whatever the
	 * interval says: otherwise a key in constant use would look idle and be refused. */
	if (l->s->apikey_max_idle > 0 && (long long)interval > (long long)l->s->apikey_max_idle * 86400 / 2)
		interval = (int)((long long)l->s->apikey_max_idle * 86400 / 2);
	if (!sendsec_keyrec_touch_due(rec, l->now, interval))
		return;
	st = sendsec_apikey_touch(l, stored, rec);
	if (st == SENDSEC_DIR_OK)
		sendsec_logf(l->log, SENDSEC_LOG_DEBUG, "key %s: last use written", rec->id);
	else if (st == SENDSEC_DIR_CONFLICT)
		sendsec_logf(l->log, SENDSEC_LOG_DEBUG, "key %s: changed since it was read; last use not written",
				rec->id);
	else
		sendsec_logf(l->log, SENDSEC_LOG_ERROR, "key %s: last use could not be written (%s)", rec->id,
				sendsec_dir_status_name(st));
}

/* True when user may use this account's key: the key user name, or the account's own name
 * (compared without regard to ASCII case, as the directory compares uid). */
static bool user_ok(const struct sendsec_login *l)
{
	const char *name = sendsec_account_name(l);

	if (strcmp(l->user, l->s->apikey_username) == 0)
		return true;
	return name != NULL && strcasecmp(l->user, name) == 0;
}

static bool key_network_ok(const struct sendsec_login *l, const struct sendsec_keyrec *rec)
{
	if (rec->networks.n == 0)
		return true;
	return l->has_addr && sendsec_cidr_list_match(&rec->networks, l->addr);
}

enum sendsec_result sendsec_factor_apikey(
		struct sendsec_login *l, const char *key_text, char *key_id_out, enum sendsec_reason *reason_out)
{
	const char *attrs[] = {l->s->user_attr, "sendsecApiKey", "sendsecKeyId", "sendsecDisabled",
			"sendsecAllowedNetwork", "pwdAccountLockedTime", NULL};
	struct sendsec_apikey key;
	struct sendsec_keyrec rec = {0};
	const struct sendsec_val *stored = NULL;
	char escaped[3 * SENDSEC_KEY_ID_LEN + 1], filter[FILTER_MAX];
	enum sendsec_result rc = SENDSEC_DENIED;
	size_t n;

	key_id_out[0] = '\0';
	*reason_out = SENDSEC_REASON_BAD_PASSWORD;
	/* Typos, truncations and scanners end here, without a directory round trip. */
	if (sendsec_apikey_parse(key_text, l->s->apikey_prefix, &key) != SENDSEC_OK) {
		sendsec_logf(l->log, SENDSEC_LOG_DEBUG, "key refused before lookup: malformed or bad check characters");
		goto out;
	}
	memcpy(key_id_out, key.id, SENDSEC_KEY_ID_LEN + 1); /* 12 base62 characters and the NUL */
	rc = SENDSEC_UNAVAILABLE;
	*reason_out = SENDSEC_REASON_UNAVAILABLE;
	if (sendsec_filter_escape(key.id, strlen(key.id), escaped, sizeof(escaped)) != SENDSEC_OK)
		goto out;
	/* "(sendsecKeyId=" escaped ")": at most 14 + 36 + 1 characters and the NUL, in FILTER_MAX. */
	n = strlen(escaped);
	memcpy(filter, FILTER_HEAD, sizeof(FILTER_HEAD) - 1);
	memcpy(filter + sizeof(FILTER_HEAD) - 1, escaped, n);
	memcpy(filter + sizeof(FILTER_HEAD) - 1 + n, ")", 2);
	rc = sendsec_decide_lookup(sendsec_login_search_replica(l, filter, attrs, &l->account));
	if (rc == SENDSEC_UNKNOWN_USER) {
		/* No such key: a wrong credential, not an unknown account. */
		sendsec_logf(l->log, SENDSEC_LOG_DEBUG, "key %s: no account holds it", key.id);
		rc = SENDSEC_DENIED;
		*reason_out = SENDSEC_REASON_BAD_PASSWORD;
		goto out;
	}
	if (rc != SENDSEC_OK)
		goto out;
	if ((rc = find_record(l, key.id, &rec, &stored)) != SENDSEC_OK)
		goto out;
	rc = SENDSEC_DENIED;
	if (!sendsec_apikey_matches(&key, &rec)) {
		*reason_out = SENDSEC_REASON_BAD_PASSWORD;
		sendsec_logf(l->log, SENDSEC_LOG_DEBUG, "key %s: secret does not match", key.id);
	} else if (!user_ok(l)) {
		*reason_out = SENDSEC_REASON_BAD_PASSWORD;
		sendsec_logf(l->log, SENDSEC_LOG_DEBUG, "key %s: user name is neither %s nor the account's", key.id,
				l->s->apikey_username);
	} else if (rec.disabled || sendsec_policy_is_disabled(l)) {
		*reason_out = SENDSEC_REASON_DISABLED;
	} else if (sendsec_policy_is_admin_locked(l)) {
		*reason_out = SENDSEC_REASON_LOCKED; /* ppolicy's lock after failed binds is about passwords */
	} else if (rec.expires != 0 && l->now >= rec.expires) {
		*reason_out = SENDSEC_REASON_EXPIRED;
	} else if (sendsec_keyrec_is_idle(&rec, l->now, l->s->apikey_max_idle)) {
		*reason_out = SENDSEC_REASON_IDLE;
		sendsec_logf(l->log, SENDSEC_LOG_DEBUG, "key %s: unused for more than %d days", key.id,
				l->s->apikey_max_idle);
	} else if (!sendsec_keyrec_in_scope(&rec, l->service)) {
		*reason_out = SENDSEC_REASON_SCOPE;
	} else if (!key_network_ok(l, &rec) || !sendsec_policy_account_network_ok(l)) {
		*reason_out = SENDSEC_REASON_NETWORK;
	} else {
		*reason_out = SENDSEC_REASON_NONE;
		rc = SENDSEC_OK;
		touch_if_due(l, stored, &rec);
	}
out:
	sendsec_keyrec_clear(&rec);
	sendsec_apikey_clear(&key);
	return rc;
}
