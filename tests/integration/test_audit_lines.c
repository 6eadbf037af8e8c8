/* test_audit_lines.c — one audit line per decision (DESIGN.md section 7) with the exact fields:
 * "sendsec: service=… user=… rhost=… method=… result=success|failure [reason=…]" at
 * LOG_AUTHPRIV|LOG_INFO, for every reason the engine can produce today (success, bad_password,
 * unknown_user, disabled, network, locked, unavailable for a malformed hash and for a dead
 * directory, reset_required), for the account check, and with hostile user and rhost values
 * sanitised; and no password used appears in any audit line or engine log line.
 * The machines have no syslog daemon: the test binds its own datagram socket at /dev/log (and
 * skips, exit 77, when /dev/log already exists) and removes it on every exit path. It reads only
 * datagrams sent by its own pid (SO_PASSCRED), so another process logging meanwhile cannot
 * confuse it; a reader thread drains the socket all the time, because while /dev/log exists
 * every process on the host logs into it and a full queue (net.unix.max_dgram_qlen, 10) would
 * block our own syslog() call forever. Register with is_parallel : false. Run as root under tests/fixtures/with-slapd.sh. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "check.h"
#include "itest.h"

#define DEVLOG      "/dev/log"
#define SECRET_MARK "Passw0rd" /* in every password this test types */

static int sock = -1;
static volatile sig_atomic_t created;
static char sink_lines[64][512];
static size_t n_sink;

static void remove_devlog(void)
{
	if (created) {
		unlink(DEVLOG);
		created = 0;
	}
}

static void on_signal(int sig)
{
	remove_devlog();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Keeps the engine's own log lines to check them for secrets too. */
static void sink(void *arg, enum sendsec_log_level level, const char *line)
{
	(void)arg;
	(void)level;
	if (n_sink < sizeof(sink_lines) / sizeof(sink_lines[0]))
		snprintf(sink_lines[n_sink++], sizeof(sink_lines[0]), "%s", line);
}

/* Lines this process sent, in order, collected by the reader thread. */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static char own[128][1024];
static size_t n_own, n_taken;
static unsigned long n_foreign;

static void *reader(void *arg)
{
	char buf[1024];

	(void)arg;
	for (;;) {
		union {
			struct cmsghdr align;
			char buf[CMSG_SPACE(sizeof(struct ucred))];
		} control;
		struct iovec iov = {buf, sizeof(buf) - 1};
		struct msghdr msg = {.msg_iov = &iov,
				.msg_iovlen = 1,
				.msg_control = control.buf,
				.msg_controllen = sizeof(control.buf)};
		struct cmsghdr *c;
		pid_t from = 0;
		ssize_t n = recvmsg(sock, &msg, 0);

		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return NULL;
		}
		for (c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS)
				from = ((struct ucred *)(void *)CMSG_DATA(c))->pid;
		while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\0'))
			n--;
		buf[n] = '\0';
		pthread_mutex_lock(&mu);
		if (from != getpid())
			n_foreign++;
		else if (n_own < sizeof(own) / sizeof(own[0]))
			snprintf(own[n_own++], sizeof(own[0]), "%s", buf);
		pthread_cond_broadcast(&cv);
		pthread_mutex_unlock(&mu);
	}
}

/* Takes the next line this process sent, waiting up to wait_ms; false when none came. */
static bool take_own(char *buf, size_t len, int wait_ms)
{
	struct timespec until;
	bool got = false;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += wait_ms / 1000;
	until.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&mu);
	while (n_taken == n_own && pthread_cond_timedwait(&cv, &mu, &until) == 0)
		;
	if (n_taken < n_own) {
		snprintf(buf, len, "%s", own[n_taken++]);
		got = true;
	}
	pthread_mutex_unlock(&mu);
	return got;
}

