/* dir_entry.c — the directory layer's parts that need no directory (dir.h): the names of its
 * statuses, reading an entry it returned (the values of an attribute, the first one, objectClass
 * and BOOLEAN tests) and freeing a list of entries. The stand-in directory of the engine fuzz
 * target (tests/fuzz/standin_dir.c) links these same rules instead of a copy. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dir.h"

const char *sendsec_dir_status_name(enum sendsec_dir_status st)
{
	switch (st) {
	case SENDSEC_DIR_OK: return "ok";
	case SENDSEC_DIR_NO_ENTRY: return "no_entry";
	case SENDSEC_DIR_CONFLICT: return "conflict";
	case SENDSEC_DIR_BAD_CREDENTIALS: return "bad_credentials";
	case SENDSEC_DIR_REFUSED: return "refused";
	case SENDSEC_DIR_FAILED: return "failed";
	}
	return "failed";
}

void sendsec_entries_free(struct sendsec_entry **entries, size_t n)
{
	if (entries == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		sendsec_entry_free(entries[i]);
	free(entries);
}

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
