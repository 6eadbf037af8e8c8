/* test_totp_replay_two_hosts.c — two processes, each with its own engine context and directory
 * connection (two hosts), submit the same valid code at the same moment: exactly one login
 * succeeds, the other is refused as totp_replayed. Also for a token without any
 * oathTOTPLastTimeStep yet (written by another tool), and for one recovery code. Two different
 * valid codes at the same moment: the one with the later step always succeeds (the loser of the
 * compare-and-swap re-reads the step and decides again), the earlier one only if it came first.
 * Usage (under with-slapd.sh): test_totp_replay_two_hosts PATH/TO/sendsecctl */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "check.h"
#include "itest.h"
#include "totp_itest.h"

#define CONF   "methods password+totp apikey\nlockout_threshold 0\nrehash no\nargon2_opslimit 3\nargon2_memlimit 4096\n"
#define ROUNDS 5

/* Two "hosts" log user in with password and answers[i] at clock t, released at once. Counts their
 * outcomes: *ok_out successes, *replayed_out totp_replayed refusals; host_ok[i] (may be NULL)
 * tells whether host i succeeded. */
static void race2(const char *conf, const char *user, const char *const answers[2], time_t t, int *ok_out,
		int *replayed_out, bool host_ok[2])
{
	const char *const confs[2] = {conf, conf};
	struct itest_race r;

	itest_race(2, confs, user, itest_pw(user), answers, t, &r);
	*ok_out = r.ok;
	*replayed_out = r.replayed;
	if (host_ok != NULL) {
		host_ok[0] = r.host_ok[0];
		host_ok[1] = r.host_ok[1];
	}
}

static void race(const char *conf, const char *user, const char *answer, time_t t, int *ok_out, int *replayed_out)
{
	const char *const answers[2] = {answer, answer};

	race2(conf, user, answers, t, ok_out, replayed_out, NULL);
}

/* Two different valid codes of bob's token (the step at t and the next) racing: the later one
 * always succeeds, and both hosts answer. what names the round's state in the output. */
static void race_two_codes(const char *conf, const char *hex, time_t t, int r, const char *what)
{
	char code[16], next[16], line[192];
	const char *const answers[2] = {code, next};
	int ok, replayed;
	bool host_ok[2];

	totp_code(hex, true, "SHA1", 6, t, code);
	totp_code(hex, true, "SHA1", 6, t + 30, next);
	race2(conf, "bob", answers, t, &ok, &replayed, host_ok);
	snprintf(line, sizeof(line), "round %d, %s, two different codes: the later one succeeds (later %s, earlier %s)",
			r, what, host_ok[1] ? "ok" : "refused", host_ok[0] ? "ok" : "refused");
	printf("%s - %s\n", host_ok[1] && ok + replayed == 2 ? "ok" : "not ok", line);
	CHECK(host_ok[1] && ok + replayed == 2);
	sodium_memzero(code, sizeof(code));
	sodium_memzero(next, sizeof(next));
}

