/* test_pam_totp.c — the TOTP second factor through the real libpam (pam_start_confdir) with
 * pam_sendsec.so and the default methods "password+totp" (API keys on the service "totp" only, which
 * lists apikey in its [service] section), against the test slapd: alice
 * enrolled by sendsecctl, codes from the independent oathtool at real time. Password then code
 * at two prompts; the same code replayed; a wrong code; a conversation that fails at the code
 * prompt; otp_mode=append (one prompt); a recovery code once; an account without a token under
 * totp_unenrolled deny and allow; an API key with user "apikey" (PAM_USER becomes the account); a
 * key with scope '*' refused on sshd, whose methods (the default) do not list apikey; the same two
 * prompts for unknown, disabled, locked and network-refused accounts as for an enrolled one;
 * PAM_CONV_AGAIN at the code prompt; and, in-process with the engine's clock hook, that the code
 * is checked at the time it is typed.
 * Run as: with-slapd.sh test_pam_totp PATH/pam_sendsec.so PATH/sendsecctl
 * No password, code or key is ever printed: failures name the case, not the secret. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "check.h"
#include "itest.h"
#include "pam_itest.h"
#include "totp_itest.h"

static const char *sendsecctl;
static char *conf; /* the fixture's sendsec.conf plus [service totp] taking API keys */

/* Writes the service name: the module with the common args and extra (auth), config alone
 * (account). The seeded argon2id cost and no rehash keep alice's hash as it is; the refused cases
 * outnumber lockout_threshold, so lockout (tested elsewhere) is off here. */
static void write_service(const char *name, const char *extra)
{
	char auth_args[2048], account_args[1024];

	snprintf(auth_args, sizeof(auth_args),
			"config=%s rehash=no argon2_opslimit=3 argon2_memlimit=4096 lockout_threshold=0 %s", conf,
			extra);
	snprintf(account_args, sizeof(account_args), "config=%s", conf);
	pam_itest_write_service(name, auth_args, account_args);
}

/* One pam_authenticate (then pam_acct_mgmt when it succeeded) of user with the person typing
 * password and code. The prompts go to prompts_out, the final PAM_USER to user_out (both may
 * be NULL). */
static int auth_full(const char *service, const char *user, const char *password, const char *code, char *prompts_out,
		char *user_out, size_t len)
{
	struct pam_itest_person p = {.password = password, .code = code};
	int rc = pam_itest_login(service, user, NULL, &p, user_out, len);

	if (prompts_out != NULL)
		snprintf(prompts_out, len, "%s", p.prompts);
	return rc;
}

static int auth(const char *service, const char *user, const char *password, const char *code, char *prompts_out,
		size_t len)
{
	return auth_full(service, user, password, code, prompts_out, NULL, len);
}

/* A code that no step near now produces: the right one with every digit shifted by 5. */
static void wrong_code(const char *code, char *out)
{
	size_t i;

	for (i = 0; code[i] != '\0'; i++)
		out[i] = (char)('0' + (code[i] - '0' + 5) % 10);
	out[i] = '\0';
}

