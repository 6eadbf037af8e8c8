/* test_apikey_login.c — API keys used as the password, through sendsec_authenticate against the
 * fixture slapd (DESIGN.md section 5): the key names the account (user "apikey" or the account's
 * own name, reported as the account), a wrong secret, another account's name, bad check
 * characters (refused with no directory search), expiry (by the settable clock), revocation (the
 * account's other key still works), a disabled key or account, scope, key and account networks,
 * malformed stored data (UNAVAILABLE for that key only), and exactly one search per key login.
 * Run under tests/fixtures/with-slapd.sh. No key is ever printed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "admin.h"
#include "ikey.h"
#include "itest.h"

#define CONF "methods password apikey\nargon2_opslimit 3\nargon2_memlimit 4096\n"

static struct itest_clock clock_ = {0};

/* Rewrites the stored value of key id on user with disabled=1 (as the rootdn). */
static bool disable_key(struct sendsec_ctx *ctx, const char *user, const char *id)
{
	struct sendsec_keyrec *recs = NULL;
	size_t n = 0;
	char *before = NULL, *after = NULL, ldif[20000];
	bool ok = false;

	if (sendsec_admin_key_list(ctx, "sendsecctl", user, &recs, &n) != SENDSEC_OK)
		return false;
	for (size_t i = 0; i < n && !ok; i++) {
		if (strcmp(recs[i].id, id) != 0 || sendsec_keyrec_format(&recs[i], &before) != SENDSEC_OK)
			continue;
		recs[i].disabled = true;
		if (sendsec_keyrec_format(&recs[i], &after) != SENDSEC_OK)
			break;
		snprintf(ldif, sizeof(ldif),
				"dn: %s\nchangetype: modify\ndelete: sendsecApiKey\nsendsecApiKey: %s\n-\nadd: "
				"sendsecApiKey\nsendsecApiKey: %s\n",
				itest_user_dn(user), before, after);
		ok = itest_ldapmodify(ldif) == 0;
	}
	free(before);
	free(after);
	sendsec_admin_keys_free(recs, n);
	return ok;
}

