/* test_cidr.c — CIDR parsing, matching at prefix edges for IPv4 and IPv6, IPv4-mapped clients,
 * refused entries, all-or-nothing list_add, limits, copy and formatting; the network of an
 * address at a per-family prefix length, and whether one entry contains an address. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cidr.h"

/* True when text parses as a list and addr matches it; false on any parse failure. */
static bool in_list(const char *list_text, const char *addr_text)
{
	struct sendsec_cidr_list list = {0};
	unsigned char addr[16];
	char err[128];
	bool hit = false;

	if (sendsec_cidr_list_add(&list, list_text, err, sizeof(err)) != SENDSEC_OK)
		goto out;
	if (!sendsec_addr_parse(addr_text, addr))
		goto out;
	hit = sendsec_cidr_list_match(&list, addr);
out:
	sendsec_cidr_list_clear(&list);
	return hit;
}

static bool parses(const char *s)
{
	struct sendsec_cidr c;

	return sendsec_cidr_parse(s, strlen(s), &c);
}

/* Formats what s parses to; "" when it does not parse. */
static const char *roundtrip(const char *s, char *buf, size_t len)
{
	struct sendsec_cidr c;

	buf[0] = '\0';
	if (sendsec_cidr_parse(s, strlen(s), &c))
		sendsec_cidr_format(&c, buf, len);
	return buf;
}

static void test_ipv4_edges(void)
{
	CHECK(in_list("0.0.0.0/0", "255.255.255.255"));
	CHECK(in_list("0.0.0.0/0", "0.0.0.0"));
	CHECK(!in_list("0.0.0.0/0", "2001:db8::1"));
	CHECK(in_list("10.0.0.0/8", "10.255.255.255"));
	CHECK(in_list("10.0.0.0/8", "10.0.0.0"));
	CHECK(!in_list("10.0.0.0/8", "11.0.0.0"));
	CHECK(!in_list("10.0.0.0/8", "9.255.255.255"));
	CHECK(in_list("192.0.2.0/24", "192.0.2.255"));
	CHECK(!in_list("192.0.2.0/24", "192.0.3.0"));
	CHECK(!in_list("192.0.2.0/24", "192.0.1.255"));
	CHECK(in_list("192.0.2.7/32", "192.0.2.7"));
	CHECK(!in_list("192.0.2.7/32", "192.0.2.6"));
	CHECK(!in_list("192.0.2.7/32", "192.0.2.8"));
	CHECK(in_list("192.0.2.7", "192.0.2.7"));
	CHECK(!in_list("192.0.2.7", "192.0.2.70"));
	CHECK(in_list("192.0.2.128/25", "192.0.2.200"));
	CHECK(!in_list("192.0.2.128/25", "192.0.2.127"));
	/* Host bits are masked off. */
	CHECK(in_list("10.1.2.3/8", "10.200.0.1"));
}

