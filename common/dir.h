/* dir.h — the directory: one handle per settings, kept by a long-lived process. Connects to the
 * uri list in order (failover), with StartTLS/ldaps/ldapi, CA and client certificates, connect and
 * per-operation timeouts, and the service bind (binddn + password or SASL EXTERNAL). Every
 * operation reconnects once when the server went away. A URI that does not answer is skipped for
 * SENDSEC_DIR_RETRY_SECONDS; then the earlier URIs are tried again, so that writes come back to
 * the first provider (DESIGN.md section 10). Referrals and search references are failures, never
 * followed. After fork() the child opens its own connection and leaves the parent's alone. A
 * connection the server closed never raises SIGPIPE in the calling process.
 * It answers in its own vocabulary (enum
 * sendsec_dir_status: found, no such entry, lost a compare-and-swap, invalid credentials, failed),
 * never with a login decision: the engine turns a status into a result in one place per caller
 * kind (login.h). Anything unexpected from the server is SENDSEC_DIR_FAILED. Values put into
 * filters must be escaped by the caller (escape.h); sendsec_dir_find_user does it. */
#ifndef SENDSEC_DIR_H
#define SENDSEC_DIR_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "config.h"
#include "log.h"
#include "result.h"

/* What the directory answered. Not a decision: a lost compare-and-swap is not a wrong password,
 * and a missing token entry is not an unknown user. */
enum sendsec_dir_status {
	SENDSEC_DIR_OK = 0,          /* done; for searches and reads: the entry was found */
	SENDSEC_DIR_NO_ENTRY,        /* no such entry: none matched, or the DN does not exist */
	SENDSEC_DIR_CONFLICT,        /* a write lost to another: the value to delete was gone, the value or
	                              * entry to add was there, or a single-valued attribute had a value */
	SENDSEC_DIR_BAD_CREDENTIALS, /* a bind as the user was refused: invalid credentials */
	SENDSEC_DIR_REFUSED,         /* the server refused a password change (its password policy) */
	SENDSEC_DIR_FAILED,          /* anything else: unreachable, timeout, error, more than one entry */
};

/* Static string, never NULL: "ok", "no_entry", "conflict", "bad_credentials", "refused", "failed". */
const char *sendsec_dir_status_name(enum sendsec_dir_status st);

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

/* One entry as returned by a search; owned by the caller, free with sendsec_entry_free. Only this
 * layer makes entries: each is one allocation of alloc_size bytes holding everything. */
struct sendsec_entry {
	char *dn;
	struct sendsec_attr *attrs;
	size_t n_attrs;
	size_t alloc_size;
};

/* Seconds a URI that did not answer (refused, no answer within timeout) is skipped, and seconds
 * a handle stays on a later URI before it tries the earlier ones again. */
#define SENDSEC_DIR_RETRY_SECONDS 30

/* Creates a handle on settings' uri (the providers); does not connect yet. settings must outlive
 * the handle. OK or FAILED. */
enum sendsec_dir_status sendsec_dir_new(const struct sendsec_settings *s, const struct sendsec_log *log,
		struct sendsec_dir **out) SENDSEC_MUST_CHECK;
/* The same on settings' read_uri (replicas): a URI that did not answer is skipped for the retry
 * time even when no other replica answers, since the caller then asks the providers. */
enum sendsec_dir_status sendsec_dir_new_replica(const struct sendsec_settings *s, const struct sendsec_log *log,
		struct sendsec_dir **out) SENDSEC_MUST_CHECK;
/* Frees the handle; in a child of the process that connected, without a word to the server. */
void sendsec_dir_free(struct sendsec_dir *d);
/* Replaces the clock of the retry times (default time(NULL)); the engine passes its own. */
void sendsec_dir_set_clock(struct sendsec_dir *d, time_t (*now)(void *arg), void *arg);
/* Pinned, the handle keeps its current connection: no reconnect, failover or return to an
 * earlier URI; an operation that finds the connection gone (or none) is FAILED. For the re-read
 * after a lost compare-and-swap, which must come from the provider that was written to. */
void sendsec_dir_pin(struct sendsec_dir *d, bool pinned);
/* True when the last operation failed because no URI answered (refused, timed out, went away):
 * a caller with other servers to ask (read_uri, then uri) may ask them. */
