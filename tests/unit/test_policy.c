/* test_policy.c — the lockout record's pure parts (policy.h): failure values in the ABNF of
 * policy.c round-trip and nothing else parses (host bits, non-canonical addresses, tags, times,
 * spaces); older sendsecFailureTime values read as source "-"; a client's source at the IPv4 and
 * IPv6 prefix lengths (IPv4-mapped clients too); which values belong to a client; the tag (the same
 * for the same digest and source, another otherwise); the lock decision (per source, per account,
 * duration, interval, off switches, the attempt's own value left out) and a simulated race of 20
 * attempts against threshold 3, of which at most 3 go on; expiry at interval + duration. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "cidr.h"
#include "policy.h"

#define NOW 1772366400 /* 2026-03-01T12:00:00Z */

static void check_roundtrip(const char *text)
{
	struct sendsec_failure f;
	char out[SENDSEC_FAILURE_MAX];

	check_count++;
	if (!sendsec_failure_parse(text, strlen(text), &f)) {
		fprintf(stderr, "not ok - \"%s\" does not parse\n", text);
		check_failures++;
		return;
	}
	CHECK(sendsec_failure_format(&f, out, sizeof(out)));
	CHECK_STR(out, text);
}

static void check_refused(const char *text)
{
	struct sendsec_failure f;

	check_count++;
	if (sendsec_failure_parse(text, strlen(text), &f)) {
		fprintf(stderr, "not ok - \"%s\" parses, wanted refused\n", text);
		check_failures++;
	}
}

static void test_values(void)
{
	struct sendsec_failure f;
	char src[SENDSEC_SOURCE_MAX];
	static const char nul[] = "20260301120000.000001Z -\0x";

	check_roundtrip("20260301120000.483920Z 203.0.113.0/24 9f86d081");
	check_roundtrip("20260301120005.000017Z -");
	check_roundtrip("20260301120005.000017Z - 00ff00aa");
	check_roundtrip("20260301120005.999999Z 2001:db8:1:100::/56");
	check_roundtrip("20260301120005.000000Z 192.0.2.7");
	check_roundtrip("20260301120005.000000Z 0.0.0.0/0 abcdef01");
	check_roundtrip("99991231235959.000000Z ::/0");

	CHECK(sendsec_failure_parse("20260301120000.483920Z 203.0.113.0/24 9f86d081", 46, &f));
	CHECK_EQ_INT(f.when, NOW);
	CHECK_EQ_INT(f.micro, 483920);
	CHECK(f.has_addr && !f.is_old);
	CHECK_STR(f.tag, "9f86d081");
	sendsec_failure_source_text(&f, src);
	CHECK_STR(src, "203.0.113.0/24");

	check_refused("");
	check_refused("20260301120000.483920Z");
	check_refused("20260301120000.483920Z ");
	check_refused("20260301120000.483920Z  -");
	check_refused("20260301120000.483920Z - ");
	check_refused("20260301120000.483920Z -- ");
	check_refused("20260301120000Z -");
	check_refused("20260301120000.48392Z -");
	check_refused("20260301120000.4839201Z -");
	check_refused("20260301120000,483920Z -");
	check_refused("20260301120000.483920+0000 -");
	check_refused("20260301120060.000000Z -"); /* a leap second would not format back */
	check_refused("20261301120000.000000Z -");
	check_refused("20260301120000.000000Z 203.0.113.5/24"); /* host bits */
	check_refused("20260301120000.000000Z 192.0.2.7/32");   /* written without /32 */
	check_refused("20260301120000.000000Z ::ffff:192.0.2.0/120");
	check_refused("20260301120000.000000Z 2001:DB8::/32");
	check_refused("20260301120000.000000Z 2001:0db8::/32");
	check_refused("20260301120000.000000Z 192.0.2.0/33");
	check_refused("20260301120000.000000Z - 9F86D081");
	check_refused("20260301120000.000000Z - 9f86d08");
	check_refused("20260301120000.000000Z - 9f86d0811");
	check_refused("20260301120000.000000Z - 9f86d08g");
	check_refused("20260301120000.000000Z - 9f86d081 x");
	check_refused("x0260301120000.000000Z -");
	CHECK(!sendsec_failure_parse(nul, sizeof(nul) - 1, &f));

	/* The older form: a GeneralizedTime alone, in its own attribute. */
	CHECK(sendsec_failure_parse_old("20260301120000Z", 15, &f));
	CHECK(f.is_old && !f.has_addr && f.tag[0] == '\0');
	CHECK_EQ_INT(f.when, NOW);
	CHECK(sendsec_failure_parse_old("20260301120000.123456Z", 22, &f));
	CHECK(!sendsec_failure_parse_old("yesterday", 9, &f));
	CHECK(!sendsec_failure_parse_old("20260301120000.000000Z -", 24, &f));
	sendsec_failure_source_text(&f, src);
	CHECK_STR(src, "-");
}