/* Runs sendsecctl --config CONF args… and copies the first line of its output into out. */
static int ctl_line(const char *const args[], char *out, size_t len)
{
	const char *argv[12] = {sendsecctl, "--config", conf};
	char text[2048];
	size_t n = 3;
	int rc;

	for (size_t i = 0; args[i] != NULL && n < 11; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	rc = itest_run(argv, NULL, text, sizeof(text));
	snprintf(out, len, "%.*s", (int)strcspn(text, "\n"), text);
	sodium_memzero(text, sizeof(text));
	return rc;
}

static void test_codes(const char *b32)
{
	char prompts[256], code_now[16], code_next[16], wrong[16], appended[128];
	time_t now = time(NULL);

	totp_code(b32, false, "SHA1", 6, now, code_now);
	totp_code(b32, false, "SHA1", 6, now + 30, code_next);
	wrong_code(code_now, wrong);

	CHECK(auth("totp", "alice", itest_pw("alice"), code_now, prompts, sizeof(prompts)) == PAM_SUCCESS);
	CHECK(strcmp(prompts, "Password: |Verification code: |") == 0);
	/* The step is used now, on every host: the same code again is a replay. */
	CHECK(auth("totp", "alice", itest_pw("alice"), code_now, prompts, sizeof(prompts)) == PAM_AUTH_ERR);
	CHECK(auth("totp", "alice", itest_pw("alice"), wrong, prompts, sizeof(prompts)) == PAM_AUTH_ERR);
	CHECK(strcmp(prompts, "Password: |Verification code: |") == 0);
	/* The conversation fails at the code prompt: refused, never a password-only success. */
	CHECK(auth("totp", "alice", itest_pw("alice"), NULL, prompts, sizeof(prompts)) == PAM_AUTH_ERR);
	CHECK(strcmp(prompts, "Password: |Verification code: |") == 0);
	/* An empty code, and the right code after a wrong password. */
	CHECK(auth("totp", "alice", itest_pw("alice"), "", prompts, sizeof(prompts)) == PAM_AUTH_ERR);
	CHECK(auth("totp", "alice", "alice-Passw0rd?", code_next, prompts, sizeof(prompts)) == PAM_AUTH_ERR);
	/* The code is asked for after a wrong password too (the prompts tell nothing), and is not
	 * checked: code_next still works below. */
	CHECK(strcmp(prompts, "Password: |Verification code: |") == 0);

	/* otp_mode=append: the next step's code (within the window of 1) after the password, one prompt. */
	snprintf(appended, sizeof(appended), "%s%s", itest_pw("alice"), wrong);
	CHECK(auth("append", "alice", appended, NULL, prompts, sizeof(prompts)) == PAM_AUTH_ERR);
	CHECK(strcmp(prompts, "Password: |") == 0);
	CHECK(auth("append", "alice", itest_pw("alice"), NULL, prompts, sizeof(prompts)) == PAM_AUTH_ERR);
	snprintf(appended, sizeof(appended), "%s%s", itest_pw("alice"), code_next);
	CHECK(auth("append", "alice", appended, NULL, prompts, sizeof(prompts)) == PAM_SUCCESS);
	CHECK(strcmp(prompts, "Password: |") == 0);
	CHECK(auth("append", "alice", appended, NULL, prompts, sizeof(prompts)) == PAM_AUTH_ERR);

	sodium_memzero(code_now, sizeof(code_now));
	sodium_memzero(code_next, sizeof(code_next));
	sodium_memzero(wrong, sizeof(wrong));
	sodium_memzero(appended, sizeof(appended));
}

/* The application is not ready at the code prompt (PAM_CONV_AGAIN): PAM_INCOMPLETE, and calling
 * pam_authenticate again on the same handle completes the login with the code (a recovery
 * code: the TOTP steps near now are used up by test_codes). */
static void test_code_prompt_conv_again(void)
{
	const char *args[] = {"recovery", "alice", NULL};
	struct pam_itest_person p = {.password = itest_pw("alice"), .code_again = true};
	pam_handle_t *h;
	char code[64];
	int rc;

	CHECK(ctl_line(args, code, sizeof(code)) == 0);
	p.code = code;
	h = pam_itest_start("totp", "alice", &p, NULL);
	rc = pam_authenticate(h, 0);
	if (rc != PAM_INCOMPLETE)
		fprintf(stderr, "code prompt PAM_CONV_AGAIN: got %d (%s), wanted PAM_INCOMPLETE\n", rc,
				pam_strerror(h, rc));
	CHECK(rc == PAM_INCOMPLETE);
	rc = pam_authenticate(h, 0);
	if (rc != PAM_SUCCESS)
		fprintf(stderr, "resumed: got %d (%s), wanted PAM_SUCCESS\n", rc, pam_strerror(h, rc));
	CHECK(rc == PAM_SUCCESS);
	CHECK(strcmp(p.prompts, "Password: |Verification code: |Password: |Verification code: |") == 0);
	pam_end(h, rc);
	sodium_memzero(code, sizeof(code));
}

/* The person at the keyboard of test_code_time: takes four steps to type the code, which is the
 * code of the moment it is typed. */
struct slow_person {
	struct itest_clock *clock;
	const char *b32;
};

static enum sendsec_result slow_answer(void *arg, const char *prompt, char **answer_out)
{
	struct slow_person *p = arg;
	char code[16];

	(void)prompt;
	p->clock->now += 120;
	totp_code(p->b32, false, "SHA1", 6, p->clock->now, code);
	*answer_out = strdup(code);
	sodium_memzero(code, sizeof(code));
	return *answer_out != NULL ? SENDSEC_OK : SENDSEC_UNAVAILABLE;
}

/* In-process, with the engine's clock hook and the same prompt callback shape as the module's:
 * the code is checked against the time it arrives, not the time the login began. Run last: it
 * uses steps ten minutes ahead, which makes every earlier code of alice a replay. */
static void test_code_time(const char *b32)
{
	struct sendsec_ctx *ctx = itest_ctx("methods password+totp\nargon2_opslimit 3\nargon2_memlimit 4096\n"
					    "rehash no\nlockout_threshold 0\n");
	struct itest_clock clock = {.now = time(NULL) + 600};
	struct slow_person p = {.clock = &clock, .b32 = b32};
	struct sendsec_request req = {.service = "totp",
			.user = "alice",
			.password = itest_pw("alice"),
			.ask = slow_answer,
			.ask_arg = &p};
	struct sendsec_outcome out;

	sendsec_ctx_set_clock(ctx, itest_clock_now, &clock);
	if (sendsec_authenticate(ctx, &req, &out) != SENDSEC_OK)
		fprintf(stderr, "test_code_time: refused\n");
	EXPECT("code typed four steps after the login began", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	sendsec_ctx_free(ctx);
}

static void test_recovery(void)
{
	const char *args[] = {"recovery", "alice", NULL};
	char code[64], prompts[256];

	CHECK(ctl_line(args, code, sizeof(code)) == 0);
	CHECK(strlen(code) == 19);
	CHECK(auth("totp", "alice", itest_pw("alice"), code, prompts, sizeof(prompts)) == PAM_SUCCESS);
	CHECK(strcmp(prompts, "Password: |Verification code: |") == 0);
	CHECK(auth("totp", "alice", itest_pw("alice"), code, prompts, sizeof(prompts)) == PAM_AUTH_ERR);
	sodium_memzero(code, sizeof(code));
}

static void test_unenrolled(void)
{
	char prompts[256];

	/* bob has no token. */
	CHECK(auth("totp", "bob", itest_pw("bob"), NULL, prompts, sizeof(prompts)) == PAM_AUTH_ERR);
	CHECK(auth("deny", "bob", itest_pw("bob"), NULL, prompts, sizeof(prompts)) == PAM_AUTH_ERR);
	CHECK(auth("allow", "bob", itest_pw("bob"), NULL, prompts, sizeof(prompts)) == PAM_SUCCESS);
	CHECK(strcmp(prompts, "Password: |") == 0);
	CHECK(auth("allow", "bob", "bob-Passw0rd?", NULL, prompts, sizeof(prompts)) == PAM_AUTH_ERR);
}

/* An API key of alice for the services scope, made by sendsecctl, into key (256 bytes). */
static void create_key(const char *scope, char *key)
{
	const char *args[] = {"key", "create", "alice", "--scope", scope, NULL};

	CHECK(ctl_line(args, key, 256) == 0);
	CHECK(strncmp(key, "ssk_", 4) == 0);
}

static void test_apikey(void)
{
	char key[256], prompts[256], user[256];

	create_key("totp", key);
	CHECK(auth_full("totp", "apikey", key, NULL, prompts, user, sizeof(user)) == PAM_SUCCESS);
	CHECK(strcmp(prompts, "Password: |") == 0);
	CHECK(strcmp(user, "alice") == 0);
	/* DESIGN.md section 5: the account's own name works too, another account's does not. */
	CHECK(auth_full("totp", "alice", key, NULL, prompts, user, sizeof(user)) == PAM_SUCCESS);
	CHECK(strcmp(user, "alice") == 0);
	CHECK(auth("totp", "bob", key, NULL, prompts, sizeof(prompts)) == PAM_AUTH_ERR);
	sodium_memzero(key, sizeof(key));
}

/* Issue 11 item 1: the prompts do not tell who exists, who has a token or who is locked, disabled
 * or refused by network: each of them sees "Password: " then "Verification code: ", as alice
 * (enrolled) does with a wrong password. */
static void test_prompts_alike(void)
{
	const char *const both = "Password: |Verification code: |";
	char prompts[256];

	CHECK_EQ_INT(auth("totp", "alice", "alice-Passw0rd?", "000000", prompts, sizeof(prompts)), PAM_AUTH_ERR);
	CHECK_STR(prompts, both);
	CHECK_EQ_INT(auth("totp", "nosuchuser", "some-Passw0rd!", "000000", prompts, sizeof(prompts)),
			PAM_USER_UNKNOWN);
	CHECK_STR(prompts, both);
	CHECK_EQ_INT(auth("totp", "dave", itest_pw("dave"), "000000", prompts, sizeof(prompts)), PAM_AUTH_ERR);
	CHECK_STR(prompts, both);
	/* mallory may log in from 192.0.2.0/24 only; these logins have no PAM_RHOST. */
	CHECK(itest_ldapmodify("dn: uid=mallory,ou=people,dc=example,dc=test\nchangetype: modify\n"
			       "replace: sendsecAllowedNetwork\nsendsecAllowedNetwork: 192.0.2.0/24\n") == 0);
	CHECK_EQ_INT(auth("totp", "mallory", itest_pw("mallory"), "000000", prompts, sizeof(prompts)), PAM_AUTH_ERR);
	CHECK_STR(prompts, both);
	/* The service "lock" locks after one failure: carol's right password is then refused. */
	CHECK_EQ_INT(auth("lock", "carol", "carol-Passw0rd?", "000000", prompts, sizeof(prompts)), PAM_AUTH_ERR);
	CHECK_STR(prompts, both);
	CHECK_EQ_INT(auth("lock", "carol", itest_pw("carol"), "000000", prompts, sizeof(prompts)), PAM_AUTH_ERR);
	CHECK_STR(prompts, both);
	/* bob has no token: totp_unenrolled deny asks him too; allow lets his right password in at
	 * once (enrollment shows to whoever knows the password) but asks after a wrong one. */
	CHECK_EQ_INT(auth("deny", "bob", itest_pw("bob"), "000000", prompts, sizeof(prompts)), PAM_AUTH_ERR);
	CHECK_STR(prompts, both);
	CHECK_EQ_INT(auth("allow", "bob", "bob-Passw0rd?", "000000", prompts, sizeof(prompts)), PAM_AUTH_ERR);
	CHECK_STR(prompts, both);
	CHECK_EQ_INT(auth("allow", "bob", itest_pw("bob"), "000000", prompts, sizeof(prompts)), PAM_SUCCESS);
	CHECK_STR(prompts, "Password: |");
	/* otp_mode=append: one prompt for everybody. */
	CHECK_EQ_INT(auth("append", "nosuchuser", "some-Passw0rd!000000", NULL, prompts, sizeof(prompts)),
			PAM_USER_UNKNOWN);
	CHECK_STR(prompts, "Password: |");
	CHECK(itest_ldapmodify("dn: uid=mallory,ou=people,dc=example,dc=test\nchangetype: modify\n"
			       "delete: sendsecAllowedNetwork\n") == 0);
}

/* DESIGN.md section 3: the default methods are "password+totp" and only a service whose methods
 * list apikey takes keys. A key with scope '*' is refused on sshd (no [service sshd] section, so
 * the defaults apply), as user apikey and as the account's own name. */
static void test_apikey_default_methods(void)
{
	char key[256], prompts[256], user[256];

	create_key("*", key);
	CHECK(auth_full("totp", "apikey", key, NULL, prompts, user, sizeof(user)) == PAM_SUCCESS);
	CHECK(strcmp(user, "alice") == 0);
	CHECK_EQ_INT(auth_full("sshd", "apikey", key, NULL, prompts, user, sizeof(user)), PAM_AUTH_ERR);
	CHECK(strcmp(user, "apikey") == 0);
	CHECK_EQ_INT(auth_full("sshd", "alice", key, "000000", prompts, user, sizeof(user)), PAM_AUTH_ERR);
	sodium_memzero(key, sizeof(key));
}

int main(int argc, char **argv)
{
	char b32[64];

	if (argc != 3 || getenv("SENDSEC_TEST_CONF") == NULL) {
		fprintf(stderr, "usage: with-slapd.sh %s PATH/pam_sendsec.so PATH/sendsecctl\n", argv[0]);
		return 2;
	}
	sendsecctl = argv[2];
	/* Keep the module (and libldap) mapped across pam_end, as test_pam_module does. */
	pam_itest_init(argv[1], true);
	if ((conf = strdup(itest_write_conf(true, "[service totp]\nmethods password+totp apikey\n"))) == NULL)
		return 1;
	write_service("totp", "");
	write_service("append", "otp_mode=append");
	write_service("deny", "totp_unenrolled=deny");
	write_service("allow", "totp_unenrolled=allow");
	write_service("sshd", "");
	write_service("lock", "lockout_threshold=1");

	if (totp_enroll(sendsecctl, conf, "alice", b32) != 0) {
		fprintf(stderr, "sendsecctl totp enroll alice failed\n");
		pam_itest_done();
		return 1;
	}
	test_codes(b32);
	test_code_prompt_conv_again();
	test_recovery();
	test_unenrolled();
	test_apikey();
	test_apikey_default_methods();
	test_prompts_alike();
	test_code_time(b32);
	sodium_memzero(b32, sizeof(b32));
	pam_itest_done();
	return check_report(argv[0]);
}