bool sendsec_dir_unreachable(const struct sendsec_dir *d);

/* Connects and binds if not connected. OK or FAILED (logged, with the URIs tried). */
enum sendsec_dir_status sendsec_dir_connect(struct sendsec_dir *d) SENDSEC_MUST_CHECK;

/* Searches the subtree under base with filter; exactly one entry ⇒ OK and *entry_out; none ⇒
 * NO_ENTRY; more than one, a search reference (a referral object in scope: the answer is not
 * whole) or any error ⇒ FAILED. attrs NULL-terminated. */
enum sendsec_dir_status sendsec_dir_search_one(struct sendsec_dir *d, const char *base, const char *filter,
		const char *const *attrs, struct sendsec_entry **entry_out) SENDSEC_MUST_CHECK;

/* Reads one entry by DN (base scope); missing ⇒ NO_ENTRY; a referral ⇒ FAILED. */
enum sendsec_dir_status sendsec_dir_read(struct sendsec_dir *d, const char *dn, const char *const *attrs,
		struct sendsec_entry **entry_out) SENDSEC_MUST_CHECK;

/* Searches every entry matching filter under base, in pages (RFC 2696 paged results, not critical)
 * so that a server's size limit per search does not cut the answer short; *entries_out is a
 * malloc'd array of *n_out entries (free each, then the array, or use sendsec_entries_free). A
 * missing base is OK with no entries; a search reference anywhere is FAILED. */
enum sendsec_dir_status sendsec_dir_search_all(struct sendsec_dir *d, const char *base, const char *filter,
		const char *const *attrs, struct sendsec_entry ***entries_out, size_t *n_out) SENDSEC_MUST_CHECK;
void sendsec_entries_free(struct sendsec_entry **entries, size_t n);

/* Finds the account for user through user_filter (user escaped per RFC 4515). A user name that
 * is empty, longer than 256 bytes, not UTF-8 or contains control characters is NO_ENTRY
 * without any query. */
enum sendsec_dir_status sendsec_dir_find_user(struct sendsec_dir *d, const char *user, const char *const *attrs,
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
/* Applies all mods in one modify operation (atomic on the server). OK; CONFLICT when the server
 * refused because a value to delete was not there, one to add already was, or a single-valued
 * attribute already has a value (someone else got there first); NO_ENTRY when dn does not
 * exist; FAILED otherwise. */
enum sendsec_dir_status sendsec_dir_modify(struct sendsec_dir *d, const char *dn, const struct sendsec_mod *mods,
		size_t n_mods) SENDSEC_MUST_CHECK;

/* Adds an entry (used by enrollment). Same statuses as modify; CONFLICT when it exists. */
enum sendsec_dir_status sendsec_dir_add(struct sendsec_dir *d, const char *dn, const struct sendsec_mod *attrs,
		size_t n_attrs) SENDSEC_MUST_CHECK;
/* Deletes an entry: OK, NO_ENTRY when it is gone already, FAILED. */
enum sendsec_dir_status sendsec_dir_delete(struct sendsec_dir *d, const char *dn) SENDSEC_MUST_CHECK;

/* Checks password by a simple bind as dn on a separate connection over the same transport.
 * An empty password is BAD_CREDENTIALS before any bind. OK, BAD_CREDENTIALS or FAILED. */
enum sendsec_dir_status sendsec_dir_check_bind(
		struct sendsec_dir *d, const char *dn, const char *password) SENDSEC_MUST_CHECK;

/* RFC 3062 Password Modify as the user (bind as dn with old, then set new): OK, BAD_CREDENTIALS
 * (old is wrong or empty), REFUSED (the server's policy refused new), FAILED. */
enum sendsec_dir_status sendsec_dir_passwd_modify(struct sendsec_dir *d, const char *dn, const char *old_password,
		const char *new_password) SENDSEC_MUST_CHECK;

/* Number of search operations sent on this handle since it was created (for tests and benchmarks). */
unsigned long sendsec_dir_search_count(const struct sendsec_dir *d);
/* Number of connections this handle opened (and bound) since it was created. */
unsigned long sendsec_dir_connect_count(const struct sendsec_dir *d);
/* The URI of the current connection, or NULL when not connected (for logs and tests). */
const char *sendsec_dir_current_uri(const struct sendsec_dir *d);

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
