/* fuzz_config.c — libFuzzer target for the config parser: the input is the file's text (owner
 * checks off); when it parses, the settings for service "smtp" are resolved and printed, and
 * everything is freed. */
#include <stddef.h>
#include <stdint.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void drop(void *arg, const char *line)
{
	(void)arg;
	(void)line;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sendsec_config *cfg = NULL;
	struct sendsec_settings *s = NULL;
	char err[256];

	if (sendsec_config_parse("fuzz.conf", (const char *)data, size, false, &cfg, err, sizeof(err)) != SENDSEC_OK)
		goto out;
	for (size_t i = 0; i < sendsec_config_n_services(cfg); i++)
		(void)sendsec_config_service_name(cfg, i);
	if (sendsec_settings_resolve(cfg, "smtp", NULL, 0, &s, err, sizeof(err)) != SENDSEC_OK)
		goto out;
	sendsec_settings_print(s, drop, NULL);
out:
	sendsec_settings_free(s);
	sendsec_config_free(cfg);
	return 0;
}
