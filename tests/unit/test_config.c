/* test_config.c — sendsec.conf: every default, global/section/argument precedence for every key,
 * every error kind with its exact "file:line", bad values of each type, section isolation, the
 * owner and mode checks on the config and secret files, and reading bindpw and the TOTP key.
 * Files live under a mkdtemp directory that is removed at the end. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "log.h"

#define MAX_BIG (1024 * 1024 + 1)
#define MINIMAL "uri ldap://ldap.example.org\nbase dc=example,dc=org\n"

static char dir[64];
static char made[128][4096]; /* every path created, removed at the end */
static size_t n_made;

/* Writes len bytes into a new mkstemp file under dir with the given mode and owner; returns its path. */
static const char *make_file(const void *data, size_t len, mode_t mode, uid_t uid)
{
	char *path;
	int fd;

	if (n_made == sizeof(made) / sizeof(made[0])) {
		fprintf(stderr, "too many test files\n");
		exit(2);
	}
	path = made[n_made++];

	snprintf(path, sizeof(made[0]), "%s/f.XXXXXX", dir);
	fd = mkstemp(path);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len || fchmod(fd, mode) != 0 ||
			(getuid() == 0 && fchown(fd, uid, 0) != 0)) {
		fprintf(stderr, "cannot create a test file: %s\n", strerror(errno));
		exit(2);
	}
	close(fd);
	return path;
}

static const char *make_text(const char *text, mode_t mode)
{
	return make_file(text, strlen(text), mode, 0);
}

static struct sendsec_config *parse(const char *text)
{
	struct sendsec_config *cfg = NULL;
	char err[512] = "";

	if (sendsec_config_parse("t.conf", text, strlen(text), false, &cfg, err, sizeof(err)) != SENDSEC_OK)
		fprintf(stderr, "unexpected parse error: %s\n", err);
	return cfg;
}

/* True when parsing text fails with exactly the message want. */
static bool parse_fails_with(const char *text, size_t len, const char *want)
{
	struct sendsec_config *cfg = NULL;
	char err[512] = "";
	enum sendsec_result rc = sendsec_config_parse("t.conf", text, len, false, &cfg, err, sizeof(err));

	if (rc == SENDSEC_OK || cfg != NULL || strcmp(err, want) != 0) {
		fprintf(stderr, "  got rc=%d err='%s'\n  want '%s'\n", rc, err, want);
		sendsec_config_free(cfg);
		return false;
	}
	return true;
}

static bool fails_with(const char *text, const char *want)
{
	return parse_fails_with(text, strlen(text), want);
}

/* True when a value for key is refused at load, with a message starting with the expected prefix. */
static bool value_refused(const char *key, const char *value)
{
	char text[8192], want[256];
	struct sendsec_config *cfg = NULL;
	char err[512] = "";

	snprintf(text, sizeof(text), "# only this key\n%s %s\n", key, value);
	snprintf(want, sizeof(want), "t.conf:2: bad value for '%s': ", key);
	if (sendsec_config_parse("t.conf", text, strlen(text), false, &cfg, err, sizeof(err)) == SENDSEC_OK ||
			strncmp(err, want, strlen(want)) != 0) {
		fprintf(stderr, "  %s '%s' not refused as expected: '%s'\n", key, value, err);
		sendsec_config_free(cfg);
		return false;
	}
	return true;
}

static bool value_accepted(const char *key, const char *value)
{
	char text[8192];
	struct sendsec_config *cfg;

	snprintf(text, sizeof(text), "%s %s\n", key, value);
	cfg = parse(text);
	sendsec_config_free(cfg);
	return cfg != NULL;
}

static struct sendsec_settings *resolve(
		const struct sendsec_config *cfg, const char *service, const char *const *args, size_t n_args)
{
	struct sendsec_settings *s = NULL;
	char err[512] = "";

	if (cfg == NULL)
		return NULL;
	if (sendsec_settings_resolve(cfg, service, args, n_args, &s, err, sizeof(err)) != SENDSEC_OK)
		fprintf(stderr, "unexpected resolve error: %s\n", err);
	return s;
}

static bool resolve_fails_with(const struct sendsec_config *cfg, const char *service, const char *const *args,
		size_t n_args, const char *want)
{
	struct sendsec_settings *s = NULL;
	char err[512] = "";
	enum sendsec_result rc;

	if (cfg == NULL)
		return false;
	rc = sendsec_settings_resolve(cfg, service, args, n_args, &s, err, sizeof(err));
	if (rc == SENDSEC_OK || s != NULL || strcmp(err, want) != 0) {
		fprintf(stderr, "  got rc=%d err='%s'\n  want '%s'\n", rc, err, want);
		sendsec_settings_free(s);
		return false;
	}
	return true;
}

/* Collects printed lines. */
struct lines {
	char text[64][8192];
	size_t n;
};

static void collect(void *arg, const char *line)
{
	struct lines *l = arg;

	if (l->n < 64)
		snprintf(l->text[l->n++], sizeof(l->text[0]), "%s", line);
}

/* The value printed for key, or NULL when the key is not printed as set. */
static const char *printed(const struct sendsec_settings *s, const char *key)
{
	static struct lines l;
	size_t klen = strlen(key);

	l.n = 0;
	sendsec_settings_print(s, collect, &l);
	for (size_t i = 0; i < l.n; i++)
		if (strncmp(l.text[i], key, klen) == 0 && l.text[i][klen] == ' ')
			return l.text[i] + klen + 1;
	return NULL;
}

static void test_defaults(void)
{
	struct sendsec_config *cfg = parse(MINIMAL);
	struct sendsec_settings *s = resolve(cfg, NULL, NULL, 0);

	CHECK(s != NULL);
	if (s == NULL)
		goto out;
	CHECK(s->uri.n == 1);
	CHECK_STR(s->uri.items[0], "ldap://ldap.example.org");
	CHECK_STR(s->base, "dc=example,dc=org");
	CHECK(s->binddn == NULL);
	CHECK(s->bindpw_file == NULL);
	CHECK(s->bindpw == NULL);
	CHECK(s->sasl_mech == NULL);
	CHECK(s->starttls == false);
	CHECK(s->tls_cacert == NULL && s->tls_cert == NULL && s->tls_key == NULL);
	CHECK(s->tls_reqcert == SENDSEC_REQCERT_DEMAND);
	CHECK(s->timeout == 5);
	CHECK_STR(s->user_filter, "(&(objectClass=posixAccount)(uid=%u))");
	CHECK_STR(s->user_attr, "uid");
	CHECK(s->password_check == SENDSEC_CHECK_LOCAL);
	CHECK(s->rehash == true);
	CHECK(s->argon2_opslimit == 2);
	CHECK(s->argon2_memlimit_kib == 65536);
	CHECK(s->n_methods == 1); /* no API keys unless a service's methods list apikey */
	CHECK(s->methods[0] == (SENDSEC_FACTOR_PASSWORD | SENDSEC_FACTOR_TOTP));
	CHECK(s->totp_unenrolled_allow == false);
	CHECK(s->otp_mode == SENDSEC_OTP_PROMPT);
	CHECK(s->totp_key_file == NULL);
	CHECK(s->has_totp_key == false);
	CHECK_STR(s->apikey_username, "apikey");
	CHECK_STR(s->apikey_prefix, "ssk_");
	CHECK(s->allow_networks.n == 0);
	CHECK(s->lockout_threshold == 5);
	CHECK(s->lockout_interval == 900);
	CHECK(s->lockout_duration == 900);
	CHECK(s->password_min_length == 12);
	CHECK(s->password_reset_before == 0);
	CHECK(s->log_level == SENDSEC_LOG_INFO);
out:
	sendsec_settings_free(s);
	sendsec_config_free(cfg);
}

