/* test_audit.c — audit.c: the exact lines of DESIGN.md section 7 (a decision; sendsecctl's admin
 * line), sanitised values, the account name (not the typed name) on success, token= and authz=
 * (delegation: user= is the person), and where a line goes: to the installed sink, or by default
 * to syslog(LOG_AUTHPRIV | LOG_INFO, "%s", line). The default is observed through
 * capture_syslog.h. */
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "capture_syslog.h"
#include "check.h"
#include "utf8.h"

/* ---- what reached syslog ---- */

static int syslog_calls, syslog_pri;
static char syslog_line[1024];

static void captured_syslog(int pri, const char *line)
{
	syslog_calls++;
	syslog_pri = pri;
	snprintf(syslog_line, sizeof(syslog_line), "%s", line);
}

/* ---- what reached an installed sink ---- */

struct seen {
	int n;
	char line[1024];
};

static void keep(void *arg, const char *line)
{
	struct seen *s = arg;

	s->n++;
	snprintf(s->line, sizeof(s->line), "%s", line);
}

/* The exact decision lines of DESIGN.md section 7: one row per outcome. */
static const struct {
	const char *what;
	const char *service, *user, *rhost;
	struct sendsec_outcome out;
	const char *want;
} lines[] = {
		{.what = "an API key login",
				.service = "smtp",
				.user = "apikey",
				.rhost = "203.0.113.7",
				.out = {.result = SENDSEC_OK,
						.method = "apikey",
						.account = "alice",
						.key_id = "4Fq9xK2bT0aZ"},
				.want = "sendsec: service=smtp user=alice rhost=203.0.113.7 method=apikey "
					"key=4Fq9xK2bT0aZ result=success"},
		{.what = "a replayed code",
				.service = "sshd",
				.user = "bob",
				.rhost = "2001:db8::1",
				.out = {.result = SENDSEC_DENIED,
						.reason = SENDSEC_REASON_TOTP_REPLAYED,
						.method = "password+totp"},
				.want = "sendsec: service=sshd user=bob rhost=2001:db8::1 method=password+totp "
					"result=failure reason=totp_replayed"},
		/* The token a code matched, and a delegation: user= is the person, authz= the shared
		 * account (DESIGN.md section 7: token= and authz= follow method= and key=, before
		 * result=). */
		{.what = "a delegation with a token",
				.service = "smtp",
				.user = "bob",
				.rhost = "192.0.2.8",
				.out = {.result = SENDSEC_OK,
						.method = "password+totp",
						.account = "newsletter",
						.authcid = "bob",
						.authz = "newsletter",
						.token = "yubikey-2"},
				.want = "sendsec: service=smtp user=bob rhost=192.0.2.8 method=password+totp "
					"token=yubikey-2 authz=newsletter result=success"},
		/* A refused delegation names the account asked for, as given (sanitised). */
		{.what = "a refused delegation",
				.service = "smtp",
				.user = "mallory",
				.rhost = "192.0.2.9",
				.out = {.result = SENDSEC_DENIED,
						.reason = SENDSEC_REASON_NOT_DELEGATE,
						.method = "password",
						.authz = "news letter"},
				.want = "sendsec: service=smtp user=mallory rhost=192.0.2.9 method=password "
					"authz=news?letter result=failure reason=not_delegate"},
		/* A hostile name cannot add fields or lines; missing values print as "-". */
		{.what = "a hostile name, no rhost",
				.service = "smtp",
				.user = "x result=success\nsendsec: y",
				.rhost = NULL,
				.out = {.result = SENDSEC_UNKNOWN_USER, .reason = SENDSEC_REASON_UNKNOWN_USER},
				.want = "sendsec: service=smtp user=x?result?success?sendsec:?y rhost=- method=- "
					"result=failure reason=unknown_user"},
};

static void check_format(void)
{
	struct sendsec_outcome out;
	char line[512];

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		sendsec_audit_format(
				line, sizeof(line), lines[i].service, lines[i].user, lines[i].rhost, &lines[i].out);
		if (strcmp(line, lines[i].want) != 0)
			fprintf(stderr, "%s:\n", lines[i].what);
		CHECK_STR(line, lines[i].want);
		CHECK(strchr(line, '\n') == NULL);
	}

	/* Values are cut at 64 bytes. */
	memset(&out, 0, sizeof(out));
	out.result = SENDSEC_UNAVAILABLE;
	out.reason = SENDSEC_REASON_UNAVAILABLE;
	sendsec_audit_format(line, sizeof(line), "smtp",
			"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
			"-", &out);
	CHECK(strstr(line, "user=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa rhost=") != NULL);
	CHECK(strstr(line, "reason=unavailable") != NULL);
}

