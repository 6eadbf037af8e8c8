/* ikey.c — helpers of the API key integration tests (see ikey.h). */
#include "ikey.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* One operation of the stats log: "conn=C op=O". */
struct stats_op {
	unsigned long conn, op;
	bool on_dn, on_key;
};

/* One pass over the log; *pending_out counts writes whose RESULT line is not there yet. */
static bool stats_pass(const char *dn, unsigned *ok_out, unsigned *lost_out, unsigned *pending_out)
{
	char path[512], line[4096], want_dn[600];
	struct stats_op ops[64] = {{0}};
	size_t n_ops = 0;
	bool any_stats = false;
	FILE *f;

	*ok_out = *lost_out = 0;
	/* getenv, not itest_env: ikey.c is also linked without itest.c (tests/sasl). */
	if (getenv("SENDSEC_TEST_DIR") == NULL)
		return false;
	snprintf(path, sizeof(path), "%s/slapd.log", getenv("SENDSEC_TEST_DIR"));
	snprintf(want_dn, sizeof(want_dn), "MOD dn=\"%s\"", dn);
	if ((f = fopen(path, "r")) == NULL)
		return false;
	while (fgets(line, sizeof(line), f) != NULL) {
		const char *c = strstr(line, " conn="), *o = strstr(line, " op=");
		unsigned long conn, op;
		struct stats_op *slot = NULL;

		if (c == NULL || o == NULL || sscanf(c, " conn=%lu", &conn) != 1 || sscanf(o, " op=%lu", &op) != 1)
			continue;
		any_stats = true;
		for (size_t i = 0; i < n_ops; i++)
			if (ops[i].conn == conn && ops[i].op == op)
				slot = &ops[i];
		if (strstr(line, want_dn) != NULL) {
			if (slot == NULL) {
				slot = &ops[n_ops % 64];
				n_ops = n_ops < 64 ? n_ops + 1 : 64;
			}
			*slot = (struct stats_op){.conn = conn, .op = op, .on_dn = true};
		} else if (slot != NULL && slot->on_dn && strstr(line, " MOD attr=") != NULL &&
				strstr(line, "sendsecApiKey") != NULL) {
			slot->on_key = true;
		} else if (slot != NULL && slot->on_dn && strstr(line, " RESULT tag=103 ") != NULL) {
			if (slot->on_key) {
				if (strstr(line, " err=0 ") != NULL)
					(*ok_out)++;
				else
					(*lost_out)++;
			}
			slot->on_dn = false;
		}
	}
	fclose(f);
	*pending_out = 0;
	for (size_t i = 0; i < n_ops; i++)
		*pending_out += ops[i].on_dn && ops[i].on_key;
	return any_stats;
}

bool ikey_stats_key_writes(const char *dn, unsigned *ok_out, unsigned *lost_out)
{
	unsigned pending = 0;
	bool any = false;

	/* slapd logs an operation's RESULT after sending it, so the client can be faster than the
	 * log: wait (at most 3 s) until every write seen has its result. */
	for (int i = 0; i < 300; i++) {
		if (!(any = stats_pass(dn, ok_out, lost_out, &pending)) || pending == 0)
			break;
		usleep(10000);
	}
	return any && pending == 0;
}

bool ikey_record(struct sendsec_ctx *ctx, const char *user, const char *id, struct sendsec_keyrec *out)
{
	struct sendsec_keyrec *recs = NULL;
	size_t n = 0;
	bool found = false;

	memset(out, 0, sizeof(*out));
	if (sendsec_admin_key_list(ctx, "sendsecctl", user, &recs, &n) != SENDSEC_OK)
		return false;
	for (size_t i = 0; i < n && !found; i++) {
		if (strcmp(recs[i].id, id) != 0)
			continue;
		*out = recs[i]; /* moved */
		memset(&recs[i], 0, sizeof(recs[i]));
		found = true;
	}
	sendsec_admin_keys_free(recs, n);
	return found;
}
