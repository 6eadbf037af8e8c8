/* test_message.c — sasl_sendsec/message.c: PLAIN parsing limits, the LOGIN exchange, UTF-8
 * validation and the client address taken from "addr;port". */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "message.h"

static enum msg_status parse(const char *msg, size_t len, struct msg_creds *c)
{
	return msg_plain_parse(msg, len, c);
}

static void test_plain_ok(void)
{
	struct msg_creds c;

	CHECK(parse("\0alice\0secret", 13, &c) == MSG_DONE);
	CHECK_STR(c.authzid, "");
	CHECK_STR(c.authcid, "alice");
	CHECK_STR(c.password, "secret");
	msg_creds_clear(&c);
	CHECK(c.authzid == NULL && c.authcid == NULL && c.password == NULL);

	CHECK(parse("bob\0alice\0secret", 16, &c) == MSG_DONE);
	CHECK_STR(c.authzid, "bob");
	msg_creds_clear(&c);

	/* UTF-8 user names; the password may be any bytes but NUL. */
	CHECK(parse("\0j\xc3\xb6rg\0\xff\xfe pw", 12, &c) == MSG_DONE);
	CHECK_STR(c.authcid, "j\xc3\xb6rg");
	CHECK(c.password != NULL && memcmp(c.password, "\xff\xfe pw", 5) == 0);
	msg_creds_clear(&c);
}

static void test_plain_bad(void)
{
	struct msg_creds c;
	char *big;

	CHECK(parse(NULL, 0, &c) == MSG_BAD);
	CHECK(parse("", 0, &c) == MSG_BAD);
	CHECK(parse("alicesecret", 11, &c) == MSG_BAD);       /* no NUL */
	CHECK(parse("alice\0secret", 12, &c) == MSG_BAD);     /* one NUL */
	CHECK(parse("\0alice\0sec\0ret", 14, &c) == MSG_BAD); /* three NULs */
	CHECK(parse("\0alice\0secret\0", 14, &c) == MSG_BAD); /* trailing NUL */
	CHECK(parse("\0alice\0", 7, &c) == MSG_BAD);          /* empty password */
	CHECK(parse("\0\0secret", 8, &c) == MSG_BAD);         /* empty authcid */
	CHECK(parse("\0\0", 2, &c) == MSG_BAD);
	CHECK(parse("\0al\xc3ice\0secret", 14, &c) == MSG_BAD); /* truncated sequence */
	CHECK(parse("\0\xc0\xaf\0secret", 10, &c) == MSG_BAD);  /* overlong */
	CHECK(parse("\xff\0alice\0secret", 14, &c) == MSG_BAD); /* bad authzid */
	CHECK(c.authzid == NULL && c.authcid == NULL && c.password == NULL);

	/* Field and message limits. */
	big = malloc(MSG_PLAIN_MAX + 10);
	CHECK(big != NULL);
	if (big == NULL)
		return;
	memset(big, 'a', MSG_PLAIN_MAX + 10);
	big[0] = '\0';
	big[1 + MSG_FIELD_MAX] = '\0'; /* authcid of exactly MSG_FIELD_MAX */
	CHECK(parse(big, 1 + MSG_FIELD_MAX + 1 + 8, &c) == MSG_DONE);
	msg_creds_clear(&c);
	memset(big, 'a', MSG_PLAIN_MAX + 10);
	big[0] = '\0';
	big[2 + MSG_FIELD_MAX] = '\0'; /* authcid one byte too long */
	CHECK(parse(big, 2 + MSG_FIELD_MAX + 1 + 8, &c) == MSG_BAD);
	memset(big, 'a', MSG_PLAIN_MAX + 10);
	big[0] = '\0';
	big[6] = '\0'; /* password of MSG_FIELD_MAX + 1 */
	CHECK(parse(big, 7 + MSG_FIELD_MAX + 1, &c) == MSG_BAD);
	CHECK(parse(big, 7 + MSG_FIELD_MAX, &c) == MSG_DONE);
	msg_creds_clear(&c);
	memset(big, 'a', MSG_PLAIN_MAX + 10);
	big[1000] = '\0';
	big[2000] = '\0';
	CHECK(parse(big, MSG_PLAIN_MAX + 1, &c) == MSG_BAD); /* longer than MSG_PLAIN_MAX */
	free(big);
}

