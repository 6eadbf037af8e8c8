/* test_apikey_idle_touch.c — apikey_max_idle together with an apikey_touch_interval longer than
 * the idle limit (review of issue 15) against the fixture slapd, with the clock moved on: a key
 * used every few hours must never be refused as idle. Without a rule tying the two, the last use
 * is written once per touch interval only, so a key in constant use looks unused after
 * apikey_max_idle days and is refused with reason idle.
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

int main(int argc, char **argv)
{
	/* Idle after 1 day; the last use written at most every 10 days. */
	struct sendsec_ctx *ctx = itest_ctx(CONF "apikey_max_idle 1\napikey_touch_interval 864000\n");
	char key[SENDSEC_KEY_MAX + 1], id[16], what[128];
	struct sendsec_outcome out;
	struct sendsec_keyrec rec;
	const time_t t0 = time(NULL);

	(void)argc;
	clock_.now = t0;
	sendsec_ctx_set_clock(ctx, itest_clock_now, &clock_);
	CHECK(ikey_create(ctx, "carol", "smtp", 0, NULL, key, id) == SENDSEC_OK);

	/* A use every 6 hours for 3 days. */
	for (int hours = 0; hours <= 72; hours += 6) {
		clock_.now = t0 + hours * 3600;
		itest_login(ctx, "smtp", "apikey", key, "192.0.2.7", &out);
		snprintf(what, sizeof(what), "a key used every 6 hours, at hour %d", hours);
		EXPECT(what, &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	}
	/* The last use stored is recent enough that the key is not idle. */
	CHECK(ikey_record(ctx, "carol", id, &rec));
	CHECK(rec.used >= t0 + 72 * 3600 - DAY);
	sendsec_keyrec_clear(&rec);
	/* Unused for more than a day after its last use: idle, as before. */
	clock_.now = t0 + 72 * 3600 + 2 * DAY;
	itest_login(ctx, "smtp", "apikey", key, "192.0.2.7", &out);
	EXPECT("two days after its last use: idle", &out, SENDSEC_DENIED, SENDSEC_REASON_IDLE);
	sodium_memzero(key, sizeof(key));
	sendsec_ctx_free(ctx);
	return check_report(argv[0]);
}
