/* test_policy_lockout_two_processes.c — the lockout record lives in the directory, so failures
 * count across hosts: with lockout_threshold 3, two failures in one process and one in another
 * (each its own context, running at the same time, clients of 192.0.2.0/24) lock that source, and
 * then even the right password from it is refused with reason source_locked, while alice still
 * logs in from another network. Fewer failures than the threshold do not lock, and a success
 * clears the record. Deleting sendsecFailure as the rootdn (what an unlock does) lets her in.
 * Run under tests/fixtures/with-slapd.sh. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "itest.h"

#define EXTRA ITEST_PASSWORD_ONLY "lockout_threshold 3\n"

/* A separate "host": its own context, n wrong passwords for user (each another one: the same
 * wrong password again counts once). Exit 0 when each was a plain bad_password refusal. */
static pid_t host_failing(const char *conf, const char *user, int host, int n)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	struct sendsec_ctx *ctx = itest_ctx_from(conf);
	struct sendsec_outcome out;
	int bad = 0;

	for (int i = 0; i < n; i++) {
		char wrong[32];

		snprintf(wrong, sizeof(wrong), "wrong-%d-%d-%d", (int)getppid(), host, i);
		itest_login(ctx, "sshd", user, itest_pw(wrong), "192.0.2.10", &out);
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
	CHECK(hosts_ok(host_failing(conf, "alice", 1, 1), host_failing(conf, "alice", 2, 1)));
	CHECK_EQ_INT(itest_count_values(alice, "sendsecFailure"), 2);
	itest_login(ctx, "sshd", "alice", itest_pw("alice"), "192.0.2.20", &out);
	EXPECT("two failures on two hosts, threshold 3: the right password works", &out, SENDSEC_OK,
			SENDSEC_REASON_NONE);
	CHECK_EQ_INT(itest_count_values(alice, "sendsecFailure"), 0); /* the success cleared the record */

	/* Three failures: two on one host, one on another, at the same time. */
	CHECK(hosts_ok(host_failing(conf, "alice", 3, 2), host_failing(conf, "alice", 4, 1)));
	CHECK_EQ_INT(itest_count_values(alice, "sendsecFailure"), 3);
	itest_login(ctx, "sshd", "alice", itest_pw("alice"), "192.0.2.20", &out);
	EXPECT("three failures on two hosts: the right password from that network is refused", &out, SENDSEC_DENIED,
			SENDSEC_REASON_SOURCE_LOCKED);
	itest_login(ctx, "sshd", "alice", itest_pw("wrong"), "192.0.2.20", &out);
	EXPECT("source locked: a wrong password says so too", &out, SENDSEC_DENIED, SENDSEC_REASON_SOURCE_LOCKED);
	CHECK_EQ_INT(itest_count_values(alice, "sendsecFailure"), 3); /* refusals while locked add nothing */
	itest_login(ctx, "sshd", "alice", itest_pw("alice"), "198.51.100.7", &out);
	EXPECT("from another network alice logs in", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	CHECK_EQ_INT(itest_count_values(alice, "sendsecFailure"), 3); /* that success clears its own source only */
	itest_login(ctx, "sshd", "bob", itest_pw("bob"), "192.0.2.20", &out);
	EXPECT("bob is not locked", &out, SENDSEC_OK, SENDSEC_REASON_NONE);

	/* Unlock: delete the record as the rootdn. */
	snprintf(ldif, sizeof(ldif), "dn: %s\nchangetype: modify\ndelete: sendsecFailure\n", alice);
	CHECK(itest_ldapmodify(ldif) == 0);
	itest_login(ctx, "sshd", "alice", itest_pw("alice"), "192.0.2.20", &out);
	EXPECT("after deleting sendsecFailure: alice logs in", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	sendsec_ctx_free(ctx);
	return check_report(argv[0]);
}
