/* test_pam_module.c — pam_sendsec.so driven through the real libpam (pam_start_confdir, service
 * files in a temp dir) against the test slapd: password schemes, unknown and hostile user names,
 * disabled and reset-required accounts, chauthtok (both passes, use_authtok, and only the codes
 * of pam_sm_chauthtok(3)), bind mode, rehash, use_first_pass and try_first_pass (asking again
 * when the stored password is refused), PAM_CONV_AGAIN, no failure delay of the module's own,
 * directory down and back, a refused config file, and PAM_AUTHINFO_UNAVAIL while another process
 * holds the host's only hash slot (hash_concurrency=1), success once it is killed.
 * Run as: with-slapd.sh test_pam_module PATH/pam_sendsec.so PATH/pam_test_authtok.so
 * No password is ever printed: failures name the case, not the secret. */
#include <security/pam_appl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "itest.h"
#include "pam_itest.h"

#define MAX_ANSWERS 8

/* The scripted person at the keyboard: answers prompts in order, records error messages. At
 * the again_at-th prompt (counted from 1; 0: never) the application is not ready and answers
 * PAM_CONV_AGAIN, once. */
struct person {
	const char *answers[MAX_ANSWERS];
	size_t n, next;
	int again_at, n_prompts;
	char prompts[512];
	char errors[512];
};

static const char *authtok_module_path; /* pam_test_authtok.so */
static char common_args[1024];          /* config= and methods= for every service */

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
			if (++p->n_prompts == p->again_at || p->next >= p->n) {
				int rc = p->n_prompts == p->again_at ? PAM_CONV_AGAIN : PAM_CONV_ERR;

				p->again_at = 0;
				for (int j = 0; j < i; j++)
					free(resp[j].resp);
				free(resp);
				return rc;
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

/* Writes the service file name from lines, where "@SENDSEC@" stands for the module with the common
 * arguments, "@MODULE@" for the module alone and "@AUTHTOK@" for pam_test_authtok.so. */
static void write_stack(const char *name, const char *lines)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (f == NULL)
		exit(1);
	for (const char *at = lines; *at != '\0';) {
		if (strncmp(at, "@SENDSEC@", 9) == 0) {
			fprintf(f, "%s %s", pam_itest_module(), common_args);
			at += 9;
		} else if (strncmp(at, "@MODULE@", 8) == 0) {
			fputs(pam_itest_module(), f);
			at += 8;
		} else if (strncmp(at, "@AUTHTOK@", 9) == 0) {
			fputs(authtok_module_path, f);
			at += 9;
		} else {
			fputc(*at++, f);
		}
	}
	if (fclose(f) != 0)
		exit(1);
	(void)pam_itest_write_file(name, text);
	free(text);
}

/* A service of auth, account and password lines for the module with args (without the common ones). */
static void write_service_raw(const char *name, const char *args)
{
	char lines[4096];

	snprintf(lines, sizeof(lines),
			"auth required @MODULE@ %s\naccount required @MODULE@ %s\npassword required @MODULE@ %s\n",
			args, args, args);
	write_stack(name, lines);
}

/* The same with the common arguments first. */
static void write_service(const char *name, const char *extra)
{
	char args[2048];

	snprintf(args, sizeof(args), "%s %s", common_args, extra);
	write_service_raw(name, args);
}

/* pam_start of user (NULL: asked for) through service with p at the keyboard. */
static pam_handle_t *open_pam(const char *service, const char *user, struct person *p)
{
	struct pam_conv conv = {converse, p};

	return pam_itest_start_conv(service, user, &conv, NULL);
}

/* With p at the keyboard, fn (pam_authenticate, pam_acct_mgmt or pam_chauthtok) with flags as
 * user through service, then pam_end; returns fn's code. */
static int pam_call(const char *service, const char *user, struct person *p, int (*fn)(pam_handle_t *, int), int flags)
{
	pam_handle_t *h = open_pam(service, user, p);
	int rc = fn(h, flags);

	pam_end(h, rc);
	return rc;
}

/* One pam_authenticate of user with the person typing answer (NULL: no answers). */
static int auth(const char *service, const char *user, const char *answer)
{
	struct person p = {.answers = {answer}, .n = answer != NULL};

	return pam_call(service, user, &p, pam_authenticate, 0);
}

