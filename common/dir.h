/* dir.h — the directory: one handle per settings, kept by a long-lived process. Connects to the
 * uri list in order (failover), with StartTLS/ldaps/ldapi, CA and client certificates, connect and
 * per-operation timeouts, and the service bind (binddn + password or SASL EXTERNAL). Every
 * operation reconnects once when the server went away. Anything unexpected from the server is
 * SENDSEC_UNAVAILABLE, never success. Values put into filters must be escaped by the caller
 * (escape.h); sendsec_dir_find_user does it. */
#ifndef SENDSEC_DIR_H
#define SENDSEC_DIR_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "log.h"
#include "result.h"

struct sendsec_dir;

#define SENDSEC_DIR_NAME_MAX 256 /* longest user name looked up */

/* One value of an attribute: bytes, not necessarily NUL-terminated (but always followed by a
 * NUL byte in entries returned here, for convenience). */
struct sendsec_val {
	const char *ptr;
	size_t len;
};

struct sendsec_attr {
	char *name;
	struct sendsec_val *vals;
	size_t n;
};

/* One entry as returned by a search; owned by the caller, free with sendsec_entry_free. */
struct sendsec_entry {
	char *dn;
	struct sendsec_attr *attrs;
	size_t n_attrs;
};

/* Creates a handle; does not connect yet. settings must outlive the handle. */
enum sendsec_result sendsec_dir_new(const struct sendsec_settings *s, const struct sendsec_log *log,
		struct sendsec_dir **out) SENDSEC_MUST_CHECK;
void sendsec_dir_free(struct sendsec_dir *d);

/* Connects and binds if not connected. OK or UNAVAILABLE (logged, with the URIs tried). */
enum sendsec_result sendsec_dir_connect(struct sendsec_dir *d) SENDSEC_MUST_CHECK;

/* Searches the subtree under base with filter; exactly one entry ⇒ OK and *entry_out; none ⇒
 * SENDSEC_UNKNOWN_USER; more than one or any error ⇒ UNAVAILABLE. attrs NULL-terminated. */
enum sendsec_result sendsec_dir_search_one(struct sendsec_dir *d, const char *base, const char *filter,
		const char *const *attrs, struct sendsec_entry **entry_out) SENDSEC_MUST_CHECK;

/* Reads one entry by DN (base scope); missing ⇒ UNKNOWN_USER. */
enum sendsec_result sendsec_dir_read(struct sendsec_dir *d, const char *dn, const char *const *attrs,
		struct sendsec_entry **entry_out) SENDSEC_MUST_CHECK;

/* Searches every entry matching filter under base; *entries_out is a malloc'd array of *n_out
 * entries (free each, then the array, or use sendsec_entries_free). */
enum sendsec_result sendsec_dir_search_all(struct sendsec_dir *d, const char *base, const char *filter,
		const char *const *attrs, struct sendsec_entry ***entries_out, size_t *n_out) SENDSEC_MUST_CHECK;
void sendsec_entries_free(struct sendsec_entry **entries, size_t n);

/* Finds the account for user through user_filter (user escaped per RFC 4515). A user name that
 * is empty, longer than 256 bytes, not UTF-8 or contains control characters is UNKNOWN_USER
 * without any query. */
enum sendsec_result sendsec_dir_find_user(struct sendsec_dir *d, const char *user, const char *const *attrs,
		struct sendsec_entry **entry_out) SENDSEC_MUST_CHECK;

/* One modification. op is SENDSEC_MOD_ADD, _DELETE or _REPLACE; vals may be NULL with n 0
 * (delete all values / replace with none). */
enum sendsec_mod_op { SENDSEC_MOD_ADD, SENDSEC_MOD_DELETE, SENDSEC_MOD_REPLACE };
struct sendsec_mod {
	enum sendsec_mod_op op;
	const char *attr;
	const struct sendsec_val *vals;
	size_t n;
};
/* Applies all mods in one modify operation (atomic on the server). OK; DENIED when the server
 * refused because a value to delete was not there, one to add already was, or a single-valued
 * attribute already has a value (someone else got there first); UNAVAILABLE otherwise. */
enum sendsec_result sendsec_dir_modify(struct sendsec_dir *d, const char *dn, const struct sendsec_mod *mods,
		size_t n_mods) SENDSEC_MUST_CHECK;

/* Adds an entry (used by enrollment). Same results as modify; DENIED when it exists. */
enum sendsec_result sendsec_dir_add(struct sendsec_dir *d, const char *dn, const struct sendsec_mod *attrs,
		size_t n_attrs) SENDSEC_MUST_CHECK;
enum sendsec_result sendsec_dir_delete(struct sendsec_dir *d, const char *dn) SENDSEC_MUST_CHECK;

/* Checks password by a simple bind as dn on a separate connection over the same transport.
 * An empty password is DENIED before any bind. OK, DENIED (invalid credentials), UNAVAILABLE. */
enum sendsec_result sendsec_dir_check_bind(
		struct sendsec_dir *d, const char *dn, const char *password) SENDSEC_MUST_CHECK;

/* RFC 3062 Password Modify as the user (bind as dn with old, then set new); OK, DENIED, UNAVAILABLE. */
enum sendsec_result sendsec_dir_passwd_modify(struct sendsec_dir *d, const char *dn, const char *old_password,
		const char *new_password) SENDSEC_MUST_CHECK;

/* Number of search operations sent on this handle since it was created (for tests and benchmarks). */
unsigned long sendsec_dir_search_count(const struct sendsec_dir *d);

/* The values of attr (case-insensitive name) in entry, or NULL with *n_out 0. */
const struct sendsec_val *sendsec_entry_values(const struct sendsec_entry *e, const char *attr, size_t *n_out);
/* The first value of attr as a NUL-terminated string, or NULL. */
const char *sendsec_entry_first(const struct sendsec_entry *e, const char *attr);
/* True when the entry's objectClass values include cls (compared without regard to case). */
bool sendsec_entry_has_class(const struct sendsec_entry *e, const char *cls);
/* True when attr's first value is "TRUE". */
bool sendsec_entry_is_true(const struct sendsec_entry *e, const char *attr);
void sendsec_entry_free(struct sendsec_entry *e);

#endif
