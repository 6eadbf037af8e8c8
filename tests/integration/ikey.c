/* ikey.c — helpers of the API key integration tests (see ikey.h). */
#include "ikey.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "login.h"

enum sendsec_result ikey_create(struct sendsec_ctx *ctx, const char *user, const char *scopes, time_t expires,
		const char *networks, char *key_out, char *id_out)
{
	char buf[256], *save = NULL;
	const char *list[16] = {NULL};
	size_t n = 0;
	struct sendsec_key_request req = {list, expires, networks, "integration test"};
	enum sendsec_result rc;

	snprintf(buf, sizeof(buf), "%s", scopes);
	for (char *tok = strtok_r(buf, ",", &save); tok != NULL && n < 15; tok = strtok_r(NULL, ",", &save))
		list[n++] = tok;
	rc = sendsec_admin_key_create(ctx, "sendsecctl", user, &req, key_out, SENDSEC_KEY_MAX + 1);
	if (rc == SENDSEC_OK && id_out != NULL) {
		size_t plen = strlen(key_out) -
				(SENDSEC_KEY_ID_LEN + 1 + SENDSEC_KEY_SECRET_LEN + SENDSEC_KEY_CHECK_LEN);

		snprintf(id_out, SENDSEC_KEY_ID_LEN + 1, "%s", key_out + plen);
	}
	return rc;
}

static char base62(unsigned v)
{
	return (char)(v < 10 ? '0' + v : v < 36 ? 'A' + (v - 10) : 'a' + (v - 36));
}

void ikey_check_chars(const char *text, size_t len, char out[SENDSEC_KEY_CHECK_LEN])
{
	uint32_t crc = 0xFFFFFFFFu;

	for (size_t i = 0; i < len; i++) {
		crc ^= (unsigned char)text[i];
		for (int bit = 0; bit < 8; bit++)
			crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
	}
	crc ^= 0xFFFFFFFFu;
	for (int i = SENDSEC_KEY_CHECK_LEN - 1; i >= 0; i--) {
		out[i] = base62(crc % 62);
		crc /= 62;
	}
}

void ikey_wrong_secret(const char *key, const char *prefix, char *out)
{
	char fresh[SENDSEC_KEY_MAX + 1];
	struct sendsec_apikey parts;
	size_t plen = strlen(prefix), secret_at = plen + SENDSEC_KEY_ID_LEN + 1;
	size_t check_at = secret_at + SENDSEC_KEY_SECRET_LEN;

	if (sendsec_apikey_mint(prefix, fresh, sizeof(fresh), &parts) != SENDSEC_OK) {
		out[0] = '\0';
		return;
	}
	memcpy(out, key, secret_at);                                   /* prefix, id, '_' of the real key */
	memcpy(out + secret_at, parts.secret, SENDSEC_KEY_SECRET_LEN); /* another secret */
	ikey_check_chars(out, check_at, out + check_at);
	out[check_at + SENDSEC_KEY_CHECK_LEN] = '\0';
	sendsec_apikey_clear(&parts);
}

void ikey_bad_check(const char *key, char *out)
{
	size_t len = strlen(key);

	memcpy(out, key, len + 1);
	out[len - 1] = out[len - 1] == 'A' ? 'B' : 'A';
}

unsigned long ikey_search_count(struct sendsec_ctx *ctx, const char *service)
{
	struct sendsec_login l;
	unsigned long n = 0;

	if (sendsec_login_begin(ctx, service, "", NULL, &l) == SENDSEC_OK)
		n = sendsec_dir_search_count(l.dir);
	sendsec_login_end(&l);
	return n;
}
