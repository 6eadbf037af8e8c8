/* cmd_account.c — sendsecctl passwd, reset, unlock, status and test: one account's password,
 * forced resets, lockout record and state, and one authentication through the engine exactly as
 * the PAM module or the SASL plugin would make it. Secrets come from the terminal or stdin. */
#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "cli.h"
#include "secret.h"
#include "timeutil.h"

static int run_passwd(struct cli *cli, const struct cli_args *a);
static int run_reset(struct cli *cli, const struct cli_args *a);
static int run_unlock(struct cli *cli, const struct cli_args *a);
static int run_status(struct cli *cli, const struct cli_args *a);
static int run_test(struct cli *cli, const struct cli_args *a);

enum { RESET_ALL_BEFORE };
enum { TEST_RHOST, TEST_AUTHZID };

static const struct cli_option reset_options[] = {
		[RESET_ALL_BEFORE] = {.name = "all-before", .kind = CLI_VALUE},
		{.name = NULL},
};

static const struct cli_option test_options[] = {
		[TEST_RHOST] = {.name = "rhost", .kind = CLI_VALUE},
		[TEST_AUTHZID] = {.name = "authzid", .kind = CLI_VALUE},
		{.name = NULL},
};

const struct cli_command cli_account_commands[] = {
		{.name = "passwd",
				.run = run_passwd,
				.args = {"USER"},
				.usage = "USER",
				.help = "set USER's password (read twice on a terminal, once from stdin); clears a "
					"forced reset"},
		{.name = "reset",
				.run = run_reset,
				.args = {"[USER]"},
				.options = reset_options,
				.usage = "USER | --all-before TIME",
				.help = "require a password change from USER, or from every account whose password is "
					"older than TIME"},
		{.name = "unlock",
				.run = run_unlock,
				.args = {"USER"},
				.usage = "USER",
				.help = "clear USER's lockout record, every source's"},
		{.name = "status",
				.run = run_status,
				.args = {"USER"},
				.usage = "USER",
				.help = "show USER's account state, with the lockout record per source"},
		{.name = "test",
				.run = run_test,
				.args = {"SERVICE", "USER"},
				.options = test_options,
				.usage = "SERVICE USER [--rhost ADDR] [--authzid ACCOUNT]",
				.help = "authenticate USER once for SERVICE (password, then a code if asked) and print "
					"the outcome"},
		{.name = NULL},
};

static int run_passwd(struct cli *cli, const struct cli_args *a)
{
	struct sendsec_outcome out;
	struct sendsec_ctx *ctx;
	const struct sendsec_settings *s;
	const char *user = a->pos[0];
	char *pw = NULL, err[256];
	int rc = CLI_REFUSED;
	enum sendsec_result r;

	if ((ctx = cli_ctx(cli)) == NULL)
		return CLI_USAGE;
	if ((pw = cli_read_new_secret("New password: ", "Retype new password: ")) == NULL)
		goto out;
	r = sendsec_change_password(ctx, cli->service, user, NULL, pw, &out);
	rc = cli_exit_code(r);
	if (r == SENDSEC_OK) {
		printf("password changed for %s\n", out.account[0] != '\0' ? out.account : user);
	} else if (r == SENDSEC_DENIED && (s = sendsec_ctx_settings(ctx, cli->service, err, sizeof(err))) != NULL) {
		cli_error("password refused: it must be at least %d characters long (password_min_length)",
				s->password_min_length);
	} else {
		cli_report_failure(user, r);
	}
out:
	secret_free(pw);
	return rc;
}

static int run_reset(struct cli *cli, const struct cli_args *a)
{
	struct sendsec_ctx *ctx;
	const char *user = a->pos[0], *when = a->opt[RESET_ALL_BEFORE].value;
	char stamp[32];
	time_t before;
	size_t marked = 0;
	enum sendsec_result r;

	if (user != NULL && when != NULL)
		return cli_usage_error(a->cmd, "give USER or --all-before TIME, not both");
	if (user == NULL && when == NULL)
		return cli_usage_error(a->cmd, "give USER or --all-before TIME");
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
			cli_report_failure(user, r);
		return cli_exit_code(r);
	}
	r = sendsec_admin_reset_all_before(ctx, cli->service, before, &marked);
	sendsec_time_format_rfc3339(before, stamp, sizeof(stamp));
	if (r != SENDSEC_OK) {
		cli_report_failure("", r);
		if (marked > 0)
			cli_error("%zu accounts were marked before the error", marked);
		return cli_exit_code(r);
	}
	printf("%zu accounts marked: password last changed before %s\n", marked, stamp);
	return CLI_OK;
}

