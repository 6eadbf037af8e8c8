/* tls.h — the TLS rules of the directory connection, one home for dir.c and sendsecctl
 * check-config: which URIs need TLS, which CA file is trusted (tls_cacert, else the Debian CA
 * bundle), and whether the files TLS needs can be read. No libldap here. */
#ifndef SENDSEC_TLS_H
#define SENDSEC_TLS_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "result.h"

/* The CA bundle trusted when tls_cacert is not set (Debian's ca-certificates). */
#define SENDSEC_SYSTEM_CA_BUNDLE "/etc/ssl/certs/ca-certificates.crt"

/* True when a connection to uri needs TLS: ldaps://, or ldap:// with starttls. */
bool sendsec_tls_uri_needs_tls(const struct sendsec_settings *s, const char *uri);

/* True when any URI of s (uri or read_uri) needs TLS. */
bool sendsec_tls_is_needed(const struct sendsec_settings *s);

/* The CA file to trust: tls_cacert, else SENDSEC_SYSTEM_CA_BUNDLE. Owned by s (or static). */
const char *sendsec_tls_cacert(const struct sendsec_settings *s);

/* SENDSEC_OK when no URI needs TLS, or when the CA file and (if set) tls_cert and tls_key are
 * regular files this process can open; else SENDSEC_UNAVAILABLE with the key, the path and
 * the reason in err. */
enum sendsec_result sendsec_tls_check_files(
		const struct sendsec_settings *s, char *err, size_t errlen) SENDSEC_MUST_CHECK;

#endif
