/* cmd_key.c — sendsecctl key create, list and revoke: API keys used as the password. create
 * prints the key once, alone on a line on stdout (the only place it ever appears); list shows each
 * key's public fields (tab-separated, one line per key), never its hash; revoke deletes a key by id. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin.h"
#include "cli.h"
#include "timeutil.h"

static int run_create(struct cli *cli, int argc, char **argv);
static int run_list(struct cli *cli, int argc, char **argv);
static int run_revoke(struct cli *cli, int argc, char **argv);

enum { CMD_CREATE, CMD_LIST, CMD_REVOKE };

const struct cli_command cli_key_commands[] = {
		[CMD_CREATE] = {"key", "create", run_create,
				"USER --scope SVC[,SVC...] [--expires TIME] [--network CIDR[,CIDR...]] [--description "
				"TEXT]",
				"create an API key for USER valid for the services SVC ('*': all) and print it once"},
		[CMD_LIST] = {"key", "list", run_list, "USER",
				"list USER's API keys: id, scopes, created, expires, state, networks, description"},
		[CMD_REVOKE] = {"key", "revoke", run_revoke, "ID", "revoke the API key with this id"},
		{NULL, NULL, NULL, NULL, NULL},
};

/* Matches argv[*i] against "--name VALUE" or "--name=VALUE"; on a match sets *value and advances
 * *i past the value. Returns 1 on a match, 0 when argv[*i] is another argument, -1 when the value
 * is missing. */
static int option(int argc, char **argv, int *i, const char *name, const char **value)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n) != 0)
		return 0;
	if (argv[*i][n] == '=') {
		*value = argv[*i] + n + 1;
		return 1;
	}
	if (argv[*i][n] != '\0')
		return 0;
	if (*i + 1 >= argc)
		return -1;
	*value = argv[++*i];
	return 1;
}

/* Splits "a,b,c" into a NULL-terminated array pointing into the malloc'd copy *buf_out. */
static const char **split_scopes(const char *text, char **buf_out)
{
	size_t n = 2;
	const char **scopes;
	char *buf, *save = NULL;

	*buf_out = NULL;
	for (const char *p = text; *p != '\0'; p++)
		n += *p == ',';
	if ((buf = strdup(text)) == NULL || (scopes = calloc(n, sizeof(*scopes))) == NULL) {
		free(buf);
		return NULL;
	}
	n = 0;
	for (char *tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save))
		scopes[n++] = tok;
	*buf_out = buf;
	return scopes;
}

static int run_create(struct cli *cli, int argc, char **argv)
{
	const struct cli_command *cmd = &cli_key_commands[CMD_CREATE];
	const char *user = NULL, *scope = NULL, *expires = NULL, *networks = NULL, *desc = NULL;
	const char **scopes = NULL;
	char *scope_buf = NULL, key[SENDSEC_KEY_MAX + 1];
	struct sendsec_key_request req = {0};
	struct sendsec_ctx *ctx;
	enum sendsec_result r;
	int rc = CLI_USAGE, m;

	for (int i = 1; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			cli_usage(cmd);
			return CLI_OK;
		}
		if ((m = option(argc, argv, &i, "--scope", &scope)) != 0 ||
				(m = option(argc, argv, &i, "--expires", &expires)) != 0 ||
				(m = option(argc, argv, &i, "--network", &networks)) != 0 ||
				(m = option(argc, argv, &i, "--description", &desc)) != 0) {
			if (m < 0) {
				cli_error("option '%s' needs a value", argv[i]);
				return cli_usage(cmd);
			}
			continue;
		}
		if (argv[i][0] == '-' || user != NULL) {
			cli_error("unexpected argument '%s'", argv[i]);
			return cli_usage(cmd);
		}
		user = argv[i];
	}
	if (user == NULL || scope == NULL) {
		cli_error(user == NULL ? "no USER given" : "--scope is required");
		return cli_usage(cmd);
	}
	if (expires != NULL && !sendsec_time_parse_any(expires, &req.expires)) {
		cli_error("bad time '%s': expected RFC 3339 (2026-01-31T00:00:00Z) or a date (2026-01-31)", expires);
		return CLI_USAGE;
	}
	if ((scopes = split_scopes(scope, &scope_buf)) == NULL) {
		cli_error("out of memory");
		return CLI_USAGE;
	}
	req.scopes = scopes;
	req.networks = networks;
	req.description = desc;
	if ((ctx = cli_ctx(cli)) == NULL)
		goto out;
	r = sendsec_admin_key_create(ctx, cli->service, user, &req, key, sizeof(key));
	rc = cli_exit_code(r);
	if (r == SENDSEC_OK) {
		printf("%s\n", key);
		fflush(stdout);
		fprintf(stderr,
				"sendsecctl: API key created for %s; it is shown only this once and cannot be shown "
				"again\n",
				user);
	} else if (r == SENDSEC_UNKNOWN_USER) {
		cli_error("no account '%s'", user);
	} else if (r == SENDSEC_DENIED) {
		cli_error("key refused (see the message above)");
	} else {
		cli_error("the directory could not be used (see the messages above; -v for more)");
	}
