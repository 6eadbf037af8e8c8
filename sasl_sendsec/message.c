/* message.c — PLAIN message parsing and the LOGIN exchange; every copy of a credential is made
 * with secret_strndup and released with secret_free. */
#include "message.h"

#include <string.h>

#include "secret.h"
#include "utf8.h"

void msg_creds_clear(struct msg_creds *c)
{
	secret_free(c->authzid);
	secret_free(c->authcid);
	secret_free(c->password);
	c->authzid = c->authcid = c->password = NULL;
}

bool msg_utf8_valid(const char *s, size_t len)
{
	return memchr(s, '\0', len) == NULL && sendsec_utf8_is_valid(s, len);
}

enum msg_status msg_plain_parse(const char *in, size_t len, struct msg_creds *out)
{
	const char *authzid, *authcid, *password, *nul1, *nul2;
	size_t zlen, clen, plen;

	memset(out, 0, sizeof(*out));
	if (in == NULL || len == 0 || len > MSG_PLAIN_MAX)
		return MSG_BAD;
	if ((nul1 = memchr(in, '\0', len)) == NULL)
		return MSG_BAD;
	if ((nul2 = memchr(nul1 + 1, '\0', len - (size_t)(nul1 + 1 - in))) == NULL)
		return MSG_BAD;
	authzid = in;
	zlen = (size_t)(nul1 - in);
	authcid = nul1 + 1;
	clen = (size_t)(nul2 - authcid);
	password = nul2 + 1;
	plen = len - (size_t)(password - in);
	if (memchr(password, '\0', plen) != NULL) /* a third NUL */
		return MSG_BAD;
	if (zlen > MSG_FIELD_MAX || clen == 0 || clen > MSG_FIELD_MAX || plen == 0 || plen > MSG_FIELD_MAX)
		return MSG_BAD;
	if (!msg_utf8_valid(authzid, zlen) || !msg_utf8_valid(authcid, clen))
		return MSG_BAD;
	if ((out->authzid = secret_strndup(authzid, zlen)) == NULL ||
			(out->authcid = secret_strndup(authcid, clen)) == NULL ||
			(out->password = secret_strndup(password, plen)) == NULL) {
		msg_creds_clear(out);
		return MSG_NOMEM;
	}
	return MSG_DONE;
}

void msg_login_init(struct msg_login *l)
{
	memset(l, 0, sizeof(*l));
	l->state = MSG_LOGIN_START;
}

void msg_login_clear(struct msg_login *l)
{
	msg_creds_clear(&l->creds);
	l->state = MSG_LOGIN_FINISHED;
}

/* Ends the exchange with a failure: nothing half-received is kept. */
static enum msg_status login_fail(struct msg_login *l, enum msg_status st)
{
	msg_login_clear(l);
	return st;
}

enum msg_status msg_login_step(struct msg_login *l, const char *in, size_t len, const char **prompt_out)
{
	*prompt_out = NULL;
	switch (l->state) {
	case MSG_LOGIN_START:
		if (in == NULL) {
			l->state = MSG_LOGIN_WANT_USER;
			*prompt_out = MSG_LOGIN_USER_PROMPT;
			return MSG_CONTINUE;
		}
		/* An initial response carries the user name ("AUTH LOGIN <base64 name>"). */
		/* fall through */
	case MSG_LOGIN_WANT_USER:
		if (in == NULL || len == 0 || len > MSG_FIELD_MAX || !msg_utf8_valid(in, len))
			return login_fail(l, MSG_BAD);
		if ((l->creds.authcid = secret_strndup(in, len)) == NULL ||
				(l->creds.authzid = secret_strndup("", 0)) == NULL)
			return login_fail(l, MSG_NOMEM);
		l->state = MSG_LOGIN_WANT_PASSWORD;
		*prompt_out = MSG_LOGIN_PASSWORD_PROMPT;
		return MSG_CONTINUE;
	case MSG_LOGIN_WANT_PASSWORD:
		if (in == NULL || len == 0 || len > MSG_FIELD_MAX || memchr(in, '\0', len) != NULL)
			return login_fail(l, MSG_BAD);
		if ((l->creds.password = secret_strndup(in, len)) == NULL)
			return login_fail(l, MSG_NOMEM);
		l->state = MSG_LOGIN_FINISHED;
		return MSG_DONE;
	case MSG_LOGIN_FINISHED:
	default: return login_fail(l, MSG_BAD);
	}
}

bool msg_rhost_from_ipport(const char *ipport, char *out, size_t outlen)
{
	const char *semi;
	size_t len;
	bool in_zone = false;

	if (outlen == 0)
		return false;
	out[0] = '\0';
	if (ipport == NULL || ipport[0] == '\0')
		return false;
	semi = strrchr(ipport, ';');
	len = semi != NULL ? (size_t)(semi - ipport) : strlen(ipport);
	if (len == 0 || len >= outlen)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = ipport[i];
		bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
		bool zone_char = hex || (c >= 'g' && c <= 'z') || (c >= 'G' && c <= 'Z') || c == '_' || c == '-' ||
				c == '.';

		if (c == '%' && !in_zone)
			in_zone = true;
		else if (!(in_zone ? zone_char : hex || c == '.' || c == ':'))
			return false;
	}
	memcpy(out, ipport, len);
	out[len] = '\0';
	return true;
}
