/* test_apikey_touch_interval.c — a key's last use (DESIGN.md section 12) against the fixture slapd
 * started with SENDSEC_TEST_SLAPD_DEBUG=stats: the first use is written at once; later uses write
 * it again only when apikey_touch_interval (default 3600 s, by the settable clock) has passed; the
 * writes are counted from slapd's own stats log, and each login stays exactly one search; the
 * stored time and client address (IPv4, IPv6) are what sendsecctl key list reads; refused logins
 * write nothing; a second host reading the fresh value writes nothing; interval 0 writes every
 * time; the value is replaced, never duplicated.
 * Run under tests/fixtures/with-slapd.sh. No key is ever printed. */
#include <arpa/inet.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "admin.h"
#include "ikey.h"
#include "itest.h"

#define CONF "methods password apikey\nargon2_opslimit 3\nargon2_memlimit 4096\n"

static struct itest_clock clock_ = {0};
static unsigned writes_seen, lost_seen;

/* Writes of alice's key records since the last call, from the stats log. */
static unsigned new_writes(unsigned *lost_out)
{
	unsigned ok = 0, lost = 0, n;

	if (!ikey_stats_key_writes(itest_user_dn("alice"), &ok, &lost)) {
		fprintf(stderr, "not ok - slapd.log has no stats lines (SENDSEC_TEST_SLAPD_DEBUG=stats unset?)\n");
		exit(1);
	}
	n = ok - writes_seen;
	if (lost_out != NULL)
		*lost_out = lost - lost_seen;
	writes_seen = ok;
	lost_seen = lost;
	return n;
}

/* One login at clock t; expects want_rc; returns the searches it cost. */
static unsigned long login_at(struct sendsec_ctx *ctx, time_t t, const char *service, const char *key,
		const char *rhost, enum sendsec_result want_rc, const char *what)
{
	struct sendsec_outcome out;
	unsigned long before = ikey_search_count(ctx, service);

	clock_.now = t;
	itest_login(ctx, service, "apikey", key, rhost, &out);
	EXPECT(what, &out, want_rc, -1);
	return ikey_search_count(ctx, service) - before;
}

/* True when alice's key id has last use `when` from `addr` (NULL: no address). */
static bool last_use_is(struct sendsec_ctx *ctx, const char *id, time_t when, const char *addr)
{
	struct sendsec_keyrec rec;
	unsigned char want[16] = {0};
	bool ok;

	if (!ikey_record(ctx, "alice", id, &rec))
		return false;
	if (addr != NULL &&
			inet_pton(strchr(addr, ':') != NULL ? AF_INET6 : AF_INET, addr,
					strchr(addr, ':') != NULL ? want : want + 12) == 1 &&
			strchr(addr, ':') == NULL) {
		want[10] = want[11] = 0xff; /* IPv4 is kept IPv4-mapped */
	}
	ok = rec.used == when && rec.used_has_addr == (addr != NULL) &&
			(addr == NULL || memcmp(rec.used_addr, want, sizeof(want)) == 0);
	if (!ok)
		printf("# key %s: last use %lld (address %s), wanted %lld from %s\n", id, (long long)rec.used,
				rec.used_has_addr ? "set" : "none", (long long)when, addr != NULL ? addr : "none");
	sendsec_keyrec_clear(&rec);
	return ok;
}

