/* test_pam_module.c — pam_sendsec.so driven through the real libpam (pam_start_confdir, service
 * files in a temp dir) against the test slapd: password schemes, unknown and hostile user names,
 * disabled and reset-required accounts, chauthtok, bind mode, rehash, use_first_pass, directory
 * down and back, and a refused config file.
 * Run as: with-slapd.sh test_pam_module PATH/pam_sendsec.so PATH/pam_test_authtok.so
 * No password is ever printed: failures name the case, not the secret. */
#include <dlfcn.h>
#include <errno.h>
#include <security/pam_appl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "itest.h"

#define MAX_ANSWERS 8

/* The scripted person at the keyboard: answers prompts in order, records error messages. */
struct person {
	const char *answers[MAX_ANSWERS];
	size_t n, next;
	char prompts[512];
	char errors[512];
};

static const char *module_path;
static const char *authtok_module_path; /* pam_test_authtok.so */
static char confdir[256];
static char common_args[1024]; /* config= and methods= for every service */

static void append(char *buf, size_t len, const char *text)
{
	size_t used = strlen(buf);

	snprintf(buf + used, len - used, "%s|", text);
}

static int converse(int n, const struct pam_message **msg, struct pam_response **resp_out, void *arg)
{
	struct person *p = arg;
	struct pam_response *resp = calloc((size_t)n, sizeof(*resp));

	if (resp == NULL)
		return PAM_BUF_ERR;
	for (int i = 0; i < n; i++) {
		switch (msg[i]->msg_style) {
		case PAM_PROMPT_ECHO_OFF:
		case PAM_PROMPT_ECHO_ON:
			append(p->prompts, sizeof(p->prompts), msg[i]->msg);
			if (p->next >= p->n) {
				for (int j = 0; j < i; j++)
					free(resp[j].resp);
				free(resp);
				return PAM_CONV_ERR;
			}
			resp[i].resp = strdup(p->answers[p->next++]);
			break;
		case PAM_ERROR_MSG: append(p->errors, sizeof(p->errors), msg[i]->msg); break;
		default: break;
		}
	}
	*resp_out = resp;
	return PAM_SUCCESS;
}

/* Writes confdir/name: auth, account and password lines for the module with args. */
static void write_service_raw(const char *name, const char *args)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", confdir, name);
	if ((f = fopen(path, "w")) == NULL) {
		perror(path);
		exit(1);
	}
	fprintf(f, "auth required %s %s\naccount required %s %s\npassword required %s %s\n", module_path, args,
			module_path, args, module_path, args);
	fclose(f);
}

/* The same with the common arguments first. */
static void write_service(const char *name, const char *extra)
{
	char args[2048];

	snprintf(args, sizeof(args), "%s %s", common_args, extra);
	write_service_raw(name, args);
}

static void remove_confdir(void)
{
	const char *names[] = {
			"t", "bind", "first", "try", "stacked", "bracket", "badarg", "badkey", "open", "open.conf"};
	char path[512];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", confdir, names[i]);
		if (unlink(path) != 0 && errno != ENOENT)
			perror(path);
	}
	if (rmdir(confdir) != 0)
		perror(confdir);
}

static pam_handle_t *open_pam(const char *service, const char *user, struct person *p, struct pam_conv *conv)
{
	pam_handle_t *h = NULL;

	conv->conv = converse;
	conv->appdata_ptr = p;
	if (pam_start_confdir(service, user, conv, confdir, &h) != PAM_SUCCESS) {
		fprintf(stderr, "pam_start_confdir(%s) failed\n", service);
		exit(1);
	}
	return h;
}

/* One pam_authenticate of user with the person typing answer (NULL: no answers). */
static int auth(const char *service, const char *user, const char *answer)
{
	struct person p = {.answers = {answer}, .n = answer != NULL};
	struct pam_conv conv;
	pam_handle_t *h = open_pam(service, user, &p, &conv);
	int rc = pam_authenticate(h, 0);

	pam_end(h, rc);
	return rc;
}

static int account(const char *service, const char *user)
{
	struct person p = {.n = 0};
	struct pam_conv conv;
	pam_handle_t *h = open_pam(service, user, &p, &conv);
	int rc = pam_acct_mgmt(h, 0);

	pam_end(h, rc);
	return rc;
}

