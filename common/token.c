/* token.c — the token links of an account, one token entry and its params entry parsed into
 * struct sendsec_token (token.h), and the rules for a token's name. No I/O. */
#include "token.h"

#include <ldap.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "utf8.h"

const char *const sendsec_token_attrs[] = {"objectClass", "cn", "oathSecret", "oathTOTPParams", "oathTOTPLastTimeStep",
		"oathHOTPParams", "oathHOTPCounter", NULL};
const char *const sendsec_token_params_attrs[] = {"objectClass", "oathOTPLength", "oathHMACAlgorithm",
		"oathTOTPTimeStepPeriod", "oathTOTPTimeStepWindow", "oathHOTPLookAhead", NULL};

/* Per kind: the token class, its params link, params class and state attribute. */
static const struct {
	const char *name, *token_class, *params_attr, *params_class, *state_attr;
} kinds[] = {
		[SENDSEC_TOKEN_ANY] = {.name = "token"},
		[SENDSEC_TOKEN_TOTP] = {.name = "totp",
				.token_class = "oathTOTPToken",
				.params_attr = "oathTOTPParams",
				.params_class = "oathTOTPParams",
				.state_attr = "oathTOTPLastTimeStep"},
		[SENDSEC_TOKEN_HOTP] = {.name = "hotp",
				.token_class = "oathHOTPToken",
				.params_attr = "oathHOTPParams",
				.params_class = "oathHOTPParams",
				.state_attr = "oathHOTPCounter"},
};

static bool kind_valid(enum sendsec_token_kind kind)
{
	return (unsigned)kind < sizeof(kinds) / sizeof(kinds[0]);
}

const char *sendsec_token_kind_name(enum sendsec_token_kind kind)
{
	return kind_valid(kind) ? kinds[kind].name : "token";
}

const char *sendsec_token_state_attr(enum sendsec_token_kind kind)
{
	return kind == SENDSEC_TOKEN_TOTP || kind == SENDSEC_TOKEN_HOTP ? kinds[kind].state_attr : NULL;
}

size_t sendsec_token_links(const struct sendsec_entry *account, struct sendsec_token_link *links, size_t max)
{
	static const struct {
		const char *attr;
		enum sendsec_token_kind kind;
	} sources[] = {
			{"oathTOTPToken", SENDSEC_TOKEN_TOTP},
			{"oathHOTPToken", SENDSEC_TOKEN_HOTP},
			{"sendsecToken", SENDSEC_TOKEN_ANY},
	};
	size_t total = 0;

	for (size_t s = 0; s < sizeof(sources) / sizeof(sources[0]); s++) {
		size_t n;
		const struct sendsec_val *v = sendsec_entry_values(account, sources[s].attr, &n);

		for (size_t i = 0; i < n; i++) {
			bool is_seen = false;

			/* A DN linked twice is one token. Those beyond max are counted but not compared
			 * (the caller refuses the account then). */
			for (size_t k = 0; k < total && k < max && !is_seen; k++)
				is_seen = strcasecmp(links[k].dn, v[i].ptr) == 0;
			if (is_seen)
				continue;
			if (total < max)
				links[total] = (struct sendsec_token_link){
						.dn = v[i].ptr, .attr = sources[s].attr, .kind = sources[s].kind};
			total++;
		}
	}
	return total;
}

bool sendsec_token_parse_counter(const struct sendsec_val *v, uint64_t *out)
{
	uint64_t n = 0;

	if (v == NULL || v->len == 0 || v->len > 19)
		return false;
	for (size_t i = 0; i < v->len; i++) {
		unsigned d = (unsigned)(v->ptr[i] - '0');

		if (d > 9 || n > ((uint64_t)INT64_MAX - d) / 10)
			return false;
		n = n * 10 + d;
	}
	*out = n;
	return true;
}

/* Reads attr as an unsigned integer no larger than max if present (*out unchanged when absent);
 * false if malformed or repeated. */
static bool read_uint(const struct sendsec_entry *e, const char *attr, unsigned max, unsigned *out)
{
	size_t n;
	const struct sendsec_val *v = sendsec_entry_values(e, attr, &n);
	uint64_t x;

	if (n == 0)
		return true;
	if (n != 1 || !sendsec_token_parse_counter(&v[0], &x) || x > max)
		return false;
	*out = (unsigned)x;
	return true;
}

