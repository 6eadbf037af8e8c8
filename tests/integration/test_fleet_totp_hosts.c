/* test_fleet_totp_hosts.c — TOTP codes and recovery codes on a fleet (DESIGN.md section 10, issue
 * 12 items 3 and 6): host A reads the consumer c1, host B the frozen copy (taken before the token
 * existed), both list the providers in the same order. Each host is a process of its own.
 * - the same code on A, then on B: refused on B (totp_replayed);
 * - a fresh code on B, whose replica is stale: accepted (tokens are read from the providers);
 * - the same code at the same moment on A and B: exactly one success, in each of many rounds;
 * - two different valid codes at the same moment: the later step always succeeds;
 * - the same recovery code at the same moment on A and B: exactly one success.
 * Codes from oathtool. Run under tests/fixtures/with-fleet.sh: test_fleet_totp_hosts SENDSECCTL */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "check.h"
#include "fleet_itest.h"
#include "itest.h"
#include "totp_itest.h"

#define HOST        "methods password+totp apikey\nlockout_threshold 0\nrehash no\nargon2_opslimit 3\nargon2_memlimit 4096\n"
#define RACE_ROUNDS 20

int main(int argc, char **argv)
{
	char *admin = fleet_conf("p1 p2", NULL, HOST), *host_a = fleet_conf("p1 p2", "c1", HOST);
	char *host_b = fleet_conf("p1 p2", "frozen", HOST);
	const char *const hosts[2] = {host_a, host_b};
	struct sendsec_outcome out;
	struct fleet_login req = {.user = "alice"};
	char b32[64], code[16], next[16], what[200], token_dn[256], rec[1024], one[32];
	time_t t = (time(NULL) / 30) * 30 + 15;
	int exactly_one = 0, later_ok = 0, replayed;
	bool ok[2];

	(void)totp_test_start(argc, argv, "with-fleet.sh");
	CHECK(totp_enroll(argv[1], admin, "alice", b32) == 0);
	CHECK(totp_read_attr(itest_user_dn("alice"), "oathTOTPToken", token_dn, sizeof(token_dn)));
	CHECK(fleet_wait("c1", token_dn, "oathTOTPLastTimeStep", "0", 10) >= 0);
	CHECK(fleet_read("frozen", token_dn, "objectClass", what, sizeof(what)) == false);
	req.password = itest_pw("alice");

	/* One code, two hosts one after the other. */
	totp_code(b32, false, "SHA1", 6, t, code);
	req.answer = code;
	req.now = t;
	fleet_host_login(host_a, &req, &out);
	EXPECT("host A (replica c1): password and code", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	fleet_host_login(host_b, &req, &out);
	EXPECT("host B (frozen replica): the same code is refused", &out, SENDSEC_DENIED, SENDSEC_REASON_TOTP_REPLAYED);
	t += 30;
	totp_code(b32, false, "SHA1", 6, t, code);
	req.now = t;
	fleet_host_login(host_b, &req, &out);
	EXPECT("host B, whose replica never saw the token: a fresh code is accepted", &out, SENDSEC_OK,
			SENDSEC_REASON_NONE);
	fleet_host_login(host_a, &req, &out);
	EXPECT("host A: B's code is refused", &out, SENDSEC_DENIED, SENDSEC_REASON_TOTP_REPLAYED);

	/* The same code at the same moment on two hosts. */
	for (int r = 0; r < RACE_ROUNDS; r++) {
		const char *const answers[2] = {code, code};

		t += 30;
		totp_code(b32, false, "SHA1", 6, t, code);
		replayed = fleet_race(hosts, "alice", itest_pw("alice"), answers, t, ok);
		if (ok[0] + ok[1] == 1 && replayed == 1)
			exactly_one++;
		else
			printf("not ok - round %d: the same code at the same moment: A %s, B %s, %d replayed\n", r,
					ok[0] ? "ok" : "refused", ok[1] ? "ok" : "refused", replayed);
	}
	printf("%s - the same code at the same moment on two hosts: exactly one success in %d of %d rounds\n",
			exactly_one == RACE_ROUNDS ? "ok" : "not ok", exactly_one, RACE_ROUNDS);
	CHECK_EQ_INT(exactly_one, RACE_ROUNDS);

	/* Two different valid codes at the same moment: the later step wins, A and B taking turns. */
	for (int r = 0; r < 6; r++) {
		const char *const answers[2] = {r % 2 == 0 ? code : next, r % 2 == 0 ? next : code};
		int later = r % 2 == 0 ? 1 : 0;

		t += 60;
		totp_code(b32, false, "SHA1", 6, t, code);
		totp_code(b32, false, "SHA1", 6, t + 30, next);
		replayed = fleet_race(hosts, "alice", itest_pw("alice"), answers, t, ok);
		if (ok[later] && replayed >= 0 && ok[0] + ok[1] + replayed == 2)
			later_ok++;
		else
			printf("not ok - round %d: two codes: later (host %c) %s, earlier %s\n", r, 'A' + later,
					ok[later] ? "ok" : "refused", ok[1 - later] ? "ok" : "refused");
	}
	printf("%s - two different codes at the same moment: the later step succeeded in %d of 6 rounds\n",
			later_ok == 6 ? "ok" : "not ok", later_ok);
	CHECK_EQ_INT(later_ok, 6);

	/* Recovery codes: the same one at the same moment on two hosts. */
	{
		const char *rec_argv[] = {argv[1], "--config", admin, "recovery", "alice", NULL};

		CHECK(itest_run(rec_argv, NULL, rec, sizeof(rec)) == 0);
		exactly_one = 0;
		for (int r = 0; r < 3; r++) {
			const char *const answers[2] = {one, one};

			snprintf(one, sizeof(one), "%.19s", rec + 20 * r);
			replayed = fleet_race(hosts, "alice", itest_pw("alice"), answers, t, ok);
			exactly_one += ok[0] + ok[1] == 1 && replayed == 1;
		}
		printf("%s - the same recovery code at the same moment on two hosts: exactly one success in %d of 3\n",
				exactly_one == 3 ? "ok" : "not ok", exactly_one);
		CHECK_EQ_INT(exactly_one, 3);
		CHECK_EQ_INT(itest_count_values(itest_user_dn("alice"), "sendsecRecoveryCode"), 7);
	}

	sodium_memzero(b32, sizeof(b32));
	sodium_memzero(code, sizeof(code));
	sodium_memzero(next, sizeof(next));
	sodium_memzero(rec, sizeof(rec));
	sodium_memzero(one, sizeof(one));
	free(admin);
	free(host_a);
	free(host_b);
	return check_report(argv[0]);
}
