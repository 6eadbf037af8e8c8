/* test_policy_lockout_two_processes.c — the lockout record lives in the directory, so failures
 * count across hosts: with lockout_threshold 3, two failures in one process and one in another
 * (each its own context, running at the same time) lock alice, and then even the right password
 * is refused with reason locked. Fewer failures than the threshold do not lock, and a success
 * clears the record. Deleting sendsecFailureTime as the rootdn (what an unlock does) lets her in.
 * Run under tests/fixtures/with-slapd.sh. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "itest.h"

#define EXTRA ITEST_PASSWORD_ONLY "lockout_threshold 3\n"

/* A separate "host": its own context, n wrong passwords for user. Exit 0 when each was a plain
 * bad_password refusal. */
static pid_t host_failing(const char *conf, const char *user, int n)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	struct sendsec_ctx *ctx = itest_ctx_from(conf);
	struct sendsec_outcome out;
	int bad = 0;

	for (int i = 0; i < n; i++) {
		itest_login(ctx, "sshd", user, itest_pw("wrong"), "192.0.2.10", &out);
		bad += out.result != SENDSEC_DENIED || out.reason != SENDSEC_REASON_BAD_PASSWORD;
	}
	sendsec_ctx_free(ctx);
	_exit(bad == 0 ? 0 : 1);
}

static bool hosts_ok(pid_t a, pid_t b)
{
	int sa = -1, sb = -1;

	if (a < 0 || b < 0 || waitpid(a, &sa, 0) != a || waitpid(b, &sb, 0) != b)
		return false;
	return WIFEXITED(sa) && WEXITSTATUS(sa) == 0 && WIFEXITED(sb) && WEXITSTATUS(sb) == 0;
}

int main(int argc, char **argv)
{
	char conf[512], ldif[512];
	struct sendsec_outcome out;
	struct sendsec_ctx *ctx;
	const char *alice = itest_user_dn("alice");

	(void)argc;
	snprintf(conf, sizeof(conf), "%s", itest_write_conf(true, EXTRA));
	ctx = itest_ctx_from(conf);

	/* Two failures (one per host): below the threshold. */
	CHECK(hosts_ok(host_failing(conf, "alice", 1), host_failing(conf, "alice", 1)));
	CHECK(itest_count_values(alice, "sendsecFailureTime") == 2);
	itest_login(ctx, "sshd", "alice", itest_pw("alice"), "192.0.2.20", &out);
	EXPECT("two failures on two hosts, threshold 3: the right password works", &out, SENDSEC_OK,
			SENDSEC_REASON_NONE);
	CHECK(itest_count_values(alice, "sendsecFailureTime") == 0); /* the success cleared the record */

	/* Three failures: two on one host, one on another, at the same time. */
	CHECK(hosts_ok(host_failing(conf, "alice", 2), host_failing(conf, "alice", 1)));
	CHECK(itest_count_values(alice, "sendsecFailureTime") == 3);
	itest_login(ctx, "sshd", "alice", itest_pw("alice"), "192.0.2.20", &out);
	EXPECT("three failures on two hosts: the right password is refused, locked", &out, SENDSEC_DENIED,
			SENDSEC_REASON_LOCKED);
	itest_login(ctx, "sshd", "alice", itest_pw("wrong"), "192.0.2.20", &out);
	EXPECT("locked: a wrong password says locked too", &out, SENDSEC_DENIED, SENDSEC_REASON_LOCKED);
	CHECK(itest_count_values(alice, "sendsecFailureTime") == 3); /* refusals while locked add nothing */
	itest_login(ctx, "sshd", "bob", itest_pw("bob"), "192.0.2.20", &out);
	EXPECT("bob is not locked", &out, SENDSEC_OK, SENDSEC_REASON_NONE);

	/* Unlock: delete the record as the rootdn. */
	snprintf(ldif, sizeof(ldif), "dn: %s\nchangetype: modify\ndelete: sendsecFailureTime\n", alice);
	CHECK(itest_ldapmodify(ldif) == 0);
	itest_login(ctx, "sshd", "alice", itest_pw("alice"), "192.0.2.20", &out);
	EXPECT("after deleting sendsecFailureTime: alice logs in", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	sendsec_ctx_free(ctx);
	return check_report(argv[0]);
}