static int account(const char *service, const char *user)
{
	struct person p = {.n = 0};

	return pam_call(service, user, &p, pam_acct_mgmt, 0);
}

/* pam_chauthtok (with flags) with the person answering old, new, retype; errors copied to errors_out. */
static int chauthtok_flags(const char *service, const char *user, int flags, const char *old_pw, const char *new_pw,
		const char *retype, char *errors_out, size_t len)
{
	struct person p = {.answers = {old_pw, new_pw, retype}, .n = 3};
	int rc = pam_call(service, user, &p, pam_chauthtok, flags);

	snprintf(errors_out, len, "%s", p.errors);
	return rc;
}

static int chauthtok(const char *service, const char *user, const char *old_pw, const char *new_pw, const char *retype,
		char *errors_out, size_t len)
{
	return chauthtok_flags(service, user, 0, old_pw, new_pw, retype, errors_out, len);
}

/* pam_chauthtok (with flags) of user, the person p answering; p records prompts and errors. */
static int chauthtok_as(const char *service, const char *user, int flags, struct person *p)
{
	return pam_call(service, user, p, pam_chauthtok, flags);
}

/* Checks a PAM code, printing both codes (and their texts) when it is not the one wanted. */
#define CHECK_CODE(what, got, want) check_code(__FILE__, __LINE__, (what), (got), (want))
static void check_code(const char *file, int line, const char *what, int got, int want)
{
	check_count++;
	if (got == want)
		return;
	check_failures++;
	fprintf(stderr, "%s:%d: %s: got %d (%s), wanted %d (%s)\n", file, line, what, got, pam_strerror(NULL, got),
			want, pam_strerror(NULL, want));
}

/* Checks that prompts (as recorded, each followed by '|') are want, printing both otherwise. */
#define CHECK_PROMPTS(what, got, want) check_prompts(__FILE__, __LINE__, (what), (got), (want))
static void check_prompts(const char *file, int line, const char *what, const char *got, const char *want)
{
	check_count++;
	if (strcmp(got, want) == 0)
		return;
	check_failures++;
	fprintf(stderr, "%s:%d: %s: prompts \"%s\", wanted \"%s\"\n", file, line, what, got, want);
}

/* The codes pam_sm_chauthtok(3) allows. */
static bool is_chauthtok_code(int rc)
{
	switch (rc) {
	case PAM_SUCCESS:
	case PAM_AUTHTOK_ERR:
	case PAM_AUTHTOK_RECOVERY_ERR:
	case PAM_AUTHTOK_LOCK_BUSY:
	case PAM_AUTHTOK_DISABLE_AGING:
	case PAM_PERM_DENIED:
	case PAM_TRY_AGAIN:
	case PAM_USER_UNKNOWN: return true;
	default: return false;
	}
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

	CHECK_CODE("alice", pam_call("t", "alice", &p, pam_authenticate, 0), PAM_SUCCESS);
	CHECK_PROMPTS("one prompt", p.prompts, "Password: |");
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
	CHECK(strstr(errors, "passwords do not match") != NULL); /* Linux-PAM's pam_get_authtok says it */
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
	int rc = pam_call(service, user, &p, pam_authenticate, 0);

	snprintf(prompts_out, len, "%s", p.prompts);
	return rc;
}

