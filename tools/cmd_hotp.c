/* cmd_hotp.c — sendsecctl hotp enroll and hotp resync: HMAC-based (counter) tokens, as hardware
 * tokens ship them with a seed, and their resynchronisation on two consecutive codes when the
 * button was pressed away from a login (common/admin_totp.c and admin_token.c do the directory
 * work). A generated secret is printed once (hex and otpauth://hotp/ URI) and wiped afterwards. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "admin.h"
#include "cli.h"
#include "secret.h"

static int run_enroll(struct cli *cli, const struct cli_args *a);
static int run_resync(struct cli *cli, const struct cli_args *a);

enum { ENROLL_SECRET, ENROLL_GENERATE, ENROLL_COUNTER, ENROLL_DIGITS, ENROLL_NAME, ENROLL_ISSUER, ENROLL_NO_QR };
enum { RESYNC_NAME, RESYNC_WINDOW };

#define SECRET_HEX_MAX        128 /* 64 bytes */
#define RESYNC_WINDOW_DEFAULT 1000

static const struct cli_option enroll_options[] = {
		[ENROLL_SECRET] = {.name = "secret", .kind = CLI_VALUE},
		[ENROLL_GENERATE] = {.name = "generate", .kind = CLI_FLAG},
		[ENROLL_COUNTER] = {.name = "counter", .kind = CLI_VALUE},
		[ENROLL_DIGITS] = {.name = "digits", .kind = CLI_VALUE},
		[ENROLL_NAME] = {.name = "name", .kind = CLI_VALUE},
		[ENROLL_ISSUER] = {.name = "issuer", .kind = CLI_VALUE},
		[ENROLL_NO_QR] = {.name = "no-qr", .kind = CLI_FLAG},
		{.name = NULL},
};

static const struct cli_option resync_options[] = {
		[RESYNC_NAME] = {.name = "name", .kind = CLI_VALUE},
		[RESYNC_WINDOW] = {.name = "window", .kind = CLI_VALUE},
		{.name = NULL},
};

const struct cli_command cli_hotp_commands[] = {
		{.name = "hotp",
				.sub = "enroll",
				.run = run_enroll,
				.args = {"USER"},
				.options = enroll_options,
				.usage = "USER (--secret HEX|- | --generate) [--counter N] [--digits 6|8] [--name "
					 "NAME] "
					 "[--issuer NAME] [--no-qr]",
				.help = "add an HOTP (counter) token to USER: a hardware token's seed, or a new one "
					"printed once"},
		{.name = "hotp",
				.sub = "resync",
				.run = run_resync,
				.args = {"USER", "CODE1", "CODE2"},
				.options = resync_options,
				.usage = "USER CODE1 CODE2 [--name NAME] [--window N]",
				.help = "move USER's HOTP counter past two consecutive codes found further ahead"},
		{.name = NULL},
};

/* Parses a decimal number no larger than max; false when it is not one. */
static bool parse_number(const char *text, uint64_t max, uint64_t *out)
{
	char *end = NULL;
	unsigned long long v;

	if (text[0] < '0' || text[0] > '9')
		return false;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return false;
	*out = v;
	return true;
}

/* Reads the seed: hex from the option's value, or one line of hex from stdin for "-" (the
 * command line is visible to other local users). Returns the byte count, 0 on a bad value. */
static size_t read_seed(const char *value, unsigned char *out, size_t outlen)
{
	char *line = strcmp(value, "-") == 0 ? cli_read_secret("HOTP secret (hex): ") : NULL;
	const char *hex = line != NULL ? line : value;
	size_t n = 0, len = strlen(hex);

	if (strcmp(value, "-") == 0 && line == NULL)
		return 0;
	if (len % 2 != 0 || len > 2 * outlen || sodium_hex2bin(out, outlen, hex, len, NULL, &n, NULL) != 0 ||
			2 * n != len)
		n = 0;
	secret_free(line);
	return n;
}

