/* itest.c — helpers of the engine integration tests (see itest.h). */
#include "itest.h"

#include <errno.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "slots.h"

const char *itest_env(const char *name)
{
	char var[64];
	const char *v;

	snprintf(var, sizeof(var), "SENDSEC_TEST_%s", name);
	if ((v = getenv(var)) == NULL || v[0] == '\0') {
		fprintf(stderr, "%s is not set: run me under tests/fixtures/with-slapd.sh\n", var);
		exit(1);
	}
	return v;
}

const char *itest_pw(const char *name)
{
	static char slots[4][128];
	static unsigned next;
	char *p = slots[next++ % 4];

	snprintf(p, sizeof(slots[0]), "%s-Passw0rd!", name);
	return p;
}

const char *itest_user_dn(const char *name)
{
	static char slots[4][512];
	static unsigned next;
	char *p = slots[next++ % 4];

	snprintf(p, sizeof(slots[0]), "uid=%s,ou=people,%s", name, itest_env("BASE"));
	return p;
}

__attribute__((noreturn)) static void die(const char *what)
{
	fprintf(stderr, "itest: %s: %s\n", what, strerror(errno));
	exit(1);
}

const char *itest_write_conf(bool with_fixture, const char *extra)
{
	static char path[512];
	static unsigned counter;
	char buf[4096];
	size_t n;
	FILE *in, *out;
	int fd;

	snprintf(path, sizeof(path), "%s/itest-%ld-%u.conf", itest_env("DIR"), (long)getpid(), counter++);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0 || fchmod(fd, 0600) != 0)
		die(path);
	if ((out = fdopen(fd, "w")) == NULL)
		die(path);
	if (with_fixture) {
		if ((in = fopen(itest_env("CONF"), "r")) == NULL)
			die(itest_env("CONF"));
		while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
			fwrite(buf, 1, n, out);
		fclose(in);
	}
	if (extra != NULL)
		fprintf(out, "%s\n", extra);
	if (fclose(out) != 0)
		die(path);
	return path;
}

const char *itest_write_conf_uris(const char *uris, const char *extra)
{
	char text[4096];

	snprintf(text, sizeof(text), "uri %s\nbase %s\nbinddn %s\nbindpw_file %s\ntimeout 2\n%s", uris,
			itest_env("BASE"), itest_env("BINDDN"), itest_env("BINDPW_FILE"), extra != NULL ? extra : "");
	return itest_write_conf(false, text);
}

static void to_stderr(void *arg, enum sendsec_log_level level, const char *line)
{
	(void)arg;
	fprintf(stderr, "  engine[%s]: %s\n",
			level == SENDSEC_LOG_ERROR                  ? "error"
					: level == SENDSEC_LOG_INFO ? "info"
								    : "debug",
			line);
}

struct sendsec_ctx *itest_ctx_from(const char *path)
{
	static const struct sendsec_log log = {to_stderr, NULL, SENDSEC_LOG_INFO};
	struct sendsec_ctx *ctx = NULL;
	char err[512];

	if (sendsec_ctx_new(path, true, NULL, 0, &log, &ctx, err, sizeof(err)) != SENDSEC_OK) {
		fprintf(stderr, "itest: config %s refused: %s\n", path, err);
		exit(1);
	}
	return ctx;
}

struct sendsec_ctx *itest_ctx(const char *extra)
{
	return itest_ctx_from(itest_write_conf(true, extra));
}

enum sendsec_result itest_login(struct sendsec_ctx *ctx, const char *service, const char *user, const char *password,
		const char *rhost, struct sendsec_outcome *out)
{
	struct sendsec_outcome tmp;
	struct sendsec_request req = {service, user, password, rhost, NULL, NULL};

	return sendsec_authenticate(ctx, &req, out != NULL ? out : &tmp);
}

