/* fuzz_entry.c — how dir.c reads the attributes of a search result entry
 * (sendsec_entry_from_ber, dir_ber.h), against libldap's own reading of the same bytes
 * (ldap_get_attribute_ber until the end, as dir.c did before). Input: the attribute list as it
 * follows the DN in a SearchResultEntry (a run of SEQUENCE { type, SET OF value }). Properties: no
 * crash or leak; when dir.c accepts the input, libldap accepts it too and reads the same attribute
 * names and values in the same order, and every name and value of the copy is NUL-terminated.
 * dir.c may refuse what libldap accepts (it is stricter: an empty type, bytes left over in an
 * attribute, a tag other than SEQUENCE or SET), never the reverse of the above. */
#include <lber.h>
#include <ldap.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dir_ber.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ATTRS 256

struct ref_attr {
	struct berval name;
	BerVarray vals;
};

/* libldap's reading: true when every attribute up to the end decodes; *n attributes into out. */
static bool ref_read(LDAP *ld, BerElement *ber, struct ref_attr *out, size_t *n)
{
	static char entry; /* ldap_get_attribute_ber only checks that the entry is not NULL */

	*n = 0;
	for (;;) {
		struct berval name;
		BerVarray vals = NULL;

		if (ldap_get_attribute_ber(ld, (LDAPMessage *)(void *)&entry, ber, &name, &vals) != LDAP_SUCCESS)
			return false;
		if (name.bv_val == NULL)
			return true;
		if (*n == MAX_ATTRS) {
			ber_memfree(vals);
			return false;
		}
		out[(*n)++] = (struct ref_attr){name, vals};
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static LDAP *ld;
	static struct ref_attr ref[MAX_ATTRS];
	struct berval in = {size, (char *)data}, dn = {2, (char *)"dn"};
	BerElement *ours, *theirs;
	struct sendsec_entry *e;
	size_t n_ref = 0;
	bool ref_ok;

	if (ld == NULL && ldap_initialize(&ld, "ldapi:///") != LDAP_SUCCESS)
		abort();
	/* ber_init copies the input; each reader gets its own copy (libldap writes NULs into it). */
	if ((ours = ber_init(&in)) == NULL || (theirs = ber_init(&in)) == NULL)
		abort();
	e = sendsec_entry_from_ber(ours, &dn);
	ref_ok = ref_read(ld, theirs, ref, &n_ref);
	if (e != NULL) {
		if (!ref_ok || e->n_attrs != n_ref || strcmp(e->dn, "dn") != 0)
			abort();
		for (size_t i = 0; i < n_ref; i++) {
			const struct sendsec_attr *a = &e->attrs[i];
			size_t n_vals = 0;

			while (ref[i].vals != NULL && ref[i].vals[n_vals].bv_val != NULL)
				n_vals++;
			if (ref[i].name.bv_len == 0 || memcmp(a->name, ref[i].name.bv_val, ref[i].name.bv_len) != 0 ||
					a->name[ref[i].name.bv_len] != '\0' || a->n != n_vals)
				abort();
			for (size_t j = 0; j < n_vals; j++) {
				if (a->vals[j].len != ref[i].vals[j].bv_len || a->vals[j].ptr[a->vals[j].len] != '\0' ||
						(a->vals[j].len > 0 &&
								memcmp(a->vals[j].ptr, ref[i].vals[j].bv_val,
										a->vals[j].len) != 0))
					abort();
			}
		}
	}
	for (size_t i = 0; i < n_ref; i++)
		ber_memfree(ref[i].vals);
	sendsec_entry_free(e);
	ber_free(ours, 1);
	ber_free(theirs, 1);
	return 0;
}
