/* test_dir_tls_system_ca.c — without tls_cacert, TLS to the directory trusts the Debian CA bundle
 * (/etc/ssl/certs/ca-certificates.crt), as sendsec.conf(5) says, and verifies against it; when
 * no CA file exists at all, the configuration is refused, by sendsecctl check-config too.
 * The system bundle is swapped in a private mount namespace (this process and its children
 * only): the fixture's throwaway CA bind-mounted over it, then an empty /etc/ssl/certs.
 *
 *   test_dir_tls_system_ca PATH/sendsecctl   (under tests/fixtures/with-slapd.sh, SENDSEC_TEST_TLS=1;
 *                                             root: the mount namespace) */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "check.h"
#include "itest.h"

#define SYSTEM_BUNDLE   "/etc/ssl/certs/ca-certificates.crt"
#define SYSTEM_CERT_DIR "/etc/ssl/certs"

static void die_errno(const char *what)
{
	fprintf(stderr, "test_dir_tls_system_ca: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* One login of alice on a fresh context from a config with the fixture's service account, uri
 * and extra lines; fills *out. */
static void login_with(const char *uri, const char *extra, struct sendsec_outcome *out)
{
	struct sendsec_ctx *ctx = itest_ctx_from(itest_write_conf_uris(uri, extra));

	itest_login(ctx, "sshd", "alice", itest_pw("alice"), NULL, out);
	sendsec_ctx_free(ctx);
}

/* sendsecctl --config (a config with uri and extra) check-config, stdout and stderr into out;
 * returns the exit status. */
static int check_config(const char *ctl, const char *uri, const char *extra, char *out, size_t len)
{
	const char *conf = itest_write_conf_uris(uri, extra);
	const char *const argv[] = {"/bin/sh", "-c", "exec \"$0\" --config \"$1\" check-config 2>&1", ctl, conf, NULL};

	return itest_run(argv, NULL, out, len);
}

/* check-config accepts a config with uri and extra (exit 0), and alice logs in with it; what
 * names the case. */
static void expect_usable(const char *ctl, const char *uri, const char *extra, const char *what)
{
	struct sendsec_outcome out;
	char text[8192], line[256];
	int rc = check_config(ctl, uri, extra, text, sizeof(text));

	CHECK(rc == 0);
	printf("%s - check-config, %s: exit %d (want 0)\n", rc == 0 ? "ok" : "not ok", what, rc);
	if (rc != 0)
		fprintf(stderr, "    check-config said:\n%s\n", text);
	login_with(uri, extra, &out);
	snprintf(line, sizeof(line), "%s: OK", what);
	EXPECT(line, &out, SENDSEC_OK, SENDSEC_REASON_NONE);
}

int main(int argc, char **argv)
{
	struct sendsec_outcome out;
	char ca_line[1024], text[8192];
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: test_dir_tls_system_ca PATH/sendsecctl\n");
		return 2;
	}
	snprintf(ca_line, sizeof(ca_line), "tls_cacert %s\n%s", itest_env("CA"), ITEST_PASSWORD_ONLY);

	/* The real bundle does not hold the throwaway CA: verification fails closed. */
	login_with(itest_env("LDAPS_URI"), ITEST_PASSWORD_ONLY, &out);
	EXPECT("no tls_cacert, the system bundle (without the test CA), tls_reqcert demand: UNAVAILABLE", &out,
			SENDSEC_UNAVAILABLE, SENDSEC_REASON_UNAVAILABLE);
	login_with(itest_env("LDAPS_URI"), ca_line, &out);
	EXPECT("tls_cacert naming the test CA: OK", &out, SENDSEC_OK, SENDSEC_REASON_NONE);

	if (unshare(CLONE_NEWNS) != 0)
		die_errno("unshare(CLONE_NEWNS)");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
		die_errno("making / private");

	/* The test CA as the system bundle: trusted without tls_cacert. */
	if (mount(itest_env("CA"), SYSTEM_BUNDLE, NULL, MS_BIND, NULL) != 0)
		die_errno("bind-mounting the test CA over " SYSTEM_BUNDLE);
	login_with(itest_env("LDAPS_URI"), ITEST_PASSWORD_ONLY, &out);
	EXPECT("no tls_cacert, the test CA in place of the system bundle: OK (the bundle is the default)", &out,
			SENDSEC_OK, SENDSEC_REASON_NONE);
	login_with(itest_env("URI"), ITEST_PASSWORD_ONLY "starttls yes\n", &out);
	EXPECT("no tls_cacert, starttls yes, the test CA in place of the system bundle: OK", &out, SENDSEC_OK,
			SENDSEC_REASON_NONE);
	if (umount(SYSTEM_BUNDLE) != 0)
		die_errno("umount " SYSTEM_BUNDLE);

	/* No CA file at all: refused at load, and by check-config, naming the key and the file. */
	if (mount("none", SYSTEM_CERT_DIR, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=64k,mode=0755") != 0)
		die_errno("mounting an empty tmpfs over " SYSTEM_CERT_DIR);
	login_with(itest_env("LDAPS_URI"), ITEST_PASSWORD_ONLY, &out);
	EXPECT("no tls_cacert and no system bundle: UNAVAILABLE", &out, SENDSEC_UNAVAILABLE,
			SENDSEC_REASON_UNAVAILABLE);
	rc = check_config(argv[1], itest_env("LDAPS_URI"), ITEST_PASSWORD_ONLY, text, sizeof(text));
	CHECK(rc != 0 && strstr(text, "tls_cacert") != NULL && strstr(text, SYSTEM_BUNDLE) != NULL);
	printf("%s - check-config without tls_cacert and without %s: exit %d (want non-zero, naming tls_cacert "
	       "and the file)\n",
			rc != 0 && strstr(text, "tls_cacert") != NULL && strstr(text, SYSTEM_BUNDLE) != NULL ? "ok"
													     : "not ok",
			SYSTEM_BUNDLE, rc);
	if (rc == 0 || strstr(text, SYSTEM_BUNDLE) == NULL)
		fprintf(stderr, "    check-config said:\n%s\n", text);
	expect_usable(argv[1], itest_env("LDAPS_URI"), ca_line, "tls_cacert set and no system bundle");
	/* Without TLS (ldap:// to loopback) no CA file is needed. */
	expect_usable(argv[1], itest_env("URI"), ITEST_PASSWORD_ONLY,
			"ldap:// to loopback (no TLS) and no system bundle");
	return check_report(argv[0]);
}
