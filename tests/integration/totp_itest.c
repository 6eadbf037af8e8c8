/* totp_itest.c — see totp_itest.h. */
#include "totp_itest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "itest.h"

const char *totp_test_start(int argc, char **argv, const char *fixture)
{
	if (argc != 2 || sodium_init() < 0) {
		fprintf(stderr, "usage: %s PATH/TO/sendsecctl (under %s)\n", argv[0], fixture);
		exit(2);
	}
	return argv[1];
}

int totp_enroll(const char *sendsecctl, const char *conf, const char *user, char *b32_out)
{
	const char *argv[] = {sendsecctl, "--config", conf, "totp", "enroll", user, "--no-qr", NULL};
	char out[4096];
	const char *s;
	size_t n;
	int rc = itest_run(argv, NULL, out, sizeof(out));

	b32_out[0] = '\0';
	if (rc == 0) {
		if (strncmp(out, "otpauth://totp/", 15) != 0 || (s = strstr(out, "secret=")) == NULL ||
				(n = strcspn(s + 7, "&\n")) == 0 || n >= 64)
			rc = -1;
		else
			snprintf(b32_out, 64, "%.*s", (int)n, s + 7);
	}
	sodium_memzero(out, sizeof(out));
	return rc;
}

/* Runs oathtool (argv, the key in input) and copies its code of digits digits into code_out;
 * exits 1 when it fails. Wipes its copies. */
static void oathtool(const char *const argv[], char *input, unsigned digits, char *code_out)
{
	char out[64];

	if (itest_run(argv, input, out, sizeof(out)) != 0 || strlen(out) != digits + 1) {
		fprintf(stderr, "oathtool failed\n");
		exit(1);
	}
	out[digits] = '\0';
	memcpy(code_out, out, digits + 1);
	sodium_memzero(input, strlen(input));
	sodium_memzero(out, sizeof(out));
}

void totp_code(const char *key, bool is_hex, const char *alg, unsigned digits, time_t t, char *code_out)
{
	char mode[32], d[8], now[32], input[256];
	const char *argv_b32[] = {"oathtool", "-b", mode, "-d", d, "-N", now, "-", NULL};
	const char *argv_hex[] = {"oathtool", mode, "-d", d, "-N", now, "-", NULL};

	snprintf(mode, sizeof(mode), "--totp=%s", alg);
	snprintf(d, sizeof(d), "%u", digits);
	snprintf(now, sizeof(now), "@%lld", (long long)t);
	snprintf(input, sizeof(input), "%s\n", key);
	oathtool(is_hex ? argv_hex : argv_b32, input, digits, code_out);
}

enum sendsec_result totp_login(struct sendsec_ctx *ctx, const char *user, const char *password, const char *answer,
		bool no_ask, struct sendsec_outcome *out)
{
	struct itest_answer a = {answer};
	struct sendsec_request req = {
			.service = "sshd",
			.user = user,
			.password = password,
			.rhost = "127.0.0.1",
			.ask = no_ask ? NULL : itest_ask,
			.ask_arg = &a,
	};

	return sendsec_authenticate(ctx, &req, out);
}

bool totp_read_attr(const char *dn, const char *attr, char *out, size_t outlen)
{
	const char *argv[] = {"ldapsearch", "-x", "-H", itest_env("URI"), "-D", itest_env("ROOTDN"), "-y",
			itest_env("ROOTPW_FILE"), "-LLL", "-o", "ldif-wrap=no", "-s", "base", "-b", dn, attr, NULL};
	char buf[8192], prefix[128];
	const char *s;
	bool found = false;

	out[0] = '\0';
	snprintf(prefix, sizeof(prefix), "\n%s: ", attr);
	if (itest_run(argv, NULL, buf, sizeof(buf)) == 0 && (s = strstr(buf, prefix)) != NULL) {
		s += strlen(prefix);
		snprintf(out, outlen, "%.*s", (int)strcspn(s, "\n"), s);
		found = true;
	}
	sodium_memzero(buf, sizeof(buf));
	return found;
}

