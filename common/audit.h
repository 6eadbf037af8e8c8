/* audit.h — the audit lines of DESIGN.md section 7 ("sendsec: service=… result=…" per decision,
 * "sendsecctl: action=… key=… reason=… file=…" per admin action on a key), handed whole to the sink
 * the front end installs, by default syslog(LOG_AUTHPRIV | LOG_INFO). Only these fields are taken, so
 * no secret can reach a line. Each value is valid UTF-8 of [A-Za-z0-9._@:+-/] and non-control
 * characters above U+009F ('?' for the rest), at most 64 bytes cut between characters, "-" if empty. */
#ifndef SENDSEC_AUDIT_H
#define SENDSEC_AUDIT_H

#include <stddef.h>

#include "engine.h"

/* Where finished lines go. A zeroed sink (emit NULL) is the default: syslog authpriv.info. */
struct sendsec_audit_sink {
	void (*emit)(void *arg, const char *line);
	void *arg;
};

/* Hands line to sink->emit, or to syslog(LOG_AUTHPRIV | LOG_INFO) when sink or its emit is NULL. */
void sendsec_audit_emit(const struct sendsec_audit_sink *sink, const char *line);

/* Formats the decision line into buf (always NUL-terminated). The user is the person who
 * authenticated (out->authcid) on a delegated success, out->account on any other success, else
 * user as typed; key=, token= and authz= follow method= when the outcome has them. */
void sendsec_audit_format(char *buf, size_t len, const char *service, const char *user, const char *rhost,
		const struct sendsec_outcome *out);
/* Formats the decision line and emits it to sink (NULL: syslog), unless log (may be NULL) has a
 * max_level below info. */
void sendsec_audit(const struct sendsec_audit_sink *sink, const struct sendsec_log *log, const char *service,
		const char *user, const char *rhost, const struct sendsec_outcome *out);

/* Formats the admin line into buf (always NUL-terminated); any field may be NULL ("-"). */
void sendsec_audit_admin_format(
		char *buf, size_t len, const char *action, const char *key_id, const char *reason, const char *file);
/* Formats the admin line and emits it to sink (NULL: syslog), whatever the log level. */
void sendsec_audit_admin(const struct sendsec_audit_sink *sink, const char *action, const char *key_id,
		const char *reason, const char *file);

#endif
