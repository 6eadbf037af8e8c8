/* test_escape.c — RFC 4515 filter escaping and "%u" template expansion: hostile names, NUL and
 * high bytes, exact-fit and one-too-small buffers, "%%", unknown "%x" and a trailing '%'; and
 * the escaping against libldap's ldap_bv2escaped_filter_value over every byte, every pair of
 * bytes and random strings. */
#include <ctype.h>
#include <ldap.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "escape.h"

#define HOSTILE         "*)(uid=*))(|(uid=*"
#define HOSTILE_ESCAPED "\\2a\\29\\28uid=\\2a\\29\\29\\28|\\28uid=\\2a"

static enum sendsec_result esc(const char *value, char *out, size_t outlen)
{
	return sendsec_filter_escape(value, strlen(value), out, outlen);
}

static void test_escape_values(void)
{
	char out[256];

	CHECK(esc("alice", out, sizeof(out)) == SENDSEC_OK);
	CHECK_STR(out, "alice");
	CHECK(esc(HOSTILE, out, sizeof(out)) == SENDSEC_OK);
	CHECK_STR(out, HOSTILE_ESCAPED);
	CHECK(esc("a\\b", out, sizeof(out)) == SENDSEC_OK);
	CHECK_STR(out, "a\\5cb");
	CHECK(esc("", out, sizeof(out)) == SENDSEC_OK);
	CHECK_STR(out, "");
	/* Characters that are not special stay as they are. */
	CHECK(esc("o'neil+x@example.org=,;<>&|!~ %", out, sizeof(out)) == SENDSEC_OK);
	CHECK_STR(out, "o'neil+x@example.org=,;<>&|!~ %");

	/* NUL bytes inside len are escaped, never end the value. */
	CHECK(sendsec_filter_escape("ad\0min*", 7, out, sizeof(out)) == SENDSEC_OK);
	CHECK_STR(out, "ad\\00min\\2a");
	CHECK(sendsec_filter_escape("\0", 1, out, sizeof(out)) == SENDSEC_OK);
	CHECK_STR(out, "\\00");
	/* Bytes >= 0x80 (UTF-8 here) and control bytes, DEL included, are escaped; 0x20 is not. */
	CHECK(esc("j\xc3\xb6rg", out, sizeof(out)) == SENDSEC_OK);
	CHECK_STR(out, "j\\c3\\b6rg");
	CHECK(esc("\xff\x80\x7f\x1f\x01\n ", out, sizeof(out)) == SENDSEC_OK);
	CHECK_STR(out, "\\ff\\80\\7f\\1f\\01\\0a ");
	/* len bounds the value. */
	CHECK(sendsec_filter_escape("bob(", 3, out, sizeof(out)) == SENDSEC_OK);
	CHECK_STR(out, "bob");
	CHECK(sendsec_filter_escape(NULL, 0, out, sizeof(out)) == SENDSEC_OK);
	CHECK_STR(out, "");
	CHECK(sendsec_filter_escape(NULL, 1, out, sizeof(out)) == SENDSEC_DENIED);
}

/* The output needs the escaped length plus one for the NUL; one byte less is refused and
 * leaves an empty string, not a truncated value. */
static void test_escape_sizes(void)
{
	char out[64];
	size_t need = strlen(HOSTILE_ESCAPED) + 1;

	memset(out, 'x', sizeof(out));
	CHECK(esc(HOSTILE, out, need) == SENDSEC_OK);
	CHECK_STR(out, HOSTILE_ESCAPED);
	memset(out, 'x', sizeof(out));
	CHECK(esc(HOSTILE, out, need - 1) == SENDSEC_DENIED);
	CHECK_STR(out, "");
	/* The escape sequence itself must not be split. */
	CHECK(esc("ab*", out, 6) == SENDSEC_OK);
	CHECK_STR(out, "ab\\2a");
	memset(out, 'x', sizeof(out));
	CHECK(esc("ab*", out, 5) == SENDSEC_DENIED);
	CHECK_STR(out, "");
	CHECK(esc("ab*", out, 4) == SENDSEC_DENIED && out[0] == '\0');
	CHECK(esc("", out, 1) == SENDSEC_OK && out[0] == '\0');
	CHECK(esc("a", out, 1) == SENDSEC_DENIED && out[0] == '\0');
	out[0] = 'x';
	CHECK(esc("a", out, 0) == SENDSEC_DENIED && out[0] == 'x');
	CHECK(esc("a", NULL, 10) == SENDSEC_DENIED);
}

