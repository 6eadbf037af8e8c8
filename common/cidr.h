/* cidr.h — IPv4 and IPv6 CIDR lists: parse "192.0.2.0/24 2001:db8::/32 10.1.2.3" and match an
 * address (IPv4-mapped IPv6 addresses match IPv4 entries); the network of an address at a prefix
 * length per family (a lockout source). Pure: no I/O, no allocation beyond the list. */
#ifndef SENDSEC_CIDR_H
#define SENDSEC_CIDR_H

#include <stdbool.h>
#include <stddef.h>

#include "result.h"

struct sendsec_cidr {
	unsigned char addr[16]; /* IPv4 stored as IPv4-mapped IPv6 (::ffff:a.b.c.d) */
	unsigned prefix;        /* 0..128, counted on the 128-bit form */
};

struct sendsec_cidr_list {
	struct sendsec_cidr *items; /* malloc'd */
	size_t n;
};

/* Parses one CIDR or bare address into *out. Returns true on success. */
bool sendsec_cidr_parse(const char *text, size_t len, struct sendsec_cidr *out);
/* Appends every entry of a list separated by spaces, tabs or commas to *list. Returns
 * SENDSEC_OK, or SENDSEC_UNAVAILABLE with the offending entry named in err (list unchanged). */
enum sendsec_result sendsec_cidr_list_add(
		struct sendsec_cidr_list *list, const char *text, char *err, size_t errlen) SENDSEC_MUST_CHECK;
void sendsec_cidr_list_clear(struct sendsec_cidr_list *list);
/* Deep copy; returns false on out of memory. */
bool sendsec_cidr_list_copy(struct sendsec_cidr_list *dst, const struct sendsec_cidr_list *src);
/* Parses an address (IPv4, IPv6, IPv4-mapped IPv6; no port, no brackets) into 16 bytes. */
bool sendsec_addr_parse(const char *text, unsigned char out[16]);
/* The network of addr holding its first prefix4 bits when addr is IPv4 (mapped), else its first
 * prefix6 bits; a length beyond 0..32 or 0..128 is cut to that range. Host bits are cleared. */
struct sendsec_cidr sendsec_cidr_of(const unsigned char addr[16], int prefix4, int prefix6);
/* True when addr agrees with c on c's first prefix bits. */
bool sendsec_cidr_contains(const struct sendsec_cidr *c, const unsigned char addr[16]);
/* True when addr lies in any entry. */
bool sendsec_cidr_list_match(const struct sendsec_cidr_list *list, const unsigned char addr[16]);
/* Writes an entry back as text ("192.0.2.0/24" or "2001:db8::/32"). */
void sendsec_cidr_format(const struct sendsec_cidr *c, char *buf, size_t len);

#endif