/* pam_chauthtok (with flags) with the person answering old, new, retype; errors copied to errors_out. */
static int chauthtok_flags(const char *service, const char *user, int flags, const char *old_pw, const char *new_pw,
		const char *retype, char *errors_out, size_t len)
{
	struct person p = {.answers = {old_pw, new_pw, retype}, .n = 3};
	struct pam_conv conv;
	pam_handle_t *h = open_pam(service, user, &p, &conv);
	int rc = pam_chauthtok(h, flags);

	pam_end(h, rc);
	snprintf(errors_out, len, "%s", p.errors);
	return rc;
}

static int chauthtok(const char *service, const char *user, const char *old_pw, const char *new_pw, const char *retype,
		char *errors_out, size_t len)
{
	return chauthtok_flags(service, user, 0, old_pw, new_pw, retype, errors_out, len);
}

static void test_schemes(void)
{
	CHECK(auth("t", "alice", "alice-Passw0rd!") == PAM_SUCCESS); /* argon2id */
	CHECK(auth("t", "carol", "carol-Passw0rd!") == PAM_SUCCESS); /* {CRYPT}$6$ */
	CHECK(auth("t", "frank", "frank-Passw0rd!") == PAM_SUCCESS); /* {ARGON2}$argon2i$ */
	CHECK(auth("t", "alice", "alice-Passw0rd?") == PAM_AUTH_ERR);
	CHECK(auth("t", "carol", "") == PAM_AUTH_ERR);
	CHECK(auth("t", "alice", "alice-Passw0rd!") == PAM_SUCCESS); /* clears alice's failure record */
	CHECK(auth("t", "nobody", "nobody-Passw0rd!") == PAM_USER_UNKNOWN);
	CHECK(auth("t", "mallory", "mallory-Passw0rd!") == PAM_AUTHINFO_UNAVAIL);
}

static void test_prompts(void)
{
	struct person p = {.answers = {"alice-Passw0rd!"}, .n = 1};
	struct pam_conv conv;
	pam_handle_t *h = open_pam("t", "alice", &p, &conv);

	CHECK(pam_authenticate(h, 0) == PAM_SUCCESS);
	CHECK(strcmp(p.prompts, "Password: |") == 0);
	pam_end(h, PAM_SUCCESS);
}

/* Names that must never reach a filter unescaped, or at all. */
static void test_hostile_names(void)
{
	char long_name[301];

	memset(long_name, 'a', 300);
	long_name[300] = '\0';
	CHECK(auth("t", "*)(uid=*))(|(uid=*", "alice-Passw0rd!") == PAM_USER_UNKNOWN);
	CHECK(auth("t", "*", "alice-Passw0rd!") == PAM_USER_UNKNOWN);
	CHECK(auth("t", long_name, "alice-Passw0rd!") == PAM_USER_UNKNOWN);
	CHECK(auth("t", "al\xff\xfeice", "alice-Passw0rd!") == PAM_USER_UNKNOWN);
}

static void test_disabled(void)
{
	CHECK(auth("t", "dave", "dave-Passw0rd!") == PAM_AUTH_ERR);
	CHECK(account("t", "dave") == PAM_AUTH_ERR);
	CHECK(account("t", "alice") == PAM_SUCCESS);
	CHECK(account("t", "nobody") == PAM_USER_UNKNOWN);
}

