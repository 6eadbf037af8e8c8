/* test_apikey_idle.c — apikey_max_idle (DESIGN.md sections 3 and 12) against the fixture slapd,
 * with the clock moved on: a key used within the limit keeps working (each use counts from then
 * on); unused for longer than the limit it is refused with reason idle, and the refusal writes no
 * last use; a key never used counts from its creation; 0 turns the rule off; the limit is a
 * service's setting like any other.
 * Run under tests/fixtures/with-slapd.sh. No key is ever printed. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "admin.h"
#include "ikey.h"
#include "itest.h"

#define CONF "methods password apikey\nargon2_opslimit 3\nargon2_memlimit 4096\n"
#define DAY  86400

static struct itest_clock clock_ = {0};

static void login_at(struct sendsec_ctx *ctx, time_t t, const char *service, const char *key,
		enum sendsec_result want_rc, enum sendsec_reason want_reason, const char *what)
{
	struct sendsec_outcome out;

	clock_.now = t;
	itest_login(ctx, service, "apikey", key, "192.0.2.7", &out);
	EXPECT(what, &out, want_rc, want_reason);
}

int main(int argc, char **argv)
{
	struct sendsec_ctx *ctx = itest_ctx(CONF "apikey_max_idle 30\n[service submission]\napikey_max_idle 0\n");
	struct sendsec_ctx *off = itest_ctx(CONF);
	char used[SENDSEC_KEY_MAX + 1], never[SENDSEC_KEY_MAX + 1], id_used[16], id_never[16];
	struct sendsec_keyrec rec;
	const time_t t0 = time(NULL);

	(void)argc;
	clock_.now = t0;
	sendsec_ctx_set_clock(ctx, itest_clock_now, &clock_);
	sendsec_ctx_set_clock(off, itest_clock_now, &clock_);
	CHECK(ikey_create(ctx, "carol", "smtp,submission", 0, NULL, used, id_used) == SENDSEC_OK);
	CHECK(ikey_create(ctx, "carol", "smtp,submission", 0, NULL, never, id_never) == SENDSEC_OK);

	/* Used now and then: each use restarts the count. */
	login_at(ctx, t0 + 30 * DAY, "smtp", used, SENDSEC_OK, SENDSEC_REASON_NONE,
			"30 days after creation, never used: OK (not more than 30 days)");
	login_at(ctx, t0 + 60 * DAY, "smtp", used, SENDSEC_OK, SENDSEC_REASON_NONE, "30 days after its last use: OK");
	login_at(ctx, t0 + 90 * DAY + 1, "smtp", used, SENDSEC_DENIED, SENDSEC_REASON_IDLE,
			"30 days and 1 s after its last use: DENIED idle");
	CHECK(ikey_record(ctx, "carol", id_used, &rec));
	CHECK_EQ_INT(rec.used, t0 + 60 * DAY); /* the refusal wrote nothing */
	sendsec_keyrec_clear(&rec);

	/* Never used: counted from its creation. */
	login_at(ctx, t0 + 30 * DAY + 1, "smtp", never, SENDSEC_DENIED, SENDSEC_REASON_IDLE,
			"never used, 30 days and 1 s after creation: DENIED idle");
	CHECK(ikey_record(ctx, "carol", id_never, &rec));
	CHECK_EQ_INT(rec.used, 0);
	sendsec_keyrec_clear(&rec);

	/* The rule is per service, and 0 turns it off. */
	login_at(ctx, t0 + 90 * DAY + 1, "submission", used, SENDSEC_OK, SENDSEC_REASON_NONE,
			"a service with apikey_max_idle 0: OK");
	login_at(off, t0 + 1000 * DAY, "smtp", never, SENDSEC_OK, SENDSEC_REASON_NONE,
			"apikey_max_idle unset (0): a key unused for 1000 days: OK");
	/* That use counts everywhere: the key is no longer idle for smtp either. */
	login_at(ctx, t0 + 1000 * DAY + 1, "smtp", never, SENDSEC_OK, SENDSEC_REASON_NONE,
			"after a use elsewhere: OK again");

	sodium_memzero(used, sizeof(used));
	sodium_memzero(never, sizeof(never));
	sendsec_ctx_free(off);
	sendsec_ctx_free(ctx);
	return check_report(argv[0]);
}
