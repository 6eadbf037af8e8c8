/* cmd_totp.c — sendsecctl totp enroll, list, remove and seal, and recovery: an account's tokens
 * (TOTP and HOTP: list and remove take both) and its single-use recovery codes (common/admin_totp.c
 * and admin_token.c do the directory work). The otpauth:// URI and the recovery codes are printed
 * once, on stdout, and wiped afterwards. Also the token lines of sendsecctl status. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "admin.h"
#include "cli.h"
#include "secret.h"
#include "sendsec_build.h"
#include "timeutil.h"

#if HAVE_QRENCODE
#include <qrencode.h>
#endif

static int run_enroll(struct cli *cli, const struct cli_args *a);
static int run_list(struct cli *cli, const struct cli_args *a);
static int run_remove(struct cli *cli, const struct cli_args *a);
static int run_seal(struct cli *cli, const struct cli_args *a);
static int run_recovery(struct cli *cli, const struct cli_args *a);

enum { ENROLL_NAME, ENROLL_ISSUER, ENROLL_NO_QR };
enum { SEAL_ALL };

static const struct cli_option enroll_options[] = {
		[ENROLL_NAME] = {.name = "name", .kind = CLI_VALUE},
		[ENROLL_ISSUER] = {.name = "issuer", .kind = CLI_VALUE},
		[ENROLL_NO_QR] = {.name = "no-qr", .kind = CLI_FLAG},
		{.name = NULL},
};

static const struct cli_option seal_options[] = {
		[SEAL_ALL] = {.name = "all", .kind = CLI_FLAG},
		{.name = NULL},
};

const struct cli_command cli_totp_commands[] = {
		{.name = "totp",
				.sub = "enroll",
				.run = run_enroll,
				.args = {"USER"},
				.options = enroll_options,
				.usage = "USER [--name NAME] [--issuer NAME] [--no-qr]",
				.help = "create a TOTP token for USER (beside the existing ones: --name); prints the "
					"otpauth:// URI and its QR code once"},
		{.name = "totp",
				.sub = "list",
				.run = run_list,
				.args = {"USER"},
				.usage = "USER",
				.help = "list USER's tokens (TOTP and HOTP): name, type, digits, last use, secret, "
					"link, DN, state"},
		{.name = "totp",
				.sub = "remove",
				.run = run_remove,
				.args = {"USER", "[NAME]"},
				.usage = "USER [NAME]",
				.help = "delete USER's token NAME (or the only one); the recovery codes go with the "
					"last token"},
		{.name = "totp",
				.sub = "seal",
				.run = run_seal,
				.args = {"[USER]"},
				.options = seal_options,
				.usage = "USER | --all",
				.help = "seal the plain token secrets of USER (or of every token) with totp_key_file"},
		{.name = "recovery",
				.run = run_recovery,
				.args = {"USER"},
				.usage = "USER",
				.help = "replace USER's recovery codes with 10 new single-use codes; prints them once"},
		{.name = NULL},
};

#if HAVE_QRENCODE
/* Prints the QR code with Unicode half blocks, two module rows per line, light modules drawn
 * (as qrencode -t UTF8 does: readable on a dark terminal), with a 2-module quiet zone. */
static bool print_qr_blocks(const char *text)
{
	static const char *const glyph[4] = {" ", "\u2584", "\u2580", "\u2588"}; /* by (top light, bottom light) */
	const int quiet = 2;
	QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_L, QR_MODE_8, 1);
	int w;

	if (qr == NULL)
		return false;
	w = qr->width;
	for (int y = -quiet; y < w + quiet; y += 2) {
		for (int x = -quiet; x < w + quiet; x++) {
			bool top_dark = y >= 0 && y < w && x >= 0 && x < w && (qr->data[y * w + x] & 1);
			bool bottom_dark =
					y + 1 >= 0 && y + 1 < w && x >= 0 && x < w && (qr->data[(y + 1) * w + x] & 1);

			fputs(glyph[(!top_dark ? 2 : 0) | (!bottom_dark ? 1 : 0)], stdout);
		}
		fputc('\n', stdout);
	}
	/* The symbol encodes the secret: wipe it before it goes back to the allocator. */
	sodium_memzero(qr->data, (size_t)w * (size_t)w);
	QRcode_free(qr);
	return true;
}
#endif

