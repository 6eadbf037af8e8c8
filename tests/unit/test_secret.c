/* test_secret.c — secret.c: bounded copies, constant-time equality of buffers and strings. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "secret.h"

int main(int argc, char **argv)
{
	char *copy;

	(void)argc;
	CHECK(secret_strdup(NULL) == NULL);
	copy = secret_strndup("abcdef", 3);
	CHECK_STR(copy, "abc");
	secret_free(copy);
	copy = secret_strdup("hunter2");
	CHECK_STR(copy, "hunter2");
	secret_free(copy);
	secret_free(NULL);
	secret_free_n(NULL, 10);

	CHECK(secret_equal("abc", "abc", 3));
	CHECK(!secret_equal("abc", "abd", 3));
	CHECK(secret_equal("x", "y", 0));
	CHECK(secret_streq("same", "same"));
	CHECK(secret_streq("", ""));
	CHECK(!secret_streq("same", "Same"));
	CHECK(!secret_streq("same", "same "));
	CHECK(!secret_streq("prefix", "prefixed"));
	CHECK(!secret_streq("", "x"));
	return check_report(argv[0]);
}
