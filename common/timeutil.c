/* timeutil.c — parse and format LDAP GeneralizedTime (RFC 4517 3.3.13, seconds required) and
 * RFC 3339 timestamps as UTC time_t, counting days on the proleptic Gregorian calendar so the
 * TZ environment never matters. Years 0000-9999 only. Fractions of a second are checked and
 * dropped; a leap second (":60") counts as the first second of the next minute. */
#include "timeutil.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct cursor {
	const char *p;
	const char *end;
};

/* Broken-down time as written, plus the written offset from UTC in seconds. */
struct civil {
	int year, mon, day, hour, min, sec;
	long offset;
};

static bool digits(struct cursor *c, size_t n, int *out)
{
	int v = 0;

	if ((size_t)(c->end - c->p) < n)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)c->p[i];

		if (ch < '0' || ch > '9')
			return false;
		v = v * 10 + (ch - '0');
	}
	c->p += n;
	*out = v;
	return true;
}

/* Consumes one character equal to a or b. */
static bool either(struct cursor *c, char a, char b)
{
	if (c->p == c->end || (*c->p != a && *c->p != b))
		return false;
	c->p++;
	return true;
}

static bool at_end(const struct cursor *c)
{
	return c->p == c->end;
}

/* An optional fraction: a separator (sep1 or sep2) and at least one digit, all dropped. */
static bool fraction(struct cursor *c, char sep1, char sep2)
{
	int unused;

	if (!either(c, sep1, sep2))
		return true;
	if (!digits(c, 1, &unused))
		return false;
	while (digits(c, 1, &unused))
		;
	return true;
}

/* A numeric offset after its sign: "hhmm", or "hh:mm" when colon is set. */
static bool offset(struct cursor *c, int sign, bool colon, long *out)
{
	int hh, mm;

	if (!digits(c, 2, &hh) || (colon && !either(c, ':', ':')) || !digits(c, 2, &mm))
		return false;
	if (hh > 23 || mm > 59)
		return false;
	*out = sign * (hh * 3600L + mm * 60L);
	return true;
}

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Inverse of days_from_civil. */
static void civil_from_days(int64_t z, int64_t *y_out, int *m_out, int *d_out)
{
	int64_t era, doe, yoe, doy, mp, y;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d_out = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m_out = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y_out = y + (*m_out <= 2);
}

/* Range-checks every field and converts to UTC seconds. */
static bool to_time(const struct civil *t, time_t *out)
{
	int64_t v;

	if (t->mon < 1 || t->mon > 12 || t->day < 1 || t->day > days_in_month(t->year, t->mon))
		return false;
	if (t->hour > 23 || t->min > 59 || t->sec > 60)
		return false;
	v = days_from_civil(t->year, t->mon, t->day) * 86400 + t->hour * 3600 + t->min * 60 + t->sec - t->offset;
	if ((int64_t)(time_t)v != v)
		return false;
	*out = (time_t)v;
	return true;
}

/* The zone: 'Z' (or alt_z), or a signed offset ("+hhmm", or "+hh:mm" with colon) into *off. */
static bool zone(struct cursor *c, char alt_z, bool colon, long *off)
{
	if (either(c, 'Z', alt_z)) {
		*off = 0;
		return true;
	}
	if (either(c, '+', '+'))
		return offset(c, 1, colon, off);
	if (either(c, '-', '-'))
		return offset(c, -1, colon, off);
	return false;
}

bool sendsec_time_parse_generalized(const char *text, size_t len, time_t *out)
{
	struct cursor c;
	struct civil t = {0};

	if (text == NULL || out == NULL)
		return false;
	c = (struct cursor){text, text + len};
	if (!digits(&c, 4, &t.year) || !digits(&c, 2, &t.mon) || !digits(&c, 2, &t.day) || !digits(&c, 2, &t.hour) ||
			!digits(&c, 2, &t.min) || !digits(&c, 2, &t.sec))
		return false;
	/* RFC 4517 allows ',' as well as '.' before the fraction. */
	if (!fraction(&c, '.', ','))
		return false;
	return zone(&c, 'Z', false, &t.offset) && at_end(&c) && to_time(&t, out);
}

bool sendsec_time_parse_rfc3339(const char *text, size_t len, time_t *out)
{
	struct cursor c;
	struct civil t = {0};

	if (text == NULL || out == NULL)
		return false;
	c = (struct cursor){text, text + len};
	if (!digits(&c, 4, &t.year) || !either(&c, '-', '-') || !digits(&c, 2, &t.mon) || !either(&c, '-', '-') ||
			!digits(&c, 2, &t.day) || !either(&c, 'T', 't') || !digits(&c, 2, &t.hour) ||
			!either(&c, ':', ':') || !digits(&c, 2, &t.min) || !either(&c, ':', ':') ||
			!digits(&c, 2, &t.sec))
		return false;
	if (!fraction(&c, '.', '.'))
		return false;
	return zone(&c, 'z', true, &t.offset) && at_end(&c) && to_time(&t, out);
}

/* "YYYY-MM-DD", meaning midnight UTC. */
static bool parse_date(const char *text, size_t len, time_t *out)
{
	struct cursor c = {text, text + len};
	struct civil t = {0};

	if (!digits(&c, 4, &t.year) || !either(&c, '-', '-') || !digits(&c, 2, &t.mon) || !either(&c, '-', '-') ||
			!digits(&c, 2, &t.day))
		return false;
	return at_end(&c) && to_time(&t, out);
}

bool sendsec_time_parse_any(const char *text, time_t *out)
{
	size_t len;

	if (text == NULL || out == NULL)
		return false;
	len = strlen(text);
	return sendsec_time_parse_rfc3339(text, len, out) || sendsec_time_parse_generalized(text, len, out) ||
			parse_date(text, len, out);
}

/* Splits t into UTC fields; false outside years 0000-9999. */
static bool split(time_t t, struct civil *c)
{
	int64_t secs = (int64_t)t, days = secs / 86400, rem = secs % 86400, year;

	if (rem < 0) {
		rem += 86400;
		days--;
	}
	civil_from_days(days, &year, &c->mon, &c->day);
	if (year < 0 || year > 9999)
		return false;
	c->year = (int)year;
	c->hour = (int)(rem / 3600);
	c->min = (int)(rem / 60 % 60);
	c->sec = (int)(rem % 60);
	c->offset = 0;
	return true;
}

/* Both formatters write an empty string when t lies outside years 0000-9999. */
void sendsec_time_format_generalized(time_t t, char *buf, size_t len)
{
	struct civil c;

	if (buf == NULL || len == 0)
		return;
	buf[0] = '\0';
	if (!split(t, &c))
		return;
	snprintf(buf, len, "%04d%02d%02d%02d%02d%02dZ", c.year, c.mon, c.day, c.hour, c.min, c.sec);
}

void sendsec_time_format_rfc3339(time_t t, char *buf, size_t len)
{
	struct civil c;

	if (buf == NULL || len == 0)
		return;
	buf[0] = '\0';
	if (!split(t, &c))
		return;
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02dZ", c.year, c.mon, c.day, c.hour, c.min, c.sec);
}