static void test_ipv6_edges(void)
{
	CHECK(in_list("::/0", "2001:db8::1"));
	CHECK(in_list("::/0", "192.0.2.1")); /* IPv4 is a part of the IPv6 space here */
	CHECK(in_list("2001:db8::/32", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"));
	CHECK(!in_list("2001:db8::/32", "2001:db9::"));
	CHECK(!in_list("2001:db8::/32", "2001:db7:ffff::1"));
	CHECK(in_list("2001:db8:1:2::/64", "2001:db8:1:2:ffff:ffff:ffff:ffff"));
	CHECK(!in_list("2001:db8:1:2::/64", "2001:db8:1:3::"));
	CHECK(in_list("2001:db8::1/128", "2001:db8::1"));
	CHECK(!in_list("2001:db8::1/128", "2001:db8::2"));
	CHECK(!in_list("2001:db8::1/128", "2001:db8::"));
	CHECK(in_list("::1", "::1"));
	CHECK(!in_list("::1", "::2"));
	CHECK(in_list("2001:db8::/33", "2001:db8:7fff::1"));
	CHECK(!in_list("2001:db8::/33", "2001:db8:8000::1"));
	CHECK(in_list("2001:db8::ff/120", "2001:db8::1"));
}

/* IPv4-mapped clients match IPv4 entries, and mapped entries match plain IPv4 clients. */
static void test_mapped(void)
{
	unsigned char a[16], b[16];

	CHECK(in_list("192.0.2.0/24", "::ffff:192.0.2.1"));
	CHECK(in_list("192.0.2.0/24", "::FFFF:c000:0201"));
	CHECK(!in_list("192.0.2.0/24", "::ffff:192.0.3.1"));
	CHECK(in_list("::ffff:192.0.2.0/120", "192.0.2.77"));
	CHECK(!in_list("::ffff:192.0.2.0/120", "192.0.3.77"));
	CHECK(in_list("0.0.0.0/0", "::ffff:8.8.8.8"));
	/* The IPv4-compatible form is a different address. */
	CHECK(!in_list("192.0.2.0/24", "::192.0.2.1"));
	CHECK(sendsec_addr_parse("192.0.2.1", a) && sendsec_addr_parse("::ffff:192.0.2.1", b));
	CHECK(memcmp(a, b, 16) == 0);
}

static void test_addr_parse(void)
{
	unsigned char a[16];

	CHECK(sendsec_addr_parse("203.0.113.7", a) && a[10] == 0xff && a[11] == 0xff && a[12] == 203 && a[15] == 7);
	CHECK(sendsec_addr_parse("2001:db8::1", a) && a[0] == 0x20 && a[1] == 0x01 && a[15] == 1);
	CHECK(!sendsec_addr_parse("[::1]", a));
	CHECK(!sendsec_addr_parse("::1;25", a));
	CHECK(!sendsec_addr_parse("192.0.2.1:25", a));
	CHECK(!sendsec_addr_parse("192.0.2.0/24", a));
	CHECK(!sendsec_addr_parse("", a));
	CHECK(!sendsec_addr_parse(" 192.0.2.1", a));
	CHECK(!sendsec_addr_parse("01.2.3.4", a));
	CHECK(!sendsec_addr_parse("fe80::1%eth0", a));
	CHECK(!sendsec_addr_parse("localhost", a));
	CHECK(!sendsec_addr_parse(NULL, a));
	CHECK(!sendsec_addr_parse("1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa:bbbb:cccc:dddd:eeee", a));
}

static void test_bad_entries(void)
{
	static const char *bad[] = {
			"300.1.1.1",
			"1.2.3.4/33",
			"::1/129",
			"1.2.3.4/",
			"/24",
			"1.2.3.4/-1",
			"[::1]",
			"1.2.3.4/24x",
			"",
			"1.2.3",
			"1.2.3.4.5",
			"1.2.3.4/+8",
			"1.2.3.4/08",
			"1.2.3.4/ 8",
			"1.2.3.4/24/8",
			"::1/",
			"2001:db8::/1280",
			"2001:db8:::/32",
			"host.example",
			"1.2.3.4 ",
			"1.2.3.4/4294967320",
			"0x7f.0.0.1",
			"01.2.3.4",
	};
	struct sendsec_cidr c;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(!parses(bad[i]));
		if (parses(bad[i]))
			fprintf(stderr, "  accepted: \"%s\"\n", bad[i]);
	}
	/* NUL inside len, and a NULL text. */
	CHECK(!sendsec_cidr_parse("1.2.3.4\0/8", 10, &c));
	CHECK(!sendsec_cidr_parse(NULL, 0, &c));
	/* len bounds the text. */
	CHECK(sendsec_cidr_parse("10.0.0.0/8 junk", 10, &c) && c.prefix == 104);
	/* The longest spelling of an address parses. */
	CHECK(sendsec_cidr_parse("0000:0000:0000:0000:0000:ffff:255.255.255.255/128", 49, &c));
	CHECK(c.prefix == 128 && c.addr[10] == 0xff && c.addr[15] == 0xff);
	/* The good edges parse, with the stored prefix counted on 128 bits. */
	CHECK(sendsec_cidr_parse("1.2.3.4/0", 9, &c) && c.prefix == 96);
	CHECK(sendsec_cidr_parse("1.2.3.4/32", 10, &c) && c.prefix == 128);
	CHECK(sendsec_cidr_parse("1.2.3.4", 7, &c) && c.prefix == 128);
	CHECK(sendsec_cidr_parse("::/0", 4, &c) && c.prefix == 0);
	CHECK(sendsec_cidr_parse("::1/128", 7, &c) && c.prefix == 128);
}

static void test_list_add(void)
{
	struct sendsec_cidr_list list = {0};
	unsigned char a[16];
	char err[128];
	char big[256 * 12 + 16];
	size_t off = 0;

	CHECK(sendsec_cidr_list_add(&list, "192.0.2.0/24, 2001:db8::/32\t10.0.0.1,,  ", err, sizeof(err)) ==
			SENDSEC_OK);
	CHECK_EQ_INT(list.n, 3);
	CHECK(sendsec_addr_parse("10.0.0.1", a) && sendsec_cidr_list_match(&list, a));
	CHECK(sendsec_addr_parse("10.0.0.2", a) && !sendsec_cidr_list_match(&list, a));

	/* A bad entry anywhere leaves the list as it was and names the entry. */
	err[0] = '\0';
	CHECK(sendsec_cidr_list_add(&list, "172.16.0.0/12 300.1.1.1 198.51.100.0/24", err, sizeof(err)) ==
			SENDSEC_UNAVAILABLE);
	CHECK_EQ_INT(list.n, 3);
	CHECK(strstr(err, "\"300.1.1.1\"") != NULL);
	CHECK(sendsec_addr_parse("172.16.0.1", a) && !sendsec_cidr_list_match(&list, a));
	CHECK_RESULT(sendsec_cidr_list_add(&list, "1.2.3.4/33", err, sizeof(err)), SENDSEC_UNAVAILABLE);
	CHECK(strstr(err, "\"1.2.3.4/33\"") != NULL && list.n == 3);

	/* A long bad entry is cut to 64 bytes in err; control bytes are not echoed. */
	CHECK(sendsec_cidr_list_add(&list,
			      "1.2.3.4 "
			      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaBBBB",
			      err, sizeof(err)) == SENDSEC_UNAVAILABLE);
	CHECK(strstr(err, "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"") != NULL);
	CHECK(strstr(err, "B") == NULL && list.n == 3);
	CHECK_RESULT(sendsec_cidr_list_add(&list, "1.2.3.4\x1b[2J", err, sizeof(err)), SENDSEC_UNAVAILABLE);
	CHECK(strchr(err, '\x1b') == NULL && list.n == 3);
	/* A small or absent err buffer is fine. */
	CHECK(sendsec_cidr_list_add(&list, "nope", err, 4) == SENDSEC_UNAVAILABLE && strlen(err) == 3);
	CHECK_RESULT(sendsec_cidr_list_add(&list, "nope", NULL, 0), SENDSEC_UNAVAILABLE);

	/* No entry at all is an error, not "allow nothing" nor "allow any". */
	CHECK_RESULT(sendsec_cidr_list_add(&list, "", err, sizeof(err)), SENDSEC_UNAVAILABLE);
	CHECK_RESULT(sendsec_cidr_list_add(&list, " ,\t", err, sizeof(err)), SENDSEC_UNAVAILABLE);
	CHECK_EQ_INT(list.n, 3);

	/* Appending works across calls. */
	CHECK(sendsec_cidr_list_add(&list, "::1", err, sizeof(err)) == SENDSEC_OK && list.n == 4);
	CHECK(sendsec_addr_parse("::1", a) && sendsec_cidr_list_match(&list, a));
	sendsec_cidr_list_clear(&list);
	CHECK(list.n == 0 && list.items == NULL);
	CHECK(sendsec_addr_parse("::1", a) && !sendsec_cidr_list_match(&list, a));
	sendsec_cidr_list_clear(&list);
	sendsec_cidr_list_clear(NULL);

	/* 256 entries fit, the 257th is refused without changing the list. */
	for (int i = 0; i < 256; i++)
		off += (size_t)snprintf(big + off, sizeof(big) - off, "10.0.%d.%d ", i / 250, i % 250);
	CHECK(sendsec_cidr_list_add(&list, big, err, sizeof(err)) == SENDSEC_OK && list.n == 256);
	CHECK(sendsec_cidr_list_add(&list, "10.9.9.9", err, sizeof(err)) == SENDSEC_UNAVAILABLE && list.n == 256);
	sendsec_cidr_list_clear(&list);
	snprintf(big + off, sizeof(big) - off, "10.9.9.9");
	CHECK(sendsec_cidr_list_add(&list, big, err, sizeof(err)) == SENDSEC_UNAVAILABLE && list.n == 0);
	CHECK(list.items == NULL);
	sendsec_cidr_list_clear(&list);
}

static void test_copy(void)
{
	struct sendsec_cidr_list src = {0}, dst = {0}, empty = {0};
	unsigned char a[16];
	char err[128];

	CHECK_RESULT(sendsec_cidr_list_add(&src, "192.0.2.0/24 2001:db8::/32", err, sizeof(err)), SENDSEC_OK);
	CHECK_RESULT(sendsec_cidr_list_add(&dst, "198.51.100.1", err, sizeof(err)), SENDSEC_OK);
	CHECK(sendsec_cidr_list_copy(&dst, &src));
	CHECK(dst.n == 2 && dst.items != src.items);
	CHECK(sendsec_addr_parse("2001:db8::5", a) && sendsec_cidr_list_match(&dst, a));
	CHECK(sendsec_addr_parse("198.51.100.1", a) && !sendsec_cidr_list_match(&dst, a));
	/* Deep: changing the source afterwards does not change the copy. */
	sendsec_cidr_list_clear(&src);
	CHECK(sendsec_addr_parse("192.0.2.9", a) && sendsec_cidr_list_match(&dst, a));
	CHECK(sendsec_cidr_list_copy(&dst, &empty) && dst.n == 0 && dst.items == NULL);
	sendsec_cidr_list_clear(&dst);
}

static void test_format(void)
{
	struct sendsec_cidr c;
	char buf[64];

	CHECK_STR(roundtrip("192.0.2.0/24", buf, sizeof(buf)), "192.0.2.0/24");
	CHECK_STR(roundtrip("192.0.2.77/24", buf, sizeof(buf)), "192.0.2.0/24");
	CHECK_STR(roundtrip("192.0.2.7/32", buf, sizeof(buf)), "192.0.2.7");
	CHECK_STR(roundtrip("192.0.2.7", buf, sizeof(buf)), "192.0.2.7");
	CHECK_STR(roundtrip("0.0.0.0/0", buf, sizeof(buf)), "0.0.0.0/0");
	CHECK_STR(roundtrip("2001:db8::/32", buf, sizeof(buf)), "2001:db8::/32");
	CHECK_STR(roundtrip("2001:DB8:0:0::1/128", buf, sizeof(buf)), "2001:db8::1");
	CHECK_STR(roundtrip("::/0", buf, sizeof(buf)), "::/0");
	CHECK_STR(roundtrip("::ffff:192.0.2.1", buf, sizeof(buf)), "192.0.2.1");
	CHECK_STR(roundtrip("::ffff:0:0/95", buf, sizeof(buf)), "::fffe:0:0/95");
	/* Truncation stays terminated. */
	CHECK(sendsec_cidr_parse("192.0.2.0/24", 12, &c));
	sendsec_cidr_format(&c, buf, 6);
	CHECK_STR(buf, "192.0");
}

/* The network of text at prefix4/prefix6, formatted; "" when text is not an address. */
static const char *network_of(const char *text, int prefix4, int prefix6, char *buf, size_t len)
{
	unsigned char a[16];
	struct sendsec_cidr c;

	buf[0] = '\0';
	if (!sendsec_addr_parse(text, a))
		return buf;
	c = sendsec_cidr_of(a, prefix4, prefix6);
	sendsec_cidr_format(&c, buf, len);
	return buf;
}

/* True when the entry text (as sendsec_cidr_parse reads it) contains the address addr_text. */
static bool contains(const char *entry_text, const char *addr_text)
{
	struct sendsec_cidr c;
	unsigned char a[16];

	CHECK(sendsec_cidr_parse(entry_text, strlen(entry_text), &c));
	CHECK(sendsec_addr_parse(addr_text, a));
	return sendsec_cidr_contains(&c, a);
}

static void test_network_of(void)
{
	unsigned char a[16];
	struct sendsec_cidr c;
	char buf[64];

	/* The family picks the prefix: IPv4 (also written IPv4-mapped) prefix4, IPv6 prefix6. */
	CHECK_STR(network_of("203.0.113.77", 24, 56, buf, sizeof(buf)), "203.0.113.0/24");
	CHECK_STR(network_of("::ffff:203.0.113.77", 24, 56, buf, sizeof(buf)), "203.0.113.0/24");
	CHECK_STR(network_of("2001:db8:1:1ff:abcd::1", 24, 56, buf, sizeof(buf)), "2001:db8:1:100::/56");
	/* Host bits inside a byte, and the edges of each range. */
	CHECK_STR(network_of("198.51.100.200", 28, 56, buf, sizeof(buf)), "198.51.100.192/28");
	CHECK_STR(network_of("203.0.113.77", 32, 56, buf, sizeof(buf)), "203.0.113.77");
	CHECK_STR(network_of("203.0.113.77", 0, 56, buf, sizeof(buf)), "0.0.0.0/0");
	CHECK_STR(network_of("2001:db8::1", 24, 128, buf, sizeof(buf)), "2001:db8::1");
	CHECK_STR(network_of("2001:db8::1", 24, 0, buf, sizeof(buf)), "::/0");
	/* Out of range: cut to the family's range. */
	CHECK_STR(network_of("203.0.113.77", 33, 56, buf, sizeof(buf)), "203.0.113.77");
	CHECK_STR(network_of("203.0.113.77", -1, 56, buf, sizeof(buf)), "0.0.0.0/0");
	CHECK_STR(network_of("2001:db8::1", 24, 129, buf, sizeof(buf)), "2001:db8::1");
	CHECK_STR(network_of("2001:db8::1", 24, -5, buf, sizeof(buf)), "::/0");
	/* The prefix is counted on the 128-bit form, as sendsec_cidr_parse stores it. */
	CHECK(sendsec_addr_parse("203.0.113.77", a));
	c = sendsec_cidr_of(a, 24, 56);
	CHECK_EQ_INT(c.prefix, 96 + 24);
	CHECK(sendsec_addr_parse("2001:db8::1", a));
	c = sendsec_cidr_of(a, 24, 56);
	CHECK_EQ_INT(c.prefix, 56);
}

static void test_contains(void)
{
	CHECK(contains("203.0.113.0/24", "203.0.113.255"));
	CHECK(contains("203.0.113.0/24", "::ffff:203.0.113.1"));
	CHECK(!contains("203.0.113.0/24", "203.0.114.0"));
	CHECK(contains("2001:db8:1:100::/56", "2001:db8:1:1ff::5"));
	CHECK(!contains("2001:db8:1:100::/56", "2001:db8:1:200::"));
	CHECK(contains("0.0.0.0/0", "198.51.100.1"));
	CHECK(!contains("0.0.0.0/0", "2001:db8::1")); /* all of IPv4, not all addresses */
	CHECK(contains("::/0", "2001:db8::1"));
	CHECK(contains("::/0", "198.51.100.1"));
	CHECK(contains("192.0.2.7", "192.0.2.7"));
	CHECK(!contains("192.0.2.7", "192.0.2.6"));
}

int main(int argc, char **argv)
{
	(void)argc;
	test_ipv4_edges();
	test_ipv6_edges();
	test_mapped();
	test_addr_parse();
	test_bad_entries();
	test_list_add();
	test_copy();
	test_format();
	test_network_of();
	test_contains();
	return check_report(argv[0]);
}