/* A service "auth optional pam_test_authtok.so" then pam_sendsec with the common args + extra. */
static void write_stacked_service(const char *name, const char *extra)
{
	char lines[512];

	snprintf(lines, sizeof(lines), "auth optional @AUTHTOK@\nauth required @SENDSEC@ %s\n", extra);
	write_stack(name, lines);
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

/* try_first_pass: a stored password that the directory refuses is asked for once more, and what
 * is typed then becomes PAM_AUTHTOK for the modules after this one. */
static void test_try_first_pass_asks_again(void)
{
	char prompts[512];

	write_stack("tryafter",
			"auth optional @AUTHTOK@\nauth required @SENDSEC@ try_first_pass\n"
			"auth required @SENDSEC@ use_first_pass\n");
	CHECK_CODE("try_first_pass, stored password wrong, typed right",
			auth_after_first(
					"try", "alice", "alice-Passw0rd?", "alice-Passw0rd!", prompts, sizeof(prompts)),
			PAM_SUCCESS);
	CHECK_PROMPTS("asked once more", prompts, "First password: |Password: |");
	CHECK_CODE("both wrong",
			auth_after_first(
					"try", "alice", "alice-Passw0rd?", "alice-Passw0rd?", prompts, sizeof(prompts)),
			PAM_AUTH_ERR);
	CHECK_PROMPTS("asked once more, only once", prompts, "First password: |Password: |");
	CHECK_CODE("typed password reaches the next module",
			auth_after_first("tryafter", "alice", "alice-Passw0rd?", "alice-Passw0rd!", prompts,
					sizeof(prompts)),
			PAM_SUCCESS);
	CHECK_PROMPTS("typed password reaches the next module", prompts, "First password: |Password: |");
	/* A name the directory does not know is asked again as a known one is (the number of
	 * prompts must not tell who exists), then goes on to the next module (user_unknown). */
	CHECK_CODE("unknown user",
			auth_after_first("try", "nobody", "nobody-Passw0rd!", "nobody-Passw0rd!", prompts,
					sizeof(prompts)),
			PAM_USER_UNKNOWN);
	CHECK_PROMPTS("unknown user is asked again, as alice is", prompts, "First password: |Password: |");
}

/* An application that is not ready to answer (PAM_CONV_AGAIN) gets PAM_INCOMPLETE, and calling
 * pam_authenticate again on the same handle completes the login. */
static void test_conv_again(void)
{
	struct person p = {.answers = {"alice-Passw0rd!"}, .n = 1, .again_at = 1};
	pam_handle_t *h = open_pam("t", "alice", &p);

	CHECK_CODE("password prompt: PAM_CONV_AGAIN", pam_authenticate(h, 0), PAM_INCOMPLETE);
	CHECK_CODE("resumed", pam_authenticate(h, 0), PAM_SUCCESS);
	CHECK_PROMPTS("password asked again on resumption", p.prompts, "Password: |Password: |");
	pam_end(h, PAM_SUCCESS);
	/* The same at pam_get_user's prompt. */
	p = (struct person){.answers = {"alice", "alice-Passw0rd!"}, .n = 2, .again_at = 1};
	h = open_pam("t", NULL, &p);
	CHECK_CODE("user name prompt: PAM_CONV_AGAIN", pam_authenticate(h, 0), PAM_INCOMPLETE);
	CHECK_CODE("resumed", pam_authenticate(h, 0), PAM_SUCCESS);
	pam_end(h, PAM_SUCCESS);
}

/* Behind a module that asks for the new password and stores it as PAM_AUTHTOK (the way
 * pam_pwquality does), use_authtok takes that one. The current password is asked for in the
 * preliminary pass, so it comes first. Without the option a stored new password is taken too
 * (Linux-PAM's pam_get_authtok); with it and nothing stored, nothing is asked. */
static void test_use_authtok(void)
{
	struct person p = {.answers = {"carol-Passw0rd!", "carol-Quality-Passw0rd"}, .n = 2};

	write_stack("pwq", "password requisite @AUTHTOK@\npassword required @SENDSEC@ use_authtok\n");
	write_stack("pwqplain", "password requisite @AUTHTOK@\npassword required @SENDSEC@\n");
	write_stack("pwqalone", "password required @SENDSEC@ use_authtok\n");
	CHECK_CODE("use_authtok behind a module that stored the new password", chauthtok_as("pwq", "carol", 0, &p),
			PAM_SUCCESS);
	CHECK_PROMPTS("use_authtok", p.prompts, "Current password: |First new password: |");
	CHECK_CODE("new password works", auth("t", "carol", "carol-Quality-Passw0rd"), PAM_SUCCESS);
	p = (struct person){.answers = {"carol-Quality-Passw0rd", "carol-Passw0rd!"}, .n = 2};
	/* carol-Passw0rd! is 15 characters: back to the seeded password for the tests after this one. */
	CHECK_CODE("no option behind a module that stored the new password", chauthtok_as("pwqplain", "carol", 0, &p),
			PAM_SUCCESS);
	CHECK_PROMPTS("no option", p.prompts, "Current password: |First new password: |");
	CHECK_CODE("seeded password works again", auth("t", "carol", "carol-Passw0rd!"), PAM_SUCCESS);
	p = (struct person){.answers = {"carol-Passw0rd!", "carol-Other-Passw0rd", "carol-Other-Passw0rd"}, .n = 3};
	CHECK_CODE("use_authtok with nothing stored", chauthtok_as("pwqalone", "carol", 0, &p), PAM_AUTHTOK_ERR);
	CHECK_PROMPTS("use_authtok never asks for the new password", p.prompts, "Current password: |");
	CHECK_CODE("password unchanged", auth("t", "carol", "carol-Passw0rd!"), PAM_SUCCESS);
}

/* Every outcome of pam_chauthtok is one of the codes pam_sm_chauthtok(3) allows, and the
 * preliminary pass refuses an unknown user or a broken line before anything is asked. */
static void test_chauthtok_codes(void)
{
	static const struct {
		const char *what, *service, *user, *answers[3];
		size_t n;
		int want;
		const char *prompts;
	} cases[] = {
			{"conversation fails at the current password", "t", "carol", {NULL}, 0,
					PAM_AUTHTOK_RECOVERY_ERR, "Current password: |"},
			{"conversation fails at the new password", "t", "carol", {"carol-Passw0rd!"}, 1,
					PAM_AUTHTOK_ERR, "Current password: |New password: |"},
			{"conversation fails at the retype", "t", "carol", {"carol-Passw0rd!", "carol-Other-Passw0rd"},
					2, PAM_AUTHTOK_ERR, "Current password: |New password: |Retype new password: |"},
			{"wrong current password", "t", "carol",
					{"carol-Passw0rd?", "carol-Other-Passw0rd", "carol-Other-Passw0rd"}, 3,
					PAM_AUTHTOK_ERR, "Current password: |New password: |Retype new password: |"},
			{"unknown user", "t", "nobody",
					{"nobody-Passw0rd!", "nobody-Other-Passw0rd", "nobody-Other-Passw0rd"}, 3,
					PAM_USER_UNKNOWN, ""},
			{"bad module argument", "badarg", "carol",
					{"carol-Passw0rd!", "carol-Other-Passw0rd", "carol-Other-Passw0rd"}, 3,
					PAM_TRY_AGAIN, ""},
			{"unknown config key", "badkey", "carol",
					{"carol-Passw0rd!", "carol-Other-Passw0rd", "carol-Other-Passw0rd"}, 3,
					PAM_TRY_AGAIN, ""},
			{"use_first_pass, nothing stored", "pwfirst", "carol",
					{"carol-Passw0rd!", "carol-Other-Passw0rd", "carol-Other-Passw0rd"}, 3,
					PAM_AUTHTOK_RECOVERY_ERR, ""},
	};

	write_service("badarg", "no_such_flag");
	write_service("badkey", "no_such_key=1");
	write_stack("pwfirst", "password required @SENDSEC@ use_first_pass\n");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct person p = {.answers = {cases[i].answers[0], cases[i].answers[1], cases[i].answers[2]},
				.n = cases[i].n};
		int rc = chauthtok_as(cases[i].service, cases[i].user, 0, &p);

		CHECK_CODE(cases[i].what, rc, cases[i].want);
		CHECK(is_chauthtok_code(rc));
		CHECK_PROMPTS(cases[i].what, p.prompts, cases[i].prompts);
	}
	CHECK_CODE("carol's password unchanged", auth("t", "carol", "carol-Passw0rd!"), PAM_SUCCESS);
}

