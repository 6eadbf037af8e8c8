/* test_token.c — token.c on entries built here: the account's links (order, one DN once, the
 * count beyond the limit), one token entry parsed (class, link kind, secret, counter grammar),
 * params applied (class, ranges, HOTP SHA-1 only, defaults), and the rules for a token's name. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "token.h"

/* An attribute with up to 4 values; the values are string literals (NUL-terminated). */
#define VALS(...) ((struct sendsec_val[]){__VA_ARGS__})
#define V(s)                                                                                                           \
	{                                                                                                              \
		(s), sizeof(s) - 1                                                                                     \
	}
#define ATTR(name, ...)                                                                                                \
	{                                                                                                              \
		(char *)(name), VALS(__VA_ARGS__), sizeof(VALS(__VA_ARGS__)) / sizeof(struct sendsec_val)              \
	}

static void test_links(void)
{
	struct sendsec_attr attrs[] = {
			ATTR("sendsecToken", V("cn=b,ou=tokens,dc=x"), V("CN=A,ou=tokens,dc=x"),
					V("cn=c,ou=tokens,dc=x")),
			ATTR("oathHOTPToken", V("cn=h,ou=tokens,dc=x")),
			ATTR("oathTOTPToken", V("cn=a,ou=tokens,dc=x")),
	};
	struct sendsec_entry account = {.dn = (char *)"uid=alice,dc=x", .attrs = attrs, .n_attrs = 3};
	struct sendsec_token_link links[SENDSEC_TOKENS_MAX];

	CHECK_EQ_INT(sendsec_token_links(&account, links, SENDSEC_TOKENS_MAX), 4);
	CHECK_STR(links[0].dn, "cn=a,ou=tokens,dc=x");
	CHECK_STR(links[0].attr, "oathTOTPToken");
	CHECK_EQ_INT(links[0].kind, SENDSEC_TOKEN_TOTP);
	CHECK_STR(links[1].attr, "oathHOTPToken");
	CHECK_EQ_INT(links[1].kind, SENDSEC_TOKEN_HOTP);
	CHECK_STR(links[2].dn, "cn=b,ou=tokens,dc=x");
	CHECK_EQ_INT(links[2].kind, SENDSEC_TOKEN_ANY);
	CHECK_STR(links[3].dn, "cn=c,ou=tokens,dc=x"); /* "CN=A,..." is cn=a again: counted once */
	/* Beyond the room given: counted, not stored. */
	CHECK_EQ_INT(sendsec_token_links(&account, links, 2), 4);
	account.n_attrs = 0;
	CHECK_EQ_INT(sendsec_token_links(&account, links, SENDSEC_TOKENS_MAX), 0);
}

static enum sendsec_result parse(struct sendsec_entry *e, enum sendsec_token_kind want, struct sendsec_token *t,
		const char **params_dn, char *err)
{
	struct sendsec_token_link link = {.dn = e->dn, .attr = "sendsecToken", .kind = want};

	return sendsec_token_parse(e, &link, t, params_dn, err, 160);
}

