/* test_audit_lines.c — one audit line per decision (DESIGN.md section 7) with the exact fields:
 * "sendsec: service=… user=… rhost=… method=… result=success|failure [reason=…]", for every
 * reason the engine can produce today (success, bad_password, unknown_user, disabled, network,
 * locked, unavailable for a malformed hash and for a dead directory, reset_required), for the
 * account check, and with hostile user and rhost values sanitised (fields, byte ff, escape
 * sequences, C1 controls, a surrogate, which is also refused before any lookup); and no password
 * used appears in any audit line or engine log line.
 * The lines are taken from an audit sink the test installs on its contexts
 * (sendsec_ctx_set_audit_sink), so the test needs no syslog and runs in parallel with others. A
 * context without a sink writes to syslog(LOG_AUTHPRIV | LOG_INFO), seen through
 * tests/unit/capture_syslog.h. Run as root under tests/fixtures/with-slapd.sh. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "capture_syslog.h"
#include "check.h"
#include "itest.h"

#define SECRET_MARK "Passw0rd" /* in every password this test types */

static char sink_lines[256][512];
static size_t n_sink;

/* Keeps the engine's own log lines to check them for secrets too. */
static void sink(void *arg, enum sendsec_log_level level, const char *line)
{
	(void)arg;
	(void)level;
	if (n_sink < sizeof(sink_lines) / sizeof(sink_lines[0]))
		snprintf(sink_lines[n_sink++], sizeof(sink_lines[0]), "%s", line);
}

/* True when an engine log line since line number since contains what. */
static bool logged_since(size_t since, const char *what)
{
	for (size_t i = since; i < n_sink; i++)
		if (strstr(sink_lines[i], what) != NULL)
			return true;
	return false;
}

/* The audit lines of the contexts with a sink, in order. */
static char audit_lines[128][1024];
static size_t n_audit, n_taken;

static void audit_sink(void *arg, const char *line)
{
	(void)arg;
	if (n_audit < sizeof(audit_lines) / sizeof(audit_lines[0]))
		snprintf(audit_lines[n_audit++], sizeof(audit_lines[0]), "%s", line);
}

static const struct sendsec_audit_sink audit = {.emit = audit_sink, .arg = NULL};

/* Audit lines that reached syslog (a context without a sink), and their priority. */
static char syslog_audit[8][1024];
static int syslog_pri[8];
static size_t n_syslog_audit;

static void captured_syslog(int pri, const char *line)
{
	if (strncmp(line, "sendsec: ", 9) == 0 && n_syslog_audit < sizeof(syslog_audit) / sizeof(syslog_audit[0])) {
		syslog_pri[n_syslog_audit] = pri;
		snprintf(syslog_audit[n_syslog_audit++], sizeof(syslog_audit[0]), "%s", line);
	}
}

/* Expects exactly one audit line, "sendsec: " + want, from the last decision. */
static void expect_line(const char *what, const char *want)
{
	const char *got;
	size_t n_new = n_audit - n_taken;

	check_count++;
	if (n_new == 0) {
		fprintf(stderr, "not ok - %s: no audit line\n", what);
		check_failures++;
		return;
	}
	got = audit_lines[n_taken];
	n_taken = n_audit;
	if (strncmp(got, "sendsec: ", 9) == 0 && strcmp(got + 9, want) == 0) {
		printf("ok - %s\n", what);
	} else {
		check_failures++;
		fprintf(stderr, "not ok - %s\n  wanted: sendsec: %s\n  got:    %s\n", what, want,
				strstr(got, SECRET_MARK) != NULL ? "[withheld: it holds a password]" : got);
	}
	check_count++;
	if (n_new > 1) {
		fprintf(stderr, "not ok - %s: %zu audit lines, wanted one\n", what, n_new);
		check_failures++;
	}
	check_count++;
	if (strstr(got, SECRET_MARK) != NULL) {
		fprintf(stderr, "not ok - %s: the audit line holds a password\n", what);
		check_failures++;
	}
}