pid_t itest_slot_holder(const char *run_dir)
{
	int ready[2];
	char byte;
	pid_t pid;

	if (pipe(ready) != 0 || (pid = fork()) < 0)
		die("slot holder");
	if (pid == 0) {
		struct sendsec_hash_slots *h = NULL;
		char err[256];
		unsigned slot;

		close(ready[0]);
		if (sendsec_hash_slots_open(run_dir, &h, err, sizeof(err)) != SENDSEC_OK ||
				sendsec_hash_slots_take(h, 1, 1000, &slot, err, sizeof(err)) != SENDSEC_SLOT_TAKEN ||
				write(ready[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(ready[1]);
	if (read(ready[0], &byte, 1) != 1) {
		fprintf(stderr, "itest: the slot holder could not take the slot\n");
		exit(1);
	}
	close(ready[0]);
	return pid;
}

enum sendsec_result itest_ask(void *arg, const char *prompt, char **answer_out)
{
	const struct itest_answer *a = arg;

	(void)prompt;
	if (a->text == NULL)
		return SENDSEC_DENIED;
	*answer_out = strdup(a->text);
	return *answer_out != NULL ? SENDSEC_OK : SENDSEC_UNAVAILABLE;
}

/* Exit codes of a racing host (itest_race); any other is a host that could not run. */
enum { RACE_OK = 10, RACE_REPLAYED, RACE_OTHER };

/* A racing host, in its own process: connects, says it is ready, waits for the start, logs in. */
__attribute__((noreturn)) static void race_host(int go, int ready, const char *conf, const char *user,
		const char *password, const char *answer, time_t now)
{
	struct sendsec_ctx *ctx = itest_ctx_from(conf);
	struct itest_clock clock = {.now = now};
	struct itest_answer a = {answer};
	struct sendsec_request r = {
			.service = "sshd",
			.user = user,
			.password = password,
			.ask = answer != NULL ? itest_ask : NULL,
			.ask_arg = &a,
	};
	struct sendsec_outcome out;
	char c;

	if (now != 0)
		sendsec_ctx_set_clock(ctx, itest_clock_now, &clock);
	/* Connected and bound before the start, so that all race on the write. */
	if (sendsec_account_check(ctx, "sshd", user, NULL, &out) != SENDSEC_OK || write(ready, "r", 1) != 1)
		_exit(4);
	close(ready);
	if (read(go, &c, 1) != 0)
		_exit(3);
	if (sendsec_authenticate(ctx, &r, &out) != out.result)
		_exit(4);
	sendsec_ctx_free(ctx);
	_exit(out.result == SENDSEC_OK ? RACE_OK
					: out.result == SENDSEC_DENIED && out.reason == SENDSEC_REASON_TOTP_REPLAYED
					? RACE_REPLAYED
					: RACE_OTHER);
}

void itest_race(int n, const char *const confs[], const char *user, const char *password, const char *const answers[],
		time_t now, struct itest_race *out)
{
	int go[2], ready[2];
	pid_t pids[ITEST_RACE_MAX];
	char c;

	memset(out, 0, sizeof(*out));
	if (n < 1 || n > ITEST_RACE_MAX || pipe(go) != 0 || pipe(ready) != 0)
		die("itest_race: bad count or no pipe");
	for (int i = 0; i < n; i++) {
		if ((pids[i] = fork()) < 0)
			die("fork");
		if (pids[i] == 0) {
			close(go[1]);
			close(ready[0]);
			race_host(go[0], ready[1], confs[i], user, password, answers[i], now);
		}
	}
	close(go[0]);
	close(ready[1]);
	/* One byte from each host that is ready; end of file once every host has written or died. */
	for (int i = 0; i < n; i++)
		if (read(ready[0], &c, 1) != 1)
			break;
	close(ready[0]);
	close(go[1]); /* release all */
	for (int i = 0; i < n; i++) {
		int status;

		if (waitpid(pids[i], &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) < RACE_OK ||
				WEXITSTATUS(status) > RACE_OTHER) {
			out->failed++;
			continue;
		}
		out->host_ok[i] = WEXITSTATUS(status) == RACE_OK;
		out->ok += WEXITSTATUS(status) == RACE_OK;
		out->replayed += WEXITSTATUS(status) == RACE_REPLAYED;
	}
}

bool itest_expect(const char *file, int line, const char *what, const struct sendsec_outcome *out,
		enum sendsec_result want_rc, int want_reason)
{
	bool ok = out->result == want_rc && (want_reason < 0 || (int)out->reason == want_reason);

	if (ok) {
		printf("ok - %s\n", what);
		return true;
	}
	fprintf(stderr, "%s:%d: not ok - %s: got %s/%s, wanted %s/%s\n", file, line, what,
			sendsec_result_name(out->result), sendsec_reason_name(out->reason),
			sendsec_result_name(want_rc),
			want_reason < 0 ? "*" : sendsec_reason_name((enum sendsec_reason)want_reason));
	return false;
}

int itest_run(const char *const argv[], const char *input, char *out_buf, size_t out_len)
{
	int in_pipe[2], out_pipe[2], status;
	pid_t pid;
	size_t used = 0;
	ssize_t n;

	if (pipe(in_pipe) != 0 || pipe(out_pipe) != 0)
		die("pipe");
	if ((pid = fork()) < 0)
		die("fork");
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		dup2(in_pipe[0], 0);
		dup2(out_buf != NULL ? out_pipe[1] : devnull, 1);
		close(in_pipe[0]);
		close(in_pipe[1]);
		close(out_pipe[0]);
		close(out_pipe[1]);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(in_pipe[0]);
	close(out_pipe[1]);
	if (input != NULL && write(in_pipe[1], input, strlen(input)) != (ssize_t)strlen(input))
		fprintf(stderr, "itest: short write to %s\n", argv[0]);
	close(in_pipe[1]);
	while (out_buf != NULL && used + 1 < out_len && (n = read(out_pipe[0], out_buf + used, out_len - used - 1)) > 0)
		used += (size_t)n;
	if (out_buf != NULL)
		out_buf[used] = '\0';
	close(out_pipe[0]);
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int itest_ldapmodify(const char *ldif)
{
	const char *const argv[] = {"ldapmodify", "-x", "-H", itest_env("URI"), "-D", itest_env("ROOTDN"), "-y",
			itest_env("ROOTPW_FILE"), NULL};

	return itest_run(argv, ldif, NULL, 0);
}

const char *itest_set_attr_ldif(const char *user, const char *attr, const char *value)
{
	static char ldif[1024];

	if (value != NULL)
		snprintf(ldif, sizeof(ldif), "dn: %s\nchangetype: modify\nreplace: %s\n%s: %s\n", itest_user_dn(user),
				attr, attr, value);
	else
		snprintf(ldif, sizeof(ldif), "dn: %s\nchangetype: modify\ndelete: %s\n", itest_user_dn(user), attr);
	return ldif;
}

int itest_set_attr(const char *user, const char *attr, const char *value)
{
	return itest_ldapmodify(itest_set_attr_ldif(user, attr, value));
}

int itest_count_values(const char *dn, const char *attr)
{
	static char out[65536];
	const char *const argv[] = {"ldapsearch", "-x", "-LLL", "-o", "ldif-wrap=no", "-H", itest_env("URI"), "-D",
			itest_env("ROOTDN"), "-y", itest_env("ROOTPW_FILE"), "-s", "base", "-b", dn, "(objectClass=*)",
			attr, NULL};
	size_t alen = strlen(attr);
	int count = 0;

	if (itest_run(argv, NULL, out, sizeof(out)) != 0)
		return -1;
	for (char *line = out; line != NULL && *line != '\0';) {
		char *nl = strchr(line, '\n');

		if (strncasecmp(line, attr, alen) == 0 && line[alen] == ':')
			count++;
		line = nl != NULL ? nl + 1 : NULL;
	}
	return count;
}

int itest_slapd(const char *cmd)
{
	const char *const argv[] = {itest_env("SLAPD"), cmd, itest_env("DIR"), NULL};

	return itest_run(argv, NULL, NULL, 0);
}

bool itest_signal_pidfile(const char *pidfile, int sig)
{
	char path[512], stat_line[512];
	long pid = 0;
	FILE *f;
	double t0;

	if ((f = fopen(pidfile, "r")) == NULL)
		return false;
	if (fscanf(f, "%ld", &pid) != 1)
		pid = 0;
	fclose(f);
	if (pid <= 1 || kill((pid_t)pid, sig) != 0)
		return false;
	if (sig != SIGSTOP)
		return true;
	/* kill() returns before the signal is delivered: wait until the process is stopped ("T"). */
	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	for (t0 = itest_seconds(); itest_seconds() - t0 < 5.0; usleep(1000)) {
		const char *state;

		if ((f = fopen(path, "r")) == NULL)
			return false;
		state = fgets(stat_line, sizeof(stat_line), f) != NULL ? strrchr(stat_line, ')') : NULL;
		fclose(f);
		if (state != NULL && (state[2] == 'T' || state[2] == 't'))
			return true;
	}
	return false;
}

bool itest_slapd_signal(int sig)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/slapd.pid", itest_env("DIR"));
	return itest_signal_pidfile(path, sig);
}

int itest_dead_port(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
			getsockname(fd, (struct sockaddr *)&sa, &len) != 0)
		die("dead port");
	close(fd);
	return ntohs(sa.sin_port);
}

time_t itest_clock_now(void *arg)
{
	return ((struct itest_clock *)arg)->now;
}

double itest_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
