/* dir_ber.h — how dir.c reads an entry of a search result (RFC 4511 SearchResultEntry): exposed
 * for tests/fuzz/fuzz_entry.c, which compares it with libldap's own reading. Not for other callers:
 * every search goes through dir.h. */
#ifndef SENDSEC_DIR_BER_H
#define SENDSEC_DIR_BER_H

#include <lber.h>

#include "dir.h"

/* Reads the attribute list of an entry from ber, positioned at its first attribute with its end
 * set to the list's end (as ldap_get_dn_ber leaves it): each attribute must be exactly
 * SEQUENCE { type (not empty), SET OF value } and the list must end exactly at the end. Returns a
 * copy of dn and every name and value in one allocation (sendsec_entry_free), NUL-terminated, in
 * the order read; NULL on anything else or without memory. The values are read in place with
 * liblber's element functions, so libldap allocates nothing per attribute. */
struct sendsec_entry *sendsec_entry_from_ber(BerElement *ber, const struct berval *dn);

#endif