static void test_reset_required(void)
{
	char errors[512];

	CHECK(auth("t", "erin", "erin-Passw0rd!") == PAM_SUCCESS);
	CHECK(auth("t", "erin", "erin-Passw0rd?") == PAM_AUTH_ERR);
	CHECK(account("t", "erin") == PAM_NEW_AUTHTOK_REQD);
	CHECK(chauthtok("t", "erin", "erin-Passw0rd!", "short", "short", errors, sizeof(errors)) == PAM_AUTHTOK_ERR);
	CHECK(strstr(errors, "Password too short (minimum 12)") != NULL);
	CHECK(chauthtok("t", "erin", "erin-Passw0rd!", "erin-NewPassw0rd!", "erin-NewPassw0rd?", errors,
			      sizeof(errors)) == PAM_AUTHTOK_ERR);
	CHECK(strstr(errors, "Passwords do not match") != NULL);
	CHECK(chauthtok("t", "erin", "erin-Passw0rd?", "erin-NewPassw0rd!", "erin-NewPassw0rd!", errors,
			      sizeof(errors)) == PAM_AUTHTOK_ERR);
	CHECK(account("t", "erin") == PAM_NEW_AUTHTOK_REQD);
	CHECK(chauthtok("t", "erin", "erin-Passw0rd!", "erin-NewPassw0rd!", "erin-NewPassw0rd!", errors,
			      sizeof(errors)) == PAM_SUCCESS);
	CHECK(account("t", "erin") == PAM_SUCCESS);
	CHECK(auth("t", "erin", "erin-NewPassw0rd!") == PAM_SUCCESS);
	CHECK(auth("t", "erin", "erin-Passw0rd!") == PAM_AUTH_ERR);
	/* PAM_CHANGE_EXPIRED_AUTHTOK changes only what is due: carol has no reset pending. */
	CHECK(chauthtok_flags("t", "carol", PAM_CHANGE_EXPIRED_AUTHTOK, "carol-Passw0rd!", "carol-Other-Passw0rd",
			      "carol-Other-Passw0rd", errors, sizeof(errors)) == PAM_SUCCESS);
	CHECK(auth("t", "carol", "carol-Passw0rd!") == PAM_SUCCESS);
	CHECK(auth("t", "carol", "carol-Other-Passw0rd") == PAM_AUTH_ERR);
	/* A too-short password is refused for accounts without a reset flag too. */
	CHECK(chauthtok("t", "carol", "carol-Passw0rd!", "tiny", "tiny", errors, sizeof(errors)) == PAM_AUTHTOK_ERR);
	CHECK(strstr(errors, "Password too short (minimum 12)") != NULL);
	CHECK(auth("t", "carol", "carol-Passw0rd!") == PAM_SUCCESS);
}

/* The rule lives in the engine, which names it: the module picks its message from the reason. */
static void test_too_short_reason(void)
{
	struct sendsec_ctx *ctx = itest_ctx(ITEST_PASSWORD_ONLY);
	struct sendsec_outcome out;

	CHECK(sendsec_change_password(ctx, "t", "carol", itest_pw("carol"), "elevenchars", &out) == SENDSEC_DENIED);
	EXPECT("11 characters under password_min_length 12", &out, SENDSEC_DENIED, SENDSEC_REASON_PASSWORD_TOO_SHORT);
	CHECK(sendsec_change_password(ctx, "t", "carol", "carol-Passw0rd?", "long-enough-1234", &out) ==
			SENDSEC_DENIED);
	EXPECT("wrong current password", &out, SENDSEC_DENIED, SENDSEC_REASON_BAD_PASSWORD);
	sendsec_ctx_free(ctx);
}

static void test_bind_mode(void)
{
	write_service("bind", "password_check=bind");
	CHECK(auth("bind", "alice", "alice-Passw0rd!") == PAM_SUCCESS);
	CHECK(auth("bind", "alice", "alice-Passw0rd?") == PAM_AUTH_ERR);
	CHECK(auth("bind", "alice", "") == PAM_AUTH_ERR);
	CHECK(auth("bind", "alice", "alice-Passw0rd!") == PAM_SUCCESS);
	CHECK(auth("bind", "nobody", "alice-Passw0rd!") == PAM_USER_UNKNOWN);
}

/* The userPassword of uid=NAME as the rootdn sees it, first line only, into buf. */
static bool stored_hash(const char *name, char *buf, size_t len)
{
	char cmd[1024];
	FILE *f;
	bool found = false;

	snprintf(cmd, sizeof(cmd),
			"ldapsearch -x -LLL -o ldif-wrap=no -H \"$SENDSEC_TEST_URI\" -D \"$SENDSEC_TEST_ROOTDN\" "
			"-y \"$SENDSEC_TEST_ROOTPW_FILE\" -b \"uid=%s,ou=people,$SENDSEC_TEST_BASE\" -s base "
			"userPassword",
			name);
	if ((f = popen(cmd, "r")) == NULL)
		return false;
	buf[0] = '\0';
	while (!found && fgets(buf, (int)len, f) != NULL)
		found = strncmp(buf, "userPassword:", 13) == 0;
	while (fgetc(f) != EOF)
		;
	pclose(f);
	return found;
}

