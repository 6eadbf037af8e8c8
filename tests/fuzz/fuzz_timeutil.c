/* fuzz_timeutil.c — feeds arbitrary bytes to both timestamp parsers and to parse_any; whatever
 * parses must format back to text that parses to the same instant (when inside years
 * 0000-9999). Aborts on a violated round trip. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "timeutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void round_trip(time_t t)
{
	char buf[32];
	time_t back;

	sendsec_time_format_generalized(t, buf, sizeof(buf));
	if (buf[0] != '\0' && (!sendsec_time_parse_generalized(buf, strlen(buf), &back) || back != t))
		abort();
	sendsec_time_format_rfc3339(t, buf, sizeof(buf));
	if (buf[0] != '\0' && (!sendsec_time_parse_rfc3339(buf, strlen(buf), &back) || back != t))
		abort();
	if (buf[0] != '\0' && (!sendsec_time_parse_any(buf, &back) || back != t))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;
	time_t t;

	if (sendsec_time_parse_generalized((const char *)data, size, &t))
		round_trip(t);
	if (sendsec_time_parse_rfc3339((const char *)data, size, &t))
		round_trip(t);
	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (sendsec_time_parse_any(text, &t))
		round_trip(t);
	free(text);
	return 0;
}