static void addr(const char *text, unsigned char out[16])
{
	CHECK(sendsec_addr_parse(text, out));
}

static void check_source(const char *client, int p4, int p6, const char *want)
{
	struct sendsec_failure f = {.when = NOW};
	unsigned char a[16];
	char src[SENDSEC_SOURCE_MAX];

	if (client != NULL)
		addr(client, a);
	sendsec_failure_set_source(&f, client != NULL ? a : NULL, p4, p6);
	sendsec_failure_source_text(&f, src);
	CHECK_STR(src, want);
	CHECK(sendsec_failure_is_from(&f, client != NULL ? a : NULL));
}

static void test_sources(void)
{
	struct sendsec_failure f = {.when = NOW}, dash = {.when = NOW};
	unsigned char a[16], b[16];

	check_source("203.0.113.77", 24, 56, "203.0.113.0/24");
	check_source("::ffff:203.0.113.77", 24, 56, "203.0.113.0/24");
	check_source("203.0.113.77", 32, 56, "203.0.113.77");
	check_source("203.0.113.77", 0, 56, "0.0.0.0/0");
	check_source("2001:db8:1:1ff:abcd::1", 24, 56, "2001:db8:1:100::/56");
	check_source("2001:db8:1:1ff:abcd::1", 24, 64, "2001:db8:1:1ff::/64");
	check_source("2001:db8:1:1ff:abcd::1", 24, 128, "2001:db8:1:1ff:abcd::1");
	check_source(NULL, 24, 56, "-");

	addr("2001:db8:1:1ff::5", a);
	sendsec_failure_set_source(&f, a, 24, 56);
	addr("2001:db8:1:100::9", b);
	CHECK(sendsec_failure_is_from(&f, b)); /* same /56 */
	addr("2001:db8:1:200::9", b);
	CHECK(!sendsec_failure_is_from(&f, b)); /* the next /56 */
	addr("203.0.113.1", b);
	CHECK(!sendsec_failure_is_from(&f, b));
	CHECK(!sendsec_failure_is_from(&f, NULL));

	addr("198.51.100.200", a);
	sendsec_failure_set_source(&f, a, 24, 56);
	addr("198.51.100.1", b);
	CHECK(sendsec_failure_is_from(&f, b));
	addr("::ffff:198.51.100.1", b);
	CHECK(sendsec_failure_is_from(&f, b));
	addr("198.51.101.1", b);
	CHECK(!sendsec_failure_is_from(&f, b));
	/* A value written at /24 still belongs to a client after the prefix became /28. */
	addr("198.51.100.17", b);
	CHECK(sendsec_failure_is_from(&f, b));

	sendsec_failure_set_source(&dash, NULL, 24, 56);
	CHECK(sendsec_failure_is_from(&dash, NULL));
	CHECK(!sendsec_failure_is_from(&dash, b));
}

