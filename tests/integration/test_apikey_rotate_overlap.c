/* test_apikey_rotate_overlap.c — key rotation (DESIGN.md section 12) against the fixture slapd,
 * with a clock the test sets: the successor works at once for the same account, scopes and
 * networks and keeps the description; the old key works until the overlap ends and is refused
 * (expired) from then on, while the successor goes on; an old key with an earlier expiry keeps it
 * and passes it on; overlap 0 ends the old key at once; an expired, unknown or malformed id is
 * refused; a key whose last use was written (its record changed since creation) is rotated and
 * keeps that last use.
 * Run under tests/fixtures/with-slapd.sh. No key is ever printed. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "admin.h"
#include "ikey.h"
#include "itest.h"

#define CONF "methods password apikey\nargon2_opslimit 3\nargon2_memlimit 4096\n"
#define DAY  86400

static struct itest_clock clock_ = {0};

static void login_at(struct sendsec_ctx *ctx, time_t t, const char *service, const char *key, const char *rhost,
		enum sendsec_result want_rc, enum sendsec_reason want_reason, const char *what)
{
	struct sendsec_outcome out;

	clock_.now = t;
	itest_login(ctx, service, "apikey", key, rhost, &out);
	EXPECT(what, &out, want_rc, want_reason);
	if (want_rc == SENDSEC_OK)
		CHECK_STR(out.account, "bob");
}

static void successor_keeps_terms(struct sendsec_ctx *ctx, time_t t0)
{
	char key[SENDSEC_KEY_MAX + 1], next[SENDSEC_KEY_MAX + 1], id[16], next_id[16];
	struct sendsec_keyrec old_rec, next_rec;
	time_t old_expires = 0;

	clock_.now = t0;
	CHECK(ikey_create(ctx, "bob", "smtp,submission", 0, "192.0.2.0/24,2001:db8::/32", key, id) == SENDSEC_OK);
	login_at(ctx, t0, "smtp", key, "192.0.2.7", SENDSEC_OK, SENDSEC_REASON_NONE, "the key before rotation: OK");

	clock_.now = t0 + 10;
	CHECK(sendsec_admin_key_rotate(ctx, "sendsecctl", id, 7 * DAY, next, sizeof(next), &old_expires) == SENDSEC_OK);
	CHECK_EQ_INT(old_expires, t0 + 10 + 7 * DAY);
	CHECK(strncmp(next, "ssk_", 4) == 0 && strlen(next) == strlen(key) && strcmp(next, key) != 0);
	snprintf(next_id, sizeof(next_id), "%.12s", next + 4);
	CHECK(strcmp(next_id, id) != 0);

	/* Both work during the overlap; the successor within the same terms. */
	login_at(ctx, t0 + 10, "smtp", next, "192.0.2.7", SENDSEC_OK, SENDSEC_REASON_NONE, "successor at once: OK");
	login_at(ctx, t0 + 11, "submission", next, "2001:db8::1", SENDSEC_OK, SENDSEC_REASON_NONE,
			"successor, second scope, IPv6 network: OK");
	login_at(ctx, t0 + 12, "imap", next, "192.0.2.7", SENDSEC_DENIED, SENDSEC_REASON_SCOPE,
			"successor out of the old scopes: DENIED scope");
	login_at(ctx, t0 + 13, "smtp", next, "198.51.100.7", SENDSEC_DENIED, SENDSEC_REASON_NETWORK,
			"successor outside the old networks: DENIED network");
	login_at(ctx, t0 + 10 + 7 * DAY - 1, "smtp", key, "192.0.2.7", SENDSEC_OK, SENDSEC_REASON_NONE,
			"old key, last second of the overlap: OK");
	/* The overlap is over. */
	login_at(ctx, t0 + 10 + 7 * DAY, "smtp", key, "192.0.2.7", SENDSEC_DENIED, SENDSEC_REASON_EXPIRED,
			"old key when the overlap ends: DENIED expired");
	login_at(ctx, t0 + 10 + 7 * DAY, "smtp", next, "192.0.2.7", SENDSEC_OK, SENDSEC_REASON_NONE,
			"successor when the overlap ends: OK");
	login_at(ctx, t0 + 400 * DAY, "smtp", next, "192.0.2.7", SENDSEC_OK, SENDSEC_REASON_NONE,
			"successor a year later: OK (no expiry, as the old key had none)");

	CHECK(ikey_record(ctx, "bob", id, &old_rec));
	CHECK(ikey_record(ctx, "bob", next_id, &next_rec));
	CHECK_EQ_INT(old_rec.expires, t0 + 10 + 7 * DAY);
	CHECK_EQ_INT(next_rec.expires, 0);
	CHECK_EQ_INT(next_rec.created, t0 + 10);
	CHECK(next_rec.scopes != NULL && next_rec.scopes[0] != NULL && strcmp(next_rec.scopes[0], "smtp") == 0 &&
			next_rec.scopes[1] != NULL && strcmp(next_rec.scopes[1], "submission") == 0 &&
			next_rec.scopes[2] == NULL);
	CHECK_EQ_INT(next_rec.networks.n, 2);
	CHECK_STR(next_rec.description, "integration test");
	CHECK(!next_rec.disabled);
	sendsec_keyrec_clear(&old_rec);
	sendsec_keyrec_clear(&next_rec);

	/* An expired key is not rotated: that would bring it back. */
	clock_.now = t0 + 10 + 7 * DAY;
	CHECK(sendsec_admin_key_rotate(ctx, "sendsecctl", id, DAY, next, sizeof(next), &old_expires) == SENDSEC_DENIED);
	CHECK(next[0] == '\0'); /* nothing to show */
	CHECK_EQ_INT(itest_count_values(itest_user_dn("bob"), "sendsecKeyId"), 2);
	sodium_memzero(key, sizeof(key));
	sodium_memzero(next, sizeof(next));
}