/* Every key set to a non-default value in the global part lands in its field. */
static void test_every_field_set(void)
{
	char text[8192];
	const char *pw = make_text("bindsecret\n", 0600);
	const char *key = make_text("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n", 0600);
	const char *tls_key = make_text("-----BEGIN PRIVATE KEY-----\n", 0640);
	struct sendsec_config *cfg;
	struct sendsec_settings *s;

	snprintf(text, sizeof(text),
			"uri ldaps://a.example ldap://b.example:3890 ldapi://%%2Frun%%2Fslapd.sock\n"
			"base ou=people,dc=example\n"
			"binddn cn=svc,dc=example\n"
			"bindpw_file %s\n"
			"sasl_mech EXTERNAL\n"
			"starttls yes\n"
			"tls_cacert /etc/ssl/ca.pem\n"
			"tls_cert /etc/ssl/c.pem\n"
			"tls_key %s\n"
			"tls_reqcert try\n"
			"timeout 300\n"
			"user_filter (&(objectClass=inetOrgPerson)(mail=%%u))\n"
			"user_attr mail\n"
			"password_check bind\n"
			"rehash no\n"
			"argon2_opslimit 20\n"
			"argon2_memlimit 4194304\n"
			"methods password totp+password password+totp apikey\n"
			"totp_unenrolled allow\n"
			"otp_mode append\n"
			"totp_key_file %s\n"
			"apikey_username key\n"
			"apikey_prefix abcdefghijklmno_\n"
			"allow_networks 192.0.2.0/24, 2001:db8::/32\n"
			"lockout_threshold 0\n"
			"lockout_interval 1073741824\n"
			"lockout_duration 1\n"
			"password_min_length 1024\n"
			"password_reset_before 2026-01-31T10:00:00Z\n"
			"log_level debug\n",
			pw, tls_key, key);
	cfg = parse(text);
	s = resolve(cfg, NULL, NULL, 0);
	CHECK(s != NULL);
	if (s == NULL)
		goto out;
	CHECK(s->uri.n == 3);
	CHECK_STR(s->uri.items[0], "ldaps://a.example");
	CHECK_STR(s->uri.items[1], "ldap://b.example:3890");
	CHECK_STR(s->uri.items[2], "ldapi://%2Frun%2Fslapd.sock");
	CHECK_STR(s->base, "ou=people,dc=example");
	CHECK_STR(s->binddn, "cn=svc,dc=example");
	CHECK_STR(s->bindpw_file, pw);
	CHECK(s->bindpw != NULL && strcmp(s->bindpw, "bindsecret") == 0);
	CHECK_STR(s->sasl_mech, "EXTERNAL");
	CHECK(s->starttls == true);
	CHECK_STR(s->tls_cacert, "/etc/ssl/ca.pem");
	CHECK_STR(s->tls_cert, "/etc/ssl/c.pem");
	CHECK_STR(s->tls_key, tls_key);
	CHECK(s->tls_reqcert == SENDSEC_REQCERT_TRY);
	CHECK(s->timeout == 300);
	CHECK_STR(s->user_filter, "(&(objectClass=inetOrgPerson)(mail=%u))");
	CHECK_STR(s->user_attr, "mail");
	CHECK(s->password_check == SENDSEC_CHECK_BIND);
	CHECK(s->rehash == false);
	CHECK(s->argon2_opslimit == 20);
	CHECK(s->argon2_memlimit_kib == 4194304);
	CHECK(s->n_methods == 4);
	CHECK(s->methods[0] == SENDSEC_FACTOR_PASSWORD);
	CHECK(s->methods[1] == (SENDSEC_FACTOR_PASSWORD | SENDSEC_FACTOR_TOTP));
	CHECK(s->methods[2] == (SENDSEC_FACTOR_PASSWORD | SENDSEC_FACTOR_TOTP));
	CHECK(s->methods[3] == SENDSEC_FACTOR_APIKEY);
	CHECK(s->totp_unenrolled_allow == true);
	CHECK(s->otp_mode == SENDSEC_OTP_APPEND);
	CHECK_STR(s->totp_key_file, key);
	CHECK(s->has_totp_key && s->totp_key[0] == 0x00 && s->totp_key[1] == 0x01 && s->totp_key[31] == 0x1f);
	CHECK_STR(s->apikey_username, "key");
	CHECK_STR(s->apikey_prefix, "abcdefghijklmno_");
	CHECK(s->allow_networks.n == 2);
	CHECK(s->lockout_threshold == 0);
	CHECK(s->lockout_interval == 1 << 30);
	CHECK(s->lockout_duration == 1);
	CHECK(s->password_min_length == 1024);
	CHECK(s->password_reset_before == 1769853600);
	CHECK(s->log_level == SENDSEC_LOG_DEBUG);
	/* printing: every key, table order, secrets never shown */
	{
		struct lines *l = calloc(1, sizeof(*l));

		sendsec_settings_print(s, collect, l);
		CHECK_EQ_INT(l->n, 37);
		CHECK(strncmp(l->text[0], "uri ", 4) == 0);
		CHECK_STR(l->text[1], "base ou=people,dc=example");
		CHECK(strcmp(l->text[29], "log_level debug") == 0);
		for (size_t i = 0; i < l->n; i++) {
			CHECK(strstr(l->text[i], "bindsecret") == NULL);
			CHECK(strstr(l->text[i], "000102030405") == NULL);
		}
		free(l);
	}
	CHECK_STR(printed(s, "methods"), "password password+totp password+totp apikey");
	CHECK_STR(printed(s, "allow_networks"), "192.0.2.0/24 2001:db8::/32");
	CHECK_STR(printed(s, "password_reset_before"), "2026-01-31T10:00:00Z");
	CHECK_STR(printed(s, "bindpw_file"), pw);
	CHECK_STR(printed(s, "totp_unenrolled"), "allow");
	CHECK_STR(printed(s, "starttls"), "yes");
out:
	sendsec_settings_free(s);
	sendsec_config_free(cfg);
}

/* For every key: the section overrides the global value, an argument overrides both, and a
 * service without a section (or another section) keeps the global value. */
