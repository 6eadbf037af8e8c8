/* test_audit.c — audit.c: the exact line of DESIGN.md section 7, sanitised values, and the
 * account name (not the typed name) on success. */
#include <string.h>

#include "audit.h"
#include "check.h"

int main(int argc, char **argv)
{
	struct sendsec_outcome out;
	char line[512];

	(void)argc;
	memset(&out, 0, sizeof(out));
	out.result = SENDSEC_OK;
	out.method = "apikey";
	strcpy(out.account, "alice");
	strcpy(out.key_id, "4Fq9xK2bT0aZ");
	sendsec_audit_format(line, sizeof(line), "smtp", "apikey", "203.0.113.7", &out);
	CHECK_STR(line,
			"sendsec: service=smtp user=alice rhost=203.0.113.7 method=apikey key=4Fq9xK2bT0aZ "
			"result=success");

	memset(&out, 0, sizeof(out));
	out.result = SENDSEC_DENIED;
	out.reason = SENDSEC_REASON_TOTP_REPLAYED;
	out.method = "password+totp";
	sendsec_audit_format(line, sizeof(line), "sshd", "bob", "2001:db8::1", &out);
	CHECK_STR(line,
			"sendsec: service=sshd user=bob rhost=2001:db8::1 method=password+totp result=failure "
			"reason=totp_replayed");

	/* A hostile name cannot add fields or lines; missing values print as "-". */
	memset(&out, 0, sizeof(out));
	out.result = SENDSEC_UNKNOWN_USER;
	out.reason = SENDSEC_REASON_UNKNOWN_USER;
	sendsec_audit_format(line, sizeof(line), "smtp", "x result=success\nsendsec: y", NULL, &out);
	CHECK_STR(line,
			"sendsec: service=smtp user=x?result?success?sendsec:?y rhost=- method=- result=failure "
			"reason=unknown_user");
	CHECK(strchr(line, '\n') == NULL);

	/* Values are cut at 64 bytes. */
	memset(&out, 0, sizeof(out));
	out.result = SENDSEC_UNAVAILABLE;
	out.reason = SENDSEC_REASON_UNAVAILABLE;
	sendsec_audit_format(line, sizeof(line), "smtp",
			"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
			"-", &out);
	CHECK(strstr(line, "user=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa rhost=") != NULL);
	CHECK(strstr(line, "reason=unavailable") != NULL);
	return check_report(argv[0]);
}
