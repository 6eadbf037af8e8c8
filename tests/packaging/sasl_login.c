/* sasl_login.c — one SASL PLAIN login through libsasl2, as Postfix's smtpd makes it, with the
 * plugins found the way an installed system finds them: libsasl2 reads SASL_PATH and
 * SASL_CONF_PATH from the environment (honoured when the process is not setuid), so the test
 * can point them at the directory the .deb installed into and at a smtpd.conf of its own.
 *
 *   SASL_PATH=DIR SASL_CONF_PATH=CONFDIR sasl_login SERVICE USER <password-on-stdin
 *
 * Prints the mechanisms offered and the outcome (never the password). Exit 0 when the login
 * succeeds and the reported user name is USER, 1 on SASL_BADAUTH/SASL_NOUSER, 2 otherwise. */
#include <sasl/sasl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define APPNAME "smtpd"

static int cb_log(void *context, int level, const char *message)
{
	(void)context;
	if (level <= SASL_LOG_NOTE)
		fprintf(stderr, "sasl[%d]: %s\n", level, message);
	return SASL_OK;
}

static const sasl_callback_t callbacks[] = {
		{SASL_CB_LOG, (int (*)(void))(void (*)(void))cb_log, NULL},
		{SASL_CB_LIST_END, NULL, NULL},
};

int main(int argc, char **argv)
{
	char pw[1024], msg[2048];
	const char *mechs = NULL, *out = NULL;
	const void *username = NULL;
	sasl_conn_t *conn = NULL;
	unsigned outlen = 0;
	size_t ulen, plen;
	int rc, status = 2;

	if (argc != 3) {
		fprintf(stderr, "usage: sasl_login SERVICE USER <password\n");
		return 2;
	}
	if (fgets(pw, sizeof(pw), stdin) == NULL) {
		fprintf(stderr, "sasl_login: no password on stdin\n");
		return 2;
	}
	pw[strcspn(pw, "\r\n")] = '\0';
	ulen = strlen(argv[2]);
	plen = strlen(pw);
	if (ulen + plen + 2 > sizeof(msg)) {
		fprintf(stderr, "sasl_login: user name or password too long\n");
		goto wipe;
	}
	/* PLAIN: authzid NUL authcid NUL password, authzid empty. */
	msg[0] = '\0';
	memcpy(msg + 1, argv[2], ulen + 1);
	memcpy(msg + 2 + ulen, pw, plen);

	if ((rc = sasl_server_init(callbacks, APPNAME)) != SASL_OK) {
		fprintf(stderr, "sasl_login: sasl_server_init: %s\n", sasl_errstring(rc, NULL, NULL));
		goto wipe;
	}
	rc = sasl_server_new(argv[1], "localhost", NULL, "127.0.0.1;25", "127.0.0.1;40000", NULL, 0, &conn);
	if (rc != SASL_OK) {
		fprintf(stderr, "sasl_login: sasl_server_new: %s\n", sasl_errstring(rc, NULL, NULL));
		goto done;
	}
	if (sasl_listmech(conn, NULL, "", " ", "", &mechs, NULL, NULL) == SASL_OK)
		printf("mechanisms: %s\n", mechs);
	rc = sasl_server_start(conn, "PLAIN", msg, (unsigned)(ulen + plen + 2), &out, &outlen);
	printf("PLAIN %s: %s\n", argv[2], sasl_errstring(rc, NULL, NULL));
	if (rc == SASL_OK) {
		if (sasl_getprop(conn, SASL_USERNAME, &username) == SASL_OK && username != NULL) {
			printf("username: %s\n", (const char *)username);
			status = strcmp((const char *)username, argv[2]) == 0 ? 0 : 2;
		}
	} else if (rc == SASL_BADAUTH || rc == SASL_NOUSER) {
		status = 1;
	} else {
		const char *detail = sasl_errdetail(conn);

		fprintf(stderr, "sasl_login: %s\n", detail != NULL ? detail : "(no detail)");
	}
done:
	sasl_dispose(&conn);
	sasl_server_done();
wipe:
	explicit_bzero(pw, sizeof(pw));
	explicit_bzero(msg, sizeof(msg));
	return status;
}