static void test_precedence_every_key(void)
{
	const char *pw[3] = {make_text("one\n", 0600), make_text("two\n", 0600), make_text("three\n", 0600)};
	const char *tk[3] = {make_text("g\n", 0600), make_text("s\n", 0640), make_text("a\n", 0600)};
	unsigned char raw[32] = {0};
	const char *key[3];
	struct {
		const char *key, *v[3];
	} cases[] = {
			{"uri", {"ldap://g", "ldaps://s1 ldaps://s2", "ldapi://"}},
			{"base", {"dc=g", "dc=s", "dc=a"}},
			{"binddn", {"cn=g", "cn=s", "cn=a"}},
			{"bindpw_file", {pw[0], pw[1], pw[2]}},
			{"starttls", {"yes", "no", "yes"}},
			{"tls_cacert", {"/g", "/s", "/a"}},
			{"tls_cert", {"/g", "/s", "/a"}},
			{"tls_key", {tk[0], tk[1], tk[2]}},
			{"tls_reqcert", {"never", "allow", "try"}},
			{"timeout", {"10", "20", "30"}},
			{"user_filter", {"(uid=%u)", "(mail=%u)", "(cn=%u)"}},
			{"user_attr", {"g", "s", "a"}},
			{"password_check", {"bind", "local", "bind"}},
			{"rehash", {"no", "yes", "no"}},
			{"argon2_opslimit", {"3", "4", "5"}},
			{"argon2_memlimit", {"8", "1024", "2048"}},
			{"methods", {"password", "password+totp", "apikey password"}},
			{"totp_unenrolled", {"allow", "deny", "allow"}},
			{"otp_mode", {"append", "prompt", "append"}},
			{"totp_key_file", {NULL, NULL, NULL}},
			{"apikey_username", {"g", "s", "a"}},
			{"apikey_prefix", {"g_", "s_", "a_"}},
			{"allow_networks", {"10.0.0.0/8", "192.0.2.1", "2001:db8::/48"}},
			{"lockout_threshold", {"1", "2", "3"}},
			{"lockout_interval", {"1", "2", "3"}},
			{"lockout_duration", {"1", "2", "3"}},
			{"password_min_length", {"8", "9", "10"}},
			{"password_reset_before",
					{"2020-01-01T00:00:00Z", "2021-01-01T00:00:00Z", "2022-01-01T00:00:00Z"}},
			{"log_level", {"error", "debug", "error"}},
			{"ppolicy_default", {"cn=g", "cn=s", "cn=a"}},
			{"sasl_mech", {"EXTERNAL", "EXTERNAL", "EXTERNAL"}},
	};

	for (int i = 0; i < 3; i++) {
		raw[0] = (unsigned char)i;
		key[i] = make_file(raw, sizeof(raw), 0600, 0);
	}
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++)
		if (strcmp(cases[c].key, "totp_key_file") == 0)
			cases[c].v[0] = key[0], cases[c].v[1] = key[1], cases[c].v[2] = key[2];
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		const char *k = cases[c].key;
		char text[4096], arg[4096];
		const char *args[1] = {arg};
		struct sendsec_config *cfg;
		struct sendsec_settings *g, *sec, *a, *none;

		snprintf(text, sizeof(text), "%s%s%s%s%s%s %s\n[service other]\ntimeout 7\n[service smtp]\n%s %s\n",
				strcmp(k, "uri") == 0 ? "" : "uri ldap://x\n",
				strcmp(k, "base") == 0 ? "" : "base dc=x\n",
				strcmp(k, "binddn") == 0 ? "bindpw_file " : "", strcmp(k, "binddn") == 0 ? pw[0] : "",
				strcmp(k, "binddn") == 0 ? "\n" : "", k, cases[c].v[0], k, cases[c].v[1]);
		snprintf(arg, sizeof(arg), "%s=%s", k, cases[c].v[2]);
		cfg = parse(text);
		g = resolve(cfg, NULL, NULL, 0);
		sec = resolve(cfg, "smtp", NULL, 0);
		a = resolve(cfg, "smtp", args, 1);
		none = resolve(cfg, "sshd", NULL, 0);
		CHECK(g != NULL && sec != NULL && a != NULL && none != NULL);
		if (g != NULL && sec != NULL && a != NULL && none != NULL) {
			const char *want[4] = {cases[c].v[0], cases[c].v[1], cases[c].v[2], cases[c].v[0]};
			const struct sendsec_settings *got[4] = {g, sec, a, none};

			for (int i = 0; i < 4; i++) {
				const char *value = printed(got[i], k);

				if (value == NULL || strcmp(value, want[i]) != 0)
					fprintf(stderr, "  key %s, case %d: printed '%s'\n", k, i,
							value != NULL ? value : "(not set)");
				CHECK_STR(value, want[i]);
			}
		}
		if (strcmp(k, "bindpw_file") == 0 && a != NULL && sec != NULL && g != NULL) {
			CHECK(g->bindpw != NULL && strcmp(g->bindpw, "one") == 0);
			CHECK(sec->bindpw != NULL && strcmp(sec->bindpw, "two") == 0);
			CHECK(a->bindpw != NULL && strcmp(a->bindpw, "three") == 0);
		}
		if (strcmp(k, "totp_key_file") == 0 && a != NULL && sec != NULL && g != NULL) {
			CHECK(g->has_totp_key && g->totp_key[0] == 0);
			CHECK(sec->has_totp_key && sec->totp_key[0] == 1);
			CHECK(a->has_totp_key && a->totp_key[0] == 2);
		}
		sendsec_settings_free(g);
		sendsec_settings_free(sec);
		sendsec_settings_free(a);
		sendsec_settings_free(none);
		sendsec_config_free(cfg);
	}
}

static void test_section_isolation(void)
{
	struct sendsec_config *cfg = parse(MINIMAL "timeout 9\n"
						   "[service a]\ntimeout 10\ntls_cacert /a\nallow_networks 10.0.0.0/8\n"
						   "[service b]\ntimeout 20\n"
						   "[service c.d_e-1]\nlog_level debug\n");
	struct sendsec_settings *a = resolve(cfg, "a", NULL, 0), *b = resolve(cfg, "b", NULL, 0);
	struct sendsec_settings *c = resolve(cfg, "c.d_e-1", NULL, 0), *x = resolve(cfg, "x", NULL, 0);

	CHECK(a != NULL && a->timeout == 10 && a->tls_cacert != NULL && a->allow_networks.n == 1);
	CHECK(b != NULL && b->timeout == 20 && b->tls_cacert == NULL && b->allow_networks.n == 0);
	CHECK(c != NULL && c->timeout == 9 && c->log_level == SENDSEC_LOG_DEBUG);
	CHECK(x != NULL && x->timeout == 9 && x->tls_cacert == NULL && x->log_level == SENDSEC_LOG_INFO);
	CHECK(sendsec_config_n_services(cfg) == 3);
	CHECK_STR(sendsec_config_service_name(cfg, 0), "a");
	CHECK_STR(sendsec_config_service_name(cfg, 1), "b");
	CHECK_STR(sendsec_config_service_name(cfg, 2), "c.d_e-1");
	CHECK(sendsec_config_service_name(cfg, 3) == NULL);
	sendsec_settings_free(a);
	sendsec_settings_free(b);
	sendsec_settings_free(c);
	sendsec_settings_free(x);
	sendsec_config_free(cfg);
}

