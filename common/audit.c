/* audit.c — the audit lines: sanitised key=value pairs put together piece by piece (no printf:
 * this runs once per login), handed to the installed sink or to syslog authpriv.info. */
#include "audit.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "utf8.h"

#define VALUE_MAX 64 /* bytes of one value */

/* The ASCII characters a value keeps, [A-Za-z0-9._@:+-/], as a bit per character: bit c of
 * plain_ascii[c / 64]. */
static const uint64_t plain_ascii[2] = {
		0x07FFE80000000000u, /* + - . / 0-9 : */
		0x07FFFFFE87FFFFFFu, /* @ A-Z _ a-z */
};

static bool is_plain_ascii(unsigned char c)
{
	return c < 128 && ((plain_ascii[c >> 6] >> (c & 63)) & 1u) != 0;
}

/* Copies value into dst (VALUE_MAX + 1 bytes) as valid UTF-8 without controls or spaces: ASCII
 * [A-Za-z0-9._@:+-/] and well-formed characters above U+009F stay; every other character, and
 * every byte of an ill-formed sequence, becomes '?'. Stops where the next character would pass
 * VALUE_MAX bytes, so a character is never split. "-" for an empty or missing value. Returns the
 * length written (dst is NUL-terminated). */
static size_t clean(char dst[VALUE_MAX + 1], const char *value)
{
	size_t in = 0, out = 0, n;

	if (value == NULL || value[0] == '\0')
		value = "-";
	n = strlen(value);
	while (in < n) {
		unsigned char c = (unsigned char)value[in];
		uint32_t cp;
		size_t len, put;
		bool keep;

		if (c < 0x80) { /* one byte: kept or '?' */
			if (out == VALUE_MAX)
				break;
			dst[out++] = is_plain_ascii(c) ? (char)c : '?';
			in++;
			continue;
		}
		len = sendsec_utf8_decode(value + in, n - in, &cp);
		keep = len > 0 && !sendsec_utf8_is_control(cp); /* len 0: an ill-formed byte */
		put = keep ? len : 1;
		if (out + put > VALUE_MAX)
			break;
		if (keep)
			memcpy(dst + out, value + in, len);
		else
			dst[out] = '?';
		out += put;
		in += len > 0 ? len : 1;
	}
	dst[out] = '\0';
	return out;
}

/* A line being put together in buf (len bytes, len > 0): as snprintf would write it, cut at
 * len - 1 bytes and always NUL-terminated. */
struct line {
	char *buf;
	size_t len, used;
};

static void put(struct line *l, const char *s, size_t n)
{
	size_t room = l->len - 1 - l->used;

	if (n > room)
		n = room;
	memcpy(l->buf + l->used, s, n);
	l->used += n;
	l->buf[l->used] = '\0';
}

static void put_str(struct line *l, const char *s)
{
	put(l, s, strlen(s));
}

/* Puts " name=" (name given with its separator and '=') and the cleaned value. */
static void put_field(struct line *l, const char *name_eq, const char *value)
{
	char v[VALUE_MAX + 1];

	put_str(l, name_eq);
	put(l, v, clean(v, value));
}

void sendsec_audit_format(char *buf, size_t len, const char *service, const char *user, const char *rhost,
		const struct sendsec_outcome *out)
{
	struct line l = {.buf = buf, .len = len, .used = 0};
	const char *who = out->authcid[0] != '\0'                              ? out->authcid /* delegation */
			: out->result == SENDSEC_OK && out->account[0] != '\0' ? out->account
									       : user;

	if (len == 0)
		return;
	buf[0] = '\0';
	/* The fields of DESIGN.md section 7 in its order; key=, token= and authz= only when set. */
	put_field(&l, "sendsec: service=", service);
	put_field(&l, " user=", who);
	put_field(&l, " rhost=", rhost);
	put_field(&l, " method=", out->method);
	if (out->key_id[0] != '\0')
		put_field(&l, " key=", out->key_id);
	if (out->token[0] != '\0')
		put_field(&l, " token=", out->token);
	if (out->authz[0] != '\0')
		put_field(&l, " authz=", out->authz);
	if (out->result == SENDSEC_OK) {
		put_str(&l, " result=success");
	} else {
		put_str(&l, " result=failure reason=");
		put_str(&l, sendsec_reason_name(out->reason));
	}
}

void sendsec_audit_emit(const struct sendsec_audit_sink *sink, const char *line)
{
	if (sink != NULL && sink->emit != NULL)
		sink->emit(sink->arg, line);
	else
		syslog(LOG_AUTHPRIV | LOG_INFO, "%s", line);
}

void sendsec_audit(const struct sendsec_audit_sink *sink, const struct sendsec_log *log, const char *service,
		const char *user, const char *rhost, const struct sendsec_outcome *out)
{
	char line[512];

	if (log != NULL && log->max_level < SENDSEC_LOG_INFO)
		return;
	sendsec_audit_format(line, sizeof(line), service, user, rhost, out);
	sendsec_audit_emit(sink, line);
}

void sendsec_audit_admin_format(
		char *buf, size_t len, const char *action, const char *key_id, const char *reason, const char *file)
{
	char a[VALUE_MAX + 1], k[VALUE_MAX + 1], r[VALUE_MAX + 1], f[VALUE_MAX + 1];

	clean(a, action);
	clean(k, key_id);
	clean(r, reason);
	clean(f, file);
	snprintf(buf, len, "sendsecctl: action=%s key=%s reason=%s file=%s", a, k, r, f);
}

void sendsec_audit_admin(const struct sendsec_audit_sink *sink, const char *action, const char *key_id,
		const char *reason, const char *file)
{
	char line[512];

	sendsec_audit_admin_format(line, sizeof(line), action, key_id, reason, file);
	sendsec_audit_emit(sink, line);
}