static void test_expand(void)
{
	static const char *tmpl = "(&(objectClass=posixAccount)(uid=%u))";
	char out[256];

	CHECK(sendsec_filter_expand(tmpl, "alice", 5, out, sizeof(out)) == SENDSEC_OK);
	CHECK_STR(out, "(&(objectClass=posixAccount)(uid=alice))");
	CHECK(sendsec_filter_expand(tmpl, HOSTILE, strlen(HOSTILE), out, sizeof(out)) == SENDSEC_OK);
	CHECK_STR(out, "(&(objectClass=posixAccount)(uid=" HOSTILE_ESCAPED "))");
	/* Every %u is replaced. */
	CHECK(sendsec_filter_expand("(|(uid=%u)(mail=%u))", "a*", 2, out, sizeof(out)) == SENDSEC_OK);
	CHECK_STR(out, "(|(uid=a\\2a)(mail=a\\2a))");
	/* NUL inside the value. */
	CHECK(sendsec_filter_expand("(uid=%u)", "a\0b", 3, out, sizeof(out)) == SENDSEC_OK);
	CHECK_STR(out, "(uid=a\\00b)");
	/* "%%" is one '%', and "%%u" is "%u" literally, not the value. */
	CHECK(sendsec_filter_expand("(cn=100%%)", "x", 1, out, sizeof(out)) == SENDSEC_OK);
	CHECK_STR(out, "(cn=100%)");
	CHECK(sendsec_filter_expand("(cn=%%u)", "x", 1, out, sizeof(out)) == SENDSEC_OK);
	CHECK_STR(out, "(cn=%u)");
	CHECK(sendsec_filter_expand("(cn=%%%u)", "x", 1, out, sizeof(out)) == SENDSEC_OK);
	CHECK_STR(out, "(cn=%x)");
	/* A template without %u is copied. */
	CHECK(sendsec_filter_expand("(objectClass=*)", "x", 1, out, sizeof(out)) == SENDSEC_OK);
	CHECK_STR(out, "(objectClass=*)");
	CHECK(sendsec_filter_expand("", "x", 1, out, sizeof(out)) == SENDSEC_OK);
	CHECK_STR(out, "");
}

static void test_expand_errors(void)
{
	char out[64];

	/* Unknown sequences and a lone trailing '%' are template errors with empty output. */
	memset(out, 'x', sizeof(out));
	CHECK(sendsec_filter_expand("(uid=%x)", "a", 1, out, sizeof(out)) == SENDSEC_DENIED);
	CHECK_STR(out, "");
	CHECK(sendsec_filter_expand("(uid=%U)", "a", 1, out, sizeof(out)) == SENDSEC_DENIED);
	CHECK(sendsec_filter_expand("(uid=%s)", "a", 1, out, sizeof(out)) == SENDSEC_DENIED);
	memset(out, 'x', sizeof(out));
	CHECK(sendsec_filter_expand("(uid=%u)%", "a", 1, out, sizeof(out)) == SENDSEC_DENIED);
	CHECK_STR(out, "");
	CHECK(sendsec_filter_expand("%", "a", 1, out, sizeof(out)) == SENDSEC_DENIED);
	CHECK(sendsec_filter_expand("%%%", "a", 1, out, sizeof(out)) == SENDSEC_DENIED);
	CHECK(sendsec_filter_expand(NULL, "a", 1, out, sizeof(out)) == SENDSEC_DENIED);
	CHECK(sendsec_filter_expand("(uid=%u)", NULL, 1, out, sizeof(out)) == SENDSEC_DENIED);

	/* "(uid=a\2a)" is 10 bytes: 11 fit exactly, 10 do not. */
	CHECK(sendsec_filter_expand("(uid=%u)", "a*", 2, out, 11) == SENDSEC_OK);
	CHECK_STR(out, "(uid=a\\2a)");
	memset(out, 'x', sizeof(out));
	CHECK(sendsec_filter_expand("(uid=%u)", "a*", 2, out, 10) == SENDSEC_DENIED);
	CHECK_STR(out, "");
	/* Running out inside the value, and inside the literal part after it. */
	memset(out, 'x', sizeof(out));
	CHECK(sendsec_filter_expand("(uid=%u)", "a*", 2, out, 8) == SENDSEC_DENIED);
	CHECK_STR(out, "");
	CHECK(sendsec_filter_expand("(uid=%u)", "a*", 2, out, 3) == SENDSEC_DENIED && out[0] == '\0');
	CHECK(sendsec_filter_expand("(uid=%u)", "a*", 2, out, 0) == SENDSEC_DENIED);
	/* A "%%" at the very end of the room. */
	CHECK(sendsec_filter_expand("ab%%", "", 0, out, 4) == SENDSEC_OK);
	CHECK_STR(out, "ab%");
	CHECK(sendsec_filter_expand("ab%%", "", 0, out, 3) == SENDSEC_DENIED && out[0] == '\0');
}

