/* fail2ban_lines.c — writes real audit lines of the engine to stdout as syslog would store them
 * ("Mar  1 12:00:00 mx sshd[4242]: sendsec: …", smtp lines from "postfix/smtpd[4243]"), one
 * decision each, for test_fail2ban.sh: successes, bad_password over IPv4 and IPv6, source_locked,
 * locked (account threshold), unknown_user, disabled, unavailable (a malformed stored hash), busy
 * (the only hash slot held by another process), a failure without an address, API-key failures
 * and a success, and user names that try to forge a second rhost=. Run under
 * tests/fixtures/with-slapd.sh. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "audit.h"
#include "check.h"
#include "ikey.h"
#include "itest.h"
#include "lockout_itest.h"

#define EXTRA                                                                                                          \
	ITEST_PASSWORD_ONLY "lockout_threshold 3\n[service smtp]\nmethods password apikey\nhash_concurrency 1\n"       \
			    "timeout 1\n[service acct]\nlockout_account_threshold 2\n"

static const char *daemon_of = "sshd[4242]";

static void emit(void *arg, const char *line)
{
	(void)arg;
	printf("Mar  1 12:00:00 mx %s: %s\n", daemon_of, line);
}

static void login(struct sendsec_ctx *ctx, const char *service, const char *user, const char *pw, const char *rhost)
{
	daemon_of = strcmp(service, "smtp") == 0 ? "postfix/smtpd[4243]" : "sshd[4242]";
	itest_login(ctx, service, user, pw, rhost, NULL);
}

int main(void)
{
	static const struct sendsec_audit_sink sink = {.emit = emit};
	char run_dir[512], key[SENDSEC_KEY_MAX + 1], wrong[SENDSEC_KEY_MAX + 1];
	struct sendsec_ctx *ctx;
	int status;
	pid_t holder;

	snprintf(run_dir, sizeof(run_dir), "%s/run", itest_env("DIR"));
	setenv("SENDSEC_RUN_DIR", run_dir, 1);
	ctx = itest_ctx(EXTRA);
	if (ikey_create(ctx, "alice", "smtp", 0, NULL, key, NULL) != SENDSEC_OK)
		return 1;
	sendsec_ctx_set_audit_sink(ctx, &sink);

	login(ctx, "sshd", "alice", itest_pw("alice"), "192.0.2.10");
	for (int i = 0; i < 3; i++)
		login(ctx, "sshd", "alice", litest_wrong(i), "203.0.113.7");
	login(ctx, "sshd", "alice", itest_pw("alice"), "203.0.113.8"); /* source_locked */
	login(ctx, "sshd", "bob", litest_wrong(3), "2001:db8::7");
	login(ctx, "sshd", "nosuchuser", litest_wrong(4), "198.51.100.9");
	login(ctx, "sshd", "dave", itest_pw("dave"), "198.51.100.10");       /* disabled */
	login(ctx, "sshd", "mallory", itest_pw("mallory"), "198.51.100.11"); /* unavailable */
	login(ctx, "sshd", "carol", litest_wrong(5), NULL);                  /* rhost=- */
	login(ctx, "sshd", "evil rhost=6.6.6.6", litest_wrong(6), "192.0.2.99");
	login(ctx, "sshd",
			"x\xe3\x80\x80rhost\xe3\x80\x80"
			"7.7.7.7",
			litest_wrong(7), "192.0.2.98");
	login(ctx, "acct", "bob", litest_wrong(8), "192.0.2.50");
	login(ctx, "acct", "bob", itest_pw("bob"), "192.0.2.51"); /* locked: 2 failures from 2 networks */
	login(ctx, "smtp", "apikey", key, "198.51.100.20");
	ikey_wrong_secret(key, "ssk_", wrong);
	login(ctx, "smtp", "apikey", wrong, "2001:db8::8");
	login(ctx, "smtp", "carol", litest_wrong(9), "198.51.100.21");

	/* busy: another process holds the only slot of the smtp service. */
	holder = itest_slot_holder(run_dir);
	login(ctx, "smtp", "alice", itest_pw("alice"), "198.51.100.22");
	kill(holder, SIGKILL);
	waitpid(holder, &status, 0);
	sendsec_ctx_free(ctx);
	return 0;
}
