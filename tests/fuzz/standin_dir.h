/* standin_dir.h — a stand-in for the directory (common/dir.h), linked ONLY into the engine fuzz
 * target (fuzz_engine.c) in place of common/dir.c: an in-memory set of entries that the target
 * builds from its input, answering search, read, modify, add, delete, bind and password modify
 * with the LDAP semantics the engine relies on (single-valued attributes, delete of a missing
 * value and add of a present one are CONFLICT), plus a schedule that makes chosen operations
 * answer a given status instead, and a log of every operation and its status. It never replaces
 * a test against the real slapd; it only lets the fuzzer reach the engine's decision table fast. */
#ifndef SENDSEC_STANDIN_DIR_H
#define SENDSEC_STANDIN_DIR_H

#include <stdbool.h>
#include <stddef.h>

#include "dir.h"

enum standin_kind {
	STANDIN_FIND_USER,
	STANDIN_SEARCH_ONE,
	STANDIN_READ,
	STANDIN_SEARCH_ALL,
	STANDIN_MODIFY,
	STANDIN_ADD,
	STANDIN_DELETE,
	STANDIN_CHECK_BIND,
	STANDIN_PASSWD_MODIFY,
	STANDIN_CONNECT,
};

/* One operation as the engine sent it and as the stand-in answered it. */
struct standin_op {
	enum standin_kind kind;
	char target[256];           /* the DN, the filter or the user name (cut) */
	char attr[64];              /* modify: the attribute of the first modification */
	enum sendsec_mod_op mod_op; /* modify: the op of the first modification */
	size_t n_mods;              /* modify: number of modifications */
	enum sendsec_dir_status status;
	bool injected;    /* the status came from the schedule: nothing was done (but see twin) */
	bool twin;        /* a modify another login made first: applied, then answered CONFLICT */
	bool on_replica;  /* sent on a handle of sendsec_dir_new_replica (read_uri) */
	bool pinned;      /* sent while the handle was pinned (sendsec_dir_pin) */
	bool unreachable; /* answered FAILED as if no server answered (STANDIN_UNREACHABLE) */
};

#define STANDIN_MAX_OPS 64
/* Schedule entries besides an enum sendsec_dir_status: answer normally; for a modify, apply it but
 * answer CONFLICT, as when another login made the same write first (other operations: CONFLICT);
 * answer FAILED because no server answered (sendsec_dir_unreachable is then true). */
#define STANDIN_NONE        (-1)
#define STANDIN_TWIN        (-2)
#define STANDIN_UNREACHABLE (-3)

/* Empties the store, the schedule and the log; frees everything the stand-in holds. */
void standin_reset(void);
/* A new empty entry with dn (not yet in the store). Aborts when out of memory. */
struct sendsec_entry *standin_entry_new(const char *dn);
/* Appends a value (len bytes, copied) to attr of e. Aborts when out of memory. */
void standin_entry_add(struct sendsec_entry *e, const char *attr, const char *val, size_t len);
/* Puts e into the store (which owns it from now on). */
void standin_put(struct sendsec_entry *e);
/* The entry named dn in the store now (after the engine's writes), or NULL. */
const struct sendsec_entry *standin_get(const char *dn);
/* The i-th operation's answer is statuses[i] (an enum sendsec_dir_status) unless it is
 * one of the STANDIN_ entries above; operations past n answer normally. Copied. */
void standin_set_schedule(const int *statuses, size_t n);
/* The operations sent since the last reset (at most STANDIN_MAX_OPS are kept; more abort). */
size_t standin_n_ops(void);
const struct standin_op *standin_op_at(size_t i);

#endif
