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

static int run_create(struct cli *cli, const struct cli_args *a);
static int run_list(struct cli *cli, const struct cli_args *a);
static int run_revoke(struct cli *cli, const struct cli_args *a);

enum { CREATE_SCOPE, CREATE_EXPIRES, CREATE_NETWORK, CREATE_DESCRIPTION };

static const struct cli_option create_options[] = {
		[CREATE_SCOPE] = {.name = "scope", .kind = CLI_LIST, .is_required = true},
		[CREATE_EXPIRES] = {.name = "expires", .kind = CLI_VALUE},
		[CREATE_NETWORK] = {.name = "network", .kind = CLI_LIST},
		[CREATE_DESCRIPTION] = {.name = "description", .kind = CLI_VALUE},
		{.name = NULL},
};

const struct cli_command cli_key_commands[] = {
		{.name = "key",
				.sub = "create",
				.run = run_create,
				.args = {"USER"},
				.options = create_options,
				.usage = "USER --scope SVC[,SVC...] [--expires TIME] [--network CIDR[,CIDR...]] "
					 "[--description TEXT]",
				.help = "create an API key for USER valid for the services SVC ('*': all) and print it "
					"once"},
		{.name = "key",
				.sub = "list",
				.run = run_list,
				.args = {"USER"},
				.usage = "USER",
				.help = "list USER's API keys: id, scopes, created, expires, state, networks, "
					"description"},
		{.name = "key",
				.sub = "revoke",
				.run = run_revoke,
				.args = {"ID"},
				.usage = "ID",
				.help = "revoke the API key with this id"},
		{.name = NULL},
};

/* Every value of a CLI_LIST option joined by commas: "--scope a,b --scope c" gives "a,b,c".
 * Returns a malloc'd string or NULL (out of memory). */
static char *join(const struct cli_value *v)
{
	size_t len = 1;
	char *text;

	for (size_t i = 0; i < v->n; i++)
		len += strlen(v->values[i]) + 1;
	if ((text = calloc(len, 1)) == NULL)
		return NULL;
	for (size_t i = 0; i < v->n; i++) {
		if (i > 0)
			strcat(text, ",");
		strcat(text, v->values[i]);
	}
	return text;
}

/* Splits "a,b,c" in place into a malloc'd NULL-terminated array pointing into text, or NULL. */
static const char **split(char *text)
{
	size_t n = 2;
	const char **items;
	char *save = NULL;

	for (const char *p = text; *p != '\0'; p++)
		n += *p == ',';
	if ((items = calloc(n, sizeof(*items))) == NULL)
		return NULL;
	n = 0;
	for (char *tok = strtok_r(text, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save))
		items[n++] = tok;
	return items;
}

static int run_create(struct cli *cli, const struct cli_args *a)
{
	const char *user = a->pos[0], *expires = a->opt[CREATE_EXPIRES].value;
	const char **scopes = NULL;
	char *scope_text = NULL, *net_text = NULL, key[SENDSEC_KEY_MAX + 1];
	struct sendsec_key_request req = {.description = a->opt[CREATE_DESCRIPTION].value};
	struct sendsec_ctx *ctx;
	enum sendsec_result r;
	int rc = CLI_USAGE;

	if (expires != NULL && !sendsec_time_parse_any(expires, &req.expires)) {
		cli_error("bad time '%s': expected RFC 3339 (2026-01-31T00:00:00Z) or a date (2026-01-31)", expires);
		return CLI_USAGE;
	}
	if ((scope_text = join(&a->opt[CREATE_SCOPE])) == NULL || (scopes = split(scope_text)) == NULL ||
			(a->opt[CREATE_NETWORK].n > 0 && (net_text = join(&a->opt[CREATE_NETWORK])) == NULL)) {
		cli_error("out of memory");
		goto out;
	}
	req.scopes = scopes;
	req.networks = net_text;
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
	} else if (r == SENDSEC_DENIED) {
		cli_error("key refused (see the message above)");
	} else {
		cli_report_failure(user, r);
	}
out:
	explicit_bzero(key, sizeof(key));
	free(net_text);
	free(scopes);
	free(scope_text);
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

static int run_list(struct cli *cli, const struct cli_args *a)
{
	const char *user = a->pos[0];
	struct sendsec_keyrec *recs = NULL;
	struct sendsec_ctx *ctx;
	size_t n = 0;
	time_t now = time(NULL);
	enum sendsec_result r;

	if ((ctx = cli_ctx(cli)) == NULL)
		return CLI_USAGE;
	r = sendsec_admin_key_list(ctx, cli->service, user, &recs, &n);
	if (r != SENDSEC_OK)
		cli_report_failure(user, r);
	else if (n == 0)
		fprintf(stderr, "sendsecctl: %s has no API keys\n", user);
	else
		printf("ID\tSCOPES\tCREATED\tEXPIRES\tSTATE\tNETWORKS\tDESCRIPTION\n");
	for (size_t i = 0; i < n; i++)
		print_key(&recs[i], now);
	sendsec_admin_keys_free(recs, n);
	return cli_exit_code(r);
}

static int run_revoke(struct cli *cli, const struct cli_args *a)
{
	const char *id = a->pos[0];
	struct sendsec_ctx *ctx;
	enum sendsec_result r;

	if ((ctx = cli_ctx(cli)) == NULL)
		return CLI_USAGE;
	r = sendsec_admin_key_revoke(ctx, cli->service, id);
	if (r == SENDSEC_OK)
		printf("key %s revoked\n", id);
	else if (r == SENDSEC_UNKNOWN_USER || r == SENDSEC_DENIED)
		cli_error("no key '%s'", id);
	else
		cli_report_failure(id, r);
	return cli_exit_code(r);
}
