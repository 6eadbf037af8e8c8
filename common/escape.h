/* escape.h — RFC 4515 escaping of values put into LDAP search filters, and expansion of "%u" in
 * a filter template. Pure: no I/O. */
#ifndef SENDSEC_ESCAPE_H
#define SENDSEC_ESCAPE_H

#include <stddef.h>

#include "result.h"

/* Writes value (len bytes) into out escaped per RFC 4515 ('*', '(', ')', '\\', NUL and every
 * byte >= 0x7f or < 0x20 as \xx, as libldap's ldap_bv2escaped_filter_value does). Returns
 * SENDSEC_OK, or SENDSEC_DENIED when out is too small. */
enum sendsec_result sendsec_filter_escape(const char *value, size_t len, char *out, size_t outlen) SENDSEC_MUST_CHECK;

/* Replaces every "%u" in template with the escaped value; "%%" is a literal '%'; any other '%'
 * sequence is an error. Returns SENDSEC_OK, or SENDSEC_DENIED when out is too small or the
 * template is bad. */
enum sendsec_result sendsec_filter_expand(
		const char *template_, const char *value, size_t len, char *out, size_t outlen) SENDSEC_MUST_CHECK;

#endif
