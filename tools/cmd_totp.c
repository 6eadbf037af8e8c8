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

static int run_enroll(struct cli *cli, int argc, char **argv);
static int run_remove(struct cli *cli, int argc, char **argv);
static int run_recovery(struct cli *cli, int argc, char **argv);

enum { CMD_ENROLL, CMD_REMOVE, CMD_RECOVERY };

const struct cli_command cli_totp_commands[] = {
		[CMD_ENROLL] = {"totp", "enroll", run_enroll, "USER [--issuer NAME] [--no-qr]",
				"create a TOTP token for USER; prints the otpauth:// URI and its QR code once"},
		[CMD_REMOVE] = {"totp", "remove", run_remove, "USER", "delete USER's TOTP token and recovery codes"},
		[CMD_RECOVERY] = {"recovery", NULL, run_recovery, "USER",
				"replace USER's recovery codes with 10 new single-use codes; prints them once"},
		{NULL, NULL, NULL, NULL, NULL},
};

struct args {
	const char *user;
	const char *issuer;
	bool no_qr;
};

/* Parses argv[1..]: one USER, and for enroll --issuer NAME / --issuer=NAME and --no-qr.
 * Returns -1 after --help (usage printed), -2 on a usage error (printed), else 0. */
static int parse(int cmd, int argc, char **argv, struct args *a)
{
	const struct cli_command *c = &cli_totp_commands[cmd];
	bool is_enroll = cmd == CMD_ENROLL;

	memset(a, 0, sizeof(*a));
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (cli_is_help(arg)) {
			cli_usage(c);
			return -1;
		}
		if (is_enroll && strcmp(arg, "--issuer") == 0) {
			if (i + 1 == argc) {
				cli_error("--issuer needs a NAME");
				cli_usage(c);
				return -2;
			}
			a->issuer = argv[++i];
		} else if (is_enroll && strncmp(arg, "--issuer=", 9) == 0) {
			a->issuer = arg + 9;
		} else if (is_enroll && strcmp(arg, "--no-qr") == 0) {
			a->no_qr = true;
		} else if (arg[0] == '-' && arg[1] != '\0') {
			cli_error("unknown option '%s'", arg);
			cli_usage(c);
			return -2;
		} else if (a->user != NULL) {
			cli_error("only one USER, please ('%s' and '%s' given)", a->user, arg);
			cli_usage(c);
			return -2;
		} else {
			a->user = arg;
		}
	}
	if (a->user == NULL || a->user[0] == '\0') {
		cli_usage(c);
		return -2;
	}
	if (a->issuer != NULL && a->issuer[0] == '\0') {
		cli_error("--issuer must not be empty");
		return -2;
	}
	return 0;
}

static void report_failure(const char *user, enum sendsec_result rc, const char *what)
{
	if (rc == SENDSEC_UNKNOWN_USER)
		cli_error("no account '%s' (user_filter found none)", user);
	else if (rc == SENDSEC_UNAVAILABLE)
		cli_error("could not %s for '%s': the directory could not be used or holds bad data "
			  "(see the messages above; -v for more)",
				what, user);
}

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

static int run_enroll(struct cli *cli, int argc, char **argv)
{
	struct sendsec_ctx *ctx;
	struct args a;
	char *uri = NULL;
	enum sendsec_result rc;
	int n = parse(CMD_ENROLL, argc, argv, &a);

	if (n < 0)
		return n == -1 ? CLI_OK : CLI_USAGE;
	if ((ctx = cli_ctx(cli)) == NULL)
		return CLI_USAGE;
	rc = sendsec_admin_totp_enroll(ctx, cli->service, a.user, a.issuer, &uri);
	if (rc != SENDSEC_OK) {
		if (rc == SENDSEC_DENIED)
			cli_error("'%s' already has a TOTP token; remove it first with 'sendsecctl totp remove %s'",
					a.user, a.user);
		report_failure(a.user, rc, "enroll a token");
		return cli_exit_code(rc);
	}
	printf("%s\n", uri);
#if HAVE_QRENCODE
	if (!a.no_qr && !print_qr(uri))
		cli_error("could not draw the QR code; enter the URI above in the authenticator app instead");
#else
	if (!a.no_qr)
		fprintf(stderr, "(built without libqrencode: no QR code; enter the URI in the authenticator app)\n");
#endif
	fflush(stdout);
	secret_free(uri);
	fprintf(stderr,
			"TOTP token created for %s. The URI above carries the secret and is shown only once.\n"
			"Consider 'sendsecctl recovery %s' for recovery codes.\n",
			a.user, a.user);
	return CLI_OK;
}

static int run_remove(struct cli *cli, int argc, char **argv)
{
	struct sendsec_ctx *ctx;
	struct args a;
	enum sendsec_result rc;
	int n = parse(CMD_REMOVE, argc, argv, &a);

	if (n < 0)
		return n == -1 ? CLI_OK : CLI_USAGE;
	if ((ctx = cli_ctx(cli)) == NULL)
		return CLI_USAGE;
	rc = sendsec_admin_totp_remove(ctx, cli->service, a.user);
	if (rc == SENDSEC_DENIED)
		cli_error("'%s' has no TOTP token", a.user);
	report_failure(a.user, rc, "remove the token");
	if (rc == SENDSEC_OK)
		fprintf(stderr, "TOTP token and recovery codes of %s removed.\n", a.user);
	return cli_exit_code(rc);
}

static int run_recovery(struct cli *cli, int argc, char **argv)
{
	struct sendsec_ctx *ctx;
	struct args a;
	char codes[SENDSEC_RECOVERY_CODES][SENDSEC_RECOVERY_CODE_MAX];
	enum sendsec_result rc;
	int n = parse(CMD_RECOVERY, argc, argv, &a);

	if (n < 0)
		return n == -1 ? CLI_OK : CLI_USAGE;
	if ((ctx = cli_ctx(cli)) == NULL)
		return CLI_USAGE;
	rc = sendsec_admin_recovery(ctx, cli->service, a.user, codes);
	if (rc == SENDSEC_DENIED)
		cli_error("'%s' has no TOTP token; enroll one first ('sendsecctl totp enroll %s')", a.user, a.user);
	report_failure(a.user, rc, "store recovery codes");
	if (rc == SENDSEC_OK) {
		for (size_t i = 0; i < SENDSEC_RECOVERY_CODES; i++)
			printf("%s\n", codes[i]);
		fflush(stdout);
		fprintf(stderr,
				"%d new recovery codes for %s; the old ones no longer work. Each works once,\n"
				"in place of a verification code. They are shown only this once.\n",
				SENDSEC_RECOVERY_CODES, a.user);
	}
	sodium_memzero(codes, sizeof(codes));
	return cli_exit_code(rc);
}
