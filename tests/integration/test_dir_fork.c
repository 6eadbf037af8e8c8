/* test_dir_fork.c — the cached directory connection after fork() (issue 11 item 16): a process
 * logs in, forks, the child logs in and ends (freeing its context, as a worker does), the parent
 * logs in again. All succeed, the child used a connection of its own, and the parent's connection
 * was not touched: no reconnect (its handle's connection count stays 1). Then two children and
 * the parent log in at the same time, each as another account, many times: every outcome names
 * its own account (one socket shared by three processes would mix up their answers).
 * Run under tests/fixtures/with-slapd.sh. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "itest.h"
#include "login.h"

#define ROUNDS 30

static unsigned long connects(struct sendsec_ctx *ctx)
{
	struct sendsec_login l;
	unsigned long n = 0;

	if (sendsec_login_begin(ctx, "sshd", "", NULL, &l) == SENDSEC_OK)
		n = sendsec_dir_connect_count(l.dir);
	sendsec_login_end(&l);
	return n;
}

/* ROUNDS logins of user; true when each succeeded as user. */
static bool login_rounds(struct sendsec_ctx *ctx, const char *user)
{
	struct sendsec_outcome out;

	for (int i = 0; i < ROUNDS; i++)
		if (itest_login(ctx, "sshd", user, itest_pw(user), NULL, &out) != SENDSEC_OK ||
				strcmp(out.account, user) != 0) {
			fprintf(stderr, "%s (pid %ld): round %d: %s/%s as '%s'\n", user, (long)getpid(), i,
					sendsec_result_name(out.result), sendsec_reason_name(out.reason), out.account);
			return false;
		}
	return true;
}

int main(int argc, char **argv)
{
	struct sendsec_ctx *ctx = itest_ctx(ITEST_PASSWORD_ONLY "lockout_threshold 0\n");
	struct sendsec_outcome out;
	const char *users[2] = {"bob", "carol"};
	pid_t pid, kids[2];
	int status;

	(void)argc;
	itest_login(ctx, "sshd", "alice", itest_pw("alice"), NULL, &out);
	EXPECT("the parent logs in", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	CHECK_EQ_INT(connects(ctx), 1);

	if ((pid = fork()) < 0)
		return 1;
	if (pid == 0) {
		unsigned long before = connects(ctx);
		bool ok = itest_login(ctx, "sshd", "bob", itest_pw("bob"), NULL, &out) == SENDSEC_OK &&
				strcmp(out.account, "bob") == 0;
		bool own = connects(ctx) == before + 1;

		sendsec_ctx_free(ctx); /* a worker that ends cleanly: must not close the parent's connection */
		_exit(!ok ? 1 : !own ? 2 : 0);
	}
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status));
	printf("%s - the child logs in through a connection of its own (exit %d: 1 login failed, 2 no new "
	       "connection)\n",
			WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "ok" : "not ok",
			WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	itest_login(ctx, "sshd", "alice", itest_pw("alice"), NULL, &out);
	EXPECT("the parent logs in again after the child ended", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	printf("# parent's connections: %lu (1: the child left it alone)\n", connects(ctx));
	CHECK_EQ_INT(connects(ctx), 1);

	/* Three processes at once, one inherited handle. */
	for (int k = 0; k < 2; k++) {
		if ((kids[k] = fork()) < 0)
			return 1;
		if (kids[k] == 0)
			_exit(login_rounds(ctx, users[k]) ? 0 : 1);
	}
	CHECK(login_rounds(ctx, "alice"));
	for (int k = 0; k < 2; k++) {
		CHECK(waitpid(kids[k], &status, 0) == kids[k]);
		printf("%s - child %d: %d logins at the same time as the parent, each as %s\n",
				WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "ok" : "not ok", k, ROUNDS, users[k]);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	CHECK_EQ_INT(connects(ctx), 1);
	sendsec_ctx_free(ctx);
	return check_report(argv[0]);
}