void cli_print_qr(const char *uri, bool is_wanted)
{
#if HAVE_QRENCODE
	if (is_wanted && !print_qr_blocks(uri))
		cli_error("could not draw the QR code; enter the URI above in the authenticator app instead");
#else
	if (is_wanted)
		fprintf(stderr, "(built without libqrencode: no QR code; enter the URI in the authenticator app)\n");
#endif
}

static int run_enroll(struct cli *cli, const struct cli_args *a)
{
	const char *user = a->pos[0], *name = a->opt[ENROLL_NAME].value;
	struct sendsec_token_request req = {.name = name, .issuer = a->opt[ENROLL_ISSUER].value};
	struct sendsec_ctx *ctx;
	char *uri = NULL, why[256];
	enum sendsec_result rc;

	if (req.issuer != NULL && req.issuer[0] == '\0')
		return cli_usage_error(a->cmd, "--issuer must not be empty");
	if (name != NULL && !sendsec_token_name_valid(name))
		return cli_usage_error(a->cmd, "a token name is 1 to %d characters of A-Z a-z 0-9 . _ -",
				SENDSEC_TOKEN_NEW_NAME_MAX);
	if ((ctx = cli_ctx(cli)) == NULL)
		return CLI_USAGE;
	rc = sendsec_admin_totp_enroll(ctx, cli->service, user, &req, &uri, why, sizeof(why));
	if (rc == SENDSEC_DENIED)
		cli_error("'%s' refused: %s", user, why);
	else
		cli_report_failure(user, rc);
	if (rc != SENDSEC_OK)
		return cli_exit_code(rc);
	printf("%s\n", uri);
	cli_print_qr(uri, a->opt[ENROLL_NO_QR].n == 0);
	fflush(stdout);
	secret_free(uri);
	fprintf(stderr,
			"TOTP token %s%screated for %s. The URI above carries the secret and is shown only once.\n"
			"Consider 'sendsecctl recovery %s' for recovery codes.\n",
			name != NULL ? name : "", name != NULL ? " " : "", user, user);
	return CLI_OK;
}

/* "2026-01-31T10:00:00Z" for a TOTP step, "counter N" for HOTP, "never" without a use. */
static void last_use(const struct sendsec_token_info *t, char *out, size_t len)
{
	if (!t->has_state || (t->kind == SENDSEC_TOKEN_TOTP && t->state == 0))
		snprintf(out, len, "never");
	else if (t->kind == SENDSEC_TOKEN_HOTP)
		snprintf(out, len, "counter %" PRIu64, t->state);
	else if (t->state <= (uint64_t)INT64_MAX / (t->period != 0 ? t->period : 30))
		sendsec_time_format_rfc3339((time_t)(t->state * (t->period != 0 ? t->period : 30)), out, len);
	else
		snprintf(out, len, "step %" PRIu64, t->state);
}

static const char *type_name(const struct sendsec_token_info *t)
{
	return t->kind == SENDSEC_TOKEN_TOTP ? "totp" : t->kind == SENDSEC_TOKEN_HOTP ? "hotp" : "?";
}

static int run_list(struct cli *cli, const struct cli_args *a)
{
	const char *user = a->pos[0];
	struct sendsec_token_info *tokens = NULL;
	struct sendsec_ctx *ctx;
	size_t n = 0;
	char last[48];
	enum sendsec_result rc;

	if ((ctx = cli_ctx(cli)) == NULL)
		return CLI_USAGE;
	rc = sendsec_admin_token_list(ctx, cli->service, user, &tokens, &n);
	if (rc != SENDSEC_OK) {
		cli_report_failure(user, rc);
		return cli_exit_code(rc);
	}
	if (n == 0)
		fprintf(stderr, "%s has no token\n", user);
	else
		printf("NAME\tTYPE\tDIGITS\tLAST\tSECRET\tLINK\tDN\tSTATE\n");
	for (size_t i = 0; i < n; i++) {
		const struct sendsec_token_info *t = &tokens[i];

		last_use(t, last, sizeof(last));
		printf("%s\t%s\t%u\t%s\t%s\t%s\t%s\t%s%s\n", t->name[0] != '\0' ? t->name : "-", type_name(t),
				t->digits, t->is_broken ? "-" : last, t->is_sealed ? "sealed" : "plain", t->link_attr,
				t->dn, t->is_broken ? "broken: " : "ok", t->is_broken ? t->problem : "");
	}
	free(tokens);
	return CLI_OK;
}