int main(int argc, char **argv)
{
	struct sendsec_ctx *ctx = itest_ctx(CONF);
	struct sendsec_outcome out;
	char key[SENDSEC_KEY_MAX + 1], key2[SENDSEC_KEY_MAX + 1], other[SENDSEC_KEY_MAX + 1];
	char forged[SENDSEC_KEY_MAX + 1], id[16], id2[16], ldif[2048];
	unsigned long before;
	time_t now = time(NULL);

	(void)argc;
	clock_.now = now;
	sendsec_ctx_set_clock(ctx, itest_clock_now, &clock_);

	/* The key names the account. */
	CHECK(ikey_create(ctx, "alice", "smtp,submission", 0, NULL, key, id) == SENDSEC_OK);
	before = ikey_search_count(ctx, "smtp");
	itest_login(ctx, "smtp", "apikey", key, "203.0.113.7", &out);
	EXPECT("good key, user apikey: OK", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	CHECK_STR(out.account, "alice");
	CHECK(out.method != NULL && strcmp(out.method, "apikey") == 0);
	CHECK_STR(out.key_id, id);
	CHECK(ikey_search_count(ctx, "smtp") - before == 1); /* exactly one directory round trip */
	itest_login(ctx, "smtp", "alice", key, NULL, &out);
	EXPECT("good key, user alice (the account's own name): OK", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	CHECK_STR(out.account, "alice");
	itest_login(ctx, "submission", "apikey", key, NULL, &out);
	EXPECT("second scope: OK", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	itest_login(ctx, "smtp", "bob", key, NULL, &out);
	EXPECT("alice's key with user bob: DENIED", &out, SENDSEC_DENIED, SENDSEC_REASON_BAD_PASSWORD);
	CHECK(out.account[0] == '\0');

	/* Wrong secret behind a valid id and valid check characters. */
	ikey_wrong_secret(key, "ssk_", forged);
	{
		struct sendsec_apikey parsed;

		CHECK(sendsec_apikey_parse(forged, "ssk_", &parsed) == SENDSEC_OK); /* the forgery is well-formed */
		CHECK(strcmp(parsed.id, id) == 0);
		sendsec_apikey_clear(&parsed);
	}
	before = ikey_search_count(ctx, "smtp");
	itest_login(ctx, "smtp", "apikey", forged, NULL, &out);
	EXPECT("wrong secret, valid check: DENIED", &out, SENDSEC_DENIED, SENDSEC_REASON_BAD_PASSWORD);
	CHECK_STR(out.key_id, id); /* the audit line names the key */
	CHECK(ikey_search_count(ctx, "smtp") - before == 1);

	/* Bad check characters: refused before any directory access. */
	ikey_bad_check(key, forged);
	before = ikey_search_count(ctx, "smtp");
	itest_login(ctx, "smtp", "apikey", forged, NULL, &out);
	EXPECT("bad check characters: DENIED", &out, SENDSEC_DENIED, SENDSEC_REASON_BAD_PASSWORD);
	CHECK(ikey_search_count(ctx, "smtp") == before);
	itest_login(ctx, "smtp", "alice", forged, NULL, &out); /* looks like a key: key path, not a password */
	EXPECT("bad check characters, user alice: DENIED", &out, SENDSEC_DENIED, SENDSEC_REASON_BAD_PASSWORD);
	CHECK(ikey_search_count(ctx, "smtp") == before);
	itest_login(ctx, "smtp", "apikey", "ssk_short", NULL, &out);
	EXPECT("truncated key: DENIED", &out, SENDSEC_DENIED, SENDSEC_REASON_BAD_PASSWORD);
	CHECK(ikey_search_count(ctx, "smtp") == before);

	/* A valid-looking key whose id no account holds. */
	CHECK(sendsec_apikey_mint("ssk_", other, sizeof(other), &(struct sendsec_apikey){0}) == SENDSEC_OK);
	itest_login(ctx, "smtp", "apikey", other, NULL, &out);
	EXPECT("unknown key id: DENIED", &out, SENDSEC_DENIED, SENDSEC_REASON_BAD_PASSWORD);

	/* Scope. */
	itest_login(ctx, "imap", "apikey", key, NULL, &out);
	EXPECT("out of scope: DENIED scope", &out, SENDSEC_DENIED, SENDSEC_REASON_SCOPE);

	/* Expiry, by moving the clock. */
	CHECK(ikey_create(ctx, "alice", "*", now + 3600, NULL, key2, id2) == SENDSEC_OK);
	itest_login(ctx, "imap", "apikey", key2, NULL, &out);
	EXPECT("scope '*', before expiry: OK", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	clock_.now = now + 3600;
	itest_login(ctx, "imap", "apikey", key2, NULL, &out);
	EXPECT("at expiry: DENIED expired", &out, SENDSEC_DENIED, SENDSEC_REASON_EXPIRED);
	itest_login(ctx, "smtp", "apikey", key, NULL, &out);
	EXPECT("the account's key without expiry still works then", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	clock_.now = now;
	CHECK(ikey_create(ctx, "alice", "smtp", now - 10, NULL, other, NULL) ==
			SENDSEC_DENIED); /* past expiry refused */

	/* Revocation: independent keys per account. */
	CHECK(sendsec_admin_key_revoke(ctx, "sendsecctl", id2) == SENDSEC_OK);
	itest_login(ctx, "imap", "apikey", key2, NULL, &out);
	EXPECT("revoked key: DENIED", &out, SENDSEC_DENIED, SENDSEC_REASON_BAD_PASSWORD);
	itest_login(ctx, "smtp", "apikey", key, NULL, &out);
	EXPECT("the account's other key still works", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	CHECK(sendsec_admin_key_revoke(ctx, "sendsecctl", id2) == SENDSEC_UNKNOWN_USER);
	CHECK(itest_count_values(itest_user_dn("alice"), "sendsecKeyId") == 1);
	CHECK(itest_count_values(itest_user_dn("alice"), "sendsecApiKey") == 1);

	/* A disabled key; a disabled account (dave). */
	CHECK(ikey_create(ctx, "alice", "smtp", 0, NULL, key2, id2) == SENDSEC_OK);
	CHECK(disable_key(ctx, "alice", id2));
	itest_login(ctx, "smtp", "apikey", key2, NULL, &out);
	EXPECT("disabled key: DENIED disabled", &out, SENDSEC_DENIED, SENDSEC_REASON_DISABLED);
	CHECK(ikey_create(ctx, "dave", "smtp", 0, NULL, other, NULL) == SENDSEC_OK);
	itest_login(ctx, "smtp", "apikey", other, NULL, &out);
	EXPECT("disabled account: DENIED disabled", &out, SENDSEC_DENIED, SENDSEC_REASON_DISABLED);

	/* Key networks. */
	CHECK(ikey_create(ctx, "bob", "smtp", 0, "192.0.2.0/24,2001:db8::/32", key2, NULL) == SENDSEC_OK);
	itest_login(ctx, "smtp", "apikey", key2, "192.0.2.7", &out);
	EXPECT("key network hit (IPv4): OK", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	CHECK_STR(out.account, "bob");
	itest_login(ctx, "smtp", "apikey", key2, "2001:db8::25", &out);
	EXPECT("key network hit (IPv6): OK", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	itest_login(ctx, "smtp", "apikey", key2, "198.51.100.1", &out);
	EXPECT("key network miss: DENIED network", &out, SENDSEC_DENIED, SENDSEC_REASON_NETWORK);
	itest_login(ctx, "smtp", "apikey", key2, NULL, &out);
	EXPECT("key network, client unknown: DENIED network", &out, SENDSEC_DENIED, SENDSEC_REASON_NETWORK);

	/* Account networks (sendsecAllowedNetwork) apply to keys too. */
	CHECK(ikey_create(ctx, "carol", "smtp", 0, NULL, key2, NULL) == SENDSEC_OK);
	snprintf(ldif, sizeof(ldif),
			"dn: %s\nchangetype: modify\nadd: sendsecAllowedNetwork\nsendsecAllowedNetwork: 10.0.0.0/8\n",
			itest_user_dn("carol"));
	CHECK(itest_ldapmodify(ldif) == 0);
	itest_login(ctx, "smtp", "apikey", key2, "10.1.2.3", &out);
	EXPECT("account network hit: OK", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	itest_login(ctx, "smtp", "apikey", key2, "192.0.2.7", &out);
	EXPECT("account network miss: DENIED network", &out, SENDSEC_DENIED, SENDSEC_REASON_NETWORK);

	/* Malformed stored value: UNAVAILABLE for that key, other keys unaffected. */
	{
		struct sendsec_apikey parts;

		CHECK(sendsec_apikey_mint("ssk_", other, sizeof(other), &parts) == SENDSEC_OK);
		snprintf(ldif, sizeof(ldif),
				"dn: %s\nchangetype: modify\nadd: sendsecKeyId\nsendsecKeyId: %s\n-\nadd: "
				"sendsecApiKey\n"
				"sendsecApiKey: v1;id=%s;hash=broken\n",
				itest_user_dn("alice"), parts.id, parts.id);
		sendsec_apikey_clear(&parts);
	}
	CHECK(itest_ldapmodify(ldif) == 0);
	itest_login(ctx, "smtp", "apikey", other, NULL, &out);
	EXPECT("malformed stored value for this id: UNAVAILABLE", &out, SENDSEC_UNAVAILABLE,
			SENDSEC_REASON_UNAVAILABLE);
	itest_login(ctx, "smtp", "apikey", key, NULL, &out);
	EXPECT("a malformed value of another key is ignored", &out, SENDSEC_OK, SENDSEC_REASON_NONE);

	/* The password path is untouched by all of this. */
	itest_login(ctx, "smtp", "alice", itest_pw("alice"), NULL, &out);
	EXPECT("alice's password still works", &out, SENDSEC_OK, SENDSEC_REASON_NONE);

	sendsec_ctx_free(ctx);
	return check_report(argv[0]);
}
