/* log.c — format one line and hand it to the installed sink. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>

void sendsec_logf(const struct sendsec_log *log, enum sendsec_log_level level, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (log == NULL || log->emit == NULL || level > log->max_level)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	log->emit(log->arg, level, line);
}