void hotp_code(const char *hex, unsigned digits, unsigned long long counter, char *code_out)
{
	char d[8], c[32], input[256];
	const char *argv[] = {"oathtool", "--hotp", "-d", d, "-c", c, "-", NULL};

	snprintf(d, sizeof(d), "%u", digits);
	snprintf(c, sizeof(c), "%llu", counter);
	snprintf(input, sizeof(input), "%s\n", hex);
	oathtool(argv, input, digits, code_out);
}

int totp_add_token(const char *user, const char *cn, const char *kind, const char *params_cn, const char *state,
		const char *link_attr, char *hex_out)
{
	bool is_hotp = strcmp(kind, "hotp") == 0;
	const char *base = itest_env("BASE");
	const char *user_class = strcmp(link_attr, "oathTOTPToken") == 0 ? "oathTOTPUser"
			: strcmp(link_attr, "oathHOTPToken") == 0        ? "oathHOTPUser"
									 : NULL;
	unsigned char secret[20];
	char b64[64], state_line[96] = "", class_lines[128] = "", ldif[4096];
	int rc;

	randombytes_buf(secret, sizeof(secret));
	sodium_bin2hex(hex_out, 41, secret, sizeof(secret));
	sodium_bin2base64(b64, sizeof(b64), secret, sizeof(secret), sodium_base64_VARIANT_ORIGINAL);
	if (state != NULL)
		snprintf(state_line, sizeof(state_line), "%s: %s\n",
				is_hotp ? "oathHOTPCounter" : "oathTOTPLastTimeStep", state);
	if (user_class != NULL)
		snprintf(class_lines, sizeof(class_lines), "add: objectClass\nobjectClass: %s\n-\n", user_class);
	snprintf(ldif, sizeof(ldif),
			"dn: cn=%s,ou=tokens,%s\nchangetype: add\nobjectClass: applicationProcess\n"
			"objectClass: %s\ncn: %s\noathSecret:: %s\n%s: cn=%s,ou=params,%s\n%s\n"
			"dn: %s\nchangetype: modify\n%sadd: %s\n%s: cn=%s,ou=tokens,%s\n",
			cn, base, is_hotp ? "oathHOTPToken" : "oathTOTPToken", cn, b64,
			is_hotp ? "oathHOTPParams" : "oathTOTPParams", params_cn, base, state_line, itest_user_dn(user),
			class_lines, link_attr, link_attr, cn, base);
	rc = itest_ldapmodify(ldif);
	sodium_memzero(secret, sizeof(secret));
	sodium_memzero(b64, sizeof(b64));
	sodium_memzero(ldif, sizeof(ldif));
	return rc;
}

static char captured[16384];

static void capture(void *arg, enum sendsec_log_level level, const char *line)
{
	size_t used = strlen(captured);

	(void)arg;
	if (level <= SENDSEC_LOG_INFO)
		fprintf(stderr, "  [engine] %s\n", line);
	if (used + strlen(line) + 2 < sizeof(captured))
		snprintf(captured + used, sizeof(captured) - used, "%s\n", line);
}

struct sendsec_ctx *totp_ctx_logged(const char *conf)
{
	static const struct sendsec_log log = {capture, NULL, SENDSEC_LOG_DEBUG};
	struct sendsec_ctx *ctx = NULL;
	char err[512];

	if (sendsec_ctx_new(conf, true, NULL, 0, &log, &ctx, err, sizeof(err)) != SENDSEC_OK) {
		fprintf(stderr, "config refused: %s\n", err);
		exit(1);
	}
	return ctx;
}

bool totp_log_has(const char *text)
{
	bool has = strstr(captured, text) != NULL;

	if (!has)
		fprintf(stderr, "  the engine log lacks \"%s\"\n", text);
	return has;
}

void totp_log_clear(void)
{
	captured[0] = '\0';
}