/* Expects exactly one audit line, "sendsec: " + want, from the last decision. */
static void expect_line(const char *what, const char *want)
{
	char got[2048], extra[2048];
	const char *tail;
	bool ok;

	check_count++;
	if (!take_own(got, sizeof(got), 2000)) {
		fprintf(stderr, "not ok - %s: no audit line\n", what);
		check_failures++;
		return;
	}
	tail = strstr(got, "sendsec: ");
	ok = strncmp(got, "<86>", 4) == 0 && tail != NULL && strcmp(tail + 9, want) == 0;
	if (ok) {
		printf("ok - %s\n", what);
	} else {
		check_failures++;
		fprintf(stderr, "not ok - %s\n  wanted: <86>… sendsec: %s\n  got:    %s\n", what, want,
				strstr(got, SECRET_MARK) != NULL ? "[withheld: it holds a password]" : got);
	}
	check_count++;
	if (take_own(extra, sizeof(extra), 50)) {
		fprintf(stderr, "not ok - %s: more than one audit line\n", what);
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

static struct sendsec_ctx *ctx_with_sink(const char *path)
{
	static const struct sendsec_log log = {sink, NULL, SENDSEC_LOG_DEBUG};
	struct sendsec_ctx *ctx = NULL;
	char err[512];

	if (sendsec_ctx_new(path, true, NULL, 0, &log, &ctx, err, sizeof(err)) != SENDSEC_OK) {
		fprintf(stderr, "config refused: %s\n", err);
		exit(1);
	}
	return ctx;
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX, .sun_path = DEVLOG};
	pthread_t thread;
	struct sendsec_outcome out;
	struct sendsec_ctx *ctx, *down;
	struct stat st;
	char uris[128];
	int one = 1;

	(void)argc;
	if (lstat(DEVLOG, &st) == 0) {
		printf("# skipped: %s exists (a syslog daemon or another test owns it); this test needs its own\n",
				DEVLOG);
		return 77;
	}
	if ((sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0) {
		perror("socket");
		return 1;
	}
	if (bind(sock, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		if (errno == EADDRINUSE) {
			printf("# skipped: %s appeared meanwhile\n", DEVLOG);
			return 77;
		}
		perror("bind " DEVLOG);
		return 1;
	}
	created = 1;
	atexit(remove_devlog);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGHUP, on_signal);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (setsockopt(sock, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) != 0) {
		perror("setsockopt SO_PASSCRED");
		return 1;
	}
	if (pthread_create(&thread, NULL, reader, NULL) != 0) {
		fprintf(stderr, "cannot start the reader thread\n");
		return 1;
	}
	pthread_detach(thread);

	ctx = ctx_with_sink(itest_write_conf(true,
			ITEST_PASSWORD_ONLY "lockout_threshold 3\n"
					    "[service smtp]\nallow_networks 192.0.2.0/24\n"));

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
		login(ctx, "sshd", "carol", itest_pw("wrong"), "192.0.2.1");
		expect_line("bad_password before the lock",
				"service=sshd user=carol rhost=192.0.2.1 method=password result=failure "
				"reason=bad_password");
	}
	login(ctx, "sshd", "carol", itest_pw("carol"), "192.0.2.1");
	expect_line("locked", "service=sshd user=carol rhost=192.0.2.1 method=password result=failure reason=locked");
	login(ctx, "sshd", "x result=success", itest_pw("alice"), "1.2.3.4 evil=1");
	expect_line("hostile user and rhost are sanitised",
			"service=sshd user=x?result?success rhost=1.2.3.4?evil?1 method=password result=failure "
			"reason=unknown_user");

	CHECK(sendsec_account_check(ctx, "sshd", "alice", "192.0.2.1", &out) == SENDSEC_OK);
	expect_line("account check success", "service=sshd user=alice rhost=192.0.2.1 method=account result=success");
	CHECK(sendsec_account_check(ctx, "sshd", "dave", "192.0.2.1", &out) == SENDSEC_DENIED);
	expect_line("account check disabled",
			"service=sshd user=dave rhost=192.0.2.1 method=account result=failure reason=disabled");
	CHECK(sendsec_account_check(ctx, "smtp", "alice", "198.51.100.1", &out) == SENDSEC_DENIED);
	expect_line("account check network",
			"service=smtp user=alice rhost=198.51.100.1 method=account result=failure reason=network");

	snprintf(uris, sizeof(uris), "ldap://127.0.0.1:%d", itest_dead_port());
	down = ctx_with_sink(itest_write_conf_uris(uris, ITEST_PASSWORD_ONLY));
	login(down, "sshd", "alice", itest_pw("alice"), "192.0.2.1");
	expect_line("unavailable (directory down)",
			"service=sshd user=alice rhost=192.0.2.1 method=password result=failure reason=unavailable");
	sendsec_ctx_free(down);
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
	pthread_mutex_lock(&mu);
	printf("# %lu datagrams from other processes ignored\n", n_foreign);
	pthread_mutex_unlock(&mu);
	remove_devlog();
	return check_report(argv[0]);
}
