/* test_refusals_cost_one_verification.c — every refused password login costs exactly one argon2
 * verification at the configured cost, whatever the reason (issue 11 item 1): a password too
 * short to hold its appended code, an appended recovery code without a password, an unknown name,
 * a disabled account, a wrong password; and in bind mode every check, known or not, runs one
 * beside its bind. The verifications are counted, not timed: this binary is linked with
 * -Wl,--wrap=crypto_pwhash_str_verify (and the raw crypto_pwhash_argon2id and _argon2i, which
 * hash.c verifies with when it keeps a digest for the lockout tag), so every call from the engine
 * passes through the counters below, which also read the m= and t= of the string verified or the
 * cost passed (never the password).
 * Run under tests/fixtures/with-slapd.sh: test_refusals_cost_one_verification PATH/TO/sendsecctl */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "check.h"
#include "itest.h"
#include "totp_itest.h"

int __real_crypto_pwhash_str_verify(const char *str, const char *passwd, unsigned long long passwdlen);
int __wrap_crypto_pwhash_str_verify(const char *str, const char *passwd, unsigned long long passwdlen);

static struct {
	unsigned n;
	unsigned long m, t; /* of the last string verified */
} seen;

int __wrap_crypto_pwhash_str_verify(const char *str, const char *passwd, unsigned long long passwdlen)
{
	const char *p = strstr(str, "$m=");

	seen.n++;
	seen.m = seen.t = 0;
	if (p != NULL && sscanf(p, "$m=%lu,t=%lu,", &seen.m, &seen.t) != 2)
		seen.m = seen.t = 0;
	return __real_crypto_pwhash_str_verify(str, passwd, passwdlen);
}

/* The raw argon2 functions (crypto_pwhash_argon2id, _argon2i) share one type; the wrappers count
 * the call with its cost and call the real one. */
typedef int raw_pwhash_fn(unsigned char *out, unsigned long long outlen, const char *passwd,
		unsigned long long passwdlen, const unsigned char *salt, unsigned long long opslimit, size_t memlimit,
		int alg);
raw_pwhash_fn __real_crypto_pwhash_argon2id, __wrap_crypto_pwhash_argon2id;
raw_pwhash_fn __real_crypto_pwhash_argon2i, __wrap_crypto_pwhash_argon2i;

static void count_raw(unsigned long long opslimit, size_t memlimit)
{
	seen.n++;
	seen.m = (unsigned long)(memlimit / 1024);
	seen.t = (unsigned long)opslimit;
}

int __wrap_crypto_pwhash_argon2id(unsigned char *out, unsigned long long outlen, const char *passwd,
		unsigned long long passwdlen, const unsigned char *salt, unsigned long long opslimit, size_t memlimit,
		int alg)
{
	count_raw(opslimit, memlimit);
	return __real_crypto_pwhash_argon2id(out, outlen, passwd, passwdlen, salt, opslimit, memlimit, alg);
}

int __wrap_crypto_pwhash_argon2i(unsigned char *out, unsigned long long outlen, const char *passwd,
		unsigned long long passwdlen, const unsigned char *salt, unsigned long long opslimit, size_t memlimit,
		int alg)
{
	count_raw(opslimit, memlimit);
	return __real_crypto_pwhash_argon2i(out, outlen, passwd, passwdlen, salt, opslimit, memlimit, alg);
}

/* One login of user on sshd (totp_login: a wrong code answers the prompt when prompt, else no
 * prompt callback), then checks its result and that exactly one verification at m, t ran. */
static void expect_one(const char *what, struct sendsec_ctx *ctx, bool prompt, const char *user, const char *password,
		enum sendsec_result want, unsigned long m, unsigned long t)
{
	struct sendsec_outcome out;
	enum sendsec_result rc;
	bool ok;

