/* test_bind_refusals_alike.c — with password_check bind, a refused login does the directory work
 * of a known account's wrong password, whatever the reason (issue 11 item 1): one simple bind on a
 * fresh connection, answered invalidCredentials. A known name binds as its own DN; an unknown name
 * and an account refused before its password (disabled) bind to a DN that cannot exist, never to
 * the account's DN (the password of a disabled account is not tried). The local mode binds as
 * nobody. What each login sent is read from slapd's own "stats" log (SENDSEC_TEST_SLAPD_DEBUG=stats);
 * the time this takes is measured by tests/bench/bench_oracle.c, not here.
 * Run under tests/fixtures/with-slapd.sh. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "itest.h"

/* The current size of slapd's log: what a login adds comes after it. */
static long log_size(void)
{
	char path[512];
	FILE *f;
	long n = -1;

	snprintf(path, sizeof(path), "%s/slapd.log", itest_env("DIR"));
	if ((f = fopen(path, "r")) != NULL && fseek(f, 0, SEEK_END) == 0)
		n = ftell(f);
	if (f != NULL)
		fclose(f);
	return n;
}

struct binds {
	int n;              /* BINDs other than the service account's */
	int answered_49;    /* of which answered with err=49 (invalidCredentials) */
	char first_dn[256]; /* the DN of the first one */
};

/* Reads the user binds logged after offset. Waits up to 2 s for want answers to be logged. */
static struct binds binds_since(long offset, int want)
{
	char path[512], line[2048], conn[32];
	struct binds b;

	snprintf(path, sizeof(path), "%s/slapd.log", itest_env("DIR"));
	for (int tries = 0; tries < 40; tries++) {
		FILE *f = fopen(path, "r");

		memset(&b, 0, sizeof(b));
		conn[0] = '\0';
		if (f == NULL || fseek(f, offset, SEEK_SET) != 0) {
			if (f != NULL)
				fclose(f);
			break;
		}
		while (fgets(line, sizeof(line), f) != NULL) {
			const char *dn = strstr(line, " BIND dn=\""), *c = strstr(line, "conn=");

			if (dn != NULL && strstr(dn, "ou=services,") == NULL && c != NULL) {
				if (b.n++ == 0)
					snprintf(b.first_dn, sizeof(b.first_dn), "%.*s", (int)strcspn(dn + 10, "\""),
							dn + 10);
				snprintf(conn, sizeof(conn), "%.*s ", (int)strcspn(c, " "), c);
			} else if (conn[0] != '\0' && strstr(line, conn) != NULL &&
					strstr(line, "RESULT tag=97 err=49 ") != NULL) {
				b.answered_49++;
			}
		}
		fclose(f);
		if (b.answered_49 >= want && want > 0)
			break;
		usleep(50000);
	}
	return b;
}

static void expect_one_bind(const char *what, long offset, const char *dn_prefix)
{
	struct binds b = binds_since(offset, 1);
	bool ok = b.n == 1 && b.answered_49 == 1 && strncmp(b.first_dn, dn_prefix, strlen(dn_prefix)) == 0;

	CHECK(ok);
	if (ok)
		printf("ok - %s\n", what);
	else
		fprintf(stderr, "not ok - %s: %d user bind(s), %d answered 49, first to '%s'; wanted 1, 1, '%s...'\n",
				what, b.n, b.answered_49, b.first_dn, dn_prefix);
}

int main(int argc, char **argv)
{
	struct sendsec_outcome out;
	struct sendsec_ctx *bind = itest_ctx("password_check bind\nmethods password\nlockout_threshold 0\n"
					     "argon2_opslimit 1\nargon2_memlimit 8\n");
	struct sendsec_ctx *local = itest_ctx(ITEST_PASSWORD_ONLY "lockout_threshold 0\nrehash no\n");
	char standin[256];
	long at;

	(void)argc;
	if (getenv("SENDSEC_TEST_SLAPD_DEBUG") == NULL || strcmp(getenv("SENDSEC_TEST_SLAPD_DEBUG"), "stats") != 0) {
		fprintf(stderr, "run me with SENDSEC_TEST_SLAPD_DEBUG=stats\n");
		return 1;
	}
	snprintf(standin, sizeof(standin), "cn=sendsec-standin-");
	/* Warm the service account's connection, so that only the logins' binds follow. */
	itest_login(bind, "sshd", "bob", itest_pw("bob"), "192.0.2.7", &out);
	EXPECT("bind mode: bob's right password", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	itest_login(local, "sshd", "bob", itest_pw("bob"), "192.0.2.7", &out);

	at = log_size();
	itest_login(bind, "sshd", "erin", "erin-wrong-Passw0rd!", "192.0.2.7", &out);
	EXPECT("bind mode: erin's wrong password", &out, SENDSEC_DENIED, SENDSEC_REASON_BAD_PASSWORD);
	expect_one_bind("a known name binds once as its own DN, answered 49", at, "uid=erin,ou=people,");

	at = log_size();
	itest_login(bind, "sshd", "nosuchuser", "some-Passw0rd!", "192.0.2.7", &out);
	EXPECT("bind mode: unknown name", &out, SENDSEC_UNKNOWN_USER, SENDSEC_REASON_UNKNOWN_USER);
	expect_one_bind("an unknown name binds once too, to a DN that cannot exist, answered 49", at, standin);

	at = log_size();
	itest_login(bind, "sshd", "dave", itest_pw("dave"), "192.0.2.7", &out);
	EXPECT("bind mode: disabled account", &out, SENDSEC_DENIED, SENDSEC_REASON_DISABLED);
	expect_one_bind("a disabled account binds once, to a DN that cannot exist (never its own)", at, standin);

	at = log_size();
	itest_login(local, "sshd", "nosuchuser", "some-Passw0rd!", "192.0.2.7", &out);
	EXPECT("local mode: unknown name", &out, SENDSEC_UNKNOWN_USER, SENDSEC_REASON_UNKNOWN_USER);
	usleep(300000);
	CHECK_EQ_INT(binds_since(at, 0).n, 0);

	sendsec_ctx_free(bind);
	sendsec_ctx_free(local);
	return check_report(argv[0]);
}