/* base64 of "{ARGON2}$argon2id$": ldapsearch prints userPassword base64-encoded ("::"). */
static bool is_argon2id(const char *line)
{
	return strncmp(line, "userPassword:: e0FSR09OMn0kYXJnb24yaWQk", 39) == 0 ||
			strncmp(line, "userPassword: {ARGON2}$argon2id$", 32) == 0;
}

static void test_rehash(void)
{
	char line[512];

	CHECK(stored_hash("bob", line, sizeof(line)) && !is_argon2id(line));
	CHECK(auth("t", "bob", "bob-Passw0rd!") == PAM_SUCCESS); /* {SSHA}, rehashed */
	CHECK(stored_hash("bob", line, sizeof(line)) && is_argon2id(line));
	CHECK(auth("t", "bob", "bob-Passw0rd!") == PAM_SUCCESS);
	CHECK(auth("t", "bob", "bob-Passw0rd?") == PAM_AUTH_ERR);
}

/* Authenticates through a service whose first auth line is pam_test_authtok.so: it stores the
 * person's first answer (unless empty) as PAM_AUTHTOK, as an earlier module of a stack would. */
static int auth_after_first(const char *service, const char *user, const char *first, const char *answer,
		char *prompts_out, size_t len)
{
	struct person p = {.answers = {first, answer}, .n = answer != NULL ? 2 : 1};
	struct pam_conv conv;
	pam_handle_t *h = open_pam(service, user, &p, &conv);
	int rc = pam_authenticate(h, 0);

	pam_end(h, rc);
	snprintf(prompts_out, len, "%s", p.prompts);
	return rc;
}

/* A service "auth optional pam_test_authtok.so" then pam_sendsec with the common args + extra. */
static void write_stacked_service(const char *name, const char *extra)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", confdir, name);
	if ((f = fopen(path, "w")) == NULL) {
		perror(path);
		exit(1);
	}
	fprintf(f, "auth optional %s\nauth required %s %s %s\n", authtok_module_path, module_path, common_args, extra);
	fclose(f);
}

static void test_first_pass(void)
{
	char prompts[512];

	write_stacked_service("first", "use_first_pass");
	write_stacked_service("try", "try_first_pass");
	write_stacked_service("stacked", "");
	CHECK(auth_after_first("first", "alice", "alice-Passw0rd!", NULL, prompts, sizeof(prompts)) == PAM_SUCCESS);
	CHECK(strcmp(prompts, "First password: |") == 0);
	CHECK(auth_after_first("first", "alice", "alice-Passw0rd?", "alice-Passw0rd!", prompts, sizeof(prompts)) ==
			PAM_AUTH_ERR);
	CHECK(strcmp(prompts, "First password: |") == 0);
	CHECK(auth_after_first("first", "alice", "", "alice-Passw0rd!", prompts, sizeof(prompts)) == PAM_AUTH_ERR);
	CHECK(strcmp(prompts, "First password: |") == 0);
	CHECK(auth_after_first("try", "alice", "", "alice-Passw0rd!", prompts, sizeof(prompts)) == PAM_SUCCESS);
	CHECK(strcmp(prompts, "First password: |Password: |") == 0);
	CHECK(auth_after_first("try", "alice", "alice-Passw0rd!", NULL, prompts, sizeof(prompts)) == PAM_SUCCESS);
	CHECK(strcmp(prompts, "First password: |") == 0);
	/* Without either option the module asks even when an earlier module set PAM_AUTHTOK. */
	CHECK(auth_after_first("stacked", "alice", "alice-Passw0rd?", "alice-Passw0rd!", prompts, sizeof(prompts)) ==
			PAM_SUCCESS);
	CHECK(strcmp(prompts, "First password: |Password: |") == 0);
}

