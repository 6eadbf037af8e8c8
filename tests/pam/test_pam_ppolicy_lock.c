/* test_pam_ppolicy_lock.c — ppolicy's administrative lock through the real libpam
 * (pam_start_confdir) with pam_sendsec.so, against the test slapd with the ppolicy overlay
 * (SENDSEC_TEST_PPOLICY=1). An sshd public-key login runs only the account phase: pam_acct_mgmt
 * must refuse an account whose pwdAccountLockedTime is 000001010000Z ("locked by an administrator
 * until unlocked"), and an API key of that account must be refused in the auth phase. A lock with
 * a real time (ppolicy's lockout after failed binds) is about passwords: the account phase and
 * the key pass, the password is refused.
 * Run as: with-slapd.sh test_pam_ppolicy_lock PATH/pam_sendsec.so (SENDSEC_TEST_PPOLICY=1)
 * No password or key is ever printed. */
#include <dlfcn.h>
#include <errno.h>
#include <security/pam_appl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "check.h"
#include "ikey.h"
#include "itest.h"

static const char *module_path;
static char confdir[256];

/* Answers every echo-off prompt with the password in arg. */
static int converse(int n, const struct pam_message **msg, struct pam_response **resp_out, void *arg)
{
	struct pam_response *resp = calloc((size_t)n, sizeof(*resp));

	if (resp == NULL)
		return PAM_BUF_ERR;
	for (int i = 0; i < n; i++) {
		if (msg[i]->msg_style != PAM_PROMPT_ECHO_OFF)
			continue;
		if ((resp[i].resp = strdup(arg)) == NULL) {
			for (int k = 0; k < i; k++)
				if (resp[k].resp != NULL) {
					sodium_memzero(resp[k].resp, strlen(resp[k].resp));
					free(resp[k].resp);
				}
			free(resp);
			return PAM_BUF_ERR;
		}
	}
	*resp_out = resp;
	return PAM_SUCCESS;
}

static void write_service(const char *name, const char *conf)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", confdir, name);
	if ((f = fopen(path, "w")) == NULL) {
		perror(path);
		exit(1);
	}
	fprintf(f, "auth required %s config=%s\naccount required %s config=%s\n", module_path, conf, module_path, conf);
	fclose(f);
}

/* pam_acct_mgmt alone (what sshd runs for a public-key login) of user on service sshd. */
static int account_only(const char *user)
{
	struct pam_conv conv = {converse, (void *)""};
	pam_handle_t *h = NULL;
	int rc;

	if (pam_start_confdir("sshd", user, &conv, confdir, &h) != PAM_SUCCESS)
		exit(1);
	pam_set_item(h, PAM_RHOST, "192.0.2.7");
	rc = pam_acct_mgmt(h, 0);
	pam_end(h, rc);
	return rc;
}

/* pam_authenticate then, on success, pam_acct_mgmt of user on service with the secret typed at
 * the password prompt. */
static int login(const char *service, const char *user, const char *secret)
{
	struct pam_conv conv = {converse, (void *)secret};
	pam_handle_t *h = NULL;
	int rc;

	if (pam_start_confdir(service, user, &conv, confdir, &h) != PAM_SUCCESS)
		exit(1);
	pam_set_item(h, PAM_RHOST, "192.0.2.7");
	rc = pam_authenticate(h, 0);
	if (rc == PAM_SUCCESS)
		rc = pam_acct_mgmt(h, 0);
	pam_end(h, rc);
	return rc;
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
	char tmpl[] = "/tmp/sendsec-pamlock.XXXXXX", key[SENDSEC_KEY_MAX + 1], id[16], path[512];
	const char *names[] = {"sshd", "smtp"};
	char *conf;
	struct sendsec_ctx *ctx;

	if (argc != 2 || getenv("SENDSEC_TEST_CONF") == NULL) {
		fprintf(stderr, "usage: SENDSEC_TEST_PPOLICY=1 with-slapd.sh %s PATH/pam_sendsec.so\n", argv[0]);
		return 2;
	}
	module_path = argv[1];
	if (dlopen(module_path, RTLD_NOW | RTLD_NODELETE) == NULL) {
		fprintf(stderr, "dlopen %s: %s\n", module_path, dlerror());
		return 1;
	}
	if (mkdtemp(tmpl) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(confdir, sizeof(confdir), "%s", tmpl);
	/* Password logins alone (bob has no token), keys on smtp; the seeded cost, no rehash. */
	if ((conf = strdup(itest_write_conf(true,
			     ITEST_PASSWORD_ONLY "rehash no\nlockout_threshold 0\n"
						 "[service smtp]\nmethods password apikey\n"))) == NULL)
		return 1;
	write_service("sshd", conf);
	write_service("smtp", conf);
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
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", confdir, names[i]);
		if (unlink(path) != 0 && errno != ENOENT)
			perror(path);
	}
	if (rmdir(confdir) != 0)
		perror(confdir);
	return check_report(argv[0]);
}
