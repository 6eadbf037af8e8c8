/* sendsecctl.c — the admin command's entry point (args.c parses the arguments and finds the
 * command of cmd_*.c) and the shared helpers of cli.h. The commands themselves only read their
 * parsed arguments, call common/ (config.h, admin.h, engine.h) and print. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "secret.h"
#include "sendsec_build.h"

void cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("sendsecctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void cli_report_failure(const char *user, enum sendsec_result rc)
{
	if (rc == SENDSEC_UNKNOWN_USER)
		cli_error("no account '%s' (user_filter found none)", user);
	else if (rc == SENDSEC_UNAVAILABLE)
		cli_error("the directory could not be used or holds bad data (see the messages above; -v for more)");
	else if (rc != SENDSEC_OK)
		cli_error("refused (%s)", sendsec_result_name(rc));
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

char *cli_read_new_secret(const char *prompt, const char *again_prompt)
{
	char *pw = cli_read_secret(prompt), *again = NULL, *result = NULL;

	if (pw == NULL || pw[0] == '\0') {
		cli_error("no password read");
	} else if (isatty(STDIN_FILENO) == 1 &&
			((again = cli_read_secret(again_prompt)) == NULL || !secret_streq(pw, again))) {
		cli_error("the passwords do not match");
	} else {
		result = pw;
		pw = NULL;
	}
	secret_free(again);
	secret_free(pw);
	return result;
}

int main(int argc, char **argv)
{
	struct cli cli = {.config = SENDSEC_DEFAULT_CONFIG, .service = "sendsecctl"};
	struct cli_args args;
	const struct cli_command *cmd;
	int rc;

	if ((cmd = cli_parse(&cli, argc, argv, &args, &rc)) != NULL)
		rc = cmd->run(&cli, &args);
	cli_args_free(&args);
	sendsec_ctx_free(cli.ctx);
	return rc;
}
