/* dir_decide.c — the one place per caller kind where a directory status (dir.h) becomes an engine
 * decision (result.h): account lookups, reads of linked entries, compare-and-swap writes of
 * single-use state, password binds and admin writes. Every status a caller kind does not expect
 * is SENDSEC_UNAVAILABLE: fail closed. */
#include "login.h"

enum sendsec_result sendsec_decide_lookup(enum sendsec_dir_status st)
{
	switch (st) {
	case SENDSEC_DIR_OK: return SENDSEC_OK;
	case SENDSEC_DIR_NO_ENTRY: return SENDSEC_UNKNOWN_USER;
	case SENDSEC_DIR_CONFLICT:
	case SENDSEC_DIR_BAD_CREDENTIALS:
	case SENDSEC_DIR_REFUSED:
	case SENDSEC_DIR_FAILED: break;
	}
	return SENDSEC_UNAVAILABLE;
}

enum sendsec_result sendsec_decide_data(enum sendsec_dir_status st)
{
	return st == SENDSEC_DIR_OK ? SENDSEC_OK : SENDSEC_UNAVAILABLE;
}

enum sendsec_result sendsec_decide_swap(enum sendsec_dir_status st)
{
	switch (st) {
	case SENDSEC_DIR_OK: return SENDSEC_OK;
	case SENDSEC_DIR_CONFLICT: return SENDSEC_DENIED;
	case SENDSEC_DIR_NO_ENTRY:
	case SENDSEC_DIR_BAD_CREDENTIALS:
	case SENDSEC_DIR_REFUSED:
	case SENDSEC_DIR_FAILED: break;
	}
	return SENDSEC_UNAVAILABLE;
}

enum sendsec_result sendsec_decide_bind(enum sendsec_dir_status st)
{
	switch (st) {
	case SENDSEC_DIR_OK: return SENDSEC_OK;
	case SENDSEC_DIR_BAD_CREDENTIALS:
	case SENDSEC_DIR_REFUSED: return SENDSEC_DENIED;
	case SENDSEC_DIR_NO_ENTRY:
	case SENDSEC_DIR_CONFLICT:
	case SENDSEC_DIR_FAILED: break;
	}
	return SENDSEC_UNAVAILABLE;
}

enum sendsec_result sendsec_decide_admin(enum sendsec_dir_status st)
{
	switch (st) {
	case SENDSEC_DIR_OK: return SENDSEC_OK;
	case SENDSEC_DIR_NO_ENTRY: return SENDSEC_UNKNOWN_USER;
	case SENDSEC_DIR_CONFLICT:
	case SENDSEC_DIR_REFUSED: return SENDSEC_DENIED;
	case SENDSEC_DIR_BAD_CREDENTIALS:
	case SENDSEC_DIR_FAILED: break;
	}
	return SENDSEC_UNAVAILABLE;
}
