/* log.h — the engine's log sink. The front end installs a function (pam_syslog, SASL utils->log,
 * stderr); the engine formats with vsnprintf and hands over one finished line. Never pass a
 * secret to these functions. */
#ifndef SENDSEC_LOG_H
#define SENDSEC_LOG_H

enum sendsec_log_level { SENDSEC_LOG_ERROR = 0, SENDSEC_LOG_INFO = 1, SENDSEC_LOG_DEBUG = 2 };

struct sendsec_log {
	void (*emit)(void *arg, enum sendsec_log_level level, const char *line);
	void *arg;
	enum sendsec_log_level max_level; /* lines above this level are dropped */
};

/* Formats and emits one line if level <= log->max_level; log may be NULL (drops the line). */
void sendsec_logf(const struct sendsec_log *log, enum sendsec_log_level level, const char *fmt, ...)
		__attribute__((format(printf, 3, 4)));

#endif