static void test_tag(void)
{
	unsigned char d1[SENDSEC_FAILURE_DIGEST], d2[SENDSEC_FAILURE_DIGEST];
	char t1[SENDSEC_FAILURE_TAG + 1], t2[SENDSEC_FAILURE_TAG + 1], t3[SENDSEC_FAILURE_TAG + 1],
			t4[SENDSEC_FAILURE_TAG + 1];

	memset(d1, 0x11, sizeof(d1));
	memset(d2, 0x11, sizeof(d2));
	d2[31] = 0x12;
	sendsec_failure_tag(d1, "203.0.113.0/24", t1);
	sendsec_failure_tag(d1, "203.0.113.0/24", t2);
	sendsec_failure_tag(d2, "203.0.113.0/24", t3);
	sendsec_failure_tag(d1, "198.51.100.0/24", t4);
	CHECK_EQ_INT(strlen(t1), SENDSEC_FAILURE_TAG);
	CHECK_EQ_INT(strspn(t1, "0123456789abcdef"), SENDSEC_FAILURE_TAG);
	CHECK_STR(t1, t2);
	CHECK(strcmp(t1, t3) != 0);
	CHECK(strcmp(t1, t4) != 0);
}

static const struct sendsec_lockout_rules rules = {
		.threshold = 3, .account_threshold = 8, .interval = 900, .duration = 600};

/* A value from client (NULL: "-") at when. */
static struct sendsec_failure failure(const char *client, time_t when)
{
	struct sendsec_failure f = {.when = when};
	unsigned char a[16];

	if (client != NULL)
		addr(client, a);
	sendsec_failure_set_source(&f, client != NULL ? a : NULL, 24, 56);
	return f;
}

