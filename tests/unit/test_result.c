/* test_result.c — result.c: every result and audit reason has the name DESIGN.md section 7 uses. */
#include "check.h"
#include "result.h"

int main(int argc, char **argv)
{
	(void)argc;
	CHECK_STR(sendsec_result_name(SENDSEC_OK), "success");
	CHECK_STR(sendsec_result_name(SENDSEC_UNAVAILABLE), "unavailable");
	CHECK_STR(sendsec_result_name((enum sendsec_result)99), "unavailable");
	CHECK_STR(sendsec_reason_name(SENDSEC_REASON_BAD_PASSWORD), "bad_password");
	CHECK_STR(sendsec_reason_name(SENDSEC_REASON_BAD_TOTP), "bad_totp");
	CHECK_STR(sendsec_reason_name(SENDSEC_REASON_TOTP_REPLAYED), "totp_replayed");
	CHECK_STR(sendsec_reason_name(SENDSEC_REASON_LOCKED), "locked");
	CHECK_STR(sendsec_reason_name(SENDSEC_REASON_NETWORK), "network");
	CHECK_STR(sendsec_reason_name(SENDSEC_REASON_SCOPE), "scope");
	CHECK_STR(sendsec_reason_name(SENDSEC_REASON_EXPIRED), "expired");
	CHECK_STR(sendsec_reason_name(SENDSEC_REASON_DISABLED), "disabled");
	CHECK_STR(sendsec_reason_name(SENDSEC_REASON_UNKNOWN_USER), "unknown_user");
	CHECK_STR(sendsec_reason_name(SENDSEC_REASON_UNAVAILABLE), "unavailable");
	CHECK_STR(sendsec_reason_name(SENDSEC_REASON_RESET_REQUIRED), "reset_required");
	CHECK_STR(sendsec_reason_name(SENDSEC_REASON_PASSWORD_TOO_SHORT), "password_too_short");
	CHECK_STR(sendsec_reason_name(SENDSEC_REASON_IDLE), "idle");
	CHECK_STR(sendsec_reason_name(SENDSEC_REASON_NOT_DELEGATE), "not_delegate");
	CHECK_STR(sendsec_reason_name(SENDSEC_REASON_SOURCE_LOCKED), "source_locked");
	CHECK_STR(sendsec_reason_name(SENDSEC_REASON_BUSY), "busy");
	CHECK_STR(sendsec_reason_name(SENDSEC_REASON_PASSWORD_REFUSED), "password_refused");
	CHECK_STR(sendsec_reason_name((enum sendsec_reason)99), "unavailable");
	return check_report(argv[0]);
}
