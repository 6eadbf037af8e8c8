/* result.c — names of results and audit reasons. */
#include "result.h"

const char *sendsec_result_name(enum sendsec_result r)
{
	switch (r) {
	case SENDSEC_OK: return "success";
	case SENDSEC_DENIED: return "denied";
	case SENDSEC_UNKNOWN_USER: return "unknown_user";
	case SENDSEC_CHANGE_REQUIRED: return "change_required";
	case SENDSEC_UNAVAILABLE: return "unavailable";
	}
	return "unavailable";
}

const char *sendsec_reason_name(enum sendsec_reason r)
{
	switch (r) {
	case SENDSEC_REASON_NONE: return "none";
	case SENDSEC_REASON_BAD_PASSWORD: return "bad_password";
	case SENDSEC_REASON_BAD_TOTP: return "bad_totp";
	case SENDSEC_REASON_TOTP_REPLAYED: return "totp_replayed";
	case SENDSEC_REASON_LOCKED: return "locked";
	case SENDSEC_REASON_NETWORK: return "network";
	case SENDSEC_REASON_SCOPE: return "scope";
	case SENDSEC_REASON_EXPIRED: return "expired";
	case SENDSEC_REASON_DISABLED: return "disabled";
	case SENDSEC_REASON_UNKNOWN_USER: return "unknown_user";
	case SENDSEC_REASON_UNAVAILABLE: return "unavailable";
	case SENDSEC_REASON_RESET_REQUIRED: return "reset_required";
	case SENDSEC_REASON_PASSWORD_TOO_SHORT: return "password_too_short";
	case SENDSEC_REASON_IDLE: return "idle";
	case SENDSEC_REASON_NOT_DELEGATE: return "not_delegate";
	case SENDSEC_REASON_SOURCE_LOCKED: return "source_locked";
	case SENDSEC_REASON_BUSY: return "busy";
	case SENDSEC_REASON_PASSWORD_REFUSED: return "password_refused";
	}
	return "unavailable";
}
