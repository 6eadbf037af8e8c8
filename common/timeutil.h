/* timeutil.h — the time formats of the directory and the config: LDAP GeneralizedTime
 * ("20261128020000Z", with optional fraction and offset) and RFC 3339 ("2026-11-28T02:00:00Z").
 * Pure: no I/O. */
#ifndef SENDSEC_TIMEUTIL_H
#define SENDSEC_TIMEUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* Parse into UTC seconds; false on malformed input. */
bool sendsec_time_parse_generalized(const char *text, size_t len, time_t *out);
bool sendsec_time_parse_rfc3339(const char *text, size_t len, time_t *out);
/* Accepts either format (for command lines). */
bool sendsec_time_parse_any(const char *text, time_t *out);
/* Writes "YYYYMMDDHHMMSSZ" (buf >= 16). */
void sendsec_time_format_generalized(time_t t, char *buf, size_t len);
/* Writes "YYYY-MM-DDTHH:MM:SSZ" (buf >= 21). */
void sendsec_time_format_rfc3339(time_t t, char *buf, size_t len);

#endif
