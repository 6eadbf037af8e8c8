/* test_policy_ppolicy.c — the engine honours what slapo-ppolicy keeps on the account (DESIGN §4):
 * pwdAccountLockedTime refuses the right password with reason locked, and removing it lets the
 * account in again; pwdReset TRUE means CHANGE_REQUIRED; password_reset_before reads
 * pwdChangedTime when sendsecPasswordChanged is absent (and prefers sendsecPasswordChanged when
 * both are there), including the pwdChangedTime the overlay itself writes on a password change.
 * The fixture's default policy never locks by itself, so only this test sets these attributes (as
 * the rootdn; pwdChangedTime is NO-USER-MODIFICATION and needs the Relax control). Run under
 * tests/fixtures/with-slapd.sh with SENDSEC_TEST_PPOLICY=1. */
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "ikey.h"
#include "itest.h"

/* ldapmodify as the rootdn with the Relax control (RFC draft-zeilenga-ldap-relax); returns its
 * exit status. */
static int ldapmodify_relax(const char *ldif)
{
	const char *const argv[] = {"ldapmodify", "-x", "-e", "relax", "-H", itest_env("URI"), "-D",
			itest_env("ROOTDN"), "-y", itest_env("ROOTPW_FILE"), NULL};
	int fds[2], status;
	pid_t pid;

	if (pipe(fds) != 0 || (pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		dup2(fds[0], 0);
		dup2(devnull, 1);
		close(fds[0]);
		close(fds[1]);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(fds[0]);
	if (write(fds[1], ldif, strlen(ldif)) != (ssize_t)strlen(ldif))
		fprintf(stderr, "short write to ldapmodify\n");
	close(fds[1]);
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* "replace: attr" with value on user (value NULL: delete attr); as the rootdn, with Relax when
 * relax. Returns the ldapmodify exit status. */
static int set_attr(const char *user, const char *attr, const char *value, bool relax)
{
	const char *ldif = itest_set_attr_ldif(user, attr, value);

	return relax ? ldapmodify_relax(ldif) : itest_ldapmodify(ldif);
}

/* Password Modify (RFC 3062) as the rootdn, setting user's password to its seeded value again:
 * ppolicy records pwdChangedTime = now. Returns the exit status of ldappasswd. */
static int reset_password_via_server(const char *user)
{
	char pwfile[512];
	const char *pw = itest_pw(user);
	const char *const argv[] = {"ldappasswd", "-x", "-H", itest_env("URI"), "-D", itest_env("ROOTDN"), "-y",
			itest_env("ROOTPW_FILE"), "-T", pwfile, itest_user_dn(user), NULL};
	int fd, status;
	pid_t pid;

	/* The new password goes through a 0600 file, never argv (visible in ps). */
	snprintf(pwfile, sizeof(pwfile), "%s/ppolicy-newpw", itest_env("DIR"));
	if ((fd = open(pwfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
		return -1;
	if (write(fd, pw, strlen(pw)) != (ssize_t)strlen(pw)) {
		close(fd);
		return -1;
	}
	close(fd);
	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		dup2(devnull, 1);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	status = -1;
	if (waitpid(pid, &status, 0) < 0)
		status = -1;
	unlink(pwfile);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* pam_sm_acct_mgmt's engine call for user on sshd; the outcome goes to *out. */
static void account_check(struct sendsec_ctx *ctx, const char *user, struct sendsec_outcome *out)
{
	enum sendsec_result rc = sendsec_account_check(ctx, "sshd", user, "192.0.2.7", out);

	CHECK_RESULT(rc, out->result);
}

/* ppolicy's "locked by an administrator until unlocked" (000001010000Z) is about the account:
 * API keys and the account phase (pam_sm_acct_mgmt, which is all an sshd public-key login goes
 * through) refuse it as locked. A lock with a real time is what ppolicy writes after failed binds:
 * it refuses passwords only, as sendsec's own lockout does. */
static void test_admin_lock(struct sendsec_ctx *ctx)
{
	struct sendsec_outcome out;
	char key[SENDSEC_KEY_MAX + 1], id[16];

	CHECK(ikey_create(ctx, "bob", "smtp", 0, NULL, key, id) == SENDSEC_OK);
	itest_login(ctx, "smtp", "apikey", key, "192.0.2.7", &out);
	EXPECT("bob's key, nothing set: OK", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	account_check(ctx, "bob", &out);
	EXPECT("bob's account check, nothing set: OK", &out, SENDSEC_OK, SENDSEC_REASON_NONE);

	CHECK(set_attr("bob", "pwdAccountLockedTime", "000001010000Z", false) == 0);
	itest_login(ctx, "smtp", "apikey", key, "192.0.2.7", &out);
	EXPECT("administrative lock: bob's key (user apikey) refused as locked", &out, SENDSEC_DENIED,
			SENDSEC_REASON_LOCKED);
	itest_login(ctx, "smtp", "bob", key, "192.0.2.7", &out);
	EXPECT("administrative lock: bob's key (user bob) refused as locked", &out, SENDSEC_DENIED,
			SENDSEC_REASON_LOCKED);
	account_check(ctx, "bob", &out);
	EXPECT("administrative lock: account check (sshd public key) refused as locked", &out, SENDSEC_DENIED,
			SENDSEC_REASON_LOCKED);
	itest_login(ctx, "sshd", "bob", itest_pw("bob"), "192.0.2.7", &out);
	EXPECT("administrative lock: bob's password refused as locked", &out, SENDSEC_DENIED, SENDSEC_REASON_LOCKED);

	CHECK(set_attr("bob", "pwdAccountLockedTime", "20240101000000Z", false) == 0);
	itest_login(ctx, "smtp", "apikey", key, "192.0.2.7", &out);
	EXPECT("lockout after failed binds (a real time): bob's key still works", &out, SENDSEC_OK,
			SENDSEC_REASON_NONE);
	account_check(ctx, "bob", &out);
	EXPECT("lockout after failed binds: the account check passes", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	itest_login(ctx, "sshd", "bob", itest_pw("bob"), "192.0.2.7", &out);
	EXPECT("lockout after failed binds: bob's password refused as locked", &out, SENDSEC_DENIED,
			SENDSEC_REASON_LOCKED);

	CHECK(set_attr("bob", "pwdAccountLockedTime", NULL, false) == 0);
	itest_login(ctx, "smtp", "apikey", key, "192.0.2.7", &out);
	EXPECT("unlocked: bob's key works again", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	sodium_memzero(key, sizeof(key));
}

int main(int argc, char **argv)
{
	struct sendsec_outcome out;
	struct sendsec_ctx *ctx =
			itest_ctx(ITEST_PASSWORD_ONLY "rehash no\n"
						      "[service past]\npassword_reset_before 2020-06-01T12:00:00Z\n"
						      "[service future]\npassword_reset_before 2099-01-01T00:00:00Z\n"
						      "[service smtp]\nmethods password apikey\n");

	(void)argc;
	itest_login(ctx, "sshd", "alice", itest_pw("alice"), NULL, &out);
	EXPECT("ppolicy loaded, nothing set: alice OK", &out, SENDSEC_OK, SENDSEC_REASON_NONE);

	/* Locked by ppolicy. The overlay lets the rootdn write pwdAccountLockedTime directly. */
	CHECK(set_attr("alice", "pwdAccountLockedTime", "20240101000000Z", false) == 0);
	itest_login(ctx, "sshd", "alice", itest_pw("alice"), NULL, &out);
	EXPECT("pwdAccountLockedTime set: right password refused as locked", &out, SENDSEC_DENIED,
			SENDSEC_REASON_LOCKED);
	CHECK(set_attr("alice", "pwdAccountLockedTime", "000001010000Z", false) == 0); /* ppolicy: locked for good */
	itest_login(ctx, "sshd", "alice", itest_pw("alice"), NULL, &out);
	EXPECT("pwdAccountLockedTime 000001010000Z: locked", &out, SENDSEC_DENIED, SENDSEC_REASON_LOCKED);
	CHECK(set_attr("alice", "pwdAccountLockedTime", NULL, false) == 0);
	itest_login(ctx, "sshd", "alice", itest_pw("alice"), NULL, &out);
	EXPECT("pwdAccountLockedTime removed: alice OK again", &out, SENDSEC_OK, SENDSEC_REASON_NONE);

	/* pwdReset: the administrator reset the password; the user must change it. */
	CHECK(set_attr("bob", "pwdReset", "TRUE", false) == 0);
	itest_login(ctx, "sshd", "bob", itest_pw("bob"), NULL, &out);
	EXPECT("pwdReset TRUE: CHANGE_REQUIRED", &out, SENDSEC_CHANGE_REQUIRED, SENDSEC_REASON_RESET_REQUIRED);
	itest_login(ctx, "sshd", "bob", itest_pw("alice"), NULL, &out);
	EXPECT("pwdReset TRUE, wrong password: DENIED", &out, SENDSEC_DENIED, SENDSEC_REASON_BAD_PASSWORD);
	CHECK(set_attr("bob", "pwdReset", NULL, false) == 0);
	itest_login(ctx, "sshd", "bob", itest_pw("bob"), NULL, &out);
	EXPECT("pwdReset removed: OK", &out, SENDSEC_OK, SENDSEC_REASON_NONE);

	/* password_reset_before with pwdChangedTime (no sendsecPasswordChanged on carol). */
	itest_login(ctx, "past", "carol", itest_pw("carol"), NULL, &out);
	EXPECT("reset date in the past, no change time at all: CHANGE_REQUIRED", &out, SENDSEC_CHANGE_REQUIRED,
			SENDSEC_REASON_RESET_REQUIRED);
	/* NO-USER-MODIFICATION: refused without Relax ("Constraint violation" on stderr is expected). */
	CHECK(set_attr("carol", "pwdChangedTime", "20230101000000Z", false) != 0);
	CHECK(set_attr("carol", "pwdChangedTime", "20230101000000Z", true) == 0);
	itest_login(ctx, "past", "carol", itest_pw("carol"), NULL, &out);
	EXPECT("pwdChangedTime after the reset date: OK", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	itest_login(ctx, "future", "carol", itest_pw("carol"), NULL, &out);
	EXPECT("pwdChangedTime before the reset date: CHANGE_REQUIRED", &out, SENDSEC_CHANGE_REQUIRED,
			SENDSEC_REASON_RESET_REQUIRED);
	CHECK(set_attr("carol", "pwdChangedTime", "20200601115959Z", true) == 0);
	itest_login(ctx, "past", "carol", itest_pw("carol"), NULL, &out);
	EXPECT("pwdChangedTime one second before the reset date: CHANGE_REQUIRED", &out, SENDSEC_CHANGE_REQUIRED,
			SENDSEC_REASON_RESET_REQUIRED);
	/* sendsecPasswordChanged, when present, wins over pwdChangedTime. */
	CHECK(set_attr("carol", "sendsecPasswordChanged", "20230101000000Z", false) == 0);
	itest_login(ctx, "past", "carol", itest_pw("carol"), NULL, &out);
	EXPECT("sendsecPasswordChanged after, pwdChangedTime before the reset date: OK", &out, SENDSEC_OK,
			SENDSEC_REASON_NONE);

	/* The pwdChangedTime the overlay writes itself (now) on a Password Modify. */
	itest_login(ctx, "past", "frank", itest_pw("frank"), NULL, &out);
	EXPECT("frank before any change: CHANGE_REQUIRED", &out, SENDSEC_CHANGE_REQUIRED,
			SENDSEC_REASON_RESET_REQUIRED);
	CHECK(reset_password_via_server("frank") == 0);
	CHECK(itest_count_values(itest_user_dn("frank"), "pwdChangedTime") == 1);
	itest_login(ctx, "past", "frank", itest_pw("frank"), NULL, &out);
	EXPECT("frank after a Password Modify (ppolicy's pwdChangedTime = now): OK", &out, SENDSEC_OK,
			SENDSEC_REASON_NONE);
	itest_login(ctx, "future", "frank", itest_pw("frank"), NULL, &out);
	EXPECT("frank, reset date 2099: still CHANGE_REQUIRED", &out, SENDSEC_CHANGE_REQUIRED,
			SENDSEC_REASON_RESET_REQUIRED);
	test_admin_lock(ctx);
	sendsec_ctx_free(ctx);
	return check_report(argv[0]);
}
