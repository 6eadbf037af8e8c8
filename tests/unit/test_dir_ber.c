/* test_dir_ber.c — sendsec_entry_from_ber (dir_ber.h) reads every attribute and value of an entry,
 * also past the 32 attributes and 64 values it keeps on the stack before it moves them to the heap,
 * and refuses a list that ends inside an attribute. fuzz_entry compares it with libldap's reading,
 * but lets it refuse more than libldap does; this asserts what it must accept. */
#include <lber.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "dir_ber.h"

#define MAX_BYTES 8192

/* Writes tag, the BER length of len (short or long form) and content at out; returns the bytes. */
static size_t put_tlv(unsigned char *out, unsigned char tag, const unsigned char *content, size_t len)
{
	size_t h = 0;

	out[h++] = tag;
	if (len < 0x80) {
		out[h++] = (unsigned char)len;
	} else {
		out[h++] = 0x82;
		out[h++] = (unsigned char)(len >> 8);
		out[h++] = (unsigned char)len;
	}
	memmove(out + h, content, len);
	return h + len;
}

/* An attribute list of n_attrs attributes "aN" with n_vals values "vM" each, as BER, into buf
 * (MAX_BYTES); returns its length. */
static size_t make_list(unsigned char *buf, size_t n_attrs, size_t n_vals)
{
	size_t len = 0;

	for (size_t i = 0; i < n_attrs; i++) {
		unsigned char attr[1024], set[1024], text[32];
		size_t a, s = 0;

		for (size_t j = 0; j < n_vals; j++)
			s += put_tlv(set + s, 0x04, text, (size_t)snprintf((char *)text, sizeof(text), "v%zu", j));
		a = put_tlv(attr, 0x04, text, (size_t)snprintf((char *)text, sizeof(text), "a%zu", i));
		a += put_tlv(attr + a, 0x31, set, s);     /* SET OF value */
		len += put_tlv(buf + len, 0x30, attr, a); /* SEQUENCE */
	}
	return len;
}

static struct sendsec_entry *read_list(const unsigned char *buf, size_t len)
{
	struct berval in = {len, (char *)buf}, dn = {sizeof("cn=x") - 1, (char *)"cn=x"};
	BerElement *ber = ber_init(&in);
	struct sendsec_entry *e;

	if (ber == NULL)
		return NULL;
	e = sendsec_entry_from_ber(ber, &dn);
	ber_free(ber, 1);
	return e;
}

/* n_attrs attributes of n_vals values each come back whole and in order. */
static void check_sizes(size_t n_attrs, size_t n_vals)
{
	unsigned char buf[MAX_BYTES];
	struct sendsec_entry *e = read_list(buf, make_list(buf, n_attrs, n_vals));
	char name[32], value[32];
	size_t n = 0;

	CHECK(e != NULL);
	if (e == NULL)
		return;
	CHECK_STR(e->dn, "cn=x");
	CHECK_EQ_INT(e->n_attrs, n_attrs);
	for (size_t i = 0; i < n_attrs && i < e->n_attrs; i++) {
		const struct sendsec_val *v;

		snprintf(name, sizeof(name), "a%zu", i);
		CHECK_STR(e->attrs[i].name, name);
		v = sendsec_entry_values(e, name, &n);
		CHECK_EQ_INT(n, n_vals);
		for (size_t j = 0; v != NULL && j < n && j < n_vals; j++) {
			snprintf(value, sizeof(value), "v%zu", j);
			CHECK_STR(v[j].ptr, value);
			CHECK_EQ_INT(v[j].len, strlen(value));
		}
	}
	sendsec_entry_free(e);
}

int main(int argc, char **argv)
{
	unsigned char buf[MAX_BYTES];
	size_t len;

	(void)argc;
	check_sizes(0, 0);
	check_sizes(1, 1);
	check_sizes(32, 2);  /* exactly the stack's attributes and values */
	check_sizes(33, 1);  /* one attribute more */
	check_sizes(1, 65);  /* one value more, in one attribute */
	check_sizes(40, 3);  /* both moved to the heap, the values grown twice */
	check_sizes(100, 1); /* the attributes grown twice */
	/* A list cut inside its last attribute is refused. */
	len = make_list(buf, 3, 2);
	CHECK(read_list(buf, len - 1) == NULL);
	return check_report(argv[0]);
}
