/* test_policy_lockout_append_splits.c — with a code appended to the password and tokens of two code
 * lengths (a 6-digit TOTP token and an 8-digit HOTP token), one login checks two password
 * candidates: the text without its last 6 characters and without its last 8. Each candidate is a
 * guess, so the tag that makes "the same wrong password again" count once (DESIGN.md section 11)
 * must stand for every candidate checked. Here the last 8 characters' candidate stays the same
 * ("A") while the other ("A" and two more characters) changes from try to try: each try is a new
 * guess and counts, so lockout_threshold 3 locks the source after three of them; the very same
 * text tried again still counts once. Run under tests/fixtures/with-slapd.sh. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "itest.h"
#include "lockout_itest.h"
#include "totp_itest.h"

#define CONF                                                                                                           \
	"methods password+totp\nlockout_threshold 3\nlockout_account_threshold 50\nrehash no\n"                        \
	"argon2_opslimit 3\nargon2_memlimit 4096\n"
#define CLIENT "203.0.113.7"

/* Logs carol in with text (password and appended code), no prompt callback, from CLIENT. */
static void appended(struct sendsec_ctx *ctx, const char *text, struct sendsec_outcome *out)
{
	struct sendsec_request req = {.service = "smtp", .user = "carol", .password = text, .rhost = CLIENT};

	CHECK(sendsec_authenticate(ctx, &req, out) == out->result);
}

/* text = the first len - 2 characters of carol's password, then a and b, then six digits: the
 * 6-digit split checks "A" a b, the 8-digit split checks "A". */
static void make(char *text, size_t size, char a, char b)
{
	const char *pw = itest_pw("carol");

	snprintf(text, size, "%.*s%c%c123456", (int)strlen(pw) - 2, pw, a, b);
}

int main(int argc, char **argv)
{
	struct sendsec_ctx *ctx;
	struct sendsec_outcome out;
	const char *carol = itest_user_dn("carol");
	char totp_hex[41], hotp_hex[41], text[256];

	(void)argc;
	if (sodium_init() < 0)
		return 1;
	ctx = itest_ctx(CONF);
	CHECK_EQ_INT(litest_set_password("carol"), 0);
	CHECK(totp_add_token("carol", "carol-phone", "totp", "totp-sha1-6", NULL, "oathTOTPToken", totp_hex) == 0);
	CHECK(totp_add_token("carol", "carol-fob", "hotp", "hotp-sha1-8", NULL, "oathHOTPToken", hotp_hex) == 0);

	/* The very same text twice: one guess, counted once. */
	make(text, sizeof(text), '#', '0');
	for (int i = 0; i < 2; i++) {
		appended(ctx, text, &out);
		EXPECT("the same wrong text (two candidates) again", &out, SENDSEC_DENIED, SENDSEC_REASON_BAD_PASSWORD);
	}
	CHECK_EQ_INT(litest_count_source(carol, "203.0.113.0/24"), 1);

	/* Two more texts whose 8-digit candidate is the same but whose 6-digit one is new: two more
	 * guesses, two more failures. */
	make(text, sizeof(text), '#', '1');
	appended(ctx, text, &out);
	EXPECT("a new 6-digit candidate beside the same 8-digit one", &out, SENDSEC_DENIED,
			SENDSEC_REASON_BAD_PASSWORD);
	make(text, sizeof(text), '#', '2');
	appended(ctx, text, &out);
	EXPECT("and another", &out, SENDSEC_DENIED, SENDSEC_REASON_BAD_PASSWORD);
	CHECK_EQ_INT(litest_count_source(carol, "203.0.113.0/24"), 3);

	/* Three guesses from this /24: it is locked, also for the next new candidate. */
	make(text, sizeof(text), '#', '3');
	appended(ctx, text, &out);
	EXPECT("a fourth guess from the locked source", &out, SENDSEC_DENIED, SENDSEC_REASON_SOURCE_LOCKED);
	sodium_memzero(text, sizeof(text));
	sodium_memzero(totp_hex, sizeof(totp_hex));
	sodium_memzero(hotp_hex, sizeof(hotp_hex));
	sendsec_ctx_free(ctx);
	return check_report(argv[0]);
}
