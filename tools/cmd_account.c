/* cmd_account.c — sendsecctl passwd, reset, unlock, status and test: one account's password,
 * forced resets, lockout record and state, and one authentication through the engine exactly as
 * the PAM module or the SASL plugin would make it. Secrets come from the terminal or stdin. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "admin.h"
#include "cli.h"
#include "secret.h"
#include "timeutil.h"

static int run_passwd(struct cli *cli, int argc, char **argv);
static int run_reset(struct cli *cli, int argc, char **argv);
static int run_unlock(struct cli *cli, int argc, char **argv);
static int run_status(struct cli *cli, int argc, char **argv);
static int run_test(struct cli *cli, int argc, char **argv);

enum { CMD_PASSWD, CMD_RESET, CMD_UNLOCK, CMD_STATUS, CMD_TEST };

const struct cli_command cli_account_commands[] = {
		[CMD_PASSWD] = {"passwd", NULL, run_passwd, "USER",
				"set USER's password (read twice on a terminal, once from stdin); clears a forced "
				"reset"},
		[CMD_RESET] = {"reset", NULL, run_reset, "USER | --all-before TIME",
				"require a password change from USER, or from every account whose password is older "
				"than TIME"},
		[CMD_UNLOCK] = {"unlock", NULL, run_unlock, "USER", "clear USER's lockout record"},
		[CMD_STATUS] = {"status", NULL, run_status, "USER", "show USER's account state"},
		[CMD_TEST] = {"test", NULL, run_test, "SERVICE USER [--rhost ADDR]",
				"authenticate USER once for SERVICE (password, then a code if asked) and print the "
				"outcome"},
		{NULL, NULL, NULL, NULL, NULL},
};

/* Splits argv[1..] into up to max positional arguments, answering --help. Returns -1 on
 * --help (usage printed), -2 on a usage error (printed), else the number of positionals. */
static int positionals(int cmd, int argc, char **argv, const char **pos, int max)
{
	int n = 0;

	for (int i = 1; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			cli_usage(&cli_account_commands[cmd]);
			return -1;
		}
		if (strcmp(argv[i], "--") != 0 && argv[i][0] == '-' && argv[i][1] != '\0') {
			cli_error("unknown option '%s'", argv[i]);
			cli_usage(&cli_account_commands[cmd]);
			return -2;
		}
		if (n == max) {
			cli_usage(&cli_account_commands[cmd]);
			return -2;
		}
		pos[n++] = argv[i];
	}
	return n;
}

/* Runs positionals() wanting exactly one USER; returns -1/-2 as it does, or 1. */
static int one_user(int cmd, int argc, char **argv, const char **user)
{
	int n = positionals(cmd, argc, argv, user, 1);

	if (n == 0) {
		cli_usage(&cli_account_commands[cmd]);
		return -2;
	}
	return n;
}

static int help_or_usage(int n)
{
	return n == -1 ? CLI_OK : CLI_USAGE;
}

static void report_failure(const char *user, enum sendsec_result rc)
{
	if (rc == SENDSEC_UNKNOWN_USER)
		cli_error("no account '%s'", user);
	else if (rc == SENDSEC_UNAVAILABLE)
		cli_error("the directory could not be used (see the messages above; -v for more)");
	else
		cli_error("refused (%s)", sendsec_result_name(rc));
}

static int run_passwd(struct cli *cli, int argc, char **argv)
{
	struct sendsec_outcome out;
	struct sendsec_ctx *ctx;
	const struct sendsec_settings *s;
	const char *user;
	char *pw = NULL, *again = NULL, err[256];
	int n = one_user(CMD_PASSWD, argc, argv, &user), rc = CLI_REFUSED;
	enum sendsec_result r;

	if (n < 0)
		return help_or_usage(n);
	if ((ctx = cli_ctx(cli)) == NULL)
		return CLI_USAGE;
	if ((pw = cli_read_secret("New password: ")) == NULL || pw[0] == '\0') {
		cli_error("no password read");
		goto out;
	}
	if (isatty(STDIN_FILENO) == 1 &&
			((again = cli_read_secret("Retype new password: ")) == NULL || !secret_streq(pw, again))) {
		cli_error("the passwords do not match");
		goto out;
	}
	r = sendsec_change_password(ctx, cli->service, user, NULL, pw, &out);
	rc = cli_exit_code(r);
	if (r == SENDSEC_OK) {
		printf("password changed for %s\n", out.account[0] != '\0' ? out.account : user);
	} else if (r == SENDSEC_DENIED && (s = sendsec_ctx_settings(ctx, cli->service, err, sizeof(err))) != NULL) {
		cli_error("password refused: it must be at least %d characters long (password_min_length)",
				s->password_min_length);
	} else {
		report_failure(user, r);
	}
out:
	secret_free(again);
	secret_free(pw);
	return rc;
}

