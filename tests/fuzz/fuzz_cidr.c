/* fuzz_cidr.c — feeds arbitrary bytes to the CIDR entry parser, the list parser and the address
 * parser. Every parsed entry must format back to text that parses to the same entry, must
 * contain its own network address, and a copied list must equal its source. Aborts otherwise. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cidr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_entry(const struct sendsec_cidr *c)
{
	struct sendsec_cidr back, self = *c;
	struct sendsec_cidr_list one = {&self, 1};
	char text[64];

	if (c->prefix > 128)
		abort();
	sendsec_cidr_format(c, text, sizeof(text));
	if (!sendsec_cidr_parse(text, strlen(text), &back))
		abort();
	if (back.prefix != c->prefix || memcmp(back.addr, c->addr, sizeof(c->addr)) != 0)
		abort();
	if (!sendsec_cidr_list_match(&one, c->addr))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sendsec_cidr_list list = {0}, copy = {0};
	struct sendsec_cidr c;
	unsigned char addr[16];
	char err[80];
	char *text;

	if (sendsec_cidr_parse((const char *)data, size, &c))
		check_entry(&c);
	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (sendsec_addr_parse(text, addr)) {
		if (!sendsec_cidr_parse(text, strlen(text), &c) || c.prefix != 128 ||
				memcmp(c.addr, addr, sizeof(addr)) != 0)
			abort();
	}
	if (sendsec_cidr_list_add(&list, text, err, sizeof(err)) == SENDSEC_OK) {
		if (list.n == 0 || list.n > 256)
			abort();
		for (size_t i = 0; i < list.n; i++)
			check_entry(&list.items[i]);
		if (!sendsec_cidr_list_copy(&copy, &list) || copy.n != list.n ||
				memcmp(copy.items, list.items, list.n * sizeof(*list.items)) != 0)
			abort();
	} else if (list.n != 0 || list.items != NULL || memchr(err, '\0', sizeof(err)) == NULL) {
		abort();
	}
	sendsec_cidr_list_clear(&copy);
	sendsec_cidr_list_clear(&list);
	free(text);
	return 0;
}
