/* cmd_key.c — sendsecctl key create, list, revoke and rotate: API keys used as the password.
 * create and rotate print the new key once, alone on a line on stdout (the only place it ever
 * appears); list shows each key's public fields and last use (tab-separated, one line per key),
 * never its hash, for one account or, with --idle, for every account; revoke deletes a key by id. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin.h"
#include "cli.h"
#include "timeutil.h"

#define DEFAULT_OVERLAP (7 * 86400)

static int run_create(struct cli *cli, const struct cli_args *a);
static int run_list(struct cli *cli, const struct cli_args *a);
static int run_revoke(struct cli *cli, const struct cli_args *a);
static int run_rotate(struct cli *cli, const struct cli_args *a);

enum { CREATE_SCOPE, CREATE_EXPIRES, CREATE_NETWORK, CREATE_DESCRIPTION };

static const struct cli_option create_options[] = {
		[CREATE_SCOPE] = {.name = "scope", .kind = CLI_LIST, .is_required = true},
		[CREATE_EXPIRES] = {.name = "expires", .kind = CLI_VALUE},
		[CREATE_NETWORK] = {.name = "network", .kind = CLI_LIST},
		[CREATE_DESCRIPTION] = {.name = "description", .kind = CLI_VALUE},
		{.name = NULL},
};

enum { LIST_IDLE };

static const struct cli_option list_options[] = {
		[LIST_IDLE] = {.name = "idle", .kind = CLI_VALUE},
		{.name = NULL},
};

enum { ROTATE_OVERLAP };

static const struct cli_option rotate_options[] = {
		[ROTATE_OVERLAP] = {.name = "overlap", .kind = CLI_VALUE},
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
				.args = {"[USER]"},
				.options = list_options,
				.usage = "USER | [USER] --idle DAYS",
				.help = "list USER's API keys: id, scopes, created, expires, last use and its address, "
					"state, networks, description; with --idle, only keys unused for more than "
					"DAYS days (never used: since creation), of every account unless USER is "
					"given"},
		{.name = "key",
				.sub = "revoke",
				.run = run_revoke,
				.args = {"ID"},
				.usage = "ID",
				.help = "revoke the API key with this id"},
		{.name = "key",
				.sub = "rotate",
				.run = run_rotate,
				.args = {"ID"},
				.options = rotate_options,
				.usage = "ID [--overlap DURATION]",
				.help = "issue a successor of key ID (same account, scopes, networks, description, "
					"expiry), print it once, and make ID expire after DURATION (default 7d; s, m, "
					"h, d, w)"},
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

/* The key's state for this service's settings: "malformed", "disabled", "expired", "idle"
 * (max_idle days, 0: the rule is off) or "active". */
static const char *state(const struct sendsec_keyrec *rec, time_t now, int max_idle)
{
	if (rec->scopes == NULL)
		return "malformed";
	if (rec->disabled)
		return "disabled";
	if (rec->expires != 0 && now >= rec->expires)
		return "expired";
	if (sendsec_keyrec_is_idle(rec, now, max_idle))
		return "idle";
	return "active";
}

/* One line: [account TAB] id, scopes, created, expires, last use, its address, state, networks,
 * description. */
static void print_key(const char *account, const struct sendsec_keyrec *rec, time_t now, int max_idle)
{
	char created[32] = "-", expires[32] = "never", used[32] = "never", from[64] = "-", nets[1024] = "", one[64];
	char desc[512], name[512];
	size_t n = 0;

	if (account != NULL) {
		printable(account, name, sizeof(name));
		printf("%s\t", name);
	}
	if (rec->scopes == NULL) {
		printf("%s\t%s\n", rec->id, "malformed (see the message above; revoke it and create a new one)");
		return;
	}
	sendsec_time_format_rfc3339(rec->created, created, sizeof(created));
	if (rec->expires != 0)
		sendsec_time_format_rfc3339(rec->expires, expires, sizeof(expires));
	if (rec->used > 0)
		sendsec_time_format_rfc3339(rec->used, used, sizeof(used));
	if (rec->used > 0 && rec->used_has_addr) {
		struct sendsec_cidr host = {.prefix = 128};

		memcpy(host.addr, rec->used_addr, sizeof(host.addr));
		sendsec_cidr_format(&host, from, sizeof(from));
	}
	for (size_t i = 0; i < rec->networks.n && n + 1 < sizeof(nets); i++) {
		sendsec_cidr_format(&rec->networks.items[i], one, sizeof(one));
		n += (size_t)snprintf(nets + n, sizeof(nets) - n, "%s%s", i > 0 ? "," : "", one);
	}
	printable(rec->description, desc, sizeof(desc));
	printf("%s\t", rec->id);
	for (char **s = rec->scopes; *s != NULL; s++)
		printf("%s%s", s != rec->scopes ? "," : "", *s);
	printf("\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", created, expires, used, from, state(rec, now, max_idle),
			rec->networks.n > 0 ? nets : "any", desc);
}

/* True when rec is listed: every key without --idle; with it, keys unused for more than
 * idle_days days (a malformed record has no dates: it is listed, to be cleaned up too). */