static void test_grammar(void)
{
	struct sendsec_config *cfg;
	struct sendsec_settings *s;

	/* comments, blank lines, indentation, CRLF, trailing blanks, '#' inside a value */
	cfg = parse("# comment\n\n   \t# indented comment\r\n  uri \t ldap://a   ldap://b  \r\n"
		    "base dc=a#b \t\n\t[service smtp]  \ntimeout 7\n");
	s = resolve(cfg, "smtp", NULL, 0);
	CHECK(s != NULL && s->uri.n == 2 && s->timeout == 7);
	CHECK(s != NULL && strcmp(s->base, "dc=a#b") == 0);
	CHECK(s != NULL && strcmp(s->uri.items[1], "ldap://b") == 0);
	sendsec_settings_free(s);
	sendsec_config_free(cfg);

	/* valid UTF-8 in a value, last line without newline, empty file */
	cfg = parse("uri ldap://a\nbase dc=ex\xc3\xa4mple,dc=\xe2\x82\xac\xf0\x9f\x94\x91");
	s = resolve(cfg, NULL, NULL, 0);
	CHECK(s != NULL && strcmp(s->base, "dc=ex\xc3\xa4mple,dc=\xe2\x82\xac\xf0\x9f\x94\x91") == 0);
	sendsec_settings_free(s);
	sendsec_config_free(cfg);
	cfg = parse("");
	CHECK(cfg != NULL && sendsec_config_n_services(cfg) == 0);
	sendsec_config_free(cfg);

	/* section header with blanks around the name */
	cfg = parse("[service   smtp ]\n" MINIMAL);
	CHECK(cfg != NULL && strcmp(sendsec_config_service_name(cfg, 0), "smtp") == 0);
	sendsec_config_free(cfg);
}

static void test_file_errors(void)
{
	char *big;
	size_t n;

	CHECK(fails_with(MINIMAL "foo bar\n", "t.conf:3: unknown key 'foo'"));
	CHECK(fails_with("URI ldap://x\n", "t.conf:1: unknown key 'URI'"));
	CHECK(fails_with("timeout=5\n", "t.conf:1: unknown key 'timeout=5'"));
	CHECK(fails_with("\n\ntimeout 0\n", "t.conf:3: bad value for 'timeout': expected 1..300"));
	CHECK(fails_with("timeout\n", "t.conf:1: missing value for 'timeout'"));
	CHECK(fails_with("timeout  \t \n", "t.conf:1: missing value for 'timeout'"));
	CHECK(fails_with("timeout 5\n# x\ntimeout 6\n", "t.conf:3: duplicate key 'timeout' (already set on line 1)"));
	CHECK(fails_with("timeout 5\n[service a]\ntimeout 6\ntimeout 7\n",
			"t.conf:4: duplicate key 'timeout' (already set on line 3)"));
	CHECK(fails_with("[global]\n", "t.conf:1: unknown section '[global]': expected [service NAME]"));
	CHECK(fails_with("[foo bar]\n", "t.conf:1: unknown section '[foo bar]': expected [service NAME]"));
	CHECK(fails_with("[service]\n", "t.conf:1: unknown section '[service]': expected [service NAME]"));
	CHECK(fails_with("[servicex a]\n", "t.conf:1: unknown section '[servicex a]': expected [service NAME]"));
	CHECK(fails_with("[service a\n", "t.conf:1: unknown section '[service a': expected [service NAME]"));
	CHECK(fails_with("[service a b]\n",
			"t.conf:1: bad service name 'a b': expected 1 to 255 characters of A-Z a-z 0-9 . _ -"));
	CHECK(fails_with("[service a/b]\n",
			"t.conf:1: bad service name 'a/b': expected 1 to 255 characters of A-Z a-z 0-9 . _ -"));
	CHECK(fails_with("[service  ]\n",
			"t.conf:1: bad service name '': expected 1 to 255 characters of A-Z a-z 0-9 . _ -"));
	CHECK(fails_with("[service a]\n[service b]\n[service a]\n",
			"t.conf:3: duplicate section '[service a]' (first on line 1)"));
	/* a bad value in a section that is never used is reported at load */
	CHECK(fails_with(MINIMAL "[service never]\nlog_level loud\n",
			"t.conf:4: bad value for 'log_level': expected error, info or debug"));
	/* text checks */
	CHECK(parse_fails_with(
			"uri ldap://x\nbase d\0c\n", sizeof("uri ldap://x\nbase d\0c\n") - 1, "t.conf:2: NUL byte"));
	CHECK(fails_with("uri ldap://x\nbase \xc0\x80\n", "t.conf:2: invalid UTF-8"));
	CHECK(fails_with("base \xed\xa0\x80\n", "t.conf:1: invalid UTF-8"));
	CHECK(fails_with("base \xf5\x80\x80\x80\n", "t.conf:1: invalid UTF-8"));
	CHECK(fails_with("base \xe2\x82\n", "t.conf:1: invalid UTF-8"));
	CHECK(fails_with("base \xff\n", "t.conf:1: invalid UTF-8"));
	CHECK(fails_with("base a\x1b[0m\n", "t.conf:1: control character 0x1b"));
	CHECK(fails_with("base a\rb\n", "t.conf:1: control character 0x0d"));
	/* line length: 4096 bytes accepted, 4097 refused */
	big = malloc(MAX_BIG);
	n = (size_t)snprintf(big, MAX_BIG, "base ");
	memset(big + n, 'a', 4096 - n);
	big[4096] = '\0';
	{
		char *text = malloc(8200);
		struct sendsec_config *cfg;

		snprintf(text, 8200, "uri ldap://x\n%s\n", big);
		cfg = parse(text);
		CHECK(cfg != NULL);
		sendsec_config_free(cfg);
		snprintf(text, 8200, "uri ldap://x\n%sa\n", big);
		CHECK(fails_with(text, "t.conf:2: line longer than 4096 bytes"));
		free(text);
	}
	/* file size: 1 MiB of comments accepted, one byte more refused */
	memset(big, '#', MAX_BIG);
	for (size_t i = 1000; i < MAX_BIG; i += 1000)
		big[i] = '\n';
	{
		struct sendsec_config *cfg = NULL;
		char err[128];

		CHECK(sendsec_config_parse("t.conf", big, 1024 * 1024, false, &cfg, err, sizeof(err)) == SENDSEC_OK);
		sendsec_config_free(cfg);
		cfg = NULL;
		CHECK(parse_fails_with(big, 1024 * 1024 + 1, "t.conf: larger than 1048576 bytes"));
		CHECK(cfg == NULL);
	}
	free(big);
}

