/* factor_totp.c — placeholder until the TOTP factor lands: fails closed. */
#include "login.h"

bool sendsec_account_has_token(const struct sendsec_login *l)
{
	return sendsec_entry_first(l->account, "oathTOTPToken") != NULL;
}

unsigned sendsec_token_digits(struct sendsec_login *l)
{
	(void)l;
	return 0;
}

enum sendsec_result sendsec_factor_totp(struct sendsec_login *l, const char *code, bool *used_recovery_out,
		enum sendsec_reason *reason_out)
{
	(void)l;
	(void)code;
	*used_recovery_out = false;
	*reason_out = SENDSEC_REASON_UNAVAILABLE;
	return SENDSEC_UNAVAILABLE;
}