static bool is_listed(const struct sendsec_keyrec *rec, time_t now, long idle_days)
{
	return idle_days < 0 || rec->scopes == NULL ||
			sendsec_keyrec_idle_seconds(rec, now) > (time_t)idle_days * 86400;
}

static int run_list(struct cli *cli, const struct cli_args *a)
{
	const char *user = a->pos[0], *idle = a->opt[LIST_IDLE].value;
	struct sendsec_keyrec *recs = NULL;
	struct sendsec_key_info *infos = NULL;
	const struct sendsec_settings *s;
	struct sendsec_ctx *ctx;
	size_t n = 0, shown = 0;
	time_t now = time(NULL);
	long idle_days = -1;
	char err[256], *end = NULL;
	enum sendsec_result r;

	if (user == NULL && idle == NULL)
		return cli_usage_error(a->cmd, "give USER, or --idle DAYS for every account");
	if (idle != NULL &&
			((idle_days = strtol(idle, &end, 10)) < 0 || idle_days > 36500 || end == idle || *end != '\0'))
		return cli_usage_error(a->cmd, "--idle takes a number of days (0 to 36500), not '%s'", idle);
	if ((ctx = cli_ctx(cli)) == NULL)
		return CLI_USAGE;
	if ((s = sendsec_ctx_settings(ctx, cli->service, err, sizeof(err))) == NULL) {
		cli_error("%s", err);
		return CLI_USAGE;
	}
	if (user != NULL)
		r = sendsec_admin_key_list(ctx, cli->service, user, &recs, &n);
	else
		r = sendsec_admin_key_list_all(ctx, cli->service, &infos, &n);
	if (r != SENDSEC_OK) {
		cli_report_failure(user != NULL ? user : "-", r);
		return cli_exit_code(r);
	}
	for (size_t i = 0; i < n; i++) {
		const struct sendsec_keyrec *rec = user != NULL ? &recs[i] : &infos[i].rec;

		if (!is_listed(rec, now, idle_days))
			continue;
		if (shown++ == 0)
			printf("%sID\tSCOPES\tCREATED\tEXPIRES\tLAST_USED\tFROM\tSTATE\tNETWORKS\tDESCRIPTION\n",
					user != NULL ? "" : "ACCOUNT\t");
		print_key(user != NULL ? NULL : infos[i].account, rec, now, s->apikey_max_idle);
	}
	if (shown == 0 && idle == NULL)
		fprintf(stderr, "sendsecctl: %s has no API keys\n", user);
	else if (shown == 0)
		fprintf(stderr, "sendsecctl: no API key unused for more than %ld days\n", idle_days);
	sendsec_admin_keys_free(recs, user != NULL ? n : 0);
	sendsec_admin_key_infos_free(infos, user != NULL ? 0 : n);
	return CLI_OK;
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

/* Parses a duration: a whole number with an optional unit s, m, h, d or w (no unit: seconds), at
 * most 10 years. False on anything else. */
static bool parse_duration(const char *text, time_t *out)
{
	static const struct {
		char unit;
		long seconds;
	} units[] = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}, {'w', 7 * 86400}};
	char *end = NULL;
	long n, mult = 1;

	if (text[0] < '0' || text[0] > '9')
		return false;
	n = strtol(text, &end, 10);
	if (*end != '\0') {
		mult = 0;
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (end[0] == units[i].unit && end[1] == '\0')
				mult = units[i].seconds;
	}
	if (mult == 0 || n < 0 || n > 3650L * 86400 / mult)
		return false;
	*out = (time_t)(n * mult);
	return true;
}

static int run_rotate(struct cli *cli, const struct cli_args *a)
{
	const char *id = a->pos[0], *overlap_text = a->opt[ROTATE_OVERLAP].value;
	char key[SENDSEC_KEY_MAX + 1], until[32];
	time_t overlap = DEFAULT_OVERLAP, old_expires = 0;
	struct sendsec_ctx *ctx;
	enum sendsec_result r;

	if (overlap_text != NULL && !parse_duration(overlap_text, &overlap))
		return cli_usage_error(
				a->cmd, "bad duration '%s': expected e.g. 3600, 90m, 12h, 7d or 2w", overlap_text);
	if ((ctx = cli_ctx(cli)) == NULL)
		return CLI_USAGE;
	r = sendsec_admin_key_rotate(ctx, cli->service, id, overlap, key, sizeof(key), &old_expires);
	if (r == SENDSEC_OK) {
		printf("%s\n", key);
		fflush(stdout);
		sendsec_time_format_rfc3339(old_expires, until, sizeof(until));
		fprintf(stderr,
				"sendsecctl: key %s rotated: its successor %.12s is shown only this once and cannot be "
				"shown again; %s stops working at %s\n",
				id,
				key + strlen(key) -
						(SENDSEC_KEY_ID_LEN + 1 + SENDSEC_KEY_SECRET_LEN +
								SENDSEC_KEY_CHECK_LEN),
				id, until);
	} else if (r == SENDSEC_UNKNOWN_USER) {
		cli_error("no key '%s'", id);
	} else if (r == SENDSEC_DENIED) {
		cli_error("key %s not rotated (see the message above)", id);
	} else {
		cli_report_failure(id, r);
	}
	explicit_bzero(key, sizeof(key));
	return cli_exit_code(r);
}