static void test_decide(void)
{
	struct sendsec_failure f[16];
	struct sendsec_lockout_rules r = rules;
	unsigned char home[16], away[16];
	time_t until;
	size_t n = 0;

	addr("203.0.113.9", home);
	addr("198.51.100.9", away);
	f[n++] = failure("203.0.113.1", NOW - 60);
	f[n++] = failure("203.0.113.2", NOW - 30);
	CHECK_EQ_INT(sendsec_lockout_decide(f, n, n, home, &r, NOW), SENDSEC_LOCKOUT_OPEN);
	f[n++] = failure("203.0.113.3", NOW - 10);
	CHECK_EQ_INT(sendsec_lockout_decide(f, n, n, home, &r, NOW), SENDSEC_LOCKOUT_SOURCE);
	CHECK_EQ_INT(sendsec_lockout_decide(f, n, n, away, &r, NOW), SENDSEC_LOCKOUT_OPEN);
	CHECK_EQ_INT(sendsec_lockout_decide(f, n, n, NULL, &r, NOW), SENDSEC_LOCKOUT_OPEN);
	/* The attempt's own value is not one of the "others": the third attempt went on. */
	CHECK_EQ_INT(sendsec_lockout_decide(f, n, 2, home, &r, NOW - 10), SENDSEC_LOCKOUT_OPEN);
	/* Until duration after the last of them. */
	CHECK(sendsec_lockout_holds(f, n, true, home, r.threshold, &r, NOW, &until));
	CHECK_EQ_INT(until, NOW - 10 + 600);
	CHECK_EQ_INT(sendsec_lockout_decide(f, n, n, home, &r, NOW - 10 + 599), SENDSEC_LOCKOUT_SOURCE);
	CHECK_EQ_INT(sendsec_lockout_decide(f, n, n, home, &r, NOW - 10 + 600), SENDSEC_LOCKOUT_OPEN);
	/* Off switches. */
	r.threshold = 0;
	CHECK_EQ_INT(sendsec_lockout_decide(f, n, n, home, &r, NOW), SENDSEC_LOCKOUT_OPEN);
	r = rules;
	r.duration = 0;
	CHECK_EQ_INT(sendsec_lockout_decide(f, n, n, home, &r, NOW), SENDSEC_LOCKOUT_OPEN);
	r = rules;

	/* Spread wider than the interval: no lock. */
	n = 0;
	f[n++] = failure("203.0.113.1", NOW - 1000);
	f[n++] = failure("203.0.113.1", NOW - 500);
	f[n++] = failure("203.0.113.1", NOW - 50);
	CHECK_EQ_INT(sendsec_lockout_decide(f, n, n, home, &r, NOW), SENDSEC_LOCKOUT_OPEN);
	f[n++] = failure("203.0.113.1", NOW - 40);
	CHECK_EQ_INT(sendsec_lockout_decide(f, n, n, home, &r, NOW), SENDSEC_LOCKOUT_SOURCE);

	/* Eight networks, one failure each (below the source threshold): the account is locked for
	 * a ninth network; seven networks are not enough. */
	n = 0;
	for (int i = 0; i < 7; i++) {
		char net[32];

		snprintf(net, sizeof(net), "192.0.%d.1", 10 + i);
		f[n++] = failure(net, NOW - 100 + i);
	}
	CHECK_EQ_INT(sendsec_lockout_decide(f, n, n, away, &r, NOW), SENDSEC_LOCKOUT_OPEN);
	f[n++] = failure("2001:db8:5::1", NOW - 1);
	CHECK_EQ_INT(sendsec_lockout_decide(f, n, n, away, &r, NOW), SENDSEC_LOCKOUT_ACCOUNT);
	CHECK_EQ_INT(sendsec_lockout_decide(f, n, n, NULL, &r, NOW), SENDSEC_LOCKOUT_ACCOUNT);
	CHECK(sendsec_lockout_holds(f, n, false, NULL, r.account_threshold, &r, NOW, &until));
	CHECK_EQ_INT(until, NOW - 1 + 600);
	/* Older values count as source "-" and towards the account. */
	f[0] = (struct sendsec_failure){.when = NOW - 5, .is_old = true};
	CHECK(sendsec_failure_is_from(&f[0], NULL));
	CHECK_EQ_INT(sendsec_lockout_decide(f, n, n, away, &r, NOW), SENDSEC_LOCKOUT_ACCOUNT);
}

/* Twenty attempts from one source race: each writes its value, then reads the record, seeing its
 * own value and those written before its read. Whatever the interleaving, at most threshold see
 * fewer than threshold others and go on. */
static void test_race(void)
{
	struct sendsec_failure f[20];
	unsigned char home[16];
	int go_on = 0;

	addr("203.0.113.9", home);
	for (int i = 0; i < 20; i++)
		f[i] = failure("203.0.113.9", NOW);
	/* Writes in order 0..19; attempt i reads after writes 0..i (the tightest interleaving), or
	 * after all 20 (the loosest). */
	for (size_t i = 0; i < 20; i++)
		go_on += sendsec_lockout_decide(f, i + 1, i, home, &rules, NOW) == SENDSEC_LOCKOUT_OPEN;
	CHECK_EQ_INT(go_on, 3);
	go_on = 0;
	for (size_t i = 0; i < 20; i++)
		go_on += sendsec_lockout_decide(f, 20, i, home, &rules, NOW) == SENDSEC_LOCKOUT_OPEN;
	CHECK_EQ_INT(go_on, 0);
}

static void test_expiry(void)
{
	struct sendsec_failure f = failure(NULL, NOW - 1500);

	CHECK(sendsec_failure_is_expired(&f, &rules, NOW)); /* 900 + 600 */
	f.when = NOW - 1499;
	CHECK(!sendsec_failure_is_expired(&f, &rules, NOW));
}

int main(int argc, char **argv)
{
	(void)argc;
	test_values();
	test_sources();
	test_tag();
	test_decide();
	test_race();
	test_expiry();
	return check_report(argv[0]);
}
