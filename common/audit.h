/* audit.h — the audit line of DESIGN.md section 7: one syslog line (facility authpriv) per
 * decision, "sendsec: service=… user=… rhost=… method=… [key=…] result=… [reason=…]". It takes
 * only these fields, so no secret can reach it. Values are sanitised (no spaces, no controls,
 * at most 64 bytes). A sink may be installed for tests and sendsecctl. */
#ifndef SENDSEC_AUDIT_H
#define SENDSEC_AUDIT_H

#include <stddef.h>

#include "engine.h"

/* Formats the line into buf (always NUL-terminated). */
void sendsec_audit_format(char *buf, size_t len, const char *service, const char *user, const char *rhost,
		const struct sendsec_outcome *out);
/* Formats and sends the line to syslog(LOG_AUTHPRIV | LOG_INFO) unless log says level error. */
void sendsec_audit(const struct sendsec_log *log, const char *service, const char *user, const char *rhost,
		const struct sendsec_outcome *out);

#endif
