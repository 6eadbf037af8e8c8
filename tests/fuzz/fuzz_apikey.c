/* fuzz_apikey.c — presented key parsing. Input: "<prefix>\n<key>" (or just a key, checked against
 * "ssk_"). Properties: no crash or leak; an accepted key is exactly prefix id "_" secret check
 * and is also recognised by sendsec_apikey_looks_like. */
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apikey.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sendsec_apikey k;
	const char *prefix = "ssk_";
	char *buf, *text, *nl;
	char rebuilt[SENDSEC_KEY_MAX * 2 + 4];

	if ((buf = malloc(size + 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	text = buf;
	if ((nl = memchr(buf, '\n', size)) != NULL) {
		*nl = '\0';
		prefix = buf;
		text = nl + 1;
	}
	(void)sendsec_apikey_looks_like(text, prefix);
	if (sendsec_apikey_parse(text, prefix, &k) == SENDSEC_OK) {
		size_t plen = strlen(prefix), len = strlen(text);
		if (len > SENDSEC_KEY_MAX || !sendsec_apikey_looks_like(text, prefix))
			abort();
		if (strlen(k.id) != SENDSEC_KEY_ID_LEN || strlen(k.secret) != SENDSEC_KEY_SECRET_LEN)
			abort();
		snprintf(rebuilt, sizeof(rebuilt), "%s%s_%s%s", prefix, k.id, k.secret,
				text + len - SENDSEC_KEY_CHECK_LEN);
		if (strcmp(rebuilt, text) != 0 ||
				len != plen + SENDSEC_KEY_ID_LEN + 1 + SENDSEC_KEY_SECRET_LEN + SENDSEC_KEY_CHECK_LEN)
			abort();
	} else if (k.id[0] != '\0' || k.secret[0] != '\0') {
		abort(); /* a refused key leaves nothing behind */
	}
	sendsec_apikey_clear(&k);
	sodium_memzero(rebuilt, sizeof(rebuilt));
	sodium_memzero(buf, size + 1);
	free(buf);
	return 0;
}