static void expiry_and_edges(struct sendsec_ctx *ctx, time_t t0)
{
	char key[SENDSEC_KEY_MAX + 1], next[SENDSEC_KEY_MAX + 1], id[16], next_id[16];
	struct sendsec_keyrec rec;
	time_t old_expires = 0;

	/* An old key that expires before the overlap would end keeps its expiry; so does its successor. */
	clock_.now = t0;
	CHECK(ikey_create(ctx, "bob", "smtp", t0 + 3600, NULL, key, id) == SENDSEC_OK);
	CHECK(sendsec_admin_key_rotate(ctx, "sendsecctl", id, 7 * DAY, next, sizeof(next), &old_expires) == SENDSEC_OK);
	CHECK_EQ_INT(old_expires, t0 + 3600);
	snprintf(next_id, sizeof(next_id), "%.12s", next + 4);
	CHECK(ikey_record(ctx, "bob", next_id, &rec));
	CHECK_EQ_INT(rec.expires, t0 + 3600);
	sendsec_keyrec_clear(&rec);
	login_at(ctx, t0 + 3600, "smtp", next, NULL, SENDSEC_DENIED, SENDSEC_REASON_EXPIRED,
			"successor of a key with an expiry: expires with it");

	/* Overlap 0: the old key ends now. */
	clock_.now = t0;
	CHECK(ikey_create(ctx, "bob", "smtp", 0, NULL, key, id) == SENDSEC_OK);
	CHECK(sendsec_admin_key_rotate(ctx, "sendsecctl", id, 0, next, sizeof(next), &old_expires) == SENDSEC_OK);
	CHECK_EQ_INT(old_expires, t0);
	login_at(ctx, t0, "smtp", key, NULL, SENDSEC_DENIED, SENDSEC_REASON_EXPIRED, "overlap 0: old key refused");
	login_at(ctx, t0, "smtp", next, NULL, SENDSEC_OK, SENDSEC_REASON_NONE, "overlap 0: successor OK");

	/* A rotation after the key's last use was written (the record changed since creation). */
	CHECK(ikey_create(ctx, "bob", "smtp", 0, NULL, key, id) == SENDSEC_OK);
	login_at(ctx, t0 + 5, "smtp", key, "192.0.2.9", SENDSEC_OK, SENDSEC_REASON_NONE, "used before rotation: OK");
	clock_.now = t0 + 6;
	CHECK(sendsec_admin_key_rotate(ctx, "sendsecctl", id, 60, next, sizeof(next), &old_expires) == SENDSEC_OK);
	CHECK(ikey_record(ctx, "bob", id, &rec));
	CHECK_EQ_INT(rec.used, t0 + 5); /* the old key's last use is kept */
	CHECK_EQ_INT(rec.expires, t0 + 66);
	sendsec_keyrec_clear(&rec);

	/* Unknown and malformed ids, a negative overlap. */
	CHECK(sendsec_admin_key_rotate(ctx, "sendsecctl", "ZZZZZZZZZZZZ", 60, next, sizeof(next), &old_expires) ==
			SENDSEC_UNKNOWN_USER);
	CHECK(sendsec_admin_key_rotate(ctx, "sendsecctl", "not-an-id", 60, next, sizeof(next), &old_expires) ==
			SENDSEC_DENIED);
	CHECK(sendsec_admin_key_rotate(ctx, "sendsecctl", id, -1, next, sizeof(next), &old_expires) == SENDSEC_DENIED);
	sodium_memzero(key, sizeof(key));
	sodium_memzero(next, sizeof(next));
}

int main(int argc, char **argv)
{
	struct sendsec_ctx *ctx = itest_ctx(CONF);
	const time_t t0 = time(NULL);

	(void)argc;
	sendsec_ctx_set_clock(ctx, itest_clock_now, &clock_);
	successor_keeps_terms(ctx, t0);
	expiry_and_edges(ctx, t0);
	sendsec_ctx_free(ctx);
	return check_report(argv[0]);
}