static int run_enroll(struct cli *cli, const struct cli_args *a)
{
	const char *user = a->pos[0], *secret_arg = a->opt[ENROLL_SECRET].value;
	const char *counter_arg = a->opt[ENROLL_COUNTER].value, *digits_arg = a->opt[ENROLL_DIGITS].value;
	bool is_generate = a->opt[ENROLL_GENERATE].n > 0;
	struct sendsec_token_request req = {.name = a->opt[ENROLL_NAME].value, .issuer = a->opt[ENROLL_ISSUER].value};
	unsigned char seed[SECRET_HEX_MAX / 2];
	char hex[SECRET_HEX_MAX + 1] = "", why[256], *uri = NULL;
	uint64_t number = 0;
	struct sendsec_ctx *ctx;
	enum sendsec_result rc;
	int exit_code = CLI_USAGE;

	if ((secret_arg != NULL) == is_generate)
		return cli_usage_error(a->cmd, "give --secret HEX (or --secret - to read it) or --generate");
	if (counter_arg != NULL && !parse_number(counter_arg, INT64_MAX, &req.counter))
		return cli_usage_error(a->cmd, "--counter takes a number from 0 to %" PRId64, INT64_MAX);
	if (digits_arg != NULL && (!parse_number(digits_arg, 8, &number) || (number != 6 && number != 8)))
		return cli_usage_error(a->cmd, "--digits takes 6 or 8");
	req.digits = digits_arg != NULL ? (unsigned)number : 6;
	if (req.name != NULL && !sendsec_token_name_valid(req.name))
		return cli_usage_error(a->cmd, "a token name is 1 to %d characters of A-Z a-z 0-9 . _ -",
				SENDSEC_TOKEN_NEW_NAME_MAX);
	if (req.issuer != NULL && req.issuer[0] == '\0')
		return cli_usage_error(a->cmd, "--issuer must not be empty");
	if (secret_arg != NULL) {
		req.secret = seed;
		req.secret_len = read_seed(secret_arg, seed, sizeof(seed));
		if (req.secret_len < 16) {
			exit_code = cli_usage_error(a->cmd, "the secret is 32 to 128 hex digits (16 to 64 bytes)");
			goto out;
		}
	}
	if ((ctx = cli_ctx(cli)) == NULL)
		goto out;
	rc = sendsec_admin_hotp_enroll(ctx, cli->service, user, &req, &uri, hex, why, sizeof(why));
	exit_code = cli_exit_code(rc);
	if (rc == SENDSEC_DENIED)
		cli_error("'%s' refused: %s", user, why);
	else
		cli_report_failure(user, rc);
	if (rc != SENDSEC_OK)
		goto out;
	if (uri != NULL) {
		printf("%s\n%s\n", uri, hex);
		cli_print_qr(uri, a->opt[ENROLL_NO_QR].n == 0);
		fflush(stdout);
		fprintf(stderr, "The URI and the hex secret above are shown only once.\n");
	}
	fprintf(stderr, "HOTP token %s%screated for %s; its next code is number %" PRIu64 ".\n",
			req.name != NULL ? req.name : "", req.name != NULL ? " " : "", user, req.counter);
out:
	secret_free(uri);
	sodium_memzero(hex, sizeof(hex));
	sodium_memzero(seed, sizeof(seed));
	return exit_code;
}

static bool is_code(const char *s)
{
	size_t n = strlen(s);

	return (n == 6 || n == 8) && strspn(s, "0123456789") == n;
}

static int run_resync(struct cli *cli, const struct cli_args *a)
{
	const char *user = a->pos[0], *code1 = a->pos[1], *code2 = a->pos[2];
	const char *window_arg = a->opt[RESYNC_WINDOW].value;
	char name[SENDSEC_TOKEN_NAME_MAX + 1], why[256];
	uint64_t window = RESYNC_WINDOW_DEFAULT, counter = 0;
	struct sendsec_ctx *ctx;
	enum sendsec_result rc;

	if (!is_code(code1) || !is_code(code2) || strlen(code1) != strlen(code2))
		return cli_usage_error(a->cmd, "CODE1 and CODE2 are two codes of 6 or 8 digits each");
	if (window_arg != NULL && (!parse_number(window_arg, SENDSEC_HOTP_RESYNC_MAX, &window) || window < 2))
		return cli_usage_error(a->cmd, "--window takes a number from 2 to %d", SENDSEC_HOTP_RESYNC_MAX);
	if ((ctx = cli_ctx(cli)) == NULL)
		return CLI_USAGE;
	rc = sendsec_admin_hotp_resync(ctx, cli->service, user, a->opt[RESYNC_NAME].value, code1, code2,
			(unsigned)window, name, &counter, why, sizeof(why));
	if (rc == SENDSEC_DENIED)
		cli_error("'%s' refused: %s", user, why);
	else
		cli_report_failure(user, rc);
	if (rc == SENDSEC_OK)
		printf("HOTP token %s of %s: counter %" PRIu64 " (the next code accepted is number %" PRIu64 ")\n",
				name[0] != '\0' ? name : "-", user, counter, counter + 1);
	return cli_exit_code(rc);
}