static void test_parse(void)
{
	struct sendsec_attr hotp[] = {
			ATTR("objectClass", V("applicationProcess"), V("oathHOTPToken")),
			ATTR("cn", V("0123abcd"), V("key-1")),
			ATTR("oathSecret", V("12345678901234567890")),
			ATTR("oathHOTPParams", V("cn=hotp-sha1-6,ou=params,dc=x")),
			ATTR("oathHOTPCounter", V("41")),
	};
	struct sendsec_entry e = {.dn = (char *)"cn=0123abcd,ou=tokens,dc=x", .attrs = hotp, .n_attrs = 5};
	struct sendsec_token t;
	const char *params_dn = NULL;
	char err[160];

	CHECK_RESULT(parse(&e, SENDSEC_TOKEN_ANY, &t, &params_dn, err), SENDSEC_OK);
	CHECK_EQ_INT(t.kind, SENDSEC_TOKEN_HOTP);
	CHECK_STR(t.name, "key-1");
	CHECK_STR(params_dn, "cn=hotp-sha1-6,ou=params,dc=x");
	CHECK(t.state != NULL);
	CHECK_EQ_INT(t.state_value, 41);
	CHECK_EQ_INT(t.digits, 6);
	CHECK_EQ_INT(t.secret->len, 20);
	CHECK_STR(sendsec_token_state_attr(t.kind), "oathHOTPCounter");
	CHECK_RESULT(parse(&e, SENDSEC_TOKEN_HOTP, &t, &params_dn, err), SENDSEC_OK);
	/* Linked as TOTP (oathTOTPToken) but an HOTP entry. */
	CHECK_RESULT(parse(&e, SENDSEC_TOKEN_TOTP, &t, &params_dn, err), SENDSEC_UNAVAILABLE);
	CHECK(strstr(err, "oathHOTPToken") != NULL);

	/* Malformed counters: sign, letters, too big, empty, two values. */
	{
		static const char *const bad[] = {"-1", "+1", "4a", "9223372036854775808", "", " 1"};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			struct sendsec_val v = {bad[i], strlen(bad[i])};

			hotp[4].vals = &v;
			hotp[4].n = 1;
			CHECK_RESULT(parse(&e, SENDSEC_TOKEN_ANY, &t, &params_dn, err), SENDSEC_UNAVAILABLE);
		}
		hotp[4] = (struct sendsec_attr)ATTR("oathHOTPCounter", V("1"), V("2"));
		CHECK_RESULT(parse(&e, SENDSEC_TOKEN_ANY, &t, &params_dn, err), SENDSEC_UNAVAILABLE);
		hotp[4] = (struct sendsec_attr)ATTR("oathHOTPCounter", V("9223372036854775807"));
		CHECK_RESULT(parse(&e, SENDSEC_TOKEN_ANY, &t, &params_dn, err), SENDSEC_OK);
	}
	/* No secret; no counter (a fresh token: fine). */
	e.n_attrs = 2;
	CHECK_RESULT(parse(&e, SENDSEC_TOKEN_ANY, &t, &params_dn, err), SENDSEC_UNAVAILABLE);
	e.n_attrs = 3;
	CHECK_RESULT(parse(&e, SENDSEC_TOKEN_ANY, &t, &params_dn, err), SENDSEC_OK);
	CHECK(t.state == NULL && params_dn == NULL);
	/* Both classes, or neither. */
	hotp[0] = (struct sendsec_attr)ATTR("objectClass", V("oathTOTPToken"), V("oathHOTPToken"));
	CHECK_RESULT(parse(&e, SENDSEC_TOKEN_ANY, &t, &params_dn, err), SENDSEC_UNAVAILABLE);
	hotp[0] = (struct sendsec_attr)ATTR("objectClass", V("inetOrgPerson"));
	CHECK_RESULT(parse(&e, SENDSEC_TOKEN_ANY, &t, &params_dn, err), SENDSEC_UNAVAILABLE);
	CHECK(strstr(err, "neither") != NULL);
}

static void test_params(void)
{
	struct sendsec_attr hp[] = {
			ATTR("objectClass", V("applicationProcess"), V("oathHOTPParams")),
			ATTR("oathOTPLength", V("8")),
			ATTR("oathHMACAlgorithm", V("1.2.840.113549.2.7")),
			ATTR("oathHOTPLookAhead", V("100")),
	};
	struct sendsec_entry params = {.dn = (char *)"cn=p,dc=x", .attrs = hp, .n_attrs = 4};
	struct sendsec_token t = {.kind = SENDSEC_TOKEN_HOTP};
	char err[160];

	CHECK_RESULT(sendsec_token_set_params(&t, &params, err, sizeof(err)), SENDSEC_OK);
	CHECK_EQ_INT(t.digits, 8);
	CHECK_EQ_INT(t.hotp.lookahead, 100);
	hp[3] = (struct sendsec_attr)ATTR("oathHOTPLookAhead", V("101"));
	CHECK_RESULT(sendsec_token_set_params(&t, &params, err, sizeof(err)), SENDSEC_UNAVAILABLE);
	CHECK(strstr(err, "cn=p,dc=x") != NULL);
	hp[3] = (struct sendsec_attr)ATTR("oathHOTPLookAhead", V("3"));
	hp[2] = (struct sendsec_attr)ATTR("oathHMACAlgorithm", V("1.2.840.113549.2.9")); /* SHA-256 */
	CHECK_RESULT(sendsec_token_set_params(&t, &params, err, sizeof(err)), SENDSEC_UNAVAILABLE);
	hp[2] = (struct sendsec_attr)ATTR("oathHMACAlgorithm", V("1.2.840.113549.2.7"));
	hp[1] = (struct sendsec_attr)ATTR("oathOTPLength", V("5"));
	CHECK_RESULT(sendsec_token_set_params(&t, &params, err, sizeof(err)), SENDSEC_UNAVAILABLE);
	hp[1] = (struct sendsec_attr)ATTR("oathOTPLength", V("9"));
	CHECK_RESULT(sendsec_token_set_params(&t, &params, err, sizeof(err)), SENDSEC_UNAVAILABLE);
	hp[1] = (struct sendsec_attr)ATTR("oathOTPLength", V("6"));
	CHECK_RESULT(sendsec_token_set_params(&t, &params, err, sizeof(err)), SENDSEC_OK);
	/* The params of the other kind: refused. */
	t.kind = SENDSEC_TOKEN_TOTP;
	CHECK_RESULT(sendsec_token_set_params(&t, &params, err, sizeof(err)), SENDSEC_UNAVAILABLE);
	CHECK(strstr(err, "oathTOTPParams") != NULL);
	/* No params: the defaults. */
	CHECK_RESULT(sendsec_token_set_params(&t, NULL, err, sizeof(err)), SENDSEC_OK);
	CHECK_EQ_INT(t.digits, 6);
	CHECK_EQ_INT(t.totp.period, 30);
	t.kind = SENDSEC_TOKEN_HOTP;
	CHECK_RESULT(sendsec_token_set_params(&t, NULL, err, sizeof(err)), SENDSEC_OK);
	CHECK_EQ_INT(t.hotp.lookahead, SENDSEC_HOTP_LOOKAHEAD_DEFAULT);
	t.kind = SENDSEC_TOKEN_ANY;
	CHECK_RESULT(sendsec_token_set_params(&t, NULL, err, sizeof(err)), SENDSEC_UNAVAILABLE);
}

