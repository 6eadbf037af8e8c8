/* sendsecctl.c — the admin command's entry point: global options, dispatch to the command tables
 * of cmd_*.c, help, and the shared helpers of cli.h. The commands themselves only parse their
 * arguments, call common/ (config.h, admin.h, engine.h) and print. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "secret.h"
#include "sendsec_build.h"

static const struct cli_command *const tables[] = {
		cli_config_commands,
		cli_account_commands,
		cli_key_commands,
		cli_totp_commands,
		NULL,
};

void cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("sendsecctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

bool cli_is_help(const char *arg)
{
	return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

int cli_usage(const struct cli_command *cmd)
{
	fprintf(stderr, "usage: sendsecctl [--config PATH] [--service NAME] %s%s%s %s\n  %s\n", cmd->name,
			cmd->sub != NULL ? " " : "", cmd->sub != NULL ? cmd->sub : "", cmd->usage, cmd->help);
	return CLI_USAGE;
}

int cli_exit_code(enum sendsec_result rc)
{
	switch (rc) {
	case SENDSEC_OK: return CLI_OK;
	case SENDSEC_DENIED:
	case SENDSEC_UNKNOWN_USER:
	case SENDSEC_CHANGE_REQUIRED: return CLI_REFUSED;
	case SENDSEC_UNAVAILABLE: return CLI_USAGE;
	}
	return CLI_USAGE;
}

static void log_to_stderr(void *arg, enum sendsec_log_level level, const char *line)
{
	const struct cli *cli = arg;

	/* The engine raises the level to the config's log_level (which gates audit lines); on a
	 * terminal only errors are shown unless -v. */
	if (level > (cli->verbose ? SENDSEC_LOG_DEBUG : SENDSEC_LOG_ERROR))
		return;
	fprintf(stderr, "sendsecctl: %s%s\n", level == SENDSEC_LOG_ERROR ? "error: " : "", line);
}

struct sendsec_ctx *cli_ctx(struct cli *cli)
{
	static struct sendsec_log log;
	char err[512];

	if (cli->ctx != NULL)
		return cli->ctx;
	log.emit = log_to_stderr;
	log.arg = cli;
	log.max_level = cli->verbose ? SENDSEC_LOG_DEBUG : SENDSEC_LOG_ERROR;
	if (sendsec_ctx_new(cli->config, true, NULL, 0, &log, &cli->ctx, err, sizeof(err)) != SENDSEC_OK)
		return NULL; /* the engine logged the reason */
	return cli->ctx;
}

char *cli_read_secret(const char *prompt)
{
	struct termios old, quiet;
	bool is_tty = isatty(STDIN_FILENO) == 1 && tcgetattr(STDIN_FILENO, &old) == 0;
	char buf[4096], *line = NULL;
	size_t len;

	if (is_tty) {
		fputs(prompt, stderr);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	if (fgets(buf, sizeof(buf), stdin) != NULL) {
		len = strcspn(buf, "\r\n");
		line = secret_strndup(buf, len);
	}
	if (is_tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	explicit_bzero(buf, sizeof(buf));
	return line;
}

static void print_help(void)
{
	printf("usage: sendsecctl [--config PATH] [--service NAME] [-v] COMMAND [ARGS]\n\n");
	for (size_t t = 0; tables[t] != NULL; t++)
		for (const struct cli_command *c = tables[t]; c->name != NULL; c++)
			printf("  %s%s%s %s\n      %s\n", c->name, c->sub != NULL ? " " : "",
					c->sub != NULL ? c->sub : "", c->usage, c->help);
	printf("\nExit status: 0 success, 1 refused or not found, 2 usage or configuration error.\n");
}

static const struct cli_command *find_command(const char *name, const char *sub, bool *name_known)
{
	*name_known = false;
	for (size_t t = 0; tables[t] != NULL; t++) {
		for (const struct cli_command *c = tables[t]; c->name != NULL; c++) {
			if (strcmp(c->name, name) != 0)
				continue;
			*name_known = true;
			if (c->sub == NULL || (sub != NULL && strcmp(c->sub, sub) == 0))
				return c;
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
			{"config", required_argument, NULL, 'c'},
			{"service", required_argument, NULL, 's'},
			{"verbose", no_argument, NULL, 'v'},
			{"help", no_argument, NULL, 'h'},
			{"version", no_argument, NULL, 'V'},
			{NULL, 0, NULL, 0},
	};
	struct cli cli = {.config = SENDSEC_DEFAULT_CONFIG, .service = "sendsecctl"};
	const struct cli_command *cmd;
	bool known;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "+c:s:vhV", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': cli.config = optarg; break;
		case 's': cli.service = optarg; break;
		case 'v': cli.verbose = true; break;
		case 'h': print_help(); return CLI_OK;
		case 'V': printf("sendsecctl %s\n", SENDSEC_VERSION); return CLI_OK;
		default: print_help(); return CLI_USAGE;
		}
	}
	if (optind >= argc) {
		print_help();
		return CLI_USAGE;
	}
	cmd = find_command(argv[optind], optind + 1 < argc ? argv[optind + 1] : NULL, &known);
	if (cmd == NULL) {
		if (known)
			cli_error("'%s' needs a subcommand; see sendsecctl --help", argv[optind]);
		else
			cli_error("unknown command '%s'; see sendsecctl --help", argv[optind]);
		return CLI_USAGE;
	}
	optind += cmd->sub != NULL ? 1 : 0;
	if (optind + 1 < argc && cli_is_help(argv[optind + 1])) {
		cli_usage(cmd);
		return CLI_OK;
	}
	rc = cmd->run(&cli, argc - optind, argv + optind);
	sendsec_ctx_free(cli.ctx);
	return rc;
}
