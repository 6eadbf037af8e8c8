/* pam_itest.h — what the tests of pam_sendsec.so through the real libpam share: a private confdir
 * of service files for pam_start_confdir (removed with every file written in it), a scripted person
 * at the keyboard (one answer for the password prompt, one for the code prompt, prompts recorded)
 * or a conversation of the test's own, and one-call logins and account checks. Links libpam and libc only (test_pam_memory measures what the module alone leaves
 * behind). No helper prints a password, code or key. */
#ifndef SENDSEC_PAM_ITEST_H
#define SENDSEC_PAM_ITEST_H

#include <security/pam_appl.h>
#include <stdbool.h>
#include <stddef.h>

/* The person at the keyboard: password answers "Password: ", code "Verification code: " (NULL:
 * the conversation fails there, as when the person cancels); any other prompt fails it. With
 * code_again the application is not ready at the first code prompt (PAM_CONV_AGAIN, once). The
 * prompts seen are appended to prompts, each followed by '|'. */
struct pam_itest_person {
	const char *password, *code;
	bool code_again;
	char prompts[256];
};

/* Makes the confdir (a temp dir) for module, the path of pam_sendsec.so (made absolute: libpam
 * wants one). With keep_loaded the module is dlopened with RTLD_NODELETE, so that it and libldap
 * stay mapped across pam_end (LeakSanitizer, and libldap's state). Exits 1 on a failure. */
void pam_itest_init(const char *module, bool keep_loaded);

/* The confdir, as pam_start_confdir takes it. */
const char *pam_itest_confdir(void);

/* The module's absolute path, as the service files name it. */
const char *pam_itest_module(void);

/* Writes the file confdir/name (a service file, or a file a service names) with text; it is
 * removed by pam_itest_done. Returns its path (static storage per call). Exits 1 on a failure. */
const char *pam_itest_write_file(const char *name, const char *text);

/* Writes the service file confdir/name: "auth required MODULE auth_args" and, unless
 * account_args is NULL, "account required MODULE account_args". Exits 1 on a failure. */
void pam_itest_write_service(const char *name, const char *auth_args, const char *account_args);

/* Removes the service files written and the confdir. */
void pam_itest_done(void);

/* pam_start_confdir(service, user) with the conversation conv (libpam copies it) and PAM_RHOST
 * rhost (NULL: not set); exits 1 when libpam refuses. */
pam_handle_t *pam_itest_start_conv(
		const char *service, const char *user, const struct pam_conv *conv, const char *rhost);

/* pam_itest_start_conv with p at the keyboard. */
pam_handle_t *pam_itest_start(const char *service, const char *user, struct pam_itest_person *p, const char *rhost);

/* pam_authenticate then, when it succeeded, pam_acct_mgmt, and pam_end; returns the last code.
 * The final PAM_USER goes to user_out (len bytes; may be NULL). */
int pam_itest_login(const char *service, const char *user, const char *rhost, struct pam_itest_person *p,
		char *user_out, size_t len);

/* pam_acct_mgmt alone (what sshd runs for a public-key login), and pam_end. */
int pam_itest_account(const char *service, const char *user, const char *rhost);

#endif