static void test_bad_values(void)
{
	static const char *const refused[][2] = {
			{"starttls", "on"},
			{"starttls", "1"},
			{"starttls", "Yes"},
			{"rehash", "off"},
			{"timeout", "0"},
			{"timeout", "301"},
			{"timeout", "-1"},
			{"timeout", "+5"},
			{"timeout", "5x"},
			{"timeout", "5 6"},
			{"timeout", "99999999999999999999999"},
			{"timeout", "0x10"},
			{"lockout_threshold", "1073741825"},
			{"lockout_interval", "-1"},
			{"lockout_duration", "1e3"},
			{"password_min_length", "0"},
			{"password_min_length", "1025"},
			{"argon2_opslimit", "0"},
			{"argon2_opslimit", "21"},
			{"argon2_memlimit", "7"},
			{"argon2_memlimit", "4194305"},
			{"tls_reqcert", "hard"},
			{"tls_reqcert", "DEMAND"},
			{"password_check", "remote"},
			{"totp_unenrolled", "yes"},
			{"otp_mode", "inline"},
			{"log_level", "warning"},
			{"sasl_mech", "PLAIN"},
			{"sasl_mech", "external"},
			{"uri", "http://x"},
			{"uri", "ldap:/x"},
			{"uri", "ldap://a ftp://b"},
			{"uri", "ldap://1 ldap://2 ldap://3 ldap://4 ldap://5 ldap://6 ldap://7 ldap://8 ldap://9"},
			{"methods", "password+apikey"},
			{"methods", "apikey+totp"},
			{"methods", "password+password"},
			{"methods", "password+"},
			{"methods", "+totp"},
			{"methods", "password++totp"},
			{"methods", "otp"},
			{"methods", "Password"},
			{"methods", "password+totp+password"},
			{"methods", "password totp password totp password totp password totp apikey"},
			{"allow_networks", "10.0.0.0/33"},
			{"allow_networks", "any 10.0.0.0/8"},
			{"allow_networks", "example.org"},
			{"allow_networks", ",,"},
			{"password_reset_before", "2026-13-01T00:00:00Z"},
			{"password_reset_before", "yesterday"},
			{"password_reset_before", "20260101000000Z"},
			{"password_reset_before", "1970-01-01T00:00:00Z"},
			{"user_filter", "uid=%u"},
			{"user_filter", "(uid=bob)"},
			{"apikey_prefix", "ssk-"},
			{"apikey_prefix", "abcdefghijklmnopq"},
			{"apikey_prefix", "s k"},
	};
	static const char *const accepted[][2] = {
			{"starttls", "true"},
			{"rehash", "false"},
			{"timeout", "1"},
			{"timeout", "005"},
			{"argon2_opslimit", "1"},
			{"argon2_memlimit", "8"},
			{"lockout_threshold", "1073741824"},
			{"uri", "LDAPS://upper.example"},
			{"uri", "ldap://1 ldap://2 ldap://3 ldap://4 ldap://5 ldap://6 ldap://7 ldap://8"},
			{"methods", "totp"},
			{"allow_networks", "any"},
			{"allow_networks", "10.0.0.0/8,192.0.2.7 ::1"},
			{"apikey_prefix", "ABC123"},
			{"apikey_prefix", "abcdefghijklmnop"},
			{"user_filter", "(|(uid=%u)(mail=%u))"},
			{"password_reset_before", "2026-01-31T10:00:00+02:00"},
	};

	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		CHECK(value_refused(refused[i][0], refused[i][1]));
	for (size_t i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++)
		CHECK(value_accepted(accepted[i][0], accepted[i][1]));
	/* exact messages per type */
	CHECK(fails_with("starttls on\n", "t.conf:1: bad value for 'starttls': expected yes or no"));
	CHECK(fails_with("tls_reqcert x\n",
			"t.conf:1: bad value for 'tls_reqcert': expected never, allow, try or demand"));
	CHECK(fails_with("sasl_mech PLAIN\n", "t.conf:1: bad value for 'sasl_mech': expected EXTERNAL"));
	CHECK(fails_with("argon2_memlimit 1\n", "t.conf:1: bad value for 'argon2_memlimit': expected 8..4194304"));
	CHECK(fails_with("uri http://x\n",
			"t.conf:1: bad value for 'uri': expected ldap://, ldaps:// or ldapi:// URIs"));
	CHECK(fails_with("methods password+apikey\n",
			"t.conf:1: bad value for 'methods': apikey must be an alternative on its own"));
	CHECK(fails_with("methods totp+totp\n",
			"t.conf:1: bad value for 'methods': factor 'totp' repeated in one alternative"));
	CHECK(fails_with("user_filter uid=%u\n",
			"t.conf:1: bad value for 'user_filter': expected an LDAP filter in parentheses containing %u"));
	CHECK(fails_with("apikey_prefix a-\n",
			"t.conf:1: bad value for 'apikey_prefix': expected 1 to 16 characters of A-Z a-z 0-9 _"));
}

static void test_resolve_errors(void)
{
	struct sendsec_config *cfg = parse(MINIMAL "[service smtp]\ntimeout 9\n");
	struct sendsec_config *no_base = parse("uri ldap://x\n[service smtp]\nbase dc=x\n");
	struct sendsec_config *no_uri = parse("base dc=x\n");
	const char *args_bad[] = {"timeout=10", "debug"};
	const char *args_unknown[] = {"foo=1"};
	const char *args_value[] = {"log_level=info", "timeout=301"};
	const char *args_empty[] = {"timeout="};
	const char *args_utf8[] = {"base=\xff"};
	const char *args_ok[] = {"timeout=11", "timeout=12", "base=dc=a=b", "methods=password apikey"};
	struct sendsec_settings *s;
	char err[8];

	CHECK(resolve_fails_with(cfg, "smtp", args_bad, 2, "argument 2: expected key=value"));
	CHECK(resolve_fails_with(cfg, "smtp", args_unknown, 1, "argument 1: unknown key 'foo'"));
	CHECK(resolve_fails_with(cfg, "smtp", args_value, 2, "argument 2: bad value for 'timeout': expected 1..300"));
	CHECK(resolve_fails_with(cfg, "smtp", args_empty, 1, "argument 1: missing value for 'timeout'"));
	CHECK(resolve_fails_with(cfg, "smtp", args_utf8, 1, "argument 1: invalid UTF-8"));
	CHECK(resolve_fails_with(no_base, "sshd", NULL, 0, "t.conf: missing required key 'base' (service sshd)"));
	CHECK(resolve_fails_with(no_base, NULL, NULL, 0, "t.conf: missing required key 'base' (service (none))"));
	CHECK(resolve_fails_with(no_uri, "smtp", NULL, 0, "t.conf: missing required key 'uri' (service smtp)"));
	s = resolve(no_base, "smtp", NULL, 0);
	CHECK(s != NULL && strcmp(s->base, "dc=x") == 0);
	sendsec_settings_free(s);
	/* later arguments win; values may contain '=' and spaces */
	s = resolve(cfg, "smtp", args_ok, 4);
	CHECK(s != NULL && s->timeout == 12 && strcmp(s->base, "dc=a=b") == 0 && s->n_methods == 2);
	sendsec_settings_free(s);
	/* a small err buffer is truncated and NUL-terminated; a zero-length one is left alone */
	memset(err, 'x', sizeof(err));
	CHECK(sendsec_settings_resolve(cfg, "smtp", args_unknown, 1, &s, err, sizeof(err)) == SENDSEC_UNAVAILABLE);
	CHECK(s == NULL && memcmp(err, "argumen", 8) == 0);
	memset(err, 'x', sizeof(err));
	CHECK(sendsec_settings_resolve(cfg, "smtp", args_unknown, 1, &s, err, 0) == SENDSEC_UNAVAILABLE);
	CHECK(err[0] == 'x');
	sendsec_config_free(cfg);
	sendsec_config_free(no_base);
	sendsec_config_free(no_uri);
}