static void test_bracketed_argument(void)
{
	char args[2048];

	/* PAM's [..] syntax carries a value with spaces: "methods=password apikey". */
	snprintf(args, sizeof(args), "config=%s [methods=password apikey]", getenv("SENDSEC_TEST_CONF"));
	write_service_raw("bracket", args);
	CHECK(auth("bracket", "alice", "alice-Passw0rd!") == PAM_SUCCESS);
	CHECK(auth("bracket", "alice", "alice-Passw0rd?") == PAM_AUTH_ERR);
	CHECK(auth("bracket", "alice", "alice-Passw0rd!") == PAM_SUCCESS);
}

static void test_bad_arguments(void)
{
	write_service("badarg", "no_such_flag");
	CHECK(auth("badarg", "alice", "alice-Passw0rd!") == PAM_AUTHINFO_UNAVAIL);
	write_service("badkey", "no_such_key=1");
	CHECK(auth("badkey", "alice", "alice-Passw0rd!") == PAM_AUTHINFO_UNAVAIL);
	CHECK(account("badkey", "alice") == PAM_AUTHINFO_UNAVAIL);
}

static void test_directory_down(void)
{
	CHECK(system("\"$SENDSEC_TEST_SLAPD\" stop \"$SENDSEC_TEST_DIR\"") == 0);
	CHECK(auth("t", "alice", "alice-Passw0rd!") == PAM_AUTHINFO_UNAVAIL);
	CHECK(account("t", "alice") == PAM_AUTHINFO_UNAVAIL);
	CHECK(system("\"$SENDSEC_TEST_SLAPD\" restart \"$SENDSEC_TEST_DIR\"") == 0);
	CHECK(auth("t", "alice", "alice-Passw0rd!") == PAM_SUCCESS);
}

/* Copies the test config to dst and gives it mode. */
static void copy_config(const char *src, const char *dst, mode_t mode)
{
	char buf[4096];
	size_t n;
	FILE *in = fopen(src, "r"), *out = fopen(dst, "w");

	if (in == NULL || out == NULL) {
		perror("copy_config");
		exit(1);
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, out);
	fclose(in);
	fclose(out);
	if (chmod(dst, mode) != 0) {
		perror(dst);
		exit(1);
	}
}

static void test_config_mode(const char *conf)
{
	char path[512], args[1024];

	snprintf(path, sizeof(path), "%s/open.conf", confdir);
	copy_config(conf, path, 0666);
	snprintf(args, sizeof(args), "config=%s methods=password", path);
	write_service_raw("open", args);
	CHECK(auth("open", "alice", "alice-Passw0rd!") == PAM_AUTHINFO_UNAVAIL);
	CHECK(chmod(path, 0600) == 0);
	CHECK(auth("open", "alice", "alice-Passw0rd!") == PAM_SUCCESS);
	unlink(path);
}

int main(int argc, char **argv)
{
	const char *conf = getenv("SENDSEC_TEST_CONF");
	char tmpl[] = "/tmp/sendsec-pamtest.XXXXXX";

	if (argc != 3 || conf == NULL || getenv("SENDSEC_TEST_SLAPD") == NULL) {
		fprintf(stderr, "usage: with-slapd.sh %s PATH/pam_sendsec.so PATH/pam_test_authtok.so\n", argv[0]);
		return 2;
	}
	module_path = argv[1];
	authtok_module_path = argv[2];
	/* libpam unloads a module at pam_end; keeping it (and libldap) loaded gives sanitizers
	 * symbolised stacks and keeps libldap's one-time initialisation from repeating per call. */
	if (dlopen(module_path, RTLD_NOW | RTLD_NODELETE) == NULL) {
		fprintf(stderr, "dlopen %s: %s\n", module_path, dlerror());
		return 1;
	}
	if (mkdtemp(tmpl) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(confdir, sizeof(confdir), "%s", tmpl);
	/* The default methods are "password+totp apikey"; these accounts have no token. */
	snprintf(common_args, sizeof(common_args), "config=%s methods=password", conf);
	write_service("t", "");
	test_schemes();
	test_prompts();
	test_hostile_names();
	test_disabled();
	test_reset_required();
	test_too_short_reason();
	test_bind_mode();
	test_rehash();
	test_first_pass();
	test_bracketed_argument();
	test_bad_arguments();
	test_directory_down();
	test_config_mode(conf);
	remove_confdir();
	return check_report(argv[0]);
}
