/* cli.h — sendsecctl's shared pieces: the parsed global options, the command table entries
 * defined in cmd_*.c, and small helpers (engine context, reading a secret from the terminal or
 * stdin, messages). Exit codes: 0 success, 1 refused or missing object, 2 usage or configuration. */
#ifndef SENDSEC_CLI_H
#define SENDSEC_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "engine.h"

enum { CLI_OK = 0, CLI_REFUSED = 1, CLI_USAGE = 2 };

struct cli {
	const char *config;      /* --config PATH or the default */
	const char *service;     /* --service NAME, default "sendsecctl" */
	bool verbose;            /* -v: engine log lines at debug level on stderr */
	struct sendsec_ctx *ctx; /* created by cli_ctx() on first use */
};

struct cli_command {
	const char *name;                                   /* "check-config", "key", ... */
	const char *sub;                                    /* "create" for "key create", or NULL */
	int (*run)(struct cli *cli, int argc, char **argv); /* argv[0] is the (sub)command name */
	const char *usage; /* arguments, e.g. "USER --scope SVC[,SVC] [--expires TIME]" */
	const char *help;  /* one line */
};

/* Each cmd_*.c file defines one NULL-terminated table. */
extern const struct cli_command cli_config_commands[];
extern const struct cli_command cli_account_commands[];
extern const struct cli_command cli_key_commands[];
extern const struct cli_command cli_totp_commands[];

/* The engine context for cli->config (loaded once); NULL after printing the error. */
struct sendsec_ctx *cli_ctx(struct cli *cli);
/* Prints "sendsecctl: <message>" to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints the usage of one command to stderr and returns CLI_USAGE. */
int cli_usage(const struct cli_command *cmd);
/* Reads one line (a secret) from the terminal without echo, or from stdin when it is not a
 * terminal; prompt goes to stderr. Returns a malloc'd string (secret_free it) or NULL. */
char *cli_read_secret(const char *prompt);
/* Maps an engine result to the exit code (OK 0; DENIED, UNKNOWN_USER, CHANGE_REQUIRED 1; UNAVAILABLE 2). */
int cli_exit_code(enum sendsec_result rc);
/* True when arg is "--help" or "-h". */
bool cli_is_help(const char *arg);

#endif
