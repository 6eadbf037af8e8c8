/* audit.c — the audit lines: sanitised key=value pairs formatted with snprintf, handed to the
 * installed sink or to syslog authpriv.info. */
#include "audit.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

/* Copies value into dst (size len) keeping [A-Za-z0-9._@:+-] and UTF-8 bytes and turning
 * anything else into '?'; "-" for an empty or missing value; at most 64 bytes. */
static void clean(char *dst, size_t len, const char *value)
{
	size_t i = 0;

	if (value == NULL || value[0] == '\0')
		value = "-";
	for (; value[i] != '\0' && i + 1 < len && i < 64; i++) {
		unsigned char c = (unsigned char)value[i];
		bool keep = c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
				strchr("._@:+-/", c) != NULL;

		dst[i] = keep ? (char)c : '?';
	}
	dst[i] = '\0';
}

void sendsec_audit_format(char *buf, size_t len, const char *service, const char *user, const char *rhost,
		const struct sendsec_outcome *out)
{
	char s[65], u[65], r[65], m[65], k[65];
	const char *result = out->result == SENDSEC_OK ? "success" : "failure";

	clean(s, sizeof(s), service);
	clean(u, sizeof(u), out->result == SENDSEC_OK && out->account[0] != '\0' ? out->account : user);
	clean(r, sizeof(r), rhost);
	clean(m, sizeof(m), out->method);
	clean(k, sizeof(k), out->key_id);
	snprintf(buf, len, "sendsec: service=%s user=%s rhost=%s method=%s%s%s result=%s%s%s", s, u, r, m,
			out->key_id[0] != '\0' ? " key=" : "", out->key_id[0] != '\0' ? k : "", result,
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
	char a[65], k[65], r[65], f[65];

	clean(a, sizeof(a), action);
	clean(k, sizeof(k), key_id);
	clean(r, sizeof(r), reason);
	clean(f, sizeof(f), file);
	snprintf(buf, len, "sendsecctl: action=%s key=%s reason=%s file=%s", a, k, r, f);
}

void sendsec_audit_admin(const struct sendsec_audit_sink *sink, const char *action, const char *key_id,
		const char *reason, const char *file)
{
	char line[512];

	sendsec_audit_admin_format(line, sizeof(line), action, key_id, reason, file);
	sendsec_audit_emit(sink, line);
}