static int run_reset(struct cli *cli, int argc, char **argv)
{
	struct sendsec_ctx *ctx;
	const char *user = NULL, *when = NULL;
	char stamp[32];
	time_t before;
	size_t marked = 0;
	enum sendsec_result r;

	if (argc == 3 && strcmp(argv[1], "--all-before") == 0) {
		when = argv[2];
	} else if (argc == 2 && strncmp(argv[1], "--all-before=", 13) == 0) {
		when = argv[1] + 13;
	} else {
		int n = one_user(CMD_RESET, argc, argv, &user);

		if (n < 0)
			return help_or_usage(n);
	}
	if (when != NULL && !sendsec_time_parse_any(when, &before)) {
		cli_error("bad time '%s': expected RFC 3339 (2026-01-31T00:00:00Z) or a date (2026-01-31)", when);
		return CLI_USAGE;
	}
	if ((ctx = cli_ctx(cli)) == NULL)
		return CLI_USAGE;
	if (when == NULL) {
		r = sendsec_admin_reset(ctx, cli->service, user);
		if (r == SENDSEC_OK)
			printf("%s must change the password at the next login\n", user);
		else
			report_failure(user, r);
		return cli_exit_code(r);
	}
	r = sendsec_admin_reset_all_before(ctx, cli->service, before, &marked);
	sendsec_time_format_rfc3339(before, stamp, sizeof(stamp));
	if (r != SENDSEC_OK) {
		report_failure("", r);
		if (marked > 0)
			cli_error("%zu accounts were marked before the error", marked);
		return cli_exit_code(r);
	}
	printf("%zu accounts marked: password last changed before %s\n", marked, stamp);
	return CLI_OK;
}

static int run_unlock(struct cli *cli, int argc, char **argv)
{
	struct sendsec_ctx *ctx;
	const char *user;
	int n = one_user(CMD_UNLOCK, argc, argv, &user);
	enum sendsec_result r;

	if (n < 0)
		return help_or_usage(n);
	if ((ctx = cli_ctx(cli)) == NULL)
		return CLI_USAGE;
	r = sendsec_admin_unlock(ctx, cli->service, user);
	if (r == SENDSEC_OK)
		printf("%s unlocked\n", user);
	else
		report_failure(user, r);
	return cli_exit_code(r);
}

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

static int run_status(struct cli *cli, int argc, char **argv)
{
	struct sendsec_status st;
	struct sendsec_ctx *ctx;
	const char *user;
	char stamp[32];
	int n = one_user(CMD_STATUS, argc, argv, &user);
	enum sendsec_result r;

	if (n < 0)
		return help_or_usage(n);
	if ((ctx = cli_ctx(cli)) == NULL)
		return CLI_USAGE;
	r = sendsec_admin_status(ctx, cli->service, user, &st);
	if (r != SENDSEC_OK) {
		report_failure(user, r);
		return cli_exit_code(r);
	}
	printf("dn: %s\n", st.dn);
	printf("account: %s\n", st.account);
	printf("disabled: %s\n", yes_no(st.disabled));
	printf("reset required: %s\n", yes_no(st.reset_required));
	printf("locked: %s\n", yes_no(st.locked));
	if (st.last_failure != 0) {
		sendsec_time_format_rfc3339(st.last_failure, stamp, sizeof(stamp));
		printf("failures: %zu (last %s)\n", st.n_failures, stamp);
	} else {
		printf("failures: %zu\n", st.n_failures);
	}
	printf("token: %s\n", yes_no(st.has_token));
	printf("keys: %zu\n", st.n_keys);
	printf("recovery codes: %zu\n", st.n_recovery_codes);
	if (st.password_changed != 0) {
		sendsec_time_format_rfc3339(st.password_changed, stamp, sizeof(stamp));
		printf("password changed: %s\n", stamp);
	} else {
		printf("password changed: unknown\n");
	}
	return CLI_OK;
}

/* The engine's second-factor prompt: one more line from the terminal (no echo) or stdin. */
static enum sendsec_result ask_code(void *arg, const char *prompt, char **answer_out)
{
	(void)arg;
	*answer_out = cli_read_secret(prompt);
	return *answer_out != NULL ? SENDSEC_OK : SENDSEC_DENIED;
}

static int run_test(struct cli *cli, int argc, char **argv)
{
	struct sendsec_request req = {.ask = ask_code};
	struct sendsec_outcome out;
	struct sendsec_ctx *ctx;
	const char *pos[2];
	char *pw = NULL;
	int n = 0;
	enum sendsec_result r;

	for (int i = 1; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			cli_usage(&cli_account_commands[CMD_TEST]);
			return CLI_OK;
		} else if (strcmp(argv[i], "--rhost") == 0 && i + 1 < argc) {
			req.rhost = argv[++i];
		} else if (strncmp(argv[i], "--rhost=", 8) == 0) {
			req.rhost = argv[i] + 8;
		} else if (argv[i][0] == '-' || n == 2) {
			return cli_usage(&cli_account_commands[CMD_TEST]);
		} else {
			pos[n++] = argv[i];
		}
	}
	if (n != 2)
		return cli_usage(&cli_account_commands[CMD_TEST]);
	req.service = pos[0];
	req.user = pos[1];
	if ((ctx = cli_ctx(cli)) == NULL)
		return CLI_USAGE;
	if ((pw = cli_read_secret("Password: ")) == NULL) {
		cli_error("no password read");
		return CLI_REFUSED;
	}
	req.password = pw;
	r = sendsec_authenticate(ctx, &req, &out);
	secret_free(pw);
	if (r == SENDSEC_OK) {
		printf("OK account=%s method=%s", out.account, out.method != NULL ? out.method : "none");
		if (out.key_id[0] != '\0')
			printf(" key=%s", out.key_id);
		printf("\n");
	} else {
		printf("FAILED reason=%s\n", sendsec_reason_name(out.reason));
	}
	return cli_exit_code(r);
}