static unsigned requested_delay;
static bool delay_reported;

static void record_delay(int status, unsigned delay, void *arg)
{
	(void)status;
	(void)arg;
	requested_delay = delay;
	delay_reported = true;
}

/* Refused as ("nobody" is unknown) through service, with the application's PAM_FAIL_DELAY
 * function standing in for libpam's sleep; returns the delay the stack asked for. */
static unsigned refusal_delay(const char *service)
{
	struct person p = {.answers = {"nobody-Passw0rd!"}, .n = 1};
	pam_handle_t *h = open_pam(service, "nobody", &p);

	delay_reported = false;
	requested_delay = 1;
	CHECK(pam_set_item(h, PAM_FAIL_DELAY, (const void *)record_delay) == PAM_SUCCESS);
	CHECK_CODE("refusal", pam_authenticate(h, 0), PAM_USER_UNKNOWN);
	CHECK(delay_reported);
	pam_end(h, PAM_USER_UNKNOWN);
	return requested_delay;
}

/* pam_sendsec asks for no delay after a failure: that is the stack's choice, made with
 * pam_faildelay (pam_sendsec(8), NOTES), which then applies unchanged (libpam varies it by up to
 * half either way). */
static void test_fail_delay_left_to_stack(void)
{
	unsigned d;

	write_stack("delay", "auth optional pam_faildelay.so delay=2000000\nauth required @SENDSEC@\n");
	CHECK(refusal_delay("t") == 0);
	d = refusal_delay("delay");
	CHECK(d >= 1000000 && d <= 3000000);
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
	struct person p = {.answers = {"alice-Passw0rd!", "alice-Other-Passw0rd", "alice-Other-Passw0rd"}, .n = 3};

	CHECK(system("\"$SENDSEC_TEST_SLAPD\" stop \"$SENDSEC_TEST_DIR\"") == 0);
	CHECK(auth("t", "alice", "alice-Passw0rd!") == PAM_AUTHINFO_UNAVAIL);
	CHECK(account("t", "alice") == PAM_AUTHINFO_UNAVAIL);
	/* The preliminary pass of chauthtok finds out before anything is asked. */
	CHECK_CODE("chauthtok, directory down", chauthtok_as("t", "alice", 0, &p), PAM_TRY_AGAIN);
	CHECK_PROMPTS("chauthtok, directory down", p.prompts, "");
	CHECK(system("\"$SENDSEC_TEST_SLAPD\" restart \"$SENDSEC_TEST_DIR\"") == 0);
	CHECK(auth("t", "alice", "alice-Passw0rd!") == PAM_SUCCESS);
}

