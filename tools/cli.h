/* cli.h — sendsecctl's shared pieces: the global options, the command table rows that cmd_*.c
 * declare (name, positionals, options, handler), the parsed arguments a handler gets (args.c
 * parses them all, one way), and small helpers (engine context, reading a secret from the
 * terminal or stdin, messages). Exit codes: 0 success, 1 refused or missing object, 2 usage or
 * configuration. */
#ifndef SENDSEC_CLI_H
#define SENDSEC_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "engine.h"

enum { CLI_OK = 0, CLI_REFUSED = 1, CLI_USAGE = 2 };

/* The global options, accepted before or after the command (--config PATH, --service NAME, -v). */
struct cli {
	const char *config;      /* --config PATH or the default */
	const char *service;     /* --service NAME, default "sendsecctl" */
	bool verbose;            /* -v: engine log lines at debug level on stderr */
	struct sendsec_ctx *ctx; /* created by cli_ctx() on first use */
};

enum cli_option_kind {
	CLI_FLAG,  /* --name: given or not; no value */
	CLI_VALUE, /* --name VALUE or --name=VALUE; given twice, the last one counts */
	CLI_LIST,  /* like CLI_VALUE, repeatable: every value is kept, in order */
};

/* One option of a command; a command's options end with {.name = NULL}. The global options'
 * names and letters (config c, service s, verbose v) and help h, version V are taken. */
struct cli_option {
	const char *name; /* "scope" for --scope */
	char letter;      /* 'q' for -q, or 0 */
	enum cli_option_kind kind;
	bool is_required; /* absent: a usage error */
};

#define CLI_MAX_OPTIONS 12 /* options per command */
#define CLI_MAX_ARGS    4  /* positional names per command */

/* What was given for one option. */
struct cli_value {
	size_t n;            /* how many times it was given; 0: absent */
	const char *value;   /* CLI_VALUE, CLI_LIST: the last value (points into argv), else NULL */
	const char **values; /* CLI_LIST: all n values in order (owned by struct cli_args), else NULL */
};

struct cli_command;

/* A command's arguments, parsed and checked against its row: the handler only reads them. */
struct cli_args {
	const struct cli_command *cmd;
	size_t n_pos;
	const char **pos;                      /* the positionals; pos[k] is NULL for an absent optional one */
	struct cli_value opt[CLI_MAX_OPTIONS]; /* indexed like cmd->options */
};

/* One row of a command table. Adding a command is a row plus its handler. */
struct cli_command {
	const char *name; /* "check-config", "key", ... */
	const char *sub;  /* "create" for "key create", or NULL */
	int (*run)(struct cli *cli, const struct cli_args *a);
	/* The positionals' names, required ones first: "USER", "[NAME]" (optional), "[PATH...]"
	 * (any number; only as the last name). Non-empty values only. */
	const char *args[CLI_MAX_ARGS];
	const struct cli_option *options; /* NULL, or up to CLI_MAX_OPTIONS ending with {.name = NULL} */
	const char *usage;                /* arguments, e.g. "USER --scope SVC[,SVC] [--expires TIME]" */
	const char *help;                 /* one line */
};

/* Each cmd_*.c file defines one table ending with {.name = NULL}. */
extern const struct cli_command cli_config_commands[];
extern const struct cli_command cli_account_commands[];
extern const struct cli_command cli_key_commands[];
extern const struct cli_command cli_totp_commands[];
extern const struct cli_command cli_scan_commands[];
extern const struct cli_command cli_hotp_commands[];
extern const struct cli_command cli_delegate_commands[];

/* args.c: parses argv (global options anywhere before "--", the command word(s), then the
 * command's positionals and options) and answers --help, -h and --version. Returns the command
 * to run with *a filled (cli_args_free it), or NULL with *exit_out set after printing the help
 * (0) or a usage error with the usage (2). */
const struct cli_command *cli_parse(struct cli *cli, int argc, char **argv, struct cli_args *a, int *exit_out);
void cli_args_free(struct cli_args *a);
/* Prints the usage of one command to f. */
void cli_print_usage(FILE *f, const struct cli_command *cmd);
/* Prints "sendsecctl: <message>" and cmd's usage to stderr; returns CLI_USAGE. */
int cli_usage_error(const struct cli_command *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The engine context for cli->config (loaded once); NULL after printing the error. */
struct sendsec_ctx *cli_ctx(struct cli *cli);
/* Prints "sendsecctl: <message>" to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints why an admin operation on user failed, for a result other than OK: no such account, the
 * directory not usable, or refused. Callers with a more precise word for DENIED say it instead. */
void cli_report_failure(const char *user, enum sendsec_result rc);
/* Reads one line (a secret) from the terminal without echo, or from stdin when it is not a
 * terminal; prompt goes to stderr. Returns a malloc'd string (secret_free it) or NULL. */
char *cli_read_secret(const char *prompt);
/* Reads a new password with prompt and, on a terminal, once more with again_prompt. Returns it
 * (secret_free it), or NULL after saying why: nothing read, or the two differ. */
char *cli_read_new_secret(const char *prompt, const char *again_prompt);
/* Draws uri as a QR code on stdout when is_wanted (cmd_totp.c; a note on stderr when the build
 * has no libqrencode). */
void cli_print_qr(const char *uri, bool is_wanted);
/* Prints the "tokens:" and "token NAME:" lines of sendsecctl status (cmd_totp.c). */
void cli_status_tokens(struct sendsec_ctx *ctx, const char *service, const char *user);
/* Maps an engine result to the exit code (OK 0; DENIED, UNKNOWN_USER, CHANGE_REQUIRED 1; UNAVAILABLE 2). */
int cli_exit_code(enum sendsec_result rc);

#endif