/* binddn without bindpw_file would bind with the DN and an empty password, an unauthenticated
 * bind: refused wherever the combination arises, naming the file and line (or argument) that set
 * binddn and the service. */
static void test_binddn_needs_bindpw_file(void)
{
	const char *pw = make_text("svcsecret\n", 0600);
	char text[4096], arg_pw[4200];
	const char *args_dn[] = {"timeout=3", "binddn=cn=a"};
	const char *args_both[] = {"binddn=cn=a", arg_pw};
	struct sendsec_config *global_dn = parse(MINIMAL "binddn cn=g\n");
	struct sendsec_config *section_dn = parse(MINIMAL "[service other]\ntimeout 7\n[service smtp]\nbinddn cn=s\n");
	struct sendsec_config *sasl_dn = parse(MINIMAL "sasl_mech EXTERNAL\nbinddn cn=g\n");
	struct sendsec_config *plain = parse(MINIMAL);
	struct sendsec_config *with_pw;
	struct sendsec_settings *s;

	CHECK(resolve_fails_with(
			global_dn, NULL, NULL, 0, "t.conf:3: 'binddn' is set without 'bindpw_file' (service (none))"));
	CHECK(resolve_fails_with(
			global_dn, "smtp", NULL, 0, "t.conf:3: 'binddn' is set without 'bindpw_file' (service smtp)"));
	CHECK(resolve_fails_with(
			section_dn, "smtp", NULL, 0, "t.conf:6: 'binddn' is set without 'bindpw_file' (service smtp)"));
	CHECK(resolve_fails_with(
			sasl_dn, NULL, NULL, 0, "t.conf:4: 'binddn' is set without 'bindpw_file' (service (none))"));
	CHECK(resolve_fails_with(
			plain, "sshd", args_dn, 2, "argument 2: 'binddn' is set without 'bindpw_file' (service sshd)"));
	/* the section's binddn is the one reported even when the global part sets one too */
	sendsec_config_free(global_dn);
	global_dn = parse(MINIMAL "binddn cn=g\n[service smtp]\nbinddn cn=s\n");
	CHECK(resolve_fails_with(
			global_dn, "smtp", NULL, 0, "t.conf:5: 'binddn' is set without 'bindpw_file' (service smtp)"));
	/* services that do not meet the combination are fine */
	s = resolve(section_dn, NULL, NULL, 0);
	CHECK(s != NULL && s->binddn == NULL);
	sendsec_settings_free(s);
	s = resolve(section_dn, "other", NULL, 0);
	CHECK(s != NULL && s->binddn == NULL);
	sendsec_settings_free(s);
	/* with a bindpw_file from any layer the pair is complete */
	snprintf(arg_pw, sizeof(arg_pw), "bindpw_file=%s", pw);
	s = resolve(plain, "sshd", args_both, 2);
	CHECK(s != NULL && s->bindpw != NULL && strcmp(s->bindpw, "svcsecret") == 0);
	sendsec_settings_free(s);
	snprintf(text, sizeof(text), MINIMAL "bindpw_file %s\n[service smtp]\nbinddn cn=s\n", pw);
	with_pw = parse(text);
	s = resolve(with_pw, "smtp", NULL, 0);
	CHECK(s != NULL && s->binddn != NULL && s->bindpw != NULL);
	sendsec_settings_free(s);
	sendsec_config_free(with_pw);
	sendsec_config_free(global_dn);
	sendsec_config_free(section_dn);
	sendsec_config_free(sasl_dn);
	sendsec_config_free(plain);
}

static enum sendsec_result load(const char *path, bool check_owner, char *err, size_t errlen)
{
	struct sendsec_config *cfg = NULL;
	enum sendsec_result rc = sendsec_config_load(path, check_owner, &cfg, err, errlen);

	CHECK((rc == SENDSEC_OK) == (cfg != NULL));
	sendsec_config_free(cfg);
	return rc;
}

static bool load_fails_with(const char *path, bool check_owner, const char *want_suffix)
{
	char err[4096] = "", want[4096];

	snprintf(want, sizeof(want), "%s: %s", path, want_suffix);
	if (load(path, check_owner, err, sizeof(err)) == SENDSEC_OK || strcmp(err, want) != 0) {
		fprintf(stderr, "  got '%s'\n  want '%s'\n", err, want);
		return false;
	}
	return true;
}

