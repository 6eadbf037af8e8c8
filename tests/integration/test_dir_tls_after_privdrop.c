/* test_dir_tls_after_privdrop.c — the CA file, the client certificate and its key are read when
 * the context is created, never at a connection: the SASL plugin's context is made while Postfix
 * is still root, and smtpd then runs as the postfix user inside a chroot where none of those
 * files can be opened. Here the context is created as root; the process drops to nobody (uid and
 * gid 65534, no supplementary groups), checks that it can no longer read the key, and logs in
 * over ldaps:// with the client certificate (sasl_mech EXTERNAL): on the first connection, and
 * again after slapd restarts (a new connection and handshake, as after a server restart or an
 * idle timeout). The restart is done by a helper process forked while still root.
 * Run under tests/fixtures/with-slapd.sh with SENDSEC_TEST_TLS=1. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "itest.h"

#define NOBODY 65534

/* A child that stays root and restarts slapd each time it reads a byte from *to_helper; it
 * answers with one byte, '0' on success. */
struct helper {
	pid_t pid;
	int to_helper;
	int from_helper;
};

static struct helper helper_start(void)
{
	int down[2], up[2];
	struct helper h = {-1, -1, -1};
	char c;

	if (pipe(down) != 0 || pipe(up) != 0) {
		perror("pipe");
		exit(1);
	}
	fflush(NULL);
	if ((h.pid = fork()) < 0) {
		perror("fork");
		exit(1);
	}
	if (h.pid == 0) {
		close(down[1]);
		close(up[0]);
		while (read(down[0], &c, 1) == 1) {
			c = itest_slapd("restart") == 0 ? '0' : '1';
			if (write(up[1], &c, 1) != 1)
				break;
		}
		_exit(0);
	}
	close(down[0]);
	close(up[1]);
	h.to_helper = down[1];
	h.from_helper = up[0];
	return h;
}

static bool helper_restart_slapd(struct helper *h)
{
	char c = 'r';

	return write(h->to_helper, &c, 1) == 1 && read(h->from_helper, &c, 1) == 1 && c == '0';
}

static void helper_stop(struct helper *h)
{
	close(h->to_helper);
	close(h->from_helper);
	waitpid(h->pid, NULL, 0);
}

/* Drops to nobody for good (real, effective and saved ids; no groups). LeakSanitizer needs the
 * process to stay dumpable, which a change of uid clears. */
static void drop_to_nobody(void)
{
	if (setgroups(0, NULL) != 0 || setresgid(NOBODY, NOBODY, NOBODY) != 0 ||
			setresuid(NOBODY, NOBODY, NOBODY) != 0) {
		perror("dropping privileges");
		exit(1);
	}
	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) != 0) {
		perror("prctl PR_SET_DUMPABLE");
		exit(1);
	}
}

static bool can_read(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

int main(int argc, char **argv)
{
	struct sendsec_outcome out;
	struct sendsec_ctx *ctx;
	struct helper h;
	char text[4096];
	uid_t ruid, euid, suid;

	(void)argc;
	/* As smtpd does (Postfix ignores SIGPIPE): libldap writes to the dead TLS connection after
	 * the restart, before it notices that the server went away. */
	signal(SIGPIPE, SIG_IGN);
	/* The service account binds with the client certificate (EXTERNAL): the key is needed on
	 * every connection, not only the CA file. */
	snprintf(text, sizeof(text),
			"uri %s\nbase %s\nsasl_mech EXTERNAL\ntimeout 2\n%stls_cacert %s\ntls_cert %s\ntls_key %s\n",
			itest_env("LDAPS_URI"), itest_env("BASE"), ITEST_PASSWORD_ONLY, itest_env("CA"),
			itest_env("CLIENT_CERT"), itest_env("CLIENT_KEY"));
	if (getuid() != 0) {
		fprintf(stderr, "%s: must start as root (the context is created as root, then dropped)\n", argv[0]);
		return 1;
	}
	ctx = itest_ctx_from(itest_write_conf(false, text));
	h = helper_start();

	drop_to_nobody();
	CHECK(getresuid(&ruid, &euid, &suid) == 0 && ruid == NOBODY && euid == NOBODY && suid == NOBODY);
	CHECK(!can_read(itest_env("CLIENT_KEY")));
	CHECK(!can_read(itest_env("CA")));
	printf("%s - now uid %d: the CA file and the client key can no longer be read\n",
			!can_read(itest_env("CLIENT_KEY")) && !can_read(itest_env("CA")) ? "ok" : "not ok",
			(int)geteuid());

	itest_login(ctx, "sshd", "alice", itest_pw("alice"), NULL, &out);
	EXPECT("as nobody, first connection over ldaps:// with the client certificate (EXTERNAL): OK", &out, SENDSEC_OK,
			SENDSEC_REASON_NONE);
	itest_login(ctx, "sshd", "alice", "alice-wrong-password", NULL, &out);
	EXPECT("as nobody, a wrong password on the same connection: DENIED", &out, SENDSEC_DENIED, -1);

	CHECK(helper_restart_slapd(&h));
	itest_login(ctx, "sshd", "alice", itest_pw("alice"), NULL, &out);
	EXPECT("as nobody, after slapd restarted: a new connection and handshake, still OK", &out, SENDSEC_OK,
			SENDSEC_REASON_NONE);

	helper_stop(&h);
	sendsec_ctx_free(ctx);
	return check_report(argv[0]);
}