void cli_status_tokens(struct sendsec_ctx *ctx, const char *service, const char *user)
{
	struct sendsec_token_info *tokens = NULL;
	size_t n = 0;

	if (sendsec_admin_token_list(ctx, service, user, &tokens, &n) != SENDSEC_OK) {
		printf("tokens: unreadable\n");
		return;
	}
	printf("tokens: %zu\n", n);
	for (size_t i = 0; i < n; i++)
		printf("token %s: %s, %u digits%s%s\n", tokens[i].name[0] != '\0' ? tokens[i].name : "-",
				type_name(&tokens[i]), tokens[i].digits, tokens[i].is_broken ? ", broken: " : "",
				tokens[i].is_broken ? tokens[i].problem : "");
	free(tokens);
}

static int run_remove(struct cli *cli, const struct cli_args *a)
{
	const char *user = a->pos[0], *name = a->pos[1];
	struct sendsec_ctx *ctx;
	char why[256];
	size_t left = 0;
	enum sendsec_result rc;

	if ((ctx = cli_ctx(cli)) == NULL)
		return CLI_USAGE;
	rc = sendsec_admin_token_remove(ctx, cli->service, user, name, &left, why, sizeof(why));
	if (rc == SENDSEC_DENIED)
		cli_error("'%s' refused: %s", user, why);
	else
		cli_report_failure(user, rc);
	if (rc == SENDSEC_OK && left == 0)
		fprintf(stderr, "token%s%s and recovery codes of %s removed; no token left.\n", name != NULL ? " " : "",
				name != NULL ? name : "", user);
	else if (rc == SENDSEC_OK)
		fprintf(stderr, "token %s of %s removed; %zu left.\n", name, user, left);
	return cli_exit_code(rc);
}

static int run_seal(struct cli *cli, const struct cli_args *a)
{
	const char *user = a->pos[0];
	bool is_all = a->opt[SEAL_ALL].n > 0;
	struct sendsec_ctx *ctx;
	size_t sealed = 0, already = 0, failed = 0;
	enum sendsec_result rc;

	if ((user != NULL) == is_all)
		return cli_usage_error(a->cmd, "give USER or --all");
	if ((ctx = cli_ctx(cli)) == NULL)
		return CLI_USAGE;
	rc = sendsec_admin_token_seal(ctx, cli->service, user, &sealed, &already, &failed);
	if (rc != SENDSEC_OK) {
		cli_report_failure(user != NULL ? user : "", rc);
		return cli_exit_code(rc);
	}
	printf("%zu sealed, %zu sealed already, %zu not sealed\n", sealed, already, failed);
	return failed > 0 ? CLI_REFUSED : CLI_OK;
}

static int run_recovery(struct cli *cli, const struct cli_args *a)
{
	const char *user = a->pos[0];
	struct sendsec_ctx *ctx;
	char codes[SENDSEC_RECOVERY_CODES][SENDSEC_RECOVERY_CODE_MAX];
	enum sendsec_result rc;

	if ((ctx = cli_ctx(cli)) == NULL)
		return CLI_USAGE;
	rc = sendsec_admin_recovery(ctx, cli->service, user, codes);
	if (rc == SENDSEC_DENIED)
		cli_error("'%s' has no token; enroll one first ('sendsecctl totp enroll %s')", user, user);
	else
		cli_report_failure(user, rc);
	if (rc == SENDSEC_OK) {
		for (size_t i = 0; i < SENDSEC_RECOVERY_CODES; i++)
			printf("%s\n", codes[i]);
		fflush(stdout);
		fprintf(stderr,
				"%d new recovery codes for %s; the old ones no longer work. Each works once,\n"
				"in place of a verification code. They are shown only this once.\n",
				SENDSEC_RECOVERY_CODES, user);
	}
	sodium_memzero(codes, sizeof(codes));
	return cli_exit_code(rc);
}
