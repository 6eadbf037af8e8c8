/* factor_apikey.c — placeholder until the API key factor lands: fails closed. */
#include "login.h"

enum sendsec_result sendsec_factor_apikey(struct sendsec_login *l, const char *key_text, char *key_id_out,
		enum sendsec_reason *reason_out)
{
	(void)l;
	(void)key_text;
	key_id_out[0] = '\0';
	*reason_out = SENDSEC_REASON_UNAVAILABLE;
	return SENDSEC_UNAVAILABLE;
}
