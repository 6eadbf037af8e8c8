/* args.c — sendsecctl's one argument parser. The command tables of cmd_*.c declare, per command,
 * its positionals and its options (cli.h); this file finds the command, checks and collects its
 * arguments the same way for all of them, and answers --help. Conventions: --name VALUE,
 * --name=VALUE, -x VALUE, -xVALUE, clustered flags (-vq); "--" ends the options; the global
 * options (--config, --service, -v) may stand before or after the command; --help and -h print
 * the usage on stdout (exit 0); every usage error is one message and the usage on stderr (exit 2).
 * Long options are matched whole, never by an abbreviation. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sendsec_build.h"

static const struct cli_command *const tables[] = {
		cli_config_commands,
		cli_account_commands,
		cli_key_commands,
		cli_totp_commands,
		cli_scan_commands,
		cli_hotp_commands,
		cli_delegate_commands,
		NULL,
};

enum { GLOBAL_CONFIG, GLOBAL_SERVICE, GLOBAL_VERBOSE };

static const struct cli_option globals[] = {
		[GLOBAL_CONFIG] = {.name = "config", .letter = 'c', .kind = CLI_VALUE},
		[GLOBAL_SERVICE] = {.name = "service", .letter = 's', .kind = CLI_VALUE},
		[GLOBAL_VERBOSE] = {.name = "verbose", .letter = 'v', .kind = CLI_FLAG},
		{.name = NULL},
};

#define GLOBAL_USAGE "[--config PATH] [--service NAME] [-v]"

/* Where a parse stands: the command once its word(s) are read, the arguments so far. */
struct parse {
	struct cli *cli;
	struct cli_args *a;
	const char *group; /* the command word, while a subcommand is still expected */
	int argc;
	char **argv;
	int i; /* argv index being read */
};

/* What reading one argument led to. */
enum step { STEP_NEXT, STEP_HELP, STEP_VERSION, STEP_ERROR };

void cli_print_usage(FILE *f, const struct cli_command *cmd)
{
	fprintf(f, "usage: sendsecctl " GLOBAL_USAGE " %s%s%s %s\n  %s\n", cmd->name, cmd->sub != NULL ? " " : "",
			cmd->sub != NULL ? cmd->sub : "", cmd->usage, cmd->help);
}

int cli_usage_error(const struct cli_command *cmd, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cli_error("%s", msg);
	cli_print_usage(stderr, cmd);
	return CLI_USAGE;
}

/* Every command, or only those of group ("key"), with their usage. */
static void print_help(FILE *f, const char *group)
{
	fprintf(f, "usage: sendsecctl " GLOBAL_USAGE " %s [ARGS]\n\n", group != NULL ? group : "COMMAND");
	for (size_t t = 0; tables[t] != NULL; t++) {
		for (const struct cli_command *c = tables[t]; c->name != NULL; c++) {
			if (group != NULL && strcmp(c->name, group) != 0)
				continue;
			fprintf(f, "  %s%s%s %s\n      %s\n", c->name, c->sub != NULL ? " " : "",
					c->sub != NULL ? c->sub : "", c->usage, c->help);
		}
	}
	fprintf(f,
			"\nThe global options may also follow COMMAND; COMMAND --help prints its usage.\n"
			"Exit status: 0 success, 1 refused or not found, 2 usage or configuration error.\n");
}

/* The row for name (and sub); *has_subs_out says whether name is a group such as "key". */
static const struct cli_command *find_command(const char *name, const char *sub, bool *has_subs_out)
{
	*has_subs_out = false;
	for (size_t t = 0; tables[t] != NULL; t++) {
		for (const struct cli_command *c = tables[t]; c->name != NULL; c++) {
			if (strcmp(c->name, name) != 0)
				continue;
			if (c->sub == NULL)
				return c;
			*has_subs_out = true;
			if (sub != NULL && strcmp(c->sub, sub) == 0)
				return c;
		}
	}
	return NULL;
}

/* Reports a usage error: the message, then the command's usage or a pointer to --help. */
__attribute__((format(printf, 2, 3))) static enum step bad(const struct parse *p, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->a->cmd != NULL) {
		cli_usage_error(p->a->cmd, "%s", msg);
	} else {
		cli_error("%s; see sendsecctl %s%s--help", msg, p->group != NULL ? p->group : "",
				p->group != NULL ? " " : "");
	}
	return STEP_ERROR;
}