/* The user field of a failed decision with this typed name. */
static const char *user_field(const char *user)
{
	static char line[512];
	struct sendsec_outcome out;
	char *start, *end;

	memset(&out, 0, sizeof(out));
	out.result = SENDSEC_UNKNOWN_USER;
	out.reason = SENDSEC_REASON_UNKNOWN_USER;
	sendsec_audit_format(line, sizeof(line), "sshd", user, "192.0.2.1", &out);
	if (!sendsec_utf8_is_valid(line, strlen(line)) || sendsec_utf8_has_control(line, strlen(line)))
		return "[the line is not UTF-8 without controls]";
	if ((start = strstr(line, " user=")) == NULL || (end = strstr(start, " rhost=")) == NULL)
		return "[no user field]";
	*end = '\0';
	return start + 6;
}

/* Values are valid UTF-8 without control characters (C0, DEL, C1): every byte of an ill-formed
 * sequence and every control becomes '?'; well-formed characters stay; the 64-byte cut never
 * splits a character. */
static void check_hostile_bytes(void)
{
	char name[80];

	CHECK_STR(user_field("ev\xffil\x1b[31m"), "ev?il??31m");
	CHECK_STR(user_field("a\xc2\x9b"
			     "31m"),
			"a?31m");                   /* C1 CSI, well-formed UTF-8 */
	CHECK_STR(user_field("a\xc2\x85z"), "a?z"); /* C1 NEL */
	CHECK_STR(user_field("a\x7f"), "a?");
	CHECK_STR(user_field("a\x9b"
			     "31m"),
			"a?31m");                          /* a raw C1 byte is not UTF-8 */
	CHECK_STR(user_field("a\xed\xa0\x80"), "a???");    /* a surrogate */
	CHECK_STR(user_field("\xc0\xaf"), "??");           /* an overlong '/' */
	CHECK_STR(user_field("\xf4\x90\x80\x80"), "????"); /* past U+10FFFF */
	CHECK_STR(user_field("\xe2\x82"), "??");           /* cut short */
	CHECK_STR(user_field("J\xc3\xbcrgen"), "J\xc3\xbcrgen");
	CHECK_STR(user_field("\xf0\x9f\x98\x80"), "\xf0\x9f\x98\x80");

	/* 62 + a two-byte character = 64 bytes: kept whole. 63 + it: the character is dropped. */
	memset(name, 'a', 62);
	strcpy(name + 62, "\xc3\xbc");
	CHECK_EQ_INT(strlen(user_field(name)), 64);
	memset(name, 'a', 63);
	strcpy(name + 63, "\xc3\xbc");
	CHECK_EQ_INT(strlen(user_field(name)), 63);
	memset(name, 'a', 61);
	strcpy(name + 61, "\xf0\x9f\x98\x80");
	CHECK_EQ_INT(strlen(user_field(name)), 61);
	/* '?' replacements count toward the 64 bytes as well. */
	memset(name, '\xff', 70);
	name[70] = '\0';
	CHECK_EQ_INT(strlen(user_field(name)), 64);
}

/* One decision line goes to the installed sink, once, and not to syslog; without a sink (NULL,
 * or a zeroed one) it goes to syslog at authpriv.info as "%s"; log level error drops it. */
