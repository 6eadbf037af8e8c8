/* pam_itest.c — see pam_itest.h. */
#include "pam_itest.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_FILES 32

static char module_path[PATH_MAX];
static char confdir[PATH_MAX];
static char files[MAX_FILES][64];
static size_t n_files;

void pam_itest_init(const char *module, bool keep_loaded)
{
	const char *tmp = getenv("TMPDIR");

	if (realpath(module, module_path) == NULL) {
		perror(module);
		exit(1);
	}
	if (keep_loaded && dlopen(module_path, RTLD_NOW | RTLD_NODELETE) == NULL) {
		fprintf(stderr, "dlopen %s: %s\n", module_path, dlerror());
		exit(1);
	}
	snprintf(confdir, sizeof(confdir), "%s/sendsec-pam.XXXXXX", tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	if (mkdtemp(confdir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
}

const char *pam_itest_confdir(void)
{
	return confdir;
}

const char *pam_itest_module(void)
{
	return module_path;
}

const char *pam_itest_write_file(const char *name, const char *text)
{
	static char path[PATH_MAX + 64];
	FILE *f;
	size_t i;

	for (i = 0; i < n_files && strcmp(files[i], name) != 0; i++)
		;
	if (i == n_files) {
		if (n_files == MAX_FILES || strlen(name) >= sizeof(files[0])) {
			fprintf(stderr, "pam_itest: too many files or too long a name: %s\n", name);
			exit(1);
		}
		snprintf(files[n_files++], sizeof(files[0]), "%s", name);
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", confdir, name) >= sizeof(path) ||
			(f = fopen(path, "w")) == NULL || fputs(text, f) == EOF || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
	return path;
}

void pam_itest_write_service(const char *name, const char *auth_args, const char *account_args)
{
	char text[2 * PATH_MAX + 4096];
	int n = snprintf(text, sizeof(text), "auth required %s %s\n", module_path, auth_args);

	if (n > 0 && (size_t)n < sizeof(text) && account_args != NULL)
		n += snprintf(text + n, sizeof(text) - (size_t)n, "account required %s %s\n", module_path,
				account_args);
	if (n < 0 || (size_t)n >= sizeof(text)) {
		fprintf(stderr, "pam_itest: service %s too long\n", name);
		exit(1);
	}
	(void)pam_itest_write_file(name, text);
}

void pam_itest_done(void)
{
	char path[PATH_MAX + 64];

	for (size_t i = 0; i < n_files; i++) {
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", confdir, files[i]) >= sizeof(path))
			continue;
		if (unlink(path) != 0 && errno != ENOENT)
			perror(path);
	}
	n_files = 0;
	if (confdir[0] != '\0' && rmdir(confdir) != 0)
		perror(confdir);
	confdir[0] = '\0';
}

static void free_responses(struct pam_response *resp, int n)
{
	for (int i = 0; i < n; i++)
		if (resp[i].resp != NULL) {
			explicit_bzero(resp[i].resp, strlen(resp[i].resp));
			free(resp[i].resp);
		}
	free(resp);
}

/* Answers "Password: " and "Verification code: " differently; any other prompt fails. */
static int converse(int n, const struct pam_message **msg, struct pam_response **resp_out, void *arg)
{
	struct pam_itest_person *p = arg;
	struct pam_response *resp = calloc((size_t)n, sizeof(*resp));
	const char *answer;
	size_t used;

	if (resp == NULL)
		return PAM_BUF_ERR;
	for (int i = 0; i < n; i++) {
		if (msg[i]->msg_style != PAM_PROMPT_ECHO_OFF && msg[i]->msg_style != PAM_PROMPT_ECHO_ON)
			continue;
		used = strlen(p->prompts);
		snprintf(p->prompts + used, sizeof(p->prompts) - used, "%s|", msg[i]->msg);
		if (strcmp(msg[i]->msg, "Password: ") == 0)
			answer = p->password;
		else if (strcmp(msg[i]->msg, "Verification code: ") == 0)
			answer = p->code;
		else
			answer = NULL;
		if (answer != NULL && answer == p->code && p->code_again) {
			p->code_again = false;
			free_responses(resp, n);
			return PAM_CONV_AGAIN;
		}
		if (answer == NULL || (resp[i].resp = strdup(answer)) == NULL) {
			free_responses(resp, n);
			return PAM_CONV_ERR;
		}
	}
	*resp_out = resp;
	return PAM_SUCCESS;
}

pam_handle_t *pam_itest_start_conv(
		const char *service, const char *user, const struct pam_conv *conv, const char *rhost)
{
	pam_handle_t *h = NULL;

	if (pam_start_confdir(service, user, conv, confdir, &h) != PAM_SUCCESS ||
			(rhost != NULL && pam_set_item(h, PAM_RHOST, rhost) != PAM_SUCCESS)) {
		fprintf(stderr, "pam_start_confdir(%s) failed\n", service);
		exit(1);
	}
	return h;
}

pam_handle_t *pam_itest_start(const char *service, const char *user, struct pam_itest_person *p, const char *rhost)
{
	struct pam_conv conv = {converse, p};

	return pam_itest_start_conv(service, user, &conv, rhost);
}

int pam_itest_login(const char *service, const char *user, const char *rhost, struct pam_itest_person *p,
		char *user_out, size_t len)
{
	pam_handle_t *h = pam_itest_start(service, user, p, rhost);
	const void *item = NULL;
	int rc = pam_authenticate(h, 0);

	if (rc == PAM_SUCCESS)
		rc = pam_acct_mgmt(h, 0);
	if (user_out != NULL)
		snprintf(user_out, len, "%s",
				pam_get_item(h, PAM_USER, &item) == PAM_SUCCESS && item != NULL ? (const char *)item
												: "");
	pam_end(h, rc);
	return rc;
}

int pam_itest_account(const char *service, const char *user, const char *rhost)
{
	struct pam_itest_person nobody = {.password = NULL};
	pam_handle_t *h = pam_itest_start(service, user, &nobody, rhost);
	int rc = pam_acct_mgmt(h, 0);

	pam_end(h, rc);
	return rc;
}