static void test_busy(void)
{
	pid_t holder;
	int status;

	write_service("busy", "hash_concurrency=1 timeout=1");
	CHECK(auth("busy", "alice", "alice-Passw0rd!") == PAM_SUCCESS);
	holder = itest_slot_holder(getenv("SENDSEC_RUN_DIR"));
	CHECK_CODE("the only hash slot held elsewhere", auth("busy", "alice", "alice-Passw0rd!"), PAM_AUTHINFO_UNAVAIL);
	CHECK_CODE("an unknown name too", auth("busy", "nosuchuser", "alice-Passw0rd!"), PAM_AUTHINFO_UNAVAIL);
	CHECK(kill(holder, SIGKILL) == 0 && waitpid(holder, &status, 0) == holder);
	CHECK_CODE("the holder killed", auth("busy", "alice", "alice-Passw0rd!"), PAM_SUCCESS);
}

/* A config file writable by others is refused, and taken once it is 0600. */
static void test_config_mode(void)
{
	struct person p = {.answers = {"alice-Passw0rd!", "alice-Other-Passw0rd", "alice-Other-Passw0rd"}, .n = 3};
	char path[512], args[1024];

	snprintf(path, sizeof(path), "%s", itest_write_conf(true, NULL));
	CHECK(chmod(path, 0666) == 0);
	snprintf(args, sizeof(args), "config=%s methods=password", path);
	write_service_raw("open", args);
	CHECK(auth("open", "alice", "alice-Passw0rd!") == PAM_AUTHINFO_UNAVAIL);
	CHECK_CODE("chauthtok, config writable by others", chauthtok_as("open", "alice", 0, &p), PAM_TRY_AGAIN);
	CHECK(chmod(path, 0600) == 0);
	CHECK(auth("open", "alice", "alice-Passw0rd!") == PAM_SUCCESS);
	unlink(path);
}

int main(int argc, char **argv)
{
	const char *conf = getenv("SENDSEC_TEST_CONF");

	if (argc != 3 || conf == NULL || getenv("SENDSEC_TEST_SLAPD") == NULL) {
		fprintf(stderr, "usage: with-slapd.sh %s PATH/pam_sendsec.so PATH/pam_test_authtok.so\n", argv[0]);
		return 2;
	}
	authtok_module_path = argv[2];
	/* libpam unloads a module at pam_end; keeping it (and libldap) loaded gives sanitizers
	 * symbolised stacks and keeps libldap's one-time initialisation from repeating per call. */
	pam_itest_init(argv[1], true);
	/* The default methods are "password+totp"; these accounts have no token. */
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
	test_try_first_pass_asks_again();
	test_conv_again();
	test_use_authtok();
	test_busy();
	test_chauthtok_codes();
	test_fail_delay_left_to_stack();
	test_bracketed_argument();
	test_bad_arguments();
	test_directory_down();
	test_config_mode();
	pam_itest_done();
	return check_report(argv[0]);
}
