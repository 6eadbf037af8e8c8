/* fuzz_sasl_message.c — the SASL plugin's message parsing (sasl_sendsec/message.c). The first
 * byte picks the parser: 0 PLAIN (the rest is the message), 1 LOGIN (the rest is a series of
 * client messages, each a length byte then that many bytes; length 0xff means "no data"), 2 the
 * client address out of "addr;port". Whatever is accepted must satisfy the documented limits and,
 * for PLAIN, rebuild to exactly the input. Aborts otherwise. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "message.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_field(const char *s, bool may_be_empty, bool utf8)
{
	size_t len;

	if (s == NULL)
		abort();
	len = strlen(s);
	if ((!may_be_empty && len == 0) || len > MSG_FIELD_MAX || (utf8 && !msg_utf8_valid(s, len)))
		abort();
}

static void fuzz_plain(const char *in, size_t len)
{
	struct msg_creds c;
	size_t zl, cl, pl;

	if (msg_plain_parse(in, len, &c) != MSG_DONE) {
		if (c.authzid != NULL || c.authcid != NULL || c.password != NULL)
			abort();
		return;
	}
	check_field(c.authzid, true, true);
	check_field(c.authcid, false, true);
	check_field(c.password, false, false);
	zl = strlen(c.authzid);
	cl = strlen(c.authcid);
	pl = strlen(c.password);
	if (zl + cl + pl + 2 != len || len > MSG_PLAIN_MAX || memcmp(in, c.authzid, zl) != 0 || in[zl] != '\0' ||
			memcmp(in + zl + 1, c.authcid, cl) != 0 || in[zl + 1 + cl] != '\0' ||
			memcmp(in + zl + cl + 2, c.password, pl) != 0)
		abort();
	msg_creds_clear(&c);
}

static void fuzz_login(const uint8_t *data, size_t size)
{
	struct msg_login l;
	const char *prompt;
	size_t i = 0;

	msg_login_init(&l);
	while (i < size) {
		size_t n = data[i++];
		const char *in = n == 0xff ? NULL : (const char *)data + i;
		enum msg_status st;

		if (n == 0xff)
			n = 0;
		if (n > size - i)
			n = size - i;
		st = msg_login_step(&l, in, n, &prompt);
		i += n;
		if (st == MSG_CONTINUE) {
			if (prompt == NULL || (strcmp(prompt, "Username:") != 0 && strcmp(prompt, "Password:") != 0))
				abort();
		} else if (st == MSG_DONE) {
			check_field(l.creds.authzid, true, true);
			check_field(l.creds.authcid, false, true);
			check_field(l.creds.password, false, false);
		} else if (l.creds.authcid != NULL || l.creds.password != NULL || l.state != MSG_LOGIN_FINISHED) {
			abort();
		}
	}
	msg_login_clear(&l);
}

static void fuzz_rhost(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), out[64];

	if (text == NULL)
		return;
	memcpy(text, data, size);
	text[size] = '\0';
	if (msg_rhost_from_ipport(text, out, sizeof(out))) {
		size_t len = strlen(out);

		if (len == 0 || len >= sizeof(out) || strncmp(text, out, len) != 0 || strchr(out, ';') != NULL ||
				(text[len] != '\0' && text[len] != ';'))
			abort();
	} else if (out[0] != '\0') {
		abort();
	}
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	switch (data[0] % 3) {
	case 0: fuzz_plain((const char *)data + 1, size - 1); break;
	case 1: fuzz_login(data + 1, size - 1); break;
	default: fuzz_rhost(data + 1, size - 1); break;
	}
	return 0;
}