static void check_sinks(void)
{
	struct sendsec_outcome out;
	struct seen seen = {0};
	const struct sendsec_audit_sink sink = {.emit = keep, .arg = &seen};
	const struct sendsec_audit_sink zeroed = {0};
	const struct sendsec_log info = {.max_level = SENDSEC_LOG_INFO};
	const struct sendsec_log errors_only = {.max_level = SENDSEC_LOG_ERROR};
	const char *want = "sendsec: service=sshd user=alice rhost=192.0.2.1 method=password result=success";

	memset(&out, 0, sizeof(out));
	out.result = SENDSEC_OK;
	out.method = "password";
	strcpy(out.account, "alice");

	syslog_calls = 0;
	sendsec_audit(&sink, &info, "sshd", "alice", "192.0.2.1", &out);
	CHECK_EQ_INT(seen.n, 1);
	CHECK_STR(seen.line, want);
	CHECK_EQ_INT(syslog_calls, 0);

	sendsec_audit(NULL, &info, "sshd", "alice", "192.0.2.1", &out);
	CHECK_EQ_INT(syslog_calls, 1);
	CHECK_EQ_INT(syslog_pri, CAPTURE_AUTHPRIV_INFO);
	CHECK_STR(syslog_line, want);
	sendsec_audit(&zeroed, NULL, "sshd", "alice", "192.0.2.1", &out);
	CHECK_EQ_INT(syslog_calls, 2);
	CHECK_STR(syslog_line, want);

	sendsec_audit(&sink, &errors_only, "sshd", "alice", "192.0.2.1", &out);
	sendsec_audit(NULL, &errors_only, "sshd", "alice", "192.0.2.1", &out);
	CHECK_EQ_INT(seen.n, 1);
	CHECK_EQ_INT(syslog_calls, 2);
}

/* sendsecctl's admin line (DESIGN.md section 7), through the same sink and the same sanitising;
 * admin lines do not depend on a log level. */
static void check_admin(void)
{
	struct seen seen = {0};
	const struct sendsec_audit_sink sink = {.emit = keep, .arg = &seen};
	char line[512];

	sendsec_audit_admin_format(line, sizeof(line), "key_revoke", "4Fq9xK2bT0aZ", "leaked", "/srv/app/.env");
	CHECK_STR(line, "sendsecctl: action=key_revoke key=4Fq9xK2bT0aZ reason=leaked file=/srv/app/.env");

	sendsec_audit_admin(&sink, "key_revoke", "4Fq9xK2bT0aZ", "leaked", "/srv/my app/.env\nsendsec: x=1");
	CHECK_EQ_INT(seen.n, 1);
	CHECK_STR(seen.line,
			"sendsecctl: action=key_revoke key=4Fq9xK2bT0aZ reason=leaked "
			"file=/srv/my?app/.env?sendsec:?x?1");

	/* Missing values print as "-", like the decision line's. */
	sendsec_audit_admin_format(line, sizeof(line), "key_revoke", "4Fq9xK2bT0aZ", NULL, "");
	CHECK_STR(line, "sendsecctl: action=key_revoke key=4Fq9xK2bT0aZ reason=- file=-");

	syslog_calls = 0;
	sendsec_audit_admin(NULL, "key_revoke", "4Fq9xK2bT0aZ", "leaked", "/srv/app/.env");
	CHECK_EQ_INT(syslog_calls, 1);
	CHECK_EQ_INT(syslog_pri, CAPTURE_AUTHPRIV_INFO);
	CHECK_STR(syslog_line, "sendsecctl: action=key_revoke key=4Fq9xK2bT0aZ reason=leaked file=/srv/app/.env");
}

/* ---- the line as the first audit.c wrote it (sanitise each value, then one snprintf) ---- */

