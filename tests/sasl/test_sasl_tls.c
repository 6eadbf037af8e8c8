/* test_sasl_tls.c — the plugin with the directory over ldaps:// and the service bind made with a
 * client certificate (sasl_mech EXTERNAL), loaded by the real libsasl2 as smtpd loads it: as
 * root, inside sasl_server_init; then the process drops to nobody (smtpd runs as postfix, in a
 * chroot) and logs in. The TLS files are read at load and never again, and loading them must not
 * disturb libsasl2 in the host: libldap's one-time initialisation installs its own SASL mutex
 * functions, which inside sasl_server_init would replace those libsasl2 already used, and the
 * next sasl_dispose would crash.
 *
 *   test_sasl_tls PATH/libsendsec.so     (under tests/fixtures/with-slapd.sh, SENDSEC_TEST_TLS=1) */
#include <grp.h>
#include <sasl/sasl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "sasl_host.h"

#define NOBODY 65534

static const char *env(const char *name)
{
	const char *v = getenv(name);

	if (v == NULL || v[0] == '\0')
		host_die("%s is not set: run me under tests/fixtures/with-slapd.sh with SENDSEC_TEST_TLS=1", name);
	return v;
}

/* One PLAIN login of user with the seeded password (or a wrong one); checks code and identity. */
static void expect_login(const char *what, const char *user, bool is_wrong, int want_rc)
{
	char pw[128], who[128];
	int rc;

	host_password(user, is_wrong, pw, sizeof(pw));
	rc = host_plain(user, pw, who, sizeof(who));
	explicit_bzero(pw, sizeof(pw));
	CHECK(rc == want_rc && (rc != SASL_OK || strcmp(who, user) == 0));
	if (rc == want_rc && (rc != SASL_OK || strcmp(who, user) == 0))
		printf("ok - %s: %s\n", what, sasl_errstring(rc, NULL, NULL));
	else
		printf("not ok - %s: got %s (%d) as '%s', want %s (%d) as '%s'\n", what, sasl_errstring(rc, NULL, NULL),
				rc, who, sasl_errstring(want_rc, NULL, NULL), want_rc, want_rc == SASL_OK ? user : "");
}

/* The part that runs as nobody, in a child (the parent, still root, removes the temp files). */
static int as_nobody(void)
{
	FILE *f;

	if (setgroups(0, NULL) != 0 || setresgid(NOBODY, NOBODY, NOBODY) != 0 ||
			setresuid(NOBODY, NOBODY, NOBODY) != 0 || prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) != 0)
		host_die("cannot drop to uid %d", NOBODY);
	f = fopen(env("SENDSEC_TEST_CLIENT_KEY"), "r");
	CHECK(f == NULL);
	printf("%s - now uid %d: the client key can no longer be read\n", f == NULL ? "ok" : "not ok", (int)geteuid());
	if (f != NULL)
		fclose(f);
	expect_login("as nobody: alice, first connection over ldaps:// with the client certificate", "alice", false,
			SASL_OK);
	expect_login("as nobody: alice, wrong password", "alice", true, SASL_BADAUTH);
	expect_login("as nobody: carol", "carol", false, SASL_OK);
	sasl_server_done();
	return check_report("test_sasl_tls (as nobody)");
}

int main(int argc, char **argv)
{
	char text[4096];
	pid_t pid;
	int status;

	if (argc != 2)
		host_die("usage: test_sasl_tls PATH/libsendsec.so");
	if (getuid() != 0)
		host_die("must start as root (the plugin loads as root, then the process drops privileges)");
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN); /* as smtpd does */
	snprintf(text, sizeof(text),
			"uri %s\nbase %s\nsasl_mech EXTERNAL\ntls_cacert %s\ntls_cert %s\ntls_key %s\ntimeout 2\n"
			"methods password\nrehash no\n",
			env("SENDSEC_TEST_LDAPS_URI"), env("SENDSEC_TEST_BASE"), env("SENDSEC_TEST_CA"),
			env("SENDSEC_TEST_CLIENT_CERT"), env("SENDSEC_TEST_CLIENT_KEY"));
	host_init_text(argv[1], text);

	/* As root, a session without AUTH (sasl_server_new, sasl_dispose: where the crash was). The
	 * directory is not contacted yet: the first connection is made as nobody. */
	host_conn_cycle();
	printf("ok - as root: a session without a login (sasl_server_new, sasl_dispose)\n");

	fflush(NULL);
	if ((pid = fork()) < 0)
		host_die("fork failed");
	if (pid == 0)
		_exit(as_nobody());
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		printf("not ok - the part as nobody failed (status %d)\n", status);
	/* And as root again, in the parent: the plugin's state after a fork is untouched. */
	expect_login("as root: alice over ldaps:// with the client certificate (EXTERNAL)", "alice", false, SASL_OK);

	CHECK(host_errors() == 0);
	printf("%s - %lu SASL error lines (want 0)\n", host_errors() == 0 ? "ok" : "not ok", host_errors());
	host_done();
	return check_report(argv[0]);
}
