/* audit.h — the audit lines of DESIGN.md section 7, each handed whole to a sink that the front end
 * installs (sendsec_ctx_set_audit_sink); by default syslog(LOG_AUTHPRIV | LOG_INFO, "%s", line):
 *   "sendsec: service=… user=… rhost=… method=… [key=…] result=success|failure [reason=…]"
 *   "sendsecctl: action=… key=… reason=… file=…"   (an administrative action on a key)
 * The functions take only these fields, so no secret can reach a line. Values are sanitised (no
 * spaces, no controls, at most 64 bytes; "-" when empty). */
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

/* Formats the decision line into buf (always NUL-terminated). The user is out->account on
 * success, else user as typed. */
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