static void ref_clean(char dst[65], const char *value)
{
	size_t in = 0, out = 0, n;

	if (value == NULL || value[0] == '\0')
		value = "-";
	n = strlen(value);
	while (in < n) {
		uint32_t cp;
		size_t len = sendsec_utf8_decode(value + in, n - in, &cp), put;
		bool keep;

		if (len == 0)
			keep = false;
		else if (cp < 0x80)
			keep = (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
					(cp != 0 && strchr("._@:+-/", (int)cp) != NULL);
		else
			keep = !sendsec_utf8_is_control(cp);
		put = keep ? len : 1;
		if (out + put > 64)
			break;
		if (keep)
			memcpy(dst + out, value + in, len);
		else
			dst[out] = '?';
		out += put;
		in += len > 0 ? len : 1;
	}
	dst[out] = '\0';
}

static void ref_format(char *buf, size_t len, const char *service, const char *user, const char *rhost,
		const struct sendsec_outcome *out)
{
	char s[65], u[65], r[65], m[65], k[65], t[65], z[65];
	const char *who = out->authcid[0] != '\0'                              ? out->authcid
			: out->result == SENDSEC_OK && out->account[0] != '\0' ? out->account
									       : user;

	ref_clean(s, service);
	ref_clean(u, who);
	ref_clean(r, rhost);
	ref_clean(m, out->method);
	ref_clean(k, out->key_id);
	ref_clean(t, out->token);
	ref_clean(z, out->authz);
	snprintf(buf, len, "sendsec: service=%s user=%s rhost=%s method=%s%s%s%s%s%s%s result=%s%s%s", s, u, r, m,
			out->key_id[0] != '\0' ? " key=" : "", out->key_id[0] != '\0' ? k : "",
			out->token[0] != '\0' ? " token=" : "", out->token[0] != '\0' ? t : "",
			out->authz[0] != '\0' ? " authz=" : "", out->authz[0] != '\0' ? z : "",
			out->result == SENDSEC_OK ? "success" : "failure", out->result == SENDSEC_OK ? "" : " reason=",
			out->result == SENDSEC_OK ? "" : sendsec_reason_name(out->reason));
}

/* Random text for a value: bytes from a pool weighted to what sanitising must tell apart (plain
 * ASCII, the kept punctuation, spaces and controls, UTF-8 lead and continuation bytes). */
static void random_text(char *dst, size_t cap)
{
	static const unsigned char pool[] = "aZ09._@:+-/ =\t\n\x1b%;\x7f\xc2\x85\xa0\xc3\xbc\xe2\x82\xac\xed\xa0"
					    "\xf0\x9f\x98\x80\xf4\x90\xc0\xaf\xff";
	size_t n = randombytes_uniform((uint32_t)cap);

	for (size_t i = 0; i < n; i++)
		dst[i] = (char)pool[randombytes_uniform(sizeof(pool) - 1)];
	dst[n] = '\0';
}

/* The line put together piece by piece is byte for byte the line of the first version, for random
 * values and outcomes and every buffer size up to past the longest line (snprintf's cut). */
static void check_same_as_snprintf(void)
{
	static const enum sendsec_result results[] = {SENDSEC_OK, SENDSEC_DENIED, SENDSEC_UNAVAILABLE};
	char service[100], user[200], rhost[100], method[20], want[600], got[600];
	int differ = 0, compared = 0;

	for (int r = 0; r < 3000; r++) {
		struct sendsec_outcome out;
		size_t len = r < 600 ? (size_t)r + 1 : 600;

		memset(&out, 0, sizeof(out));
		out.result = results[randombytes_uniform(3)];
		out.reason = out.result == SENDSEC_OK ? SENDSEC_REASON_NONE : SENDSEC_REASON_BAD_PASSWORD;
		random_text(service, sizeof(service));
		random_text(user, sizeof(user));
		random_text(rhost, sizeof(rhost));
		random_text(method, sizeof(method));
		out.method = randombytes_uniform(4) == 0 ? NULL : method;
		if (randombytes_uniform(2))
			random_text(out.key_id, sizeof(out.key_id));
		if (randombytes_uniform(2))
			random_text(out.token, sizeof(out.token));
		if (randombytes_uniform(3) == 0)
			random_text(out.authz, sizeof(out.authz));
		if (randombytes_uniform(3) == 0)
			random_text(out.authcid, sizeof(out.authcid));
		if (randombytes_uniform(2))
			random_text(out.account, sizeof(out.account));
		const char *u = randombytes_uniform(8) == 0 ? NULL : user,
			   *h = randombytes_uniform(8) == 0 ? NULL : rhost;

		ref_format(want, len, service, u, h, &out);
		memset(got, 'X', sizeof(got));
		sendsec_audit_format(got, len, service, u, h, &out);
		compared++;
		differ += strcmp(want, got) != 0;
	}
	CHECK_EQ_INT(compared, 3000);
	CHECK_EQ_INT(differ, 0);
	/* Every byte value alone as the user (the bit table of the kept ASCII characters, entry by
	 * entry). */
	for (int c = 1; c < 256; c++) {
		struct sendsec_outcome out = {.result = SENDSEC_DENIED, .reason = SENDSEC_REASON_BAD_PASSWORD};
		char one[2] = {(char)c, '\0'};

		ref_format(want, sizeof(want), "smtp", one, "192.0.2.7", &out);
		sendsec_audit_format(got, sizeof(got), "smtp", one, "192.0.2.7", &out);
		if (strcmp(want, got) != 0) {
			fprintf(stderr, "byte 0x%02x: want \"%s\", got \"%s\"\n", c, want, got);
			differ++;
		}
	}
	CHECK_EQ_INT(differ, 0);
}

int main(int argc, char **argv)
{
	(void)argc;
	check_format();
	check_hostile_bytes();
	check_sinks();
	check_admin();
	check_same_as_snprintf();
	return check_report(argv[0]);
}