static void login(
		struct sendsec_ctx *ctx, const char *service, const char *user, const char *password, const char *rhost)
{
	struct sendsec_outcome out;

	itest_login(ctx, service, user, password, rhost, &out);
}

/* A context on path whose engine log goes to sink() and, unless with_audit is false, whose audit
 * lines go to audit_sink(). */
static struct sendsec_ctx *ctx_with_sink(const char *path, bool with_audit)
{
	static const struct sendsec_log log = {sink, NULL, SENDSEC_LOG_DEBUG};
	struct sendsec_ctx *ctx = NULL;
	char err[512];

	if (sendsec_ctx_new(path, true, NULL, 0, &log, &ctx, err, sizeof(err)) != SENDSEC_OK) {
		fprintf(stderr, "config refused: %s\n", err);
		exit(1);
	}
	if (with_audit)
		sendsec_ctx_set_audit_sink(ctx, &audit);
	return ctx;
}

int main(int argc, char **argv)
{
	struct sendsec_outcome out;
	struct sendsec_ctx *ctx, *down, *plain;
	char uris[128];
	size_t before;

	(void)argc;
	setvbuf(stdout, NULL, _IOLBF, 0);
	ctx = ctx_with_sink(itest_write_conf(true,
					    ITEST_PASSWORD_ONLY "lockout_threshold 3\n"
								"[service smtp]\nallow_networks 192.0.2.0/24\n"),
			true);

	login(ctx, "sshd", "alice", itest_pw("alice"), "192.0.2.1");
	expect_line("success", "service=sshd user=alice rhost=192.0.2.1 method=password result=success");
	login(ctx, "smtp", "bob", itest_pw("bob"), "2001:db8::1");
	expect_line("network (IPv6 client outside the smtp list)",
			"service=smtp user=bob rhost=2001:db8::1 method=- result=failure reason=network");
	login(ctx, "smtp", "bob", itest_pw("bob"), "192.0.2.9");
	expect_line("success on smtp (rehashed {SSHA}: still one line)",
			"service=smtp user=bob rhost=192.0.2.9 method=password result=success");
	login(ctx, "sshd", "bob", itest_pw("wrong"), "192.0.2.1");
	expect_line("bad_password",
			"service=sshd user=bob rhost=192.0.2.1 method=password result=failure reason=bad_password");
	login(ctx, "sshd", "bob", "", "192.0.2.1");
	expect_line("empty password",
			"service=sshd user=bob rhost=192.0.2.1 method=- result=failure reason=bad_password");
	login(ctx, "sshd", "nosuchuser", itest_pw("alice"), NULL);
	expect_line("unknown_user, rhost unknown",
			"service=sshd user=nosuchuser rhost=- method=password result=failure reason=unknown_user");
	login(ctx, "sshd", "dave", itest_pw("dave"), "192.0.2.1");
	expect_line("disabled",
			"service=sshd user=dave rhost=192.0.2.1 method=password result=failure reason=disabled");
	login(ctx, "sshd", "erin", itest_pw("erin"), "192.0.2.1");
	expect_line("reset_required",
			"service=sshd user=erin rhost=192.0.2.1 method=password result=failure reason=reset_required");
	login(ctx, "sshd", "mallory", itest_pw("mallory"), "192.0.2.1");
	expect_line("unavailable (malformed stored hash)",
			"service=sshd user=mallory rhost=192.0.2.1 method=password result=failure reason=unavailable");
	for (int i = 0; i < 3; i++) {
		char wrong[16];

		snprintf(wrong, sizeof(wrong), "wrong%d", i); /* one wrong password tried again counts once */
		login(ctx, "sshd", "carol", itest_pw(wrong), "192.0.2.1");
		expect_line("bad_password before the lock",
				"service=sshd user=carol rhost=192.0.2.1 method=password result=failure "
				"reason=bad_password");
	}
	login(ctx, "sshd", "carol", itest_pw("carol"), "192.0.2.1");
	expect_line("source_locked",
			"service=sshd user=carol rhost=192.0.2.1 method=password result=failure reason=source_locked");
	login(ctx, "sshd", "x result=success", itest_pw("alice"), "1.2.3.4 evil=1");
	expect_line("hostile user and rhost are sanitised",
			"service=sshd user=x?result?success rhost=1.2.3.4?evil?1 method=password result=failure "
			"reason=unknown_user");

	login(ctx, "sshd", "ev\xffil\x1b[31m", itest_pw("alice"), "192.0.2.1");
	expect_line("a name with byte ff and an escape sequence is UTF-8 without controls",
			"service=sshd user=ev?il??31m rhost=192.0.2.1 method=password result=failure "
			"reason=unknown_user");
	login(ctx, "sshd",
			"x\xc2\x9b"
			"31m",
			itest_pw("alice"), "192.0.2.1\xc2\x85");
	expect_line("C1 controls (CSI, NEL) in user and rhost are replaced",
			"service=sshd user=x?31m rhost=192.0.2.1? method=password result=failure reason=unknown_user");
	/* A surrogate is not UTF-8: the name is refused before any lookup (dir.c once let it through
	 * to the directory), and the audit line shows one '?' per byte. */
	before = n_sink;
	login(ctx, "sshd", "a\xed\xa0\x80", itest_pw("alice"), "192.0.2.1");
	expect_line("a surrogate in the name",
			"service=sshd user=a??? rhost=192.0.2.1 method=password result=failure reason=unknown_user");
	check_count++;
	if (!logged_since(before, "user name refused before lookup")) {
		fprintf(stderr, "not ok - a name with a surrogate reached the directory\n");
		check_failures++;
	}

	CHECK_RESULT(sendsec_account_check(ctx, "sshd", "alice", "192.0.2.1", &out), SENDSEC_OK);
	expect_line("account check success", "service=sshd user=alice rhost=192.0.2.1 method=account result=success");
	CHECK_RESULT(sendsec_account_check(ctx, "sshd", "dave", "192.0.2.1", &out), SENDSEC_DENIED);
	expect_line("account check disabled",
			"service=sshd user=dave rhost=192.0.2.1 method=account result=failure reason=disabled");
	CHECK_RESULT(sendsec_account_check(ctx, "smtp", "alice", "198.51.100.1", &out), SENDSEC_DENIED);
	expect_line("account check network",
			"service=smtp user=alice rhost=198.51.100.1 method=account result=failure reason=network");

	snprintf(uris, sizeof(uris), "ldap://127.0.0.1:%d", itest_dead_port());
	down = ctx_with_sink(itest_write_conf_uris(uris, ITEST_PASSWORD_ONLY), true);
	login(down, "sshd", "alice", itest_pw("alice"), "192.0.2.1");
	expect_line("unavailable (directory down)",
			"service=sshd user=alice rhost=192.0.2.1 method=password result=failure reason=unavailable");
	sendsec_ctx_free(down);

	/* With a sink installed nothing went to syslog; without one, the line goes to syslog at
	 * authpriv.info, and only there. */
	CHECK_EQ_INT(n_syslog_audit, 0);
	plain = ctx_with_sink(itest_write_conf(true, ITEST_PASSWORD_ONLY), false);
	login(plain, "sshd", "alice", itest_pw("alice"), "192.0.2.1");
	CHECK_EQ_INT(n_audit - n_taken, 0);
	CHECK_EQ_INT(n_syslog_audit, 1);
	CHECK_EQ_INT(syslog_pri[0], CAPTURE_AUTHPRIV_INFO);
	CHECK_STR(syslog_audit[0], "sendsec: service=sshd user=alice rhost=192.0.2.1 method=password result=success");
	sendsec_ctx_free(plain);
	sendsec_ctx_free(ctx);

	/* The engine's own log lines (errors, info, debug) hold no password either. */
	for (size_t i = 0; i < n_sink; i++) {
		check_count++;
		if (strstr(sink_lines[i], SECRET_MARK) != NULL) {
			fprintf(stderr, "not ok - engine log line %zu holds a password\n", i);
			check_failures++;
		}
	}
	printf("# %zu engine log lines checked for secrets\n", n_sink);
	return check_report(argv[0]);
}