static void test_load(void)
{
	char err[4096], link_path[4200], fifo[4200];
	const char *good = make_text(MINIMAL, 0644);
	const char *bad_line = make_text(MINIMAL "timeout 0\n", 0644);
	const char *open_any = make_text(MINIMAL, 0666);
	char *big = calloc(1, 1024 * 1024 + 1);
	const char *too_big;

	CHECK(load(good, true, err, sizeof(err)) == SENDSEC_OK);
	CHECK(load(open_any, false, err, sizeof(err)) == SENDSEC_OK);
	snprintf(err, sizeof(err), "%s:3: bad value for 'timeout': expected 1..300", bad_line);
	{
		char got[4096] = "";

		CHECK(load(bad_line, true, got, sizeof(got)) == SENDSEC_UNAVAILABLE && strcmp(got, err) == 0);
	}
	snprintf(link_path, sizeof(link_path), "%s/missing.conf", dir);
	CHECK(load_fails_with(link_path, true, "cannot open: No such file or directory"));
	CHECK(load_fails_with(dir, false, "is not a regular file"));
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	CHECK(mkfifo(fifo, 0600) == 0);
	CHECK(load_fails_with(fifo, false, "is not a regular file"));
	unlink(fifo);
	memset(big, '#', 1024 * 1024 + 1);
	too_big = make_file(big, 1024 * 1024 + 1, 0644, 0);
	CHECK(load_fails_with(too_big, true, "larger than 1048576 bytes"));
	free(big);

	/* owner and mode of the config file */
	CHECK(load_fails_with(open_any, true, "is writable by group or others; chmod go-w"));
	CHECK(load_fails_with(make_text(MINIMAL, 0620), true, "is writable by group or others; chmod go-w"));
	CHECK(load_fails_with(make_text(MINIMAL, 0602), true, "is writable by group or others; chmod go-w"));
	CHECK(load(make_text(MINIMAL, 0600), true, err, sizeof(err)) == SENDSEC_OK);
	CHECK(load(make_text(MINIMAL, 0640), true, err, sizeof(err)) == SENDSEC_OK);
	if (getuid() == 0) {
		const char *nobody = make_file(MINIMAL, strlen(MINIMAL), 0644, 65534);

		CHECK(load_fails_with(nobody, true, "is owned by uid 65534, not root; chown root"));
		CHECK(load(nobody, false, err, sizeof(err)) == SENDSEC_OK);
	} else {
		printf("not root: owner checks skipped\n");
	}
	/* a symlink is followed and its target checked */
	snprintf(link_path, sizeof(link_path), "%s/link.conf", dir);
	CHECK(symlink(good, link_path) == 0);
	CHECK(load(link_path, true, err, sizeof(err)) == SENDSEC_OK);
	unlink(link_path);
	CHECK(symlink(open_any, link_path) == 0);
	CHECK(load_fails_with(link_path, true, "is writable by group or others; chmod go-w"));
	unlink(link_path);
}

/* Resolves a config with "key path" and returns the result; *err gets the message. */
static enum sendsec_result resolve_secret(const char *key, const char *path, bool check_owner,
		struct sendsec_settings **s_out, char *err, size_t errlen)
{
	char text[8192];
	struct sendsec_config *cfg = NULL;
	enum sendsec_result rc;

	*s_out = NULL;
	snprintf(text, sizeof(text), MINIMAL "%s %s\n", key, path);
	rc = sendsec_config_parse("t.conf", text, strlen(text), check_owner, &cfg, err, errlen);
	if (rc == SENDSEC_OK)
		rc = sendsec_settings_resolve(cfg, "smtp", NULL, 0, s_out, err, errlen);
	sendsec_config_free(cfg);
	return rc;
}

static bool secret_refused(const char *key, const char *path, bool check_owner, const char *want_suffix)
{
	struct sendsec_settings *s;
	char err[4096] = "", want[4096];

	snprintf(want, sizeof(want), "%s: %s", path, want_suffix);
	if (resolve_secret(key, path, check_owner, &s, err, sizeof(err)) == SENDSEC_OK || s != NULL ||
			strcmp(err, want) != 0) {
		fprintf(stderr, "  got '%s'\n  want '%s'\n", err, want);
		sendsec_settings_free(s);
		return false;
	}
	return true;
}

/* The bindpw read from a file with these contents, compared with want (NULL: refused). */
static bool bindpw_is(const char *contents, size_t len, const char *want)
{
	struct sendsec_settings *s;
	char err[4096];
	bool ok;

	if (resolve_secret("bindpw_file", make_file(contents, len, 0600, 0), true, &s, err, sizeof(err)) != SENDSEC_OK)
		return want == NULL;
	ok = want != NULL && s->bindpw != NULL && strcmp(s->bindpw, want) == 0;
	sendsec_settings_free(s);
	return ok;
}

static void test_bindpw(void)
{
	char long_pw[1100];
	const char *pw;

	CHECK(bindpw_is("s3cret\n", 7, "s3cret"));
	CHECK(bindpw_is("s3cret", 6, "s3cret"));
	CHECK(bindpw_is("s3cret\r\n", 8, "s3cret"));
	CHECK(bindpw_is("with space\nsecond line\n", 23, "with space"));
	CHECK(bindpw_is("\n", 1, NULL));
	CHECK(bindpw_is("", 0, NULL));
	CHECK(bindpw_is("a\0b\n", 4, NULL));
	memset(long_pw, 'p', sizeof(long_pw));
	long_pw[1024] = '\n';
	{
		char want[1025];

		memcpy(want, long_pw, 1024);
		want[1024] = '\0';
		CHECK(bindpw_is(long_pw, 1025, want));
	}
	long_pw[1024] = 'p';
	long_pw[1025] = '\n';
	CHECK(bindpw_is(long_pw, 1026, NULL));
	CHECK(bindpw_is(long_pw, sizeof(long_pw), NULL));

	pw = make_text("s3cret\n", 0644);
	CHECK(secret_refused("bindpw_file", pw, true, "is readable by others; chmod o-rwx"));
	CHECK(bindpw_is("s3cret\n", 7, "s3cret"));
	CHECK(secret_refused("bindpw_file", make_text("s3cret\n", 0660), true,
			"is writable by group or others; chmod go-w"));
	CHECK(secret_refused("bindpw_file", make_text("s3cret\n", 0606), true,
			"is writable by group or others; chmod go-w"));
	{
		struct sendsec_settings *s;
		char err[4096];

		CHECK(resolve_secret("bindpw_file", make_text("s3cret\n", 0640), true, &s, err, sizeof(err)) ==
				SENDSEC_OK);
		sendsec_settings_free(s);
		CHECK(resolve_secret("bindpw_file", pw, false, &s, err, sizeof(err)) == SENDSEC_OK);
		sendsec_settings_free(s);
	}
	if (getuid() == 0)
		CHECK(secret_refused("bindpw_file", make_file("x\n", 2, 0600, 65534), true,
				"is owned by uid 65534, not root; chown root"));
	CHECK(secret_refused(
			"bindpw_file", "/nonexistent/sendsec-bindpw", false, "cannot open: No such file or directory"));
	CHECK(secret_refused("bindpw_file", dir, false, "is not a regular file"));
}