int main(int argc, char **argv)
{
	struct sendsec_ctx *ctx = itest_ctx(CONF), *host2, *every;
	char key[SENDSEC_KEY_MAX + 1], id[16];
	const time_t t0 = time(NULL);
	unsigned lost = 0;

	(void)argc;
	clock_.now = t0;
	sendsec_ctx_set_clock(ctx, itest_clock_now, &clock_);
	CHECK(ikey_create(ctx, "alice", "smtp", 0, NULL, key, id) == SENDSEC_OK);
	(void)new_writes(NULL);
	CHECK(last_use_is(ctx, id, 0, NULL)); /* never used */

	/* The first use is written at once, in the same login, after its one search. */
	CHECK_EQ_INT(login_at(ctx, t0, "smtp", key, "192.0.2.7", SENDSEC_OK, "first use: OK"), 1);
	CHECK_EQ_INT(new_writes(NULL), 1);
	CHECK(last_use_is(ctx, id, t0, "192.0.2.7"));

	/* Within the interval: no write, whatever the address. */
	CHECK_EQ_INT(login_at(ctx, t0 + 1, "smtp", key, "198.51.100.9", SENDSEC_OK, "t+1 s: OK"), 1);
	CHECK_EQ_INT(login_at(ctx, t0 + 60, "smtp", key, NULL, SENDSEC_OK, "t+60 s: OK"), 1);
	CHECK_EQ_INT(login_at(ctx, t0 + 3599, "smtp", key, "198.51.100.9", SENDSEC_OK, "t+3599 s: OK"), 1);
	CHECK_EQ_INT(new_writes(NULL), 0);
	CHECK(last_use_is(ctx, id, t0, "192.0.2.7"));

	/* The interval has passed: one write, with this login's time and address. */
	CHECK_EQ_INT(login_at(ctx, t0 + 3600, "smtp", key, "2001:db8::9", SENDSEC_OK, "t+3600 s: OK"), 1);
	CHECK_EQ_INT(new_writes(NULL), 1);
	CHECK(last_use_is(ctx, id, t0 + 3600, "2001:db8::9"));
	CHECK_EQ_INT(login_at(ctx, t0 + 3601, "smtp", key, NULL, SENDSEC_OK, "t+3601 s: OK"), 1);
	CHECK_EQ_INT(new_writes(NULL), 0);

	/* Refused logins write nothing, even when the interval has passed. */
	CHECK_EQ_INT(login_at(ctx, t0 + 9000, "imap", key, NULL, SENDSEC_DENIED, "out of scope: DENIED"), 1);
	{
		char forged[SENDSEC_KEY_MAX + 1];

		ikey_wrong_secret(key, "ssk_", forged);
		CHECK_EQ_INT(login_at(ctx, t0 + 9000, "smtp", forged, NULL, SENDSEC_DENIED, "wrong secret: DENIED"), 1);
	}
	CHECK_EQ_INT(new_writes(NULL), 0);
	CHECK(last_use_is(ctx, id, t0 + 3600, "2001:db8::9"));

	/* A use without a client address is written as such. */
	CHECK_EQ_INT(login_at(ctx, t0 + 7200, "smtp", key, NULL, SENDSEC_OK, "t+7200 s, no address: OK"), 1);
	CHECK_EQ_INT(new_writes(NULL), 1);
	CHECK(last_use_is(ctx, id, t0 + 7200, NULL));

	/* A second host reads the value the first one wrote: nothing to write. */
	host2 = itest_ctx(CONF);
	sendsec_ctx_set_clock(host2, itest_clock_now, &clock_);
	CHECK_EQ_INT(login_at(ctx, t0 + 10800, "smtp", key, "192.0.2.7", SENDSEC_OK, "host 1 at t+3 h: OK"), 1);
	CHECK_EQ_INT(login_at(host2, t0 + 10801, "smtp", key, "192.0.2.8", SENDSEC_OK, "host 2 at t+3 h: OK"), 1);
	CHECK_EQ_INT(new_writes(&lost), 1);
	CHECK_EQ_INT(lost, 0);
	CHECK(last_use_is(ctx, id, t0 + 10800, "192.0.2.7"));

	/* apikey_touch_interval 0: every use is written. */
	every = itest_ctx(CONF "apikey_touch_interval 0\n");
	sendsec_ctx_set_clock(every, itest_clock_now, &clock_);
	for (int i = 0; i < 3; i++)
		CHECK_EQ_INT(login_at(every, t0 + 10802, "smtp", key, "192.0.2.7", SENDSEC_OK, "interval 0: OK"), 1);
	CHECK_EQ_INT(new_writes(NULL), 3);

	/* The touches replaced the one value each time: still one record and one id. */
	CHECK(itest_count_values(itest_user_dn("alice"), "sendsecApiKey") == 1);
	CHECK(itest_count_values(itest_user_dn("alice"), "sendsecKeyId") == 1);

	sodium_memzero(key, sizeof(key));
	sendsec_ctx_free(every);
	sendsec_ctx_free(host2);
	sendsec_ctx_free(ctx);
	return check_report(argv[0]);
}