/* The option called name (len bytes) or, with name NULL, letter: first among the global options,
 * then among the command's. */
static const struct cli_option *find_option(const struct parse *p, const char *name, size_t len, char letter,
		bool *is_global_out, size_t *index_out)
{
	const struct cli_option *sets[2] = {globals, p->a->cmd != NULL ? p->a->cmd->options : NULL};

	for (size_t s = 0; s < 2; s++) {
		for (size_t i = 0; sets[s] != NULL && i < CLI_MAX_OPTIONS && sets[s][i].name != NULL; i++) {
			const struct cli_option *o = &sets[s][i];

			if (name != NULL ? strlen(o->name) == len && strncmp(o->name, name, len) == 0
					 : o->letter != 0 && o->letter == letter) {
				*is_global_out = s == 0;
				*index_out = i;
				return o;
			}
		}
	}
	return NULL;
}

/* Records one option: a global one goes to p->cli, the command's to p->a. */
static enum step take(struct parse *p, bool is_global, size_t i, const char *value)
{
	struct cli_value *v = &p->a->opt[i];

	if (is_global) {
		if (i == GLOBAL_CONFIG)
			p->cli->config = value;
		else if (i == GLOBAL_SERVICE)
			p->cli->service = value;
		else
			p->cli->verbose = true;
		return STEP_NEXT;
	}
	if (p->a->cmd->options[i].kind == CLI_LIST) {
		if (v->values == NULL && (v->values = calloc((size_t)p->argc, sizeof(*v->values))) == NULL) {
			cli_error("out of memory");
			return STEP_ERROR;
		}
		v->values[v->n] = value;
	}
	v->n++;
	v->value = value;
	return STEP_NEXT;
}

/* "--name", "--name=VALUE" or "--name VALUE" at argv[p->i]. */
static enum step long_option(struct parse *p, const char *arg)
{
	const char *name = arg + 2, *eq = strchr(name, '='), *value = eq != NULL ? eq + 1 : NULL;
	size_t len = eq != NULL ? (size_t)(eq - name) : strlen(name), i;
	const struct cli_option *o;
	bool is_global;

	if ((len == 4 && strncmp(name, "help", 4) == 0) || (len == 7 && strncmp(name, "version", 7) == 0)) {
		if (value != NULL)
			return bad(p, "option '--%.*s' takes no value", (int)len, name);
		return len == 4 ? STEP_HELP : STEP_VERSION;
	}
	if ((o = find_option(p, name, len, 0, &is_global, &i)) == NULL)
		return bad(p, "unknown option '--%.*s'", (int)len, name);
	if (o->kind == CLI_FLAG && value != NULL)
		return bad(p, "option '--%s' takes no value", o->name);
	if (o->kind != CLI_FLAG && value == NULL) {
		if (p->i + 1 >= p->argc)
			return bad(p, "option '--%s' needs a value", o->name);
		value = p->argv[++p->i];
	}
	return take(p, is_global, i, value);
}

/* "-x", "-xyz" (flags), "-xVALUE" or "-x VALUE" at argv[p->i]. */
static enum step short_options(struct parse *p, const char *arg)
{
	for (const char *c = arg + 1; *c != '\0'; c++) {
		const struct cli_option *o;
		const char *value = NULL;
		bool is_global;
		size_t i;
		enum step st;

		if (*c == 'h' || *c == 'V')
			return *c == 'h' ? STEP_HELP : STEP_VERSION;
		if ((o = find_option(p, NULL, 0, *c, &is_global, &i)) == NULL)
			return bad(p, "unknown option '-%c'", *c);
		if (o->kind != CLI_FLAG) {
			if (c[1] != '\0')
				value = c + 1;
			else if (p->i + 1 < p->argc)
				value = p->argv[++p->i];
			else
				return bad(p, "option '-%c' needs a value", *c);
		}
		if ((st = take(p, is_global, i, value)) != STEP_NEXT || value != NULL)
			return st;
	}
	return STEP_NEXT;
}

/* A word that is not an option: the command, its subcommand, or a positional. */
static enum step word(struct parse *p, const char *arg)
{
	const struct cli_command *c;
	bool has_subs;

