/* test_fleet_password_state.c — password logins read the account's state from the providers, not
 * from a replica (DESIGN.md section 10, issue 12 items 1 and 6): host A reads the consumer c1,
 * host B the frozen copy, host C no replica; each login is a process of its own.
 * - a password changed with sendsecctl passwd on A: on B the old password is refused at once and
 *   the new one works, although B's replica still holds the old hash;
 * - lockout counted from failures on several hosts: 2 on A, 2 on B, 1 on C lock the account on
 *   all of them (the failure record is on the first provider); sendsecctl unlock on A frees it;
 * - a forced reset set with sendsecctl on A is seen at once on B.
 * Run under tests/fixtures/with-fleet.sh: test_fleet_password_state PATH/TO/sendsecctl */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "check.h"
#include "fleet_itest.h"
#include "itest.h"

#define HOST                                                                                                           \
	"methods password\nargon2_opslimit 3\nargon2_memlimit 4096\nlockout_threshold 5\nlockout_interval "            \
	"900\nlockout_duration 900\n"
#define NEW_PASSWORD "carol-N3w-Passw0rd!"

static enum sendsec_result login(const char *conf, const char *user, const char *password, struct sendsec_outcome *out)
{
	struct fleet_login req = {.user = user, .password = password, .rhost = "198.51.100.7"};

	return fleet_host_login(conf, &req, out);
}

static int sendsecctl(const char *ctl, const char *conf, const char *cmd, const char *user, const char *input)
{
	const char *const argv[] = {ctl, "--config", conf, cmd, user, NULL};

	return itest_run(argv, input, NULL, 0);
}

int main(int argc, char **argv)
{
	char *host_a = fleet_conf("p1 p2", "c1", HOST), *host_b = fleet_conf("p1 p2", "frozen", HOST);
	char *host_c = fleet_conf("p1 p2", NULL, HOST);
	const char *hosts[5] = {host_a, host_a, host_b, host_b, host_c};
	struct sendsec_outcome out;
	char stored_b[512], stored_a[512];
	int failures = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s PATH/TO/sendsecctl (under with-fleet.sh)\n", argv[0]);
		return 2;
	}

	/* A password change on A. */
	login(host_b, "carol", itest_pw("carol"), &out);
	EXPECT("host B: carol's password before the change", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	CHECK(sendsecctl(argv[1], host_a, "passwd", "carol", NEW_PASSWORD "\n") == 0);
	CHECK(fleet_read("frozen", itest_user_dn("carol"), "userPassword", stored_b, sizeof(stored_b)));
	CHECK(fleet_read("p1", itest_user_dn("carol"), "userPassword", stored_a, sizeof(stored_a)));
	printf("%s - the frozen replica still holds the old hash\n", strcmp(stored_a, stored_b) != 0 ? "ok" : "not ok");
	CHECK(strcmp(stored_a, stored_b) != 0);
	login(host_b, "carol", itest_pw("carol"), &out);
	EXPECT("host B (frozen replica), right after the change on A: the old password is refused", &out,
			SENDSEC_DENIED, SENDSEC_REASON_BAD_PASSWORD);
	login(host_b, "carol", NEW_PASSWORD, &out);
	EXPECT("host B: the new password works", &out, SENDSEC_OK, SENDSEC_REASON_NONE);

	/* Lockout from failures on three hosts (five different wrong passwords: the same one again
	 * counts once), all from 198.51.100.0/24: that source is locked. */
	for (int i = 0; i < 5; i++) {
		char wrong[32];

		snprintf(wrong, sizeof(wrong), "wrong%d", i);
		if (login(hosts[i], "bob", itest_pw(wrong), &out) == SENDSEC_DENIED &&
				out.reason == SENDSEC_REASON_BAD_PASSWORD)
			failures++;
	}
	printf("%s - five wrong passwords, on A, A, B, B and C: %d refused as bad_password\n",
			failures == 5 ? "ok" : "not ok", failures);
	CHECK_EQ_INT(failures, 5);
	CHECK_EQ_INT(itest_count_values(itest_user_dn("bob"), "sendsecFailure"), 5);
	login(host_b, "bob", itest_pw("bob"), &out);
	EXPECT("host B: the right password is refused, the source is locked", &out, SENDSEC_DENIED,
			SENDSEC_REASON_SOURCE_LOCKED);
	login(host_a, "bob", itest_pw("bob"), &out);
	EXPECT("host A: locked too", &out, SENDSEC_DENIED, SENDSEC_REASON_SOURCE_LOCKED);
	CHECK(sendsecctl(argv[1], host_a, "unlock", "bob", NULL) == 0);
	login(host_b, "bob", itest_pw("bob"), &out);
	EXPECT("sendsecctl unlock on A: bob logs in on B at once", &out, SENDSEC_OK, SENDSEC_REASON_NONE);

	/* A forced reset. */
	CHECK(sendsecctl(argv[1], host_a, "reset", "frank", NULL) == 0);
	login(host_b, "frank", itest_pw("frank"), &out);
	EXPECT("sendsecctl reset on A: host B asks frank for a new password at once", &out, SENDSEC_CHANGE_REQUIRED,
			SENDSEC_REASON_RESET_REQUIRED);

	sodium_memzero(stored_a, sizeof(stored_a));
	sodium_memzero(stored_b, sizeof(stored_b));
	free(host_a);
	free(host_b);
	free(host_c);
	return check_report(argv[0]);
}