static void test_totp_key(void)
{
	unsigned char raw[33];
	char hex[67];
	struct sendsec_settings *s;
	char err[4096];
	const char *wrong = "expected exactly 32 bytes or 64 hex digits";

	for (int i = 0; i < 33; i++)
		raw[i] = (unsigned char)(0xa0 + i);
	CHECK(resolve_secret("totp_key_file", make_file(raw, 32, 0600, 0), true, &s, err, sizeof(err)) == SENDSEC_OK);
	CHECK(s != NULL && s->has_totp_key && memcmp(s->totp_key, raw, 32) == 0);
	sendsec_settings_free(s);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02X", raw[i]);
	hex[64] = '\n';
	hex[65] = '\n';
	CHECK(resolve_secret("totp_key_file", make_file(hex, 64, 0600, 0), true, &s, err, sizeof(err)) == SENDSEC_OK);
	CHECK(s != NULL && s->has_totp_key && memcmp(s->totp_key, raw, 32) == 0);
	sendsec_settings_free(s);
	CHECK(resolve_secret("totp_key_file", make_file(hex, 65, 0640, 0), true, &s, err, sizeof(err)) == SENDSEC_OK);
	CHECK(s != NULL && s->has_totp_key && memcmp(s->totp_key, raw, 32) == 0);
	CHECK(printed(s, "totp_key_file") != NULL);
	sendsec_settings_free(s);

	CHECK(secret_refused("totp_key_file", make_file(hex, 66, 0600, 0), true, wrong));
	CHECK(secret_refused("totp_key_file", make_file(hex, 63, 0600, 0), true, wrong));
	CHECK(secret_refused("totp_key_file", make_file(raw, 31, 0600, 0), true, wrong));
	CHECK(secret_refused("totp_key_file", make_file(raw, 33, 0600, 0), true, wrong));
	CHECK(secret_refused("totp_key_file", make_file("", 0, 0600, 0), true, wrong));
	hex[10] = 'g';
	CHECK(secret_refused("totp_key_file", make_file(hex, 64, 0600, 0), true, wrong));
	CHECK(secret_refused("totp_key_file", make_file(raw, 32, 0604, 0), true, "is readable by others; chmod o-rwx"));
	if (getuid() == 0)
		CHECK(secret_refused("totp_key_file", make_file(raw, 32, 0600, 65534), true,
				"is owned by uid 65534, not root; chown root"));
}

/* tls_key gets the secret files' checks when the settings are resolved: root's, the ssl-cert
 * group may read it, others may not; a missing file is a config error, not a later outage. */
static void test_tls_key(void)
{
	struct sendsec_settings *s;
	char err[4096];

	CHECK_RESULT(resolve_secret("tls_key", make_text("k\n", 0640), true, &s, err, sizeof(err)), SENDSEC_OK);
	sendsec_settings_free(s);
	CHECK(secret_refused("tls_key", make_text("k\n", 0644), true, "is readable by others; chmod o-rwx"));
	CHECK(secret_refused("tls_key", make_text("k\n", 0660), true, "is writable by group or others; chmod go-w"));
	CHECK(secret_refused("tls_key", "/nonexistent/c.key", true, "cannot open: No such file or directory"));
	if (getuid() == 0)
		CHECK(secret_refused("tls_key", make_file("k\n", 2, 0600, 65534), true,
				"is owned by uid 65534, not root; chown root"));
	/* Without the owner checks (a test's own config), only the file must open. */
	CHECK_RESULT(resolve_secret("tls_key", make_text("k\n", 0644), false, &s, err, sizeof(err)), SENDSEC_OK);
	sendsec_settings_free(s);
}

static void test_print_unset(void)
{
	struct sendsec_config *cfg = parse(MINIMAL);
	struct sendsec_settings *s = resolve(cfg, NULL, NULL, 0);
	struct lines *l = calloc(1, sizeof(*l));

	if (s != NULL)
		sendsec_settings_print(s, collect, l);
	CHECK_EQ_INT(l->n, 37);
	CHECK_STR(l->text[0], "uri ldap://ldap.example.org");
	CHECK_STR(l->text[2], "# binddn (not set)");
	CHECK_STR(l->text[3], "# bindpw_file (not set)");
	CHECK_STR(l->text[9], "tls_reqcert demand");
	CHECK_STR(l->text[11], "user_filter (&(objectClass=posixAccount)(uid=%u))");
	CHECK_STR(l->text[17], "methods password+totp");
	CHECK_STR(l->text[23], "allow_networks any");
	CHECK_STR(l->text[28], "# password_reset_before (not set)");
	CHECK_STR(l->text[29], "log_level info");
	free(l);
	sendsec_settings_free(s);
	sendsec_config_free(cfg);
}

/* packaging/sendsec.conf.example loads, and shows every key with its default ("#key default",
 * or "#key ..." for a key unset by default). */
static void test_example_file(void)
{
	const char *srcdir = getenv("SENDSEC_SRCDIR");
	char path[4096], err[4096] = "", *text = NULL;
	struct sendsec_config *cfg = NULL, *min = parse(MINIMAL);
	struct sendsec_settings *s = NULL, *defaults = resolve(min, NULL, NULL, 0);
	struct lines *l = calloc(1, sizeof(*l));
	FILE *f;
	long len;

	snprintf(path, sizeof(path), "%s/packaging/sendsec.conf.example", srcdir != NULL ? srcdir : "../..");
	CHECK(sendsec_config_load(path, false, &cfg, err, sizeof(err)) == SENDSEC_OK);
	CHECK(sendsec_settings_resolve(cfg, "smtp", NULL, 0, &s, err, sizeof(err)) == SENDSEC_OK);
	if ((f = fopen(path, "r")) != NULL && fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) > 0 &&
			fseek(f, 0, SEEK_SET) == 0 && (text = calloc(1, (size_t)len + 1)) != NULL)
		CHECK(fread(text, 1, (size_t)len, f) == (size_t)len);
	if (f != NULL)
		fclose(f);
	CHECK(text != NULL && defaults != NULL);
	if (text != NULL && defaults != NULL)
		sendsec_settings_print(defaults, collect, l);
	CHECK_EQ_INT(l->n, 37);
	for (size_t i = 0; i < l->n; i++) {
		char want[8300];
		const char *line = l->text[i];

		if (strncmp(line, "# ", 2) == 0) /* "# key (not set)" */
			snprintf(want, sizeof(want), "\n#%.*s ", (int)strcspn(line + 2, " "), line + 2);
		else if (strncmp(line, "uri ", 4) == 0 || strncmp(line, "base ", 5) == 0)
			snprintf(want, sizeof(want), "\n%.*s ", (int)strcspn(line, " "), line);
		else
			snprintf(want, sizeof(want), "\n#%s\n", line);
		if (text != NULL && strstr(text, want) == NULL)
			fprintf(stderr, "  example lacks '%s'\n", want + 1);
		CHECK(text != NULL && strstr(text, want) != NULL);
	}
	free(text);
	free(l);
	sendsec_settings_free(defaults);
	sendsec_settings_free(s);
	sendsec_config_free(min);
	sendsec_config_free(cfg);
}

static void cleanup(void)
{
	for (size_t i = 0; i < n_made; i++)
		unlink(made[i]);
	rmdir(dir);
}

int main(int argc, char **argv)
{
	(void)argc;
	snprintf(dir, sizeof(dir), "/tmp/sendsec-test-config.XXXXXX");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	test_defaults();
	test_every_field_set();
	test_precedence_every_key();
	test_section_isolation();
	test_grammar();
	test_file_errors();
	test_bad_values();
	test_resolve_errors();
	test_binddn_needs_bindpw_file();
	test_load();
	test_bindpw();
	test_totp_key();
	test_tls_key();
	test_print_unset();
	test_example_file();
	cleanup();
	return check_report(argv[0]);
}
