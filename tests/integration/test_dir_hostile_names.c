/* test_dir_hostile_names.c — user names that try to change the filter match nothing: an
 * injection ("*)(uid=*))(|(uid=*"), a bare "*", a prefix wildcard ("alice*") and a name closing
 * the filter early are RFC 4515-escaped and answer UNKNOWN_USER (not UNAVAILABLE for "several
 * entries", not OK for alice), even with alice's password; names that are too long, not UTF-8
 * or hold control characters are UNKNOWN_USER without any search. (A name with a NUL cannot be
 * passed through a C string: not tested.) Run under tests/fixtures/with-slapd.sh. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "dir.h"
#include "itest.h"

static const char *const attrs[] = {"uid", NULL};

int main(int argc, char **argv)
{
	static const char *const injected[] = {
			"*)(uid=*))(|(uid=*",
			"*",
			"alice*",
			"*lice",
			"alice)(uid=bob",
			"alice)(|(uid=*)",
			"\\2a",
			"alice\\29",
	};
	char long_name[301], err[256];
	/* "\xff\xfe", a truncated two-byte sequence, an overlong '/', a lone continuation byte. */
	static const char *const not_utf8[] = {"\xff\xfe", "al\xc3", "\xc0\xaf", "ali\x80\x63\x65"};
	static const char *const controls[] = {"alice\n", "ali\tce", "alice\r\n(uid=bob)", "\x7f"};
	struct sendsec_outcome out;
	struct sendsec_ctx *ctx = itest_ctx(ITEST_PASSWORD_ONLY);
	const struct sendsec_settings *s = sendsec_ctx_settings(ctx, "sshd", err, sizeof(err));
	struct sendsec_dir *d = NULL;
	struct sendsec_entry *e = NULL, **all = NULL;
	size_t n_all = 0;
	unsigned long before;
	char what[128];

	(void)argc;
	CHECK(s != NULL);
	if (s == NULL || sendsec_dir_new(s, NULL, &d) != SENDSEC_DIR_OK)
		return 1;

	/* The test can fail: unescaped, "(uid=*)" matches every seeded account. */
	CHECK(sendsec_dir_search_all(d, s->base, "(&(objectClass=posixAccount)(uid=*))", attrs, &all, &n_all) ==
			SENDSEC_DIR_OK);
	printf("# unescaped (uid=*) matches %zu accounts\n", n_all);
	CHECK(n_all >= 2);
	sendsec_entries_free(all, n_all);

	for (size_t i = 0; i < sizeof(injected) / sizeof(injected[0]); i++) {
		snprintf(what, sizeof(what), "filter metacharacters, name %zu: UNKNOWN_USER with alice's password", i);
		itest_login(ctx, "sshd", injected[i], itest_pw("alice"), NULL, &out);
		EXPECT(what, &out, SENDSEC_UNKNOWN_USER, SENDSEC_REASON_UNKNOWN_USER);
		CHECK(sendsec_dir_find_user(d, injected[i], attrs, &e) == SENDSEC_DIR_NO_ENTRY && e == NULL);
		sendsec_entry_free(e);
		e = NULL;
	}

	memset(long_name, 'a', 300);
	long_name[300] = '\0';
	before = sendsec_dir_search_count(d);
	itest_login(ctx, "sshd", long_name, itest_pw("alice"), NULL, &out);
	EXPECT("300-byte name: UNKNOWN_USER", &out, SENDSEC_UNKNOWN_USER, SENDSEC_REASON_UNKNOWN_USER);
	CHECK(sendsec_dir_find_user(d, long_name, attrs, &e) == SENDSEC_DIR_NO_ENTRY && e == NULL);
	for (size_t i = 0; i < sizeof(not_utf8) / sizeof(not_utf8[0]); i++) {
		snprintf(what, sizeof(what), "non-UTF-8 name %zu: UNKNOWN_USER", i);
		itest_login(ctx, "sshd", not_utf8[i], itest_pw("alice"), NULL, &out);
		EXPECT(what, &out, SENDSEC_UNKNOWN_USER, SENDSEC_REASON_UNKNOWN_USER);
		CHECK(sendsec_dir_find_user(d, not_utf8[i], attrs, &e) == SENDSEC_DIR_NO_ENTRY && e == NULL);
	}
	for (size_t i = 0; i < sizeof(controls) / sizeof(controls[0]); i++) {
		snprintf(what, sizeof(what), "name with control character %zu: UNKNOWN_USER", i);
		itest_login(ctx, "sshd", controls[i], itest_pw("alice"), NULL, &out);
		EXPECT(what, &out, SENDSEC_UNKNOWN_USER, SENDSEC_REASON_UNKNOWN_USER);
		CHECK(sendsec_dir_find_user(d, controls[i], attrs, &e) == SENDSEC_DIR_NO_ENTRY && e == NULL);
	}
	CHECK(sendsec_dir_search_count(d) == before); /* refused before any query */

	/* 256 bytes is the longest name looked up: it is searched (and not found). */
	long_name[SENDSEC_DIR_NAME_MAX] = '\0';
	CHECK(sendsec_dir_find_user(d, long_name, attrs, &e) == SENDSEC_DIR_NO_ENTRY && e == NULL);
	CHECK(sendsec_dir_search_count(d) == before + 1);

	/* And the plain name still works on the same handles. */
	CHECK(sendsec_dir_find_user(d, "alice", attrs, &e) == SENDSEC_DIR_OK && e != NULL);
	sendsec_entry_free(e);
	itest_login(ctx, "sshd", "alice", itest_pw("alice"), NULL, &out);
	EXPECT("alice herself still logs in", &out, SENDSEC_OK, SENDSEC_REASON_NONE);

	sendsec_dir_free(d);
	sendsec_ctx_free(ctx);
	return check_report(argv[0]);
}
