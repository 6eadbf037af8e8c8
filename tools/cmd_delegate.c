/* cmd_delegate.c — sendsecctl delegate add, remove and list: the people who may act as a shared
 * account over SASL with their own credentials (sendsecDelegate; common/admin_delegate.c does the
 * directory work, common/delegate.c decides at login). */
#include <stdio.h>
#include <stdlib.h>

#include "admin.h"
#include "cli.h"

static int run_add(struct cli *cli, const struct cli_args *a);
static int run_remove(struct cli *cli, const struct cli_args *a);
static int run_list(struct cli *cli, const struct cli_args *a);

const struct cli_command cli_delegate_commands[] = {
		{.name = "delegate",
				.sub = "add",
				.run = run_add,
				.args = {"ACCOUNT", "PERSON"},
				.usage = "ACCOUNT PERSON",
				.help = "let PERSON act as the shared ACCOUNT over SASL (authzid) with their own "
					"credentials"},
		{.name = "delegate",
				.sub = "remove",
				.run = run_remove,
				.args = {"ACCOUNT", "PERSON"},
				.usage = "ACCOUNT PERSON",
				.help = "stop PERSON (an account name, or the DN of one that is gone) acting as "
					"ACCOUNT"},
		{.name = "delegate",
				.sub = "list",
				.run = run_list,
				.args = {"ACCOUNT"},
				.usage = "ACCOUNT",
				.help = "list the people who may act as ACCOUNT"},
		{.name = NULL},
};

/* Reports a refusal with its reason, or any other failure; returns the exit code. */
static int report(const char *who, enum sendsec_result rc, const char *why)
{
	if ((rc == SENDSEC_DENIED || rc == SENDSEC_UNKNOWN_USER) && why[0] != '\0')
		cli_error("refused: %s", why);
	else
		cli_report_failure(who, rc);
	return cli_exit_code(rc);
}

/* add and remove: one change to ACCOUNT's delegates by change(), reported when it is made as
 * "PERSON may <how> act as ACCOUNT". */
static int run_change(struct cli *cli, const struct cli_args *a,
		enum sendsec_result (*change)(
				struct sendsec_ctx *, const char *, const char *, const char *, char *, size_t),
		const char *how)
{
	const char *account = a->pos[0], *person = a->pos[1];
	struct sendsec_ctx *ctx;
	char why[256];
	enum sendsec_result rc;

	if ((ctx = cli_ctx(cli)) == NULL)
		return CLI_USAGE;
	rc = change(ctx, cli->service, account, person, why, sizeof(why));
	if (rc == SENDSEC_OK)
		printf("%s may %s act as %s\n", person, how, account);
	return report(account, rc, why);
}

static int run_add(struct cli *cli, const struct cli_args *a)
{
	return run_change(cli, a, sendsec_admin_delegate_add, "now");
}

static int run_remove(struct cli *cli, const struct cli_args *a)
{
	return run_change(cli, a, sendsec_admin_delegate_remove, "no longer");
}

static int run_list(struct cli *cli, const struct cli_args *a)
{
	const char *account = a->pos[0];
	struct sendsec_delegate_info *delegates = NULL;
	struct sendsec_ctx *ctx;
	size_t n = 0;
	enum sendsec_result rc;

	if ((ctx = cli_ctx(cli)) == NULL)
		return CLI_USAGE;
	rc = sendsec_admin_delegate_list(ctx, cli->service, account, &delegates, &n);
	if (rc != SENDSEC_OK) {
		cli_report_failure(account, rc);
		return cli_exit_code(rc);
	}
	if (n == 0)
		fprintf(stderr, "%s has no delegates\n", account);
	else
		printf("PERSON\tDN\n");
	for (size_t i = 0; i < n; i++)
		printf("%s\t%s\n", delegates[i].name[0] != '\0' ? delegates[i].name : "(no such entry)",
				delegates[i].dn);
	free(delegates);
	return CLI_OK;
}
