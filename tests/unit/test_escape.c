/* test_escape.c — RFC 4515 filter escaping and "%u" template expansion: hostile names, NUL and
 * high bytes, exact-fit and one-too-small buffers, "%%", unknown "%x" and a trailing '%'. */
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
	/* Bytes >= 0x80 (UTF-8 here) and control bytes are escaped; 0x7f and 0x20 are not. */
	CHECK(esc("j\xc3\xb6rg", out, sizeof(out)) == SENDSEC_OK);
	CHECK_STR(out, "j\\c3\\b6rg");
	CHECK(esc("\xff\x80\x7f\x1f\x01\n ", out, sizeof(out)) == SENDSEC_OK);
	CHECK_STR(out, "\\ff\\80\x7f\\1f\\01\\0a ");
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

int main(int argc, char **argv)
{
	(void)argc;
	test_escape_values();
	test_escape_sizes();
	test_expand();
	test_expand_errors();
	return check_report(argv[0]);
}
