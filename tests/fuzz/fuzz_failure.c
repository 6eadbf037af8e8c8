/* fuzz_failure.c — feeds arbitrary bytes to the lockout record's parsers (policy.h): a value that
 * parses as sendsecFailure must format back to exactly the same bytes and reparse to the same
 * fields, its source must contain its own network, and the decision over it (as the record, from
 * its own source and from none) must not crash; an older value must give a time and source "-".
 * Aborts on a violated property. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct sendsec_lockout_rules r = {
			.threshold = 1, .account_threshold = 1, .interval = 900, .duration = 900};
	struct sendsec_failure f, back;
	char out[SENDSEC_FAILURE_MAX];
	const char *text = (const char *)data;

	if (sendsec_failure_parse(text, size, &f)) {
		if (!sendsec_failure_format(&f, out, sizeof(out)) || strlen(out) != size ||
				memcmp(out, text, size) != 0)
			abort();
		if (!sendsec_failure_parse(out, strlen(out), &back) || back.when != f.when || back.micro != f.micro ||
				back.has_addr != f.has_addr || strcmp(back.tag, f.tag) != 0 || back.is_old)
			abort();
		if (f.has_addr && !sendsec_failure_is_from(&f, f.source.addr))
			abort();
		(void)sendsec_lockout_decide(&f, 1, 1, f.has_addr ? f.source.addr : NULL, &r, f.when);
		(void)sendsec_lockout_decide(&f, 1, 1, NULL, &r, f.when);
		(void)sendsec_failure_is_expired(&f, &r, f.when);
	}
	if (sendsec_failure_parse_old(text, size, &f) &&
			(!f.is_old || f.has_addr || f.tag[0] != '\0' || !sendsec_failure_is_from(&f, NULL)))
		abort();
	return 0;
}