bool sendsec_totp_params_from_entry(const struct sendsec_entry *params, struct sendsec_totp_params *out)
{
	const char *oid;

	sendsec_totp_params_default(out);
	if (params == NULL)
		return true;
	if ((oid = sendsec_entry_first(params, "oathHMACAlgorithm")) != NULL &&
			!sendsec_totp_alg_from_oid(oid, &out->alg))
		return false;
	if (!read_uint(params, "oathOTPLength", 8, &out->digits) ||
			!read_uint(params, "oathTOTPTimeStepPeriod", 3600, &out->period) ||
			!read_uint(params, "oathTOTPTimeStepWindow", 10, &out->window))
		return false;
	return out->digits >= 6 && out->period >= 1;
}

/* HOTP params: length 6..8, look-ahead 0..100, HMAC-SHA1 only (what liboath's HOTP computes). */
static bool hotp_params_from_entry(const struct sendsec_entry *params, struct sendsec_hotp_params *out)
{
	const char *oid;
	enum sendsec_totp_alg alg;

	sendsec_hotp_params_default(out);
	if (params == NULL)
		return true;
	if ((oid = sendsec_entry_first(params, "oathHMACAlgorithm")) != NULL &&
			(!sendsec_totp_alg_from_oid(oid, &alg) || alg != SENDSEC_TOTP_SHA1))
		return false;
	if (!read_uint(params, "oathOTPLength", 8, &out->digits) ||
			!read_uint(params, "oathHOTPLookAhead", SENDSEC_HOTP_LOOKAHEAD_MAX, &out->lookahead))
		return false;
	return sendsec_hotp_params_valid(out);
}

/* The value of dn's first RDN (its first attribute value) into out; false when dn cannot be
 * parsed or the value does not fit. */
static bool rdn_value(const char *dn, char *out, size_t len)
{
	LDAPDN parsed = NULL;
	bool ok = false;

	if (ldap_str2dn(dn, &parsed, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS || parsed == NULL)
		return false;
	if (parsed[0] != NULL && parsed[0][0] != NULL && parsed[0][0]->la_value.bv_len < len) {
		if (parsed[0][0]->la_value.bv_len > 0) /* an empty value ("cn=") may have no buffer */
			memcpy(out, parsed[0][0]->la_value.bv_val, parsed[0][0]->la_value.bv_len);
		out[parsed[0][0]->la_value.bv_len] = '\0';
		ok = true;
	}
	ldap_dnfree(parsed);
	return ok;
}

/* Copies v into out (len bytes) for display: controls and ill-formed bytes become '?', cut
 * between characters. */
static void copy_name(const struct sendsec_val *v, char *out, size_t len)
{
	size_t in = 0, pos = 0;

	while (in < v->len) {
		uint32_t cp;
		size_t n = sendsec_utf8_decode(v->ptr + in, v->len - in, &cp);
		bool keep = n > 0 && !sendsec_utf8_is_control(cp);
		size_t put = keep ? n : 1;

		if (pos + put >= len)
			break;
		if (keep)
			memcpy(out + pos, v->ptr + in, n);
		else
			out[pos] = '?';
		pos += put;
		in += n > 0 ? n : 1;
	}
	out[pos] = '\0';
}

void sendsec_token_name(const struct sendsec_entry *e, char *out, size_t len)
{
	char rdn[256];
	size_t n;
	const struct sendsec_val *cn = sendsec_entry_values(e, "cn", &n);
	bool has_rdn = e != NULL && e->dn != NULL && rdn_value(e->dn, rdn, sizeof(rdn));

	if (len == 0)
		return;
	out[0] = '\0';
	if (len > SENDSEC_TOKEN_NAME_MAX + 1)
		len = SENDSEC_TOKEN_NAME_MAX + 1;
	for (size_t i = 0; i < n && has_rdn; i++) {
		if (strlen(rdn) != cn[i].len || strncasecmp(rdn, cn[i].ptr, cn[i].len) != 0) {
			copy_name(&cn[i], out, len);
			return;
		}
	}
	if (n > 0)
		copy_name(&cn[0], out, len);
}

bool sendsec_token_name_valid(const char *name)
{
	size_t n = name != NULL ? strnlen(name, SENDSEC_TOKEN_NEW_NAME_MAX + 1) : 0;

	if (n == 0 || n > SENDSEC_TOKEN_NEW_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
				    c == '_' || c == '-'))
			return false;
	}
	return true;
}