	seen.n = 0;
	rc = totp_login(ctx, user, password, prompt ? "000000" : NULL, !prompt, &out);
	ok = rc == want && seen.n == 1 && seen.m == m && seen.t == t;
	CHECK(ok);
	if (ok)
		printf("ok - %s\n", what);
	else
		fprintf(stderr,
				"not ok - %s: got %s, %u verification(s), last m=%lu,t=%lu; wanted %s, 1 at "
				"m=%lu,t=%lu\n",
				what, sendsec_result_name(rc), seen.n, seen.m, seen.t, sendsec_result_name(want), m, t);
}

int main(int argc, char **argv)
{
	char b32[64], appended[128];
	char *conf;
	struct sendsec_ctx *append, *prompt, *bind;

	if (argc != 2) {
		fprintf(stderr, "usage: %s PATH/TO/sendsecctl (under with-slapd.sh)\n", argv[0]);
		return 2;
	}
	if (sodium_init() < 0)
		return 1;
	/* The seeded cost (m=4096, t=3: erin's hash), so that a real check and the dummy match. */
	conf = strdup(itest_write_conf(true,
			"methods password+totp\notp_mode append\nlockout_threshold 0\n"
			"rehash no\nargon2_opslimit 3\nargon2_memlimit 4096\n"));
	if (conf == NULL)
		return 1;
	append = itest_ctx_from(conf);
	prompt = itest_ctx("methods password+totp\nlockout_threshold 0\nrehash no\nargon2_opslimit 3\n"
			   "argon2_memlimit 4096\n");
	bind = itest_ctx("password_check bind\nmethods password\nlockout_threshold 0\nargon2_opslimit 1\n"
			 "argon2_memlimit 8\n");
	CHECK(totp_enroll(argv[1], conf, "erin", b32) == 0);
	sodium_memzero(b32, sizeof(b32));

	/* Code appended (SASL, otp_mode append): erin has a 6-digit token. */
	expect_one("appended: a password no longer than the code", append, false, "erin", "123456", SENDSEC_DENIED,
			4096, 3);
	expect_one("appended: a one-character password", append, false, "erin", "x", SENDSEC_DENIED, 4096, 3);
	expect_one("appended: a recovery code without a password", append, false, "erin", "abcd-efgh-ijkl-mnop",
			SENDSEC_DENIED, 4096, 3);
	snprintf(appended, sizeof(appended), "%s123456", "erin-wrong-Passw0rd!");
	expect_one("appended: a wrong password and a code", append, false, "erin", appended, SENDSEC_DENIED, 4096, 3);
	expect_one("appended: an unknown name", append, false, "nosuchuser", appended, SENDSEC_UNKNOWN_USER, 4096, 3);
	expect_one("appended: a disabled account", append, false, "dave", itest_pw("dave"), SENDSEC_DENIED, 4096, 3);

	/* Prompt mode. */
	expect_one("prompt: an unknown name", prompt, true, "nosuchuser", "some-Passw0rd!", SENDSEC_UNKNOWN_USER, 4096,
			3);
	expect_one("prompt: a wrong password", prompt, true, "erin", "erin-wrong-Passw0rd!", SENDSEC_DENIED, 4096, 3);

	/* Bind mode: the verification at the configured cost runs beside every bind. */
	expect_one("bind: a known name's wrong password", bind, false, "erin", "erin-wrong-Passw0rd!", SENDSEC_DENIED,
			8, 1);
	expect_one("bind: an unknown name", bind, false, "nosuchuser", "some-Passw0rd!", SENDSEC_UNKNOWN_USER, 8, 1);
	expect_one("bind: a disabled account", bind, false, "dave", itest_pw("dave"), SENDSEC_DENIED, 8, 1);
	expect_one("bind: the right password (the cost does not depend on the answer)", bind, false, "bob",
			itest_pw("bob"), SENDSEC_OK, 8, 1);

	sodium_memzero(appended, sizeof(appended));
	sendsec_ctx_free(append);
	sendsec_ctx_free(prompt);
	sendsec_ctx_free(bind);
	free(conf);
	return check_report(argv[0]);
}
