/* test_log.c — log.c: lines above the sink's level are dropped, others formatted once. */
#include <string.h>

#include "check.h"
#include "log.h"

struct seen {
	int n;
	enum sendsec_log_level level;
	char line[128];
};

static void emit(void *arg, enum sendsec_log_level level, const char *line)
{
	struct seen *s = arg;

	s->n++;
	s->level = level;
	snprintf(s->line, sizeof(s->line), "%s", line);
}

int main(int argc, char **argv)
{
	struct seen seen = {0};
	struct sendsec_log log = {emit, &seen, SENDSEC_LOG_INFO};

	(void)argc;
	sendsec_logf(&log, SENDSEC_LOG_INFO, "account %s: %d", "alice", 3);
	CHECK(seen.n == 1 && seen.level == SENDSEC_LOG_INFO);
	CHECK_STR(seen.line, "account alice: 3");
	sendsec_logf(&log, SENDSEC_LOG_DEBUG, "dropped");
	CHECK_EQ_INT(seen.n, 1);
	sendsec_logf(&log, SENDSEC_LOG_ERROR, "kept");
	CHECK(seen.n == 2 && seen.level == SENDSEC_LOG_ERROR);
	sendsec_logf(NULL, SENDSEC_LOG_ERROR, "no sink");
	CHECK_EQ_INT(seen.n, 2);
	return check_report(argv[0]);
}
