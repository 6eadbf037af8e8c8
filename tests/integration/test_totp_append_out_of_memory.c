/* test_totp_append_out_of_memory.c — a password with its TOTP code appended, right password and
 * right code, when the copy of the password part cannot be allocated: the engine could not decide,
 * so the login is unavailable and no failed attempt is recorded. fuzz_engine found it answered
 * "denied, bad_totp" and counted a failure toward lockout. The copy is failed through
 * -Wl,--wrap=secret_strndup (the engine is linked statically into this test); the code comes from
 * the independent oathtool. Usage (under with-slapd.sh): test_totp_append_out_of_memory sendsecctl */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "check.h"
#include "itest.h"
#include "totp_itest.h"

char *__real_secret_strndup(const char *s, size_t n);
char *__wrap_secret_strndup(const char *s, size_t n);

static bool fail_next_copy; /* the next secret_strndup fails, as when memory runs out */

char *__wrap_secret_strndup(const char *s, size_t n)
{
	if (fail_next_copy) {
		fail_next_copy = false;
		errno = ENOMEM;
		return NULL;
	}
	return __real_secret_strndup(s, n);
}

int main(int argc, char **argv)
{
	struct itest_clock clk = {.now = 0};
	struct sendsec_outcome out;
	char b32[128], code[16], buf[256];
	const char *conf = itest_write_conf(true,
			"methods password+totp\notp_mode append\nlockout_threshold 3\n"
			"rehash no\nargon2_opslimit 3\nargon2_memlimit 4096\n");
	struct sendsec_ctx *ctx = itest_ctx_from(conf);

	if (argc < 2) {
		fprintf(stderr, "usage: %s sendsecctl\n", argv[0]);
		return 2;
	}
	clk.now = time(NULL);
	sendsec_ctx_set_clock(ctx, itest_clock_now, &clk);
	CHECK_EQ_INT(totp_enroll(argv[1], conf, "alice", b32), 0);

	totp_code(b32, false, "SHA1", 6, clk.now, code);
	snprintf(buf, sizeof(buf), "%s%s", itest_pw("alice"), code);
	fail_next_copy = true;
	totp_login(ctx, "alice", buf, NULL, true, &out);
	CHECK(!fail_next_copy); /* the copy was attempted, and failed */
	EXPECT("right password and code, the copy of the password part fails: unavailable", &out, SENDSEC_UNAVAILABLE,
			SENDSEC_REASON_UNAVAILABLE);
	/* the attempt recorded before the check is dropped again: nothing counts toward lockout */
	CHECK_EQ_INT(itest_count_values(itest_user_dn("alice"), "sendsecFailure"), 0);
	CHECK_EQ_INT(itest_count_values(itest_user_dn("alice"), "sendsecFailureTime"), 0);

	totp_login(ctx, "alice", buf, NULL, true, &out);
	EXPECT("the same login with memory: the code was not used up, so it works", &out, SENDSEC_OK,
			SENDSEC_REASON_NONE);

	sodium_memzero(buf, sizeof(buf));
	sodium_memzero(code, sizeof(code));
	sendsec_ctx_free(ctx);
	return check_report(argv[0]);
}
