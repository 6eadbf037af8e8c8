/* test_policy_lockout_append_busy.c — with a code appended and tokens of two code lengths, a login
 * checks one password candidate per length. When the first candidate has been checked and refused
 * and no hash slot comes free for the next (a flood keeps them taken), that guess was tested all
 * the same: it must count toward lockout, and the answer must not differ from a wrong password's
 * because of it. Here every hash slot after the first one a login takes is refused as busy
 * (-Wl,--wrap=sendsec_hash_slots_take; the engine is linked statically into this test). Before,
 * the login answered "unavailable, busy" and left nothing in the lockout record, so an attacker who
 * kept the slots busy could test candidates without their counting, and tell a right first
 * candidate (refused as bad_totp) from a wrong one (busy). The same holds for a recovery code
 * appended to the right password: its check needs a slot after the password's, and a busy answer
 * there told a right password from a wrong one. Usage (under tests/fixtures/with-slapd.sh):
 * test_policy_lockout_append_busy PATH/TO/sendsecctl */
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "itest.h"
#include "lockout_itest.h"
#include "slots.h"
#include "totp_itest.h"

#define CONF                                                                                                           \
	"methods password+totp\nlockout_threshold 5\nrehash no\nargon2_opslimit 3\nargon2_memlimit 4096\n"             \
	"hash_concurrency 4\n"

enum sendsec_slot_status __real_sendsec_hash_slots_take(struct sendsec_hash_slots *h, unsigned n, unsigned timeout_ms,
		unsigned *slot_out, char *err, size_t errlen);
enum sendsec_slot_status __wrap_sendsec_hash_slots_take(struct sendsec_hash_slots *h, unsigned n, unsigned timeout_ms,
		unsigned *slot_out, char *err, size_t errlen);

static int takes_left = -1; /* slots the next takes may have; then busy (-1: no limit) */

enum sendsec_slot_status __wrap_sendsec_hash_slots_take(struct sendsec_hash_slots *h, unsigned n, unsigned timeout_ms,
		unsigned *slot_out, char *err, size_t errlen)
{
	if (takes_left == 0)
		return SENDSEC_SLOT_BUSY;
	if (takes_left > 0)
		takes_left--;
	return __real_sendsec_hash_slots_take(h, n, timeout_ms, slot_out, err, errlen);
}

/* One login of req with slots hash slots to take (then busy); out gets the outcome. */
static void login_with_slots(
		struct sendsec_ctx *ctx, const struct sendsec_request *req, int slots, struct sendsec_outcome *out)
{
	takes_left = slots;
	CHECK(sendsec_authenticate(ctx, req, out) == out->result);
	takes_left = -1;
}

int main(int argc, char **argv)
{
	struct sendsec_ctx *ctx;
	struct sendsec_outcome out;
	struct sendsec_request req = {.service = "smtp", .user = "carol", .rhost = "203.0.113.7"};
	const char *carol = itest_user_dn("carol");
	char totp_hex[41], hotp_hex[41], text[256], codes[1024];
	const char *recovery[] = {NULL, "--config", NULL, "recovery", "carol", NULL};

	recovery[0] = totp_test_start(argc, argv, "with-slapd.sh");
	recovery[2] = itest_write_conf(true, CONF);
	ctx = itest_ctx(CONF);
	CHECK_EQ_INT(litest_set_password("carol"), 0);
	CHECK(totp_add_token("carol", "carol-phone", "totp", "totp-sha1-6", NULL, "oathTOTPToken", totp_hex) == 0);
	CHECK(totp_add_token("carol", "carol-fob", "hotp", "hotp-sha1-8", NULL, "oathHOTPToken", hotp_hex) == 0);

	/* A wrong password and 8 digits: the 6-digit split (wrong) gets a slot, the next one none. */
	snprintf(text, sizeof(text), "%sx12345678", itest_pw("carol"));
	req.password = text;
	login_with_slots(ctx, &req, 1, &out);
	EXPECT("a wrong first candidate, then no slot: refused as a wrong password", &out, SENDSEC_DENIED,
			SENDSEC_REASON_BAD_PASSWORD);
	CHECK_EQ_INT(litest_count_source(carol, "203.0.113.0/24"), 1);

	/* The right password with a wrong 8-digit code, the same way: the answer a wrong code gets. */
	snprintf(text, sizeof(text), "%s12345678", itest_pw("carol"));
	login_with_slots(ctx, &req, 1, &out);
	EXPECT("the right password, a wrong code, no second slot: bad_totp", &out, SENDSEC_DENIED,
			SENDSEC_REASON_BAD_TOTP);

	/* No slot at all: nothing was checked, nothing counts. */
	login_with_slots(ctx, &req, 0, &out);
	EXPECT("no slot at all: busy", &out, SENDSEC_UNAVAILABLE, SENDSEC_REASON_BUSY);
	CHECK_EQ_INT(litest_count_source(carol, "203.0.113.0/24"), 2);

	/* Recovery codes appended to the right password: the code's check needs no second slot. */
	CHECK_EQ_INT(itest_run(recovery, NULL, codes, sizeof(codes)), 0);
	codes[19] = '\0';
	snprintf(text, sizeof(text), "%saaaa-aaaa-aaaa-aaaa", itest_pw("carol"));
	login_with_slots(ctx, &req, 1, &out);
	EXPECT("the right password, a wrong recovery code, no second slot: bad_totp", &out, SENDSEC_DENIED,
			SENDSEC_REASON_BAD_TOTP);
	snprintf(text, sizeof(text), "%s%.19s", itest_pw("carol"), codes);
	login_with_slots(ctx, &req, 1, &out);
	EXPECT("the right password and a recovery code, no second slot: in", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	CHECK_STR(out.method, "recovery");
	sodium_memzero(codes, sizeof(codes));
	sodium_memzero(text, sizeof(text));
	sodium_memzero(totp_hex, sizeof(totp_hex));
	sodium_memzero(hotp_hex, sizeof(hotp_hex));
	sendsec_ctx_free(ctx);
	return check_report(argv[0]);
}