	if (p->a->cmd != NULL) {
		p->a->pos[p->a->n_pos++] = arg;
		return STEP_NEXT;
	}
	c = find_command(p->group != NULL ? p->group : arg, p->group != NULL ? arg : NULL, &has_subs);
	if (c != NULL) {
		p->a->cmd = c;
		p->group = NULL;
	} else if (p->group != NULL) {
		return bad(p, "unknown command '%s %s'", p->group, arg);
	} else if (has_subs) {
		p->group = arg;
	} else {
		return bad(p, "unknown command '%s'", arg);
	}
	return STEP_NEXT;
}

/* The name of positional k without "[", "]" and "...", for messages. */
static const char *arg_name(const struct cli_command *cmd, size_t k, char *buf, size_t len)
{
	const char *s = cmd->args[k];

	s += s[0] == '[';
	snprintf(buf, len, "%.*s", (int)strcspn(s, "]."), s);
	return buf;
}

/* Checks what the command's row asks for: the positionals' number, none empty, every required
 * option given. */
static enum step check(const struct parse *p)
{
	const struct cli_command *cmd = p->a->cmd;
	size_t n_names = 0, n = p->a->n_pos;
	bool is_variadic;
	char name[64];

	while (n_names < CLI_MAX_ARGS && cmd->args[n_names] != NULL)
		n_names++;
	is_variadic = n_names > 0 && strstr(cmd->args[n_names - 1], "...") != NULL;
	for (size_t k = n; k < n_names; k++)
		if (cmd->args[k][0] != '[')
			return bad(p, "missing %s", arg_name(cmd, k, name, sizeof(name)));
	if (n > n_names && !is_variadic)
		return bad(p, "unexpected argument '%s'", p->a->pos[n_names]);
	for (size_t k = 0; k < n; k++)
		if (p->a->pos[k][0] == '\0')
			return bad(p, "%s must not be empty",
					arg_name(cmd, k < n_names ? k : n_names - 1, name, sizeof(name)));
	for (size_t i = 0; cmd->options != NULL && i < CLI_MAX_OPTIONS && cmd->options[i].name != NULL; i++)
		if (cmd->options[i].is_required && p->a->opt[i].n == 0)
			return bad(p, "option '--%s' is required", cmd->options[i].name);
	return STEP_NEXT;
}

const struct cli_command *cli_parse(struct cli *cli, int argc, char **argv, struct cli_args *a, int *exit_out)
{
	struct parse p = {.cli = cli, .a = a, .argc = argc, .argv = argv};
	bool is_options_done = false;
	enum step st = STEP_NEXT;

	*a = (struct cli_args){0};
	*exit_out = CLI_USAGE;
	/* Room for every word of argv, and NULL for the absent optional positionals. */
	if ((a->pos = calloc((size_t)argc + CLI_MAX_ARGS + 1, sizeof(*a->pos))) == NULL) {
		cli_error("out of memory");
		return NULL;
	}
	for (p.i = 1; p.i < argc && st == STEP_NEXT; p.i++) {
		const char *arg = argv[p.i];

		if (is_options_done || arg[0] != '-' || arg[1] == '\0')
			st = word(&p, arg);
		else if (strcmp(arg, "--") == 0)
			is_options_done = true;
		else if (arg[1] == '-')
			st = long_option(&p, arg);
		else
			st = short_options(&p, arg);
	}
	if (st == STEP_NEXT && a->cmd != NULL)
		st = check(&p);
	else if (st == STEP_NEXT && p.group != NULL)
		st = bad(&p, "'%s' needs a subcommand", p.group);
	else if (st == STEP_NEXT)
		st = bad(&p, "no command given");
	if (st == STEP_NEXT)
		return a->cmd;
	if (st == STEP_HELP) {
		if (a->cmd != NULL)
			cli_print_usage(stdout, a->cmd);
		else
			print_help(stdout, p.group);
		*exit_out = CLI_OK;
	} else if (st == STEP_VERSION) {
		printf("sendsecctl %s\n", SENDSEC_VERSION);
		*exit_out = CLI_OK;
	}
	return NULL;
}

void cli_args_free(struct cli_args *a)
{
	for (size_t i = 0; i < CLI_MAX_OPTIONS; i++)
		free(a->opt[i].values);
	free(a->pos);
	*a = (struct cli_args){0};
}