int main(int argc, char **argv)
{
	char b32[64], code[16], hex[41], b64[64], ldif[2048], what[128];
	unsigned char secret[20];
	char *conf;
	time_t t0 = (time(NULL) / 30) * 30 + 15;
	int ok, replayed;

	(void)totp_test_start(argc, argv, "with-slapd.sh");
	conf = strdup(itest_write_conf(true, CONF));
	if (conf == NULL)
		return 1;

	/* A token enrolled by sendsecctl (oathTOTPLastTimeStep 0): delete old + add new. */
	CHECK(totp_enroll(argv[1], conf, "alice", b32) == 0);
	for (int r = 0; r < ROUNDS; r++) {
		time_t t = t0 + 30 * r;

		totp_code(b32, false, "SHA1", 6, t, code);
		race(conf, "alice", code, t, &ok, &replayed);
		snprintf(what, sizeof(what), "round %d: one of two hosts wins the same code (%d ok, %d replayed)", r,
				ok, replayed);
		printf("%s - %s\n", ok == 1 && replayed == 1 ? "ok" : "not ok", what);
		CHECK(ok == 1 && replayed == 1);
	}

	/* A token without oathTOTPLastTimeStep (plain secret written by ldapmodify): add only; the
	 * attribute is SINGLE-VALUE, so one add wins. The step is removed again before each round. */
	randombytes_buf(secret, sizeof(secret));
	sodium_bin2hex(hex, sizeof(hex), secret, sizeof(secret));
	sodium_bin2base64(b64, sizeof(b64), secret, sizeof(secret), sodium_base64_VARIANT_ORIGINAL);
	snprintf(ldif, sizeof(ldif),
			"dn: cn=bob-hand,ou=tokens,%s\nchangetype: add\nobjectClass: applicationProcess\nobjectClass: "
			"oathTOTPToken\n"
			"cn: bob-hand\noathSecret:: %s\noathTOTPParams: cn=totp-sha1-6,ou=params,%s\n\n"
			"dn: %s\nchangetype: modify\nadd: objectClass\nobjectClass: oathTOTPUser\n-\nadd: "
			"oathTOTPToken\n"
			"oathTOTPToken: cn=bob-hand,ou=tokens,%s\n",
			itest_env("BASE"), b64, itest_env("BASE"), itest_user_dn("bob"), itest_env("BASE"));
	CHECK(itest_ldapmodify(ldif) == 0);
	sodium_memzero(ldif, sizeof(ldif));
	for (int r = 0; r < ROUNDS; r++) {
		time_t t = t0 + 30 * r;

		if (r > 0) {
			snprintf(ldif, sizeof(ldif),
					"dn: cn=bob-hand,ou=tokens,%s\nchangetype: modify\ndelete: "
					"oathTOTPLastTimeStep\n",
					itest_env("BASE"));
			CHECK(itest_ldapmodify(ldif) == 0);
		}
		totp_code(hex, true, "SHA1", 6, t, code);
		race(conf, "bob", code, t, &ok, &replayed);
		snprintf(what, sizeof(what), "round %d, no stored step yet: one of two hosts wins (%d ok, %d replayed)",
				r, ok, replayed);
		printf("%s - %s\n", ok == 1 && replayed == 1 ? "ok" : "not ok", what);
		CHECK(ok == 1 && replayed == 1);
	}

	/* No stored step, two different valid codes (this step and the next): the later add meets a
	 * SINGLE-VALUE constraint violation; the host re-reads the step another host stored and
	 * decides again: the later code always succeeds, the earlier one only when it came first. */
	for (int r = 0; r < 3; r++) {
		snprintf(ldif, sizeof(ldif),
				"dn: cn=bob-hand,ou=tokens,%s\nchangetype: modify\ndelete: oathTOTPLastTimeStep\n",
				itest_env("BASE"));
		CHECK(itest_ldapmodify(ldif) == 0);
		race_two_codes(conf, hex, t0 + 30 * (ROUNDS + 2 * r), r, "no stored step");
	}

	/* A stored step, two different valid codes racing: the later step always succeeds. */
	for (int r = 0; r < ROUNDS; r++)
		race_two_codes(conf, hex, t0 + 30 * (ROUNDS + 7 + 2 * r), r, "stored step");

	/* One recovery code, two hosts: exactly one. */
	{
		const char *rec[] = {argv[1], "--config", conf, "recovery", "alice", NULL};
		char codes[1024];

		CHECK(itest_run(rec, NULL, codes, sizeof(codes)) == 0);
		for (int r = 0; r < 3; r++) {
			char one[32];

			snprintf(one, sizeof(one), "%.19s", codes + 20 * r);
			race(conf, "alice", one, t0, &ok, &replayed);
			snprintf(what, sizeof(what), "recovery code %d: one of two hosts wins (%d ok, %d replayed)", r,
					ok, replayed);
			printf("%s - %s\n", ok == 1 ? "ok" : "not ok", what);
			CHECK(ok == 1);
			sodium_memzero(one, sizeof(one));
		}
		CHECK(itest_count_values(itest_user_dn("alice"), "sendsecRecoveryCode") == 7);
		sodium_memzero(codes, sizeof(codes));
	}
	sodium_memzero(b32, sizeof(b32));
	sodium_memzero(code, sizeof(code));
	sodium_memzero(secret, sizeof(secret));
	sodium_memzero(hex, sizeof(hex));
	sodium_memzero(b64, sizeof(b64));
	free(conf);
	return check_report(argv[0]);
}
