/* dir_entry.c — reading an entry the directory returned (dir.h): the values of an attribute,
 * its first value, objectClass and BOOLEAN tests. No directory access happens here, so the stand-in
 * directory of the engine fuzz target (tests/fuzz/standin_dir.c) links these same rules. */
#include <string.h>
#include <strings.h>

#include "dir.h"

const struct sendsec_val *sendsec_entry_values(const struct sendsec_entry *e, const char *attr, size_t *n_out)
{
	for (size_t i = 0; e != NULL && i < e->n_attrs; i++) {
		if (strcasecmp(e->attrs[i].name, attr) == 0) {
			*n_out = e->attrs[i].n;
			return e->attrs[i].vals;
		}
	}
	*n_out = 0;
	return NULL;
}

const char *sendsec_entry_first(const struct sendsec_entry *e, const char *attr)
{
	size_t n;
	const struct sendsec_val *v = sendsec_entry_values(e, attr, &n);

	return n > 0 ? v[0].ptr : NULL;
}

bool sendsec_entry_has_class(const struct sendsec_entry *e, const char *cls)
{
	size_t n;
	const struct sendsec_val *v = sendsec_entry_values(e, "objectClass", &n);

	for (size_t i = 0; i < n; i++)
		if (strcasecmp(v[i].ptr, cls) == 0)
			return true;
	return false;
}

bool sendsec_entry_is_true(const struct sendsec_entry *e, const char *attr)
{
	const char *v = sendsec_entry_first(e, attr);

	return v != NULL && strcmp(v, "TRUE") == 0;
}
