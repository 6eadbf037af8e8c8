/* cmd_totp.c — sendsecctl totp enroll, totp remove and recovery: a user's TOTP token and their
 * single-use recovery codes (common/admin_totp.c does the directory work). The otpauth:// URI
 * and the recovery codes are printed once, on stdout, and wiped afterwards. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "admin.h"
#include "cli.h"
#include "secret.h"
#include "sendsec_build.h"

#if HAVE_QRENCODE
#include <qrencode.h>
#endif

static int run_enroll(struct cli *cli, const struct cli_args *a);
static int run_remove(struct cli *cli, const struct cli_args *a);
static int run_recovery(struct cli *cli, const struct cli_args *a);

enum { ENROLL_ISSUER, ENROLL_NO_QR };

static const struct cli_option enroll_options[] = {
		[ENROLL_ISSUER] = {.name = "issuer", .kind = CLI_VALUE},
		[ENROLL_NO_QR] = {.name = "no-qr", .kind = CLI_FLAG},
		{.name = NULL},
};

const struct cli_command cli_totp_commands[] = {
		{.name = "totp",
				.sub = "enroll",
				.run = run_enroll,
				.args = {"USER"},
				.options = enroll_options,
				.usage = "USER [--issuer NAME] [--no-qr]",
				.help = "create a TOTP token for USER; prints the otpauth:// URI and its QR code once"},
		{.name = "totp",
				.sub = "remove",
				.run = run_remove,
				.args = {"USER"},
				.usage = "USER",
				.help = "delete USER's TOTP token and recovery codes"},
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
static bool print_qr(const char *text)
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

static int run_enroll(struct cli *cli, const struct cli_args *a)
{
	const char *user = a->pos[0], *issuer = a->opt[ENROLL_ISSUER].value;
	bool is_qr = a->opt[ENROLL_NO_QR].n == 0;
	struct sendsec_ctx *ctx;
	char *uri = NULL;
	enum sendsec_result rc;

	if (issuer != NULL && issuer[0] == '\0')
		return cli_usage_error(a->cmd, "--issuer must not be empty");
	if ((ctx = cli_ctx(cli)) == NULL)
		return CLI_USAGE;
	rc = sendsec_admin_totp_enroll(ctx, cli->service, user, issuer, &uri);
	if (rc == SENDSEC_DENIED)
		cli_error("'%s' already has a TOTP token; remove it first with 'sendsecctl totp remove %s'", user,
				user);
	else
		cli_report_failure(user, rc);
	if (rc != SENDSEC_OK)
		return cli_exit_code(rc);
	printf("%s\n", uri);
#if HAVE_QRENCODE
	if (is_qr && !print_qr(uri))
		cli_error("could not draw the QR code; enter the URI above in the authenticator app instead");
#else
	if (is_qr)
		fprintf(stderr, "(built without libqrencode: no QR code; enter the URI in the authenticator app)\n");
#endif
	fflush(stdout);
	secret_free(uri);
	fprintf(stderr,
			"TOTP token created for %s. The URI above carries the secret and is shown only once.\n"
			"Consider 'sendsecctl recovery %s' for recovery codes.\n",
			user, user);
	return CLI_OK;
}

static int run_remove(struct cli *cli, const struct cli_args *a)
{
	const char *user = a->pos[0];
	struct sendsec_ctx *ctx;
	enum sendsec_result rc;

	if ((ctx = cli_ctx(cli)) == NULL)
		return CLI_USAGE;
	rc = sendsec_admin_totp_remove(ctx, cli->service, user);
	if (rc == SENDSEC_DENIED)
		cli_error("'%s' has no TOTP token", user);
	else
		cli_report_failure(user, rc);
	if (rc == SENDSEC_OK)
		fprintf(stderr, "TOTP token and recovery codes of %s removed.\n", user);
	return cli_exit_code(rc);
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
		cli_error("'%s' has no TOTP token; enroll one first ('sendsecctl totp enroll %s')", user, user);
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