static void test_names(void)
{
	struct sendsec_attr one[] = {ATTR("cn", V("bob-hand"))};
	struct sendsec_attr two[] = {ATTR("cn", V("Phone"), V("0a1b2c"))};
	struct sendsec_attr ctl[] = {ATTR("cn", V("a\x1b[31mb\xff"))};
	struct sendsec_attr none[] = {ATTR("sn", V("x"))};
	struct sendsec_entry e = {.dn = (char *)"cn=bob-hand,ou=tokens,dc=x", .attrs = one, .n_attrs = 1};
	char name[SENDSEC_TOKEN_NAME_MAX + 1], longcn[200];
	struct sendsec_val lv = {longcn, 0};

	sendsec_token_name(&e, name, sizeof(name));
	CHECK_STR(name, "bob-hand");
	e = (struct sendsec_entry){.dn = (char *)"cn=0A1B2C,ou=tokens,dc=x", .attrs = two, .n_attrs = 1};
	sendsec_token_name(&e, name, sizeof(name));
	CHECK_STR(name, "Phone"); /* the cn that is not the RDN's value, wherever it stands */
	e.dn = (char *)"cn=Phone,ou=tokens,dc=x";
	sendsec_token_name(&e, name, sizeof(name));
	CHECK_STR(name, "0a1b2c");
	e = (struct sendsec_entry){.dn = (char *)"cn=x,dc=x", .attrs = ctl, .n_attrs = 1};
	sendsec_token_name(&e, name, sizeof(name));
	CHECK_STR(name, "a?[31mb?");
	e = (struct sendsec_entry){.dn = (char *)"cn=x,dc=x", .attrs = none, .n_attrs = 1};
	sendsec_token_name(&e, name, sizeof(name));
	CHECK_STR(name, "");
	memset(longcn, 'n', sizeof(longcn));
	lv.len = sizeof(longcn);
	one[0].vals = &lv;
	e = (struct sendsec_entry){.dn = (char *)"not a dn", .attrs = one, .n_attrs = 1};
	sendsec_token_name(&e, name, sizeof(name));
	CHECK_EQ_INT(strlen(name), SENDSEC_TOKEN_NAME_MAX);

	CHECK(sendsec_token_name_valid("yubikey-5.nfc_2"));
	CHECK(sendsec_token_name_valid("12345678901234567890123456789012"));
	CHECK(!sendsec_token_name_valid("123456789012345678901234567890123"));
	CHECK(!sendsec_token_name_valid(""));
	CHECK(!sendsec_token_name_valid(NULL));
	CHECK(!sendsec_token_name_valid("my phone"));
	CHECK(!sendsec_token_name_valid("a,b"));
	CHECK(!sendsec_token_name_valid("t\xc3\xa9l"));
}

int main(int argc, char **argv)
{
	(void)argc;
	test_links();
	test_parse();
	test_params();
	test_names();
	return check_report(argv[0]);
}
