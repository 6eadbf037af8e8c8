/* cmd_config.c — sendsecctl check-config (parse the file, resolve the global settings and every
 * [service] section, print the effective values) and sendsecctl hash (an argon2id hash of a
 * password read from the terminal or stdin, at the configured cost). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "hash.h"
#include "secret.h"
#include "tls.h"

#define DEFAULT_OPSLIMIT     2ULL
#define DEFAULT_MEMLIMIT_KIB ((size_t)65536)

static int run_check_config(struct cli *cli, const struct cli_args *a);
static int run_hash(struct cli *cli, const struct cli_args *a);

enum { CHECK_QUIET };

static const struct cli_option check_options[] = {
		[CHECK_QUIET] = {.name = "quiet", .letter = 'q', .kind = CLI_FLAG},
		{.name = NULL},
};

const struct cli_command cli_config_commands[] = {
		{.name = "check-config",
				.run = run_check_config,
				.options = check_options,
				.usage = "[--quiet]",
				.help = "parse the config and print the effective settings of [global] and every "
					"[service NAME]"},
		{.name = "hash",
				.run = run_hash,
				.usage = "",
				.help = "read a password (terminal: twice) and print its argon2id hash at the "
					"configured cost"},
		{.name = NULL},
};

static void emit_line(void *arg, const char *line)
{
	(void)arg;
	printf("%s\n", line);
}

/* Resolves and (unless quiet) prints the settings of service (NULL: global). False after
 * printing the error. */
static bool check_service(const struct sendsec_config *cfg, const char *service, bool is_quiet)
{
	struct sendsec_settings *s = NULL;
	char err[512];

	if (sendsec_settings_resolve(cfg, service, NULL, 0, &s, err, sizeof(err)) != SENDSEC_OK) {
		cli_error("%s", err);
		return false;
	}
	if (sendsec_tls_check_files(s, err, sizeof(err)) != SENDSEC_OK) {
		cli_error("%s%s%s", service != NULL ? service : "", service != NULL ? ": " : "", err);
		sendsec_settings_free(s);
		return false;
	}
	if (!is_quiet) {
		if (service == NULL)
			printf("[global]\n");
		else
			printf("\n[service %s]\n", service);
		sendsec_settings_print(s, emit_line, NULL);
	}
	sendsec_settings_free(s);
	return true;
}

static int run_check_config(struct cli *cli, const struct cli_args *a)
{
	struct sendsec_config *cfg = NULL;
	char err[512];
	bool is_quiet = a->opt[CHECK_QUIET].n > 0;
	int rc = CLI_USAGE;

	if (sendsec_config_load(cli->config, true, &cfg, err, sizeof(err)) != SENDSEC_OK) {
		cli_error("%s", err);
		goto out;
	}
	if (!check_service(cfg, NULL, is_quiet))
		goto out;
	for (size_t i = 0; i < sendsec_config_n_services(cfg); i++)
		if (!check_service(cfg, sendsec_config_service_name(cfg, i), is_quiet))
			goto out;
	rc = CLI_OK;
out:
	sendsec_config_free(cfg);
	return rc;
}

/* The argon2 cost of cli->service from the config, or the defaults (said on stderr) when the
 * config cannot be read or resolved. */
static void hash_cost(const struct cli *cli, unsigned long long *ops_out, size_t *mem_out)
{
	struct sendsec_config *cfg = NULL;
	struct sendsec_settings *s = NULL;
	char err[512];

	*ops_out = DEFAULT_OPSLIMIT;
	*mem_out = DEFAULT_MEMLIMIT_KIB;
	if (sendsec_config_load(cli->config, true, &cfg, err, sizeof(err)) == SENDSEC_OK &&
			sendsec_settings_resolve(cfg, cli->service, NULL, 0, &s, err, sizeof(err)) == SENDSEC_OK) {
		*ops_out = s->argon2_opslimit;
		*mem_out = s->argon2_memlimit_kib;
	} else {
		cli_error("%s", err);
		cli_error("config not usable; hashing at the default cost (argon2_opslimit %llu, argon2_memlimit %zu)",
				DEFAULT_OPSLIMIT, DEFAULT_MEMLIMIT_KIB);
	}
	sendsec_settings_free(s);
	sendsec_config_free(cfg);
}

static int run_hash(struct cli *cli, const struct cli_args *a)
{
	char hash[SENDSEC_HASH_MAX];
	char *pw = NULL;
	unsigned long long ops;
	size_t mem;
	int rc = CLI_REFUSED;

	(void)a; /* no arguments */
	hash_cost(cli, &ops, &mem);
	if ((pw = cli_read_new_secret("Password: ", "Retype password: ")) == NULL)
		goto out;
	if (sendsec_hash_make(pw, ops, mem, hash, sizeof(hash)) != SENDSEC_OK) {
		cli_error("cannot make the hash (out of memory?)");
		rc = CLI_USAGE;
		goto out;
	}
	printf("%s\n", hash);
	rc = CLI_OK;
out:
	explicit_bzero(hash, sizeof(hash));
	secret_free(pw);
	return rc;
}
