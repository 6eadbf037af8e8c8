/* audit.c — the audit lines: sanitised key=value pairs formatted with snprintf, handed to the
 * installed sink or to syslog authpriv.info. */
#include "audit.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "utf8.h"

#define VALUE_MAX 64 /* bytes of one value */

static bool is_plain_ascii(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			(c != '\0' && strchr("._@:+-/", c) != NULL);
}

/* Copies value into dst (VALUE_MAX + 1 bytes) as valid UTF-8 without controls or spaces: ASCII
 * [A-Za-z0-9._@:+-/] and well-formed characters above U+009F stay; every other character, and
 * every byte of an ill-formed sequence, becomes '?'. Stops where the next character would pass
 * VALUE_MAX bytes, so a character is never split. "-" for an empty or missing value. */
static void clean(char dst[VALUE_MAX + 1], const char *value)
{
	size_t in = 0, out = 0, n;

	if (value == NULL || value[0] == '\0')
		value = "-";
	n = strlen(value);
	while (in < n) {
		uint32_t cp;
		size_t len = sendsec_utf8_decode(value + in, n - in, &cp), put;
		bool keep;

		if (len == 0)
			keep = false; /* an ill-formed byte */
		else if (cp < 0x80)
			keep = is_plain_ascii((unsigned char)cp);
		else
			keep = !sendsec_utf8_is_control(cp);
		put = keep ? len : 1;

		if (out + put > VALUE_MAX)
			break;
		if (keep)
			memcpy(dst + out, value + in, len);
		else
			dst[out] = '?';
		out += put;
		in += len > 0 ? len : 1;
	}
	dst[out] = '\0';
}

void sendsec_audit_format(char *buf, size_t len, const char *service, const char *user, const char *rhost,
		const struct sendsec_outcome *out)
{
	char s[VALUE_MAX + 1], u[VALUE_MAX + 1], r[VALUE_MAX + 1], m[VALUE_MAX + 1], k[VALUE_MAX + 1];
	char t[VALUE_MAX + 1], z[VALUE_MAX + 1];
	const char *result = out->result == SENDSEC_OK ? "success" : "failure";
	const char *who = out->authcid[0] != '\0'                              ? out->authcid /* delegation */
			: out->result == SENDSEC_OK && out->account[0] != '\0' ? out->account
									       : user;

	clean(s, service);
	clean(u, who);
	clean(r, rhost);
	clean(m, out->method);
	clean(k, out->key_id);
	clean(t, out->token);
	clean(z, out->authz);
	/* The fields of DESIGN.md section 7 in its order; key=, token= and authz= only when set. */
	snprintf(buf, len, "sendsec: service=%s user=%s rhost=%s method=%s%s%s%s%s%s%s result=%s%s%s", s, u, r, m,
			out->key_id[0] != '\0' ? " key=" : "", out->key_id[0] != '\0' ? k : "",
			out->token[0] != '\0' ? " token=" : "", out->token[0] != '\0' ? t : "",
			out->authz[0] != '\0' ? " authz=" : "", out->authz[0] != '\0' ? z : "", result,
			out->result == SENDSEC_OK ? "" : " reason=",
			out->result == SENDSEC_OK ? "" : sendsec_reason_name(out->reason));
}

void sendsec_audit_emit(const struct sendsec_audit_sink *sink, const char *line)
{
	if (sink != NULL && sink->emit != NULL)
		sink->emit(sink->arg, line);
	else
		syslog(LOG_AUTHPRIV | LOG_INFO, "%s", line);
}

void sendsec_audit(const struct sendsec_audit_sink *sink, const struct sendsec_log *log, const char *service,
		const char *user, const char *rhost, const struct sendsec_outcome *out)
{
	char line[512];

	if (log != NULL && log->max_level < SENDSEC_LOG_INFO)
		return;
	sendsec_audit_format(line, sizeof(line), service, user, rhost, out);
	sendsec_audit_emit(sink, line);
}

void sendsec_audit_admin_format(
		char *buf, size_t len, const char *action, const char *key_id, const char *reason, const char *file)
{
	char a[VALUE_MAX + 1], k[VALUE_MAX + 1], r[VALUE_MAX + 1], f[VALUE_MAX + 1];

	clean(a, action);
	clean(k, key_id);
	clean(r, reason);
	clean(f, file);
	snprintf(buf, len, "sendsecctl: action=%s key=%s reason=%s file=%s", a, k, r, f);
}

void sendsec_audit_admin(const struct sendsec_audit_sink *sink, const char *action, const char *key_id,
		const char *reason, const char *file)
{
	char line[512];

	sendsec_audit_admin_format(line, sizeof(line), action, key_id, reason, file);
	sendsec_audit_emit(sink, line);
}
