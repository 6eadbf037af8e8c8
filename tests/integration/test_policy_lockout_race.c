/* test_policy_lockout_race.c — no check-then-act (DESIGN.md section 11): 20 processes, each with
 * its own context (as 20 smtpd or sshd processes on one or more hosts), released at once, each
 * try one different wrong password from the same network with lockout_threshold 3. Their audit
 * lines (each process writes its line to a file of its own) show at most 3 reaching the password
 * check (reason bad_password) and the others refused as source_locked, and the record keeps a
 * value for each checked attempt only. Then 20 from 20 networks against lockout_account_threshold
 * 3: at most 3 checked, the others refused as locked. (Fewer than 3 may be checked: attempts that
 * see each other's values at the same instant are all refused.) Run under
 * tests/fixtures/with-slapd.sh. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "admin.h"
#include "audit.h"
#include "check.h"
#include "itest.h"
#include "lockout_itest.h"

#define N 20
#define EXTRA                                                                                                          \
	ITEST_PASSWORD_ONLY "hash_concurrency 0\n[service one]\nlockout_threshold 3\n"                                 \
			    "[service many]\nlockout_threshold 50\nlockout_account_threshold 3\n"

static void to_file(void *arg, const char *line)
{
	FILE *f = arg;

	fprintf(f, "%s\n", line);
}

/* One racer: its own context and connection, ready, then one login when released. */
static pid_t racer(const char *conf, const char *service, const char *user, const char *rhost, int i,
		const int ready[2], const int go[2])
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	close(ready[0]);
	close(go[1]); /* so that the parent's close is the end of go */
	char path[512], byte = 0;
	struct sendsec_ctx *ctx = itest_ctx_from(conf);
	struct sendsec_audit_sink sink;
	FILE *f;

	snprintf(path, sizeof(path), "%s/race-%d.log", itest_env("DIR"), i);
	if ((f = fopen(path, "w")) == NULL)
		_exit(2);
	/* Connected before the start: an unknown name writes nothing. */
	itest_login(ctx, "sshd", "nobody-at-all", litest_wrong(100), NULL, NULL);
	sink = (struct sendsec_audit_sink){.emit = to_file, .arg = f};
	sendsec_ctx_set_audit_sink(ctx, &sink);
	if (write(ready[1], "r", 1) != 1 || read(go[0], &byte, 1) != 0)
		_exit(2);
	itest_login(ctx, service, user, litest_wrong(i), rhost, NULL);
	sendsec_ctx_free(ctx);
	_exit(fclose(f) == 0 ? 0 : 2);
}

/* Runs N racers for user; rhost_of(i) gives each one's address. Counts the reasons in their lines. */
static void race(const char *conf, const char *service, const char *user, const char *(*rhost_of)(int i), int *checked,
		int *src_locked, int *locked)
{
	int ready[2], go[2], other = 0;
	pid_t pids[N];
	char byte, path[512], line[1024];

	*checked = *src_locked = *locked = 0;
	if (pipe(ready) != 0 || pipe(go) != 0)
		exit(1);
	for (int i = 0; i < N; i++)
		pids[i] = racer(conf, service, user, rhost_of(i), i, ready, go);
	for (int i = 0; i < N; i++)
		CHECK(read(ready[0], &byte, 1) == 1);
	close(go[1]); /* every racer's read returns at once */
	for (int i = 0; i < N; i++) {
		int status = -1;

		CHECK(waitpid(pids[i], &status, 0) == pids[i] && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	close(go[0]);
	close(ready[0]);
	close(ready[1]);
	for (int i = 0; i < N; i++) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/race-%d.log", itest_env("DIR"), i);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		while (fgets(line, sizeof(line), f) != NULL) {
			if (strstr(line, " result=failure reason=bad_password") != NULL)
				(*checked)++;
			else if (strstr(line, " result=failure reason=source_locked") != NULL)
				(*src_locked)++;
			else if (strstr(line, " result=failure reason=locked") != NULL)
				(*locked)++;
			else
				other++;
		}
		fclose(f);
	}
	printf("# %s: %d bad_password, %d source_locked, %d locked, %d other\n", user, *checked, *src_locked, *locked,
			other);
	CHECK_EQ_INT(other, 0);
}

static const char *one_network(int i)
{
	(void)i;
	return "203.0.113.50";
}

static const char *own_network(int i)
{
	static char buf[32];

	snprintf(buf, sizeof(buf), "10.%d.0.1", i);
	return buf;
}

int main(int argc, char **argv)
{
	char conf[512];
	int checked, src_locked, locked;

	(void)argc;
	snprintf(conf, sizeof(conf), "%s", itest_write_conf(true, EXTRA));

	race(conf, "one", "alice", one_network, &checked, &src_locked, &locked);
	CHECK(checked <= 3);
	CHECK_EQ_INT(checked + src_locked, N);
	CHECK_EQ_INT(itest_count_values(itest_user_dn("alice"), "sendsecFailure"), checked);

	race(conf, "many", "bob", own_network, &checked, &src_locked, &locked);
	CHECK(checked <= 3);
	CHECK_EQ_INT(checked + locked, N);
	CHECK_EQ_INT(itest_count_values(itest_user_dn("bob"), "sendsecFailure"), checked);
	return check_report(argv[0]);
}
