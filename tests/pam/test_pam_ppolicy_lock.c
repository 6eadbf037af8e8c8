/* test_pam_ppolicy_lock.c — ppolicy's administrative lock through the real libpam
 * (pam_start_confdir) with pam_sendsec.so, against the test slapd with the ppolicy overlay
 * (SENDSEC_TEST_PPOLICY=1). An sshd public-key login runs only the account phase: pam_acct_mgmt
 * must refuse an account whose pwdAccountLockedTime is 000001010000Z ("locked by an administrator
 * until unlocked"), and an API key of that account must be refused in the auth phase. A lock with
 * a real time (ppolicy's lockout after failed binds) is about passwords: the account phase and
 * the key pass, the password is refused.
 * Run as: with-slapd.sh test_pam_ppolicy_lock PATH/pam_sendsec.so (SENDSEC_TEST_PPOLICY=1)
 * No password or key is ever printed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "check.h"
#include "ikey.h"
#include "itest.h"
#include "pam_itest.h"

/* pam_acct_mgmt alone (what sshd runs for a public-key login) of user on service sshd. */
static int account_only(const char *user)
{
	return pam_itest_account("sshd", user, "192.0.2.7");
}

/* pam_authenticate then, on success, pam_acct_mgmt of user on service with the secret typed at
 * the password prompt. */
static int login(const char *service, const char *user, const char *secret)
{
	struct pam_itest_person p = {.password = secret};

	return pam_itest_login(service, user, "192.0.2.7", &p, NULL, 0);
}

static int set_locked_time(const char *user, const char *value)
{
	char ldif[1024];

	if (value != NULL)
		snprintf(ldif, sizeof(ldif),
				"dn: %s\nchangetype: modify\nreplace: pwdAccountLockedTime\n"
				"pwdAccountLockedTime: %s\n",
				itest_user_dn(user), value);
	else
		snprintf(ldif, sizeof(ldif), "dn: %s\nchangetype: modify\ndelete: pwdAccountLockedTime\n",
				itest_user_dn(user));
	return itest_ldapmodify(ldif);
}

int main(int argc, char **argv)
{
	char key[SENDSEC_KEY_MAX + 1], id[16], args[1024];
	char *conf;
	struct sendsec_ctx *ctx;

	if (argc != 2 || getenv("SENDSEC_TEST_CONF") == NULL) {
		fprintf(stderr, "usage: SENDSEC_TEST_PPOLICY=1 with-slapd.sh %s PATH/pam_sendsec.so\n", argv[0]);
		return 2;
	}
	pam_itest_init(argv[1], true);
	/* Password logins alone (bob has no token), keys on smtp; the seeded cost, no rehash. */
	if ((conf = strdup(itest_write_conf(true,
			     ITEST_PASSWORD_ONLY "rehash no\nlockout_threshold 0\n"
						 "[service smtp]\nmethods password apikey\n"))) == NULL)
		return 1;
	snprintf(args, sizeof(args), "config=%s", conf);
	pam_itest_write_service("sshd", args, args);
	pam_itest_write_service("smtp", args, args);
	ctx = itest_ctx_from(conf);
	CHECK(ikey_create(ctx, "bob", "smtp", 0, NULL, key, id) == SENDSEC_OK);

	CHECK_EQ_INT(account_only("bob"), PAM_SUCCESS);
	CHECK_EQ_INT(login("smtp", "apikey", key), PAM_SUCCESS);
	CHECK_EQ_INT(login("sshd", "bob", itest_pw("bob")), PAM_SUCCESS);

	/* Locked by an administrator until unlocked. */
	CHECK(set_locked_time("bob", "000001010000Z") == 0);
	CHECK_EQ_INT(account_only("bob"), PAM_AUTH_ERR);
	CHECK_EQ_INT(login("smtp", "apikey", key), PAM_AUTH_ERR);
	CHECK_EQ_INT(login("smtp", "bob", key), PAM_AUTH_ERR);
	CHECK_EQ_INT(login("sshd", "bob", itest_pw("bob")), PAM_AUTH_ERR);

	/* Locked after failed binds (a real time): passwords only. */
	CHECK(set_locked_time("bob", "20240101000000Z") == 0);
	CHECK_EQ_INT(account_only("bob"), PAM_SUCCESS);
	CHECK_EQ_INT(login("smtp", "apikey", key), PAM_SUCCESS);
	CHECK_EQ_INT(login("sshd", "bob", itest_pw("bob")), PAM_AUTH_ERR);

	CHECK(set_locked_time("bob", NULL) == 0);
	CHECK_EQ_INT(account_only("bob"), PAM_SUCCESS);
	CHECK_EQ_INT(login("sshd", "bob", itest_pw("bob")), PAM_SUCCESS);

	sodium_memzero(key, sizeof(key));
	sendsec_ctx_free(ctx);
	free(conf);
	pam_itest_done();
	return check_report(argv[0]);
}