static void test_utf8(void)
{
	CHECK(msg_utf8_valid("", 0));
	CHECK(msg_utf8_valid("abc", 3));
	CHECK(msg_utf8_valid("\xe2\x82\xac", 3));      /* U+20AC */
	CHECK(msg_utf8_valid("\xf0\x9f\x98\x80", 4));  /* U+1F600 */
	CHECK(msg_utf8_valid("\xf4\x8f\xbf\xbf", 4));  /* U+10FFFF */
	CHECK(!msg_utf8_valid("\xf4\x90\x80\x80", 4)); /* above U+10FFFF */
	CHECK(!msg_utf8_valid("\xed\xa0\x80", 3));     /* surrogate */
	CHECK(!msg_utf8_valid("\xe0\x80\xaf", 3));     /* overlong */
	CHECK(!msg_utf8_valid("\xf0\x80\x80\xaf", 4)); /* overlong */
	CHECK(!msg_utf8_valid("\x80", 1));
	CHECK(!msg_utf8_valid("\xe2\x82", 2));
	CHECK(!msg_utf8_valid("a\0b", 3));
}

static void test_login(void)
{
	struct msg_login l;
	const char *prompt;

	msg_login_init(&l);
	CHECK(msg_login_step(&l, NULL, 0, &prompt) == MSG_CONTINUE);
	CHECK_STR(prompt, "Username:");
	CHECK(msg_login_step(&l, "alice", 5, &prompt) == MSG_CONTINUE);
	CHECK_STR(prompt, "Password:");
	CHECK(msg_login_step(&l, "secret", 6, &prompt) == MSG_DONE);
	CHECK_STR(l.creds.authcid, "alice");
	CHECK_STR(l.creds.authzid, "");
	CHECK_STR(l.creds.password, "secret");
	CHECK(msg_login_step(&l, "more", 4, &prompt) == MSG_BAD); /* after the end */
	CHECK(l.creds.password == NULL);
	msg_login_clear(&l);

	/* User name as initial response. */
	msg_login_init(&l);
	CHECK(msg_login_step(&l, "alice", 5, &prompt) == MSG_CONTINUE);
	CHECK_STR(prompt, "Password:");
	CHECK(msg_login_step(&l, "secret", 6, &prompt) == MSG_DONE);
	msg_login_clear(&l);

	/* Refusals wipe what arrived. */
	msg_login_init(&l);
	CHECK(msg_login_step(&l, NULL, 0, &prompt) == MSG_CONTINUE);
	CHECK(msg_login_step(&l, "", 0, &prompt) == MSG_BAD);
	CHECK(msg_login_step(&l, "alice", 5, &prompt) == MSG_BAD);
	msg_login_init(&l);
	CHECK(msg_login_step(&l, "alice", 5, &prompt) == MSG_CONTINUE);
	CHECK(msg_login_step(&l, "", 0, &prompt) == MSG_BAD);
	CHECK(l.creds.authcid == NULL);
	msg_login_init(&l);
	CHECK(msg_login_step(&l, "al\xffice", 6, &prompt) == MSG_BAD);
	msg_login_init(&l);
	CHECK(msg_login_step(&l, "alice", 5, &prompt) == MSG_CONTINUE);
	CHECK(msg_login_step(&l, "sec\0ret", 7, &prompt) == MSG_BAD);
	msg_login_init(&l);
	CHECK(msg_login_step(&l, "alice", 5, &prompt) == MSG_CONTINUE);
	CHECK(msg_login_step(&l, NULL, 0, &prompt) == MSG_BAD);
	msg_login_clear(&l);
}

static void test_rhost(void)
{
	char out[64];

	CHECK(msg_rhost_from_ipport("192.0.2.7;12345", out, sizeof(out)));
	CHECK_STR(out, "192.0.2.7");
	CHECK(msg_rhost_from_ipport("2001:db8::1;12345", out, sizeof(out)));
	CHECK_STR(out, "2001:db8::1");
	CHECK(msg_rhost_from_ipport("::ffff:192.0.2.7;1", out, sizeof(out)));
	CHECK_STR(out, "::ffff:192.0.2.7");
	CHECK(msg_rhost_from_ipport("fe80::1%eth0;22", out, sizeof(out)));
	CHECK_STR(out, "fe80::1%eth0");
	CHECK(msg_rhost_from_ipport("192.0.2.7", out, sizeof(out)));
	CHECK_STR(out, "192.0.2.7");
	CHECK(!msg_rhost_from_ipport(NULL, out, sizeof(out)));
	CHECK_STR(out, "");
	CHECK(!msg_rhost_from_ipport("", out, sizeof(out)));
	CHECK(!msg_rhost_from_ipport(";25", out, sizeof(out)));
	CHECK(!msg_rhost_from_ipport("[2001:db8::1];25", out, sizeof(out)));
	CHECK(!msg_rhost_from_ipport("host name;25", out, sizeof(out)));
	CHECK(!msg_rhost_from_ipport("192.0.2.7;25", out, 9)); /* does not fit */
	CHECK_STR(out, "");
}

int main(int argc, char **argv)
{
	(void)argc;
	test_plain_ok();
	test_plain_bad();
	test_utf8();
	test_login();
	test_rhost();
	return check_report(argv[0]);
}