static int run_unlock(struct cli *cli, const struct cli_args *a)
{
	struct sendsec_ctx *ctx;
	const char *user = a->pos[0];
	enum sendsec_result r;

	if ((ctx = cli_ctx(cli)) == NULL)
		return CLI_USAGE;
	r = sendsec_admin_unlock(ctx, cli->service, user);
	if (r == SENDSEC_OK)
		printf("%s unlocked\n", user);
	else
		cli_report_failure(user, r);
	return cli_exit_code(r);
}

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

/* One line per source of the lockout record, latest failure first:
 * "source 203.0.113.0/24: 3 failures (last T), locked until T". */
static void print_sources(const struct sendsec_status *st)
{
	char last[32], until[32];

	for (size_t i = 0; i < st->n_sources && i < SENDSEC_STATUS_SOURCES; i++) {
		const struct sendsec_source_state *src = &st->sources[i];

		sendsec_time_format_rfc3339(src->last, last, sizeof(last));
		sendsec_time_format_rfc3339(src->locked_until, until, sizeof(until));
		printf("source %s: %zu failure%s (last %s)%s%s\n", src->source, src->n_failures,
				src->n_failures == 1 ? "" : "s", last, src->is_locked ? ", locked until " : "",
				src->is_locked ? until : "");
	}
	if (st->n_sources > SENDSEC_STATUS_SOURCES)
		printf("sources not shown: %zu\n", st->n_sources - SENDSEC_STATUS_SOURCES);
	if (st->n_unknown > 0)
		printf("failure values of unknown form: %zu\n", st->n_unknown);
}

static int run_status(struct cli *cli, const struct cli_args *a)
{
	struct sendsec_status st;
	struct sendsec_ctx *ctx;
	const char *user = a->pos[0];
	char stamp[32];
	enum sendsec_result r;

	if ((ctx = cli_ctx(cli)) == NULL)
		return CLI_USAGE;
	r = sendsec_admin_status(ctx, cli->service, user, &st);
	if (r != SENDSEC_OK) {
		cli_report_failure(user, r);
		return cli_exit_code(r);
	}
	printf("dn: %s\n", st.dn);
	printf("account: %s\n", st.account);
	printf("disabled: %s\n", yes_no(st.disabled));
	printf("reset required: %s\n", yes_no(st.reset_required));
	printf("locked: %s\n", yes_no(st.locked));
	if (st.locked && st.locked_until != 0) {
		sendsec_time_format_rfc3339(st.locked_until, stamp, sizeof(stamp));
		printf("locked until: %s\n", stamp);
	}
	if (st.last_failure != 0) {
		sendsec_time_format_rfc3339(st.last_failure, stamp, sizeof(stamp));
		printf("failures: %zu (last %s)\n", st.n_failures, stamp);
	} else {
		printf("failures: %zu\n", st.n_failures);
	}
	print_sources(&st);
	printf("token: %s\n", yes_no(st.has_token));
	cli_status_tokens(ctx, cli->service, user);
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

static int run_test(struct cli *cli, const struct cli_args *a)
{
	struct sendsec_request req = {.ask = ask_code,
			.service = a->pos[0],
			.user = a->pos[1],
			.rhost = a->opt[TEST_RHOST].value,
			.authzid = a->opt[TEST_AUTHZID].value};
	struct sendsec_outcome out;
	struct sendsec_ctx *ctx;
	char *pw = NULL;
	enum sendsec_result r;

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
		if (out.token[0] != '\0')
			printf(" token=%s", out.token);
		if (out.authz[0] != '\0')
			printf(" authcid=%s", out.authcid);
		printf("\n");
	} else {
		printf("FAILED reason=%s\n", sendsec_reason_name(out.reason));
	}
	return cli_exit_code(r);
}