#define CROSS_MAX 64

/* Prints len bytes of v as hex, for a failure message (test values only). */
static void print_hex(const char *what, const char *v, size_t len)
{
	fprintf(stderr, "  %s:", what);
	for (size_t i = 0; i < len; i++)
		fprintf(stderr, " %02x", (unsigned char)v[i]);
	fprintf(stderr, "\n");
}

/* True when sendsec_filter_escape writes what libldap's ldap_bv2escaped_filter_value writes for
 * value, apart from the case of the hex digits (ours lower, libldap's upper; RFC 4515 allows
 * either). */
static bool same_as_libldap(const char *value, size_t len)
{
	char ours[3 * CROSS_MAX + 1];
	struct berval in = {.bv_len = len, .bv_val = (char *)value}, theirs = {0};
	size_t n;
	bool is_same;

	if (len > CROSS_MAX || sendsec_filter_escape(value, len, ours, sizeof(ours)) != SENDSEC_OK ||
			ldap_bv2escaped_filter_value(&in, &theirs) != 0)
		return false;
	n = strlen(ours);
	for (size_t i = 0; i + 2 < n; i++) {
		if (ours[i] == '\\') {
			ours[i + 1] = (char)toupper((unsigned char)ours[i + 1]);
			ours[i + 2] = (char)toupper((unsigned char)ours[i + 2]);
			i += 2;
		}
	}
	is_same = theirs.bv_len == n && (n == 0 || memcmp(theirs.bv_val, ours, n) == 0);
	if (!is_same) {
		print_hex("value", value, len);
		print_hex("ours", ours, n);
		print_hex("libldap", theirs.bv_val != NULL ? theirs.bv_val : "", theirs.bv_len);
	}
	ber_memfree(theirs.bv_val);
	return is_same;
}

static void test_escape_as_libldap(void)
{
	char v[CROSS_MAX];
	unsigned char seed[randombytes_SEEDBYTES] = {'s', 'e', 'n', 'd', 's', 'e', 'c'};
	unsigned char random[CROSS_MAX * 2];
	size_t failures = 0;

	CHECK(same_as_libldap("", 0));
	/* every byte alone and between letters, every pair of bytes */
	for (int a = 0; a < 256; a++) {
		v[0] = (char)a;
		failures += !same_as_libldap(v, 1);
		v[0] = 'x', v[1] = (char)a, v[2] = 'y';
		failures += !same_as_libldap(v, 3);
		for (int b = 0; b < 256; b++) {
			v[0] = (char)a, v[1] = (char)b;
			failures += !same_as_libldap(v, 2);
		}
	}
	/* random strings (a fixed seed, so a failure repeats): half of them drawn from the bytes
	 * that matter most (specials, controls, DEL, UTF-8 lead and continuation bytes) */
	for (unsigned i = 0; i < 20000; i++) {
		static const char pick[] = "*()\\\0\x01\x1f\x7f\x80\xbf\xc3\xe2\xf0\xff aZ09=,";
		size_t len;

		seed[8] = (unsigned char)i, seed[9] = (unsigned char)(i >> 8);
		randombytes_buf_deterministic(random, sizeof(random), seed);
		len = random[0] % (CROSS_MAX + 1);
		for (size_t j = 0; j < len; j++)
			v[j] = i % 2 == 0 ? (char)random[1 + j] : pick[random[1 + j] % (sizeof(pick) - 1)];
		failures += !same_as_libldap(v, len);
	}
	CHECK(failures == 0);
	if (failures != 0)
		fprintf(stderr, "  %zu values escaped differently from libldap\n", failures);
}

int main(int argc, char **argv)
{
	(void)argc;
	test_escape_values();
	test_escape_sizes();
	test_expand();
	test_expand_errors();
	test_escape_as_libldap();
	return check_report(argv[0]);
}