out:
	explicit_bzero(key, sizeof(key));
	free(scopes);
	free(scope_buf);
	return rc;
}

/* Copies text into out with every byte that is not printable ASCII or UTF-8 replaced by '?'
 * (a description is typed by a person, but a terminal should never receive control bytes). */
static void printable(const char *text, char *out, size_t outlen)
{
	size_t k = 0;

	for (const unsigned char *p = (const unsigned char *)(text != NULL ? text : ""); *p != '\0' && k + 1 < outlen;
			p++)
		out[k++] = (*p < 0x20 || *p == 0x7f) ? '?' : (char)*p;
	out[k] = '\0';
}

static const char *state(const struct sendsec_keyrec *rec, time_t now)
{
	if (rec->scopes == NULL)
		return "malformed";
	if (rec->disabled)
		return "disabled";
	if (rec->expires != 0 && now >= rec->expires)
		return "expired";
	return "active";
}

static void print_key(const struct sendsec_keyrec *rec, time_t now)
{
	char created[32] = "-", expires[32] = "never", nets[1024] = "", one[64], desc[512];
	size_t used = 0;

	if (rec->scopes == NULL) {
		printf("%s\t%s\n", rec->id, "malformed (see the message above; revoke it and create a new one)");
		return;
	}
	sendsec_time_format_rfc3339(rec->created, created, sizeof(created));
	if (rec->expires != 0)
		sendsec_time_format_rfc3339(rec->expires, expires, sizeof(expires));
	for (size_t i = 0; i < rec->networks.n && used + 1 < sizeof(nets); i++) {
		sendsec_cidr_format(&rec->networks.items[i], one, sizeof(one));
		used += (size_t)snprintf(nets + used, sizeof(nets) - used, "%s%s", i > 0 ? "," : "", one);
	}
	printable(rec->description, desc, sizeof(desc));
	printf("%s\t", rec->id);
	for (char **s = rec->scopes; *s != NULL; s++)
		printf("%s%s", s != rec->scopes ? "," : "", *s);
	printf("\t%s\t%s\t%s\t%s\t%s\n", created, expires, state(rec, now), rec->networks.n > 0 ? nets : "any", desc);
}

static int run_list(struct cli *cli, int argc, char **argv)
{
	const struct cli_command *cmd = &cli_key_commands[CMD_LIST];
	struct sendsec_keyrec *recs = NULL;
	struct sendsec_ctx *ctx;
	size_t n = 0;
	time_t now = time(NULL);
	enum sendsec_result r;

	if (argc == 2 && cli_is_help(argv[1])) {
		cli_usage(cmd);
		return CLI_OK;
	}
	if (argc != 2 || argv[1][0] == '-')
		return cli_usage(cmd);
	if ((ctx = cli_ctx(cli)) == NULL)
		return CLI_USAGE;
	r = sendsec_admin_key_list(ctx, cli->service, argv[1], &recs, &n);
	if (r == SENDSEC_UNKNOWN_USER)
		cli_error("no account '%s'", argv[1]);
	else if (r != SENDSEC_OK)
		cli_error("the directory could not be used (see the messages above; -v for more)");
	else if (n == 0)
		fprintf(stderr, "sendsecctl: %s has no API keys\n", argv[1]);
	else
		printf("ID\tSCOPES\tCREATED\tEXPIRES\tSTATE\tNETWORKS\tDESCRIPTION\n");
	for (size_t i = 0; i < n; i++)
		print_key(&recs[i], now);
	sendsec_admin_keys_free(recs, n);
	return cli_exit_code(r);
}

static int run_revoke(struct cli *cli, int argc, char **argv)
{
	const struct cli_command *cmd = &cli_key_commands[CMD_REVOKE];
	struct sendsec_ctx *ctx;
	enum sendsec_result r;

	if (argc == 2 && cli_is_help(argv[1])) {
		cli_usage(cmd);
		return CLI_OK;
	}
	if (argc != 2 || argv[1][0] == '-')
		return cli_usage(cmd);
	if ((ctx = cli_ctx(cli)) == NULL)
		return CLI_USAGE;
	r = sendsec_admin_key_revoke(ctx, cli->service, argv[1]);
	if (r == SENDSEC_OK)
		printf("key %s revoked\n", argv[1]);
	else if (r == SENDSEC_UNKNOWN_USER || r == SENDSEC_DENIED)
		cli_error("no key '%s'", argv[1]);
	else
		cli_error("the directory could not be used (see the messages above; -v for more)");
	return cli_exit_code(r);
}