enum sendsec_result sendsec_token_parse(const struct sendsec_entry *e, const struct sendsec_token_link *link,
		struct sendsec_token *out, const char **params_dn_out, char *err, size_t errlen)
{
	bool is_totp = sendsec_entry_has_class(e, kinds[SENDSEC_TOKEN_TOTP].token_class);
	bool is_hotp = sendsec_entry_has_class(e, kinds[SENDSEC_TOKEN_HOTP].token_class);
	enum sendsec_token_kind kind = is_totp ? SENDSEC_TOKEN_TOTP : SENDSEC_TOKEN_HOTP;
	size_t n_secret, n_state, n_params;
	const struct sendsec_val *state, *params;

	memset(out, 0, sizeof(*out));
	*params_dn_out = NULL;
	out->dn = link->dn;
	out->link_attr = link->attr;
	if (is_totp == is_hotp) {
		snprintf(err, errlen, "the entry has %s of the classes oathTOTPToken and oathHOTPToken",
				is_totp ? "both" : "neither");
		return SENDSEC_UNAVAILABLE;
	}
	if (link->kind != SENDSEC_TOKEN_ANY && link->kind != kind) {
		snprintf(err, errlen, "%s links an %s entry", link->attr, kinds[kind].token_class);
		return SENDSEC_UNAVAILABLE;
	}
	out->kind = kind;
	sendsec_token_name(e, out->name, sizeof(out->name));
	out->secret = sendsec_entry_values(e, "oathSecret", &n_secret);
	if (n_secret != 1 || out->secret[0].len == 0) {
		snprintf(err, errlen, "it has no oathSecret (or it is not readable)");
		return SENDSEC_UNAVAILABLE;
	}
	state = sendsec_entry_values(e, kinds[kind].state_attr, &n_state);
	if (n_state > 1 || (n_state == 1 && !sendsec_token_parse_counter(&state[0], &out->state_value))) {
		snprintf(err, errlen, "it has a malformed %s", kinds[kind].state_attr);
		return SENDSEC_UNAVAILABLE;
	}
	out->state = n_state == 1 ? &state[0] : NULL;
	params = sendsec_entry_values(e, kinds[kind].params_attr, &n_params);
	if (n_params > 1) {
		snprintf(err, errlen, "it has several %s values", kinds[kind].params_attr);
		return SENDSEC_UNAVAILABLE;
	}
	*params_dn_out = n_params == 1 ? params[0].ptr : NULL;
	/* Until params are applied: the defaults. */
	sendsec_totp_params_default(&out->totp);
	sendsec_hotp_params_default(&out->hotp);
	out->digits = kind == SENDSEC_TOKEN_TOTP ? out->totp.digits : out->hotp.digits;
	return SENDSEC_OK;
}

enum sendsec_result sendsec_token_set_params(
		struct sendsec_token *tok, const struct sendsec_entry *params, char *err, size_t errlen)
{
	bool is_ok;

	if (tok->kind != SENDSEC_TOKEN_TOTP && tok->kind != SENDSEC_TOKEN_HOTP) {
		snprintf(err, errlen, "the token is not parsed");
		return SENDSEC_UNAVAILABLE;
	}
	if (params != NULL && !sendsec_entry_has_class(params, kinds[tok->kind].params_class)) {
		snprintf(err, errlen, "its params entry %s is not an %s entry", params->dn != NULL ? params->dn : "",
				kinds[tok->kind].params_class);
		return SENDSEC_UNAVAILABLE;
	}
	if (tok->kind == SENDSEC_TOKEN_TOTP)
		is_ok = sendsec_totp_params_from_entry(params, &tok->totp);
	else
		is_ok = hotp_params_from_entry(params, &tok->hotp);
	if (!is_ok) {
		snprintf(err, errlen, "its params %s have %s or a value out of range",
				params != NULL && params->dn != NULL ? params->dn : "(defaults)",
				tok->kind == SENDSEC_TOKEN_TOTP ? "an unknown oathHMACAlgorithm"
								: "an oathHMACAlgorithm other than HMAC-SHA1");
		return SENDSEC_UNAVAILABLE;
	}
	tok->digits = tok->kind == SENDSEC_TOKEN_TOTP ? tok->totp.digits : tok->hotp.digits;
	return SENDSEC_OK;
}
