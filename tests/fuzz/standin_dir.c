/* standin_dir.c — the stand-in directory of standin_dir.h: every function of common/dir.h over an
 * in-memory entry set, for the engine fuzz target only. Semantics follow slapd as dir.c reports
 * it: exactly one match or NO_ENTRY or FAILED (more than one); a modify is applied whole or not at
 * all; deleting a value (or attribute) that is not there, adding a value that is, or a second
 * value of a single-valued attribute is CONFLICT; a missing DN is NO_ENTRY; a bind checks the
 * password against every userPassword value as slapd does (and a ppolicy lock refuses it).
 * Copies handed to the engine are allocated with malloc, so the target's failure injection
 * reaches them: a copy that cannot be made is FAILED, as in dir.c. Filters outside the small
 * grammar the engine sends abort the run, so the stand-in cannot silently drift from the engine. */
#include "standin_dir.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "escape.h"
#include "hash.h"
#include "secret.h"
#include "utf8.h"

struct sendsec_dir {
	const struct sendsec_settings *s;
	const struct sendsec_log *log;
	unsigned long searches, connects;
	bool is_replica;     /* made by sendsec_dir_new_replica (read_uri) */
	bool is_pinned;      /* sendsec_dir_pin */
	bool is_unreachable; /* the last operation found no server (a STANDIN_UNREACHABLE answer) */
};

#define MAX_ENTRIES  16
#define MAX_SCHEDULE 64

static struct {
	struct sendsec_entry *entries[MAX_ENTRIES];
	size_t n_entries;
	int schedule[MAX_SCHEDULE];
	size_t n_schedule;
	size_t next_op; /* index into the schedule */
	struct standin_op ops[STANDIN_MAX_OPS];
	size_t n_ops;
} st;

/* Attributes that hold at most one value (OATH-LDAP, sendsec.schema, ppolicy). */
static const char *const single_valued[] = {"oathTOTPLastTimeStep", "oathHOTPCounter", "oathSecret", "oathTOTPParams",
		"oathHOTPParams", "oathTOTPToken", "oathHOTPToken", "sendsecPasswordChanged", "sendsecResetRequired",
		"sendsecDisabled", "pwdAccountLockedTime", "pwdChangedTime", "pwdReset", NULL};
/* Operational attributes: returned only when asked for by name. */
static const char *const operational[] = {"pwdAccountLockedTime", "pwdReset", "pwdChangedTime", "pwdFailureTime", NULL};

static bool in_list(const char *const *list, const char *name)
{
	for (size_t i = 0; list != NULL && list[i] != NULL; i++)
		if (strcasecmp(list[i], name) == 0)
			return true;
	return false;
}

static void die(const char *what)
{
	fprintf(stderr, "standin_dir: %s\n", what);
	abort();
}

/* ---- the fuzz-only interface ---- */

struct sendsec_entry *standin_entry_new(const char *dn)
{
	struct sendsec_entry *e = calloc(1, sizeof(*e));

	if (e == NULL || (e->dn = strdup(dn)) == NULL)
		die("out of memory while building the store");
	return e;
}

static struct sendsec_attr *find_attr(const struct sendsec_entry *e, const char *name)
{
	for (size_t i = 0; i < e->n_attrs; i++)
		if (strcasecmp(e->attrs[i].name, name) == 0)
			return &e->attrs[i];
	return NULL;
}

/* Appends a copy of val to attr; false when out of memory (e unchanged but for capacity). */
static bool add_value(struct sendsec_entry *e, const char *attr, const char *val, size_t len)
{
	struct sendsec_attr *a = find_attr(e, attr);
	struct sendsec_val *grown;
	char *copy;

	if (a == NULL) {
		struct sendsec_attr *attrs = realloc(e->attrs, (e->n_attrs + 1) * sizeof(*attrs));
		char *name;

		if (attrs == NULL)
			return false;
		e->attrs = attrs;
		if ((name = strdup(attr)) == NULL)
			return false;
		a = &e->attrs[e->n_attrs++];
		*a = (struct sendsec_attr){.name = name};
	}
	if ((copy = malloc(len + 1)) == NULL)
		return false;
	if ((grown = realloc(a->vals, (a->n + 1) * sizeof(*grown))) == NULL) {
		free(copy);
		return false;
	}
	memcpy(copy, val, len);
	copy[len] = '\0';
	a->vals = grown;
	a->vals[a->n++] = (struct sendsec_val){.ptr = copy, .len = len};
	return true;
}

void standin_entry_add(struct sendsec_entry *e, const char *attr, const char *val, size_t len)
{
	if (!add_value(e, attr, val, len))
		die("out of memory while building the store");
}

void standin_put(struct sendsec_entry *e)
{
	if (st.n_entries == MAX_ENTRIES)
		die("store full");
	st.entries[st.n_entries++] = e;
}

static struct sendsec_entry **slot_of(const char *dn)
{
	for (size_t i = 0; i < st.n_entries; i++)
		if (strcasecmp(st.entries[i]->dn, dn) == 0)
			return &st.entries[i];
	return NULL;
}

const struct sendsec_entry *standin_get(const char *dn)
{
	struct sendsec_entry **slot = slot_of(dn);

	return slot != NULL ? *slot : NULL;
}

void standin_reset(void)
{
	for (size_t i = 0; i < st.n_entries; i++)
		sendsec_entry_free(st.entries[i]);
	memset(&st, 0, sizeof(st));
}

void standin_set_schedule(const int *statuses, size_t n)
{
	st.n_schedule = n < MAX_SCHEDULE ? n : MAX_SCHEDULE;
	memcpy(st.schedule, statuses, st.n_schedule * sizeof(*statuses));
	st.next_op = 0;
}

size_t standin_n_ops(void)
{
	return st.n_ops;
}

const struct standin_op *standin_op_at(size_t i)
{
	return i < st.n_ops ? &st.ops[i] : NULL;
}

/* Starts logging one operation on d; *injected_out tells whether the schedule answers it. */
static struct standin_op *begin(struct sendsec_dir *d, enum standin_kind kind, const char *target, bool *injected_out)
{
	struct standin_op *op;
	size_t i = st.next_op++;

	if (st.n_ops == STANDIN_MAX_OPS)
		die("more operations in one decision than the log holds");
	op = &st.ops[st.n_ops++];
	*op = (struct standin_op){.kind = kind,
			.status = SENDSEC_DIR_FAILED,
			.on_replica = d->is_replica,
			.pinned = d->is_pinned};
	d->is_unreachable = false;
	snprintf(op->target, sizeof(op->target), "%s", target != NULL ? target : "");
	*injected_out = i < st.n_schedule && st.schedule[i] != STANDIN_NONE;
	if (*injected_out) {
		op->injected = true;
		op->twin = st.schedule[i] == STANDIN_TWIN;
		d->is_unreachable = st.schedule[i] == STANDIN_UNREACHABLE;
		op->unreachable = d->is_unreachable;
		op->status = op->twin               ? SENDSEC_DIR_CONFLICT
				: d->is_unreachable ? SENDSEC_DIR_FAILED
						    : (enum sendsec_dir_status)st.schedule[i];
	}
	return op;
}

static enum sendsec_dir_status end(struct standin_op *op, enum sendsec_dir_status status)
{
	op->status = status;
	return status;
}

/* ---- dir.h: handles ---- */

enum sendsec_dir_status sendsec_dir_new(
		const struct sendsec_settings *s, const struct sendsec_log *log, struct sendsec_dir **out)
{
	/* calloc like dir.c: the target's failure injection reaches it */
	if ((*out = calloc(1, sizeof(**out))) == NULL)
		return SENDSEC_DIR_FAILED;
	**out = (struct sendsec_dir){.s = s, .log = log};
	return SENDSEC_DIR_OK;
}

enum sendsec_dir_status sendsec_dir_new_replica(
		const struct sendsec_settings *s, const struct sendsec_log *log, struct sendsec_dir **out)
{
	enum sendsec_dir_status rc = sendsec_dir_new(s, log, out);

	if (rc == SENDSEC_DIR_OK)
		(*out)->is_replica = true; /* the same store: a replica that is up to date */
	return rc;
}

void sendsec_dir_free(struct sendsec_dir *d)
{
	free(d);
}

void sendsec_dir_set_clock(struct sendsec_dir *d, time_t (*now)(void *arg), void *arg)
{
	(void)d, (void)now, (void)arg; /* no retry times here: the schedule says who answers */
}

void sendsec_dir_pin(struct sendsec_dir *d, bool pinned)
{
	d->is_pinned = pinned;
}

bool sendsec_dir_unreachable(const struct sendsec_dir *d)
{
	return d->is_unreachable;
}

unsigned long sendsec_dir_search_count(const struct sendsec_dir *d)
{
	return d->searches;
}

unsigned long sendsec_dir_connect_count(const struct sendsec_dir *d)
{
	return d->connects;
}

const char *sendsec_dir_current_uri(const struct sendsec_dir *d)
{
	return d->connects > 0 ? (d->is_replica ? d->s->read_uri.items[0] : d->s->uri.items[0]) : NULL;
}

enum sendsec_dir_status sendsec_dir_connect(struct sendsec_dir *d)
{
	bool injected;
	struct standin_op *op = begin(d, STANDIN_CONNECT, "", &injected);

	if (injected)
		return op->status;
	d->connects++;
	return end(op, SENDSEC_DIR_OK);
}

/* ---- entries (read with common/dir_entry.c, as dir.c's are) ---- */

void sendsec_entry_free(struct sendsec_entry *e)
{
	if (e == NULL)
		return;
	for (size_t i = 0; i < e->n_attrs; i++) {
		for (size_t j = 0; j < e->attrs[i].n; j++)
			secret_free_n((void *)e->attrs[i].vals[j].ptr, e->attrs[i].vals[j].len + 1);
		free(e->attrs[i].vals);
		free(e->attrs[i].name);
	}
	free(e->attrs);
	free(e->dn);
	free(e);
}

/* True when attrs (NULL-terminated, NULL: all user attributes) asks for name. */
static bool is_requested(const char *const *attrs, const char *name)
{
	if (in_list(attrs, name))
		return true;
	if (in_list(operational, name))
		return false;
	return attrs == NULL || in_list(attrs, "*");
}

/* A copy of e with the requested attributes, made with malloc (NULL when out of memory). */
static struct sendsec_entry *copy_entry(const struct sendsec_entry *e, const char *const *attrs)
{
	struct sendsec_entry *c = calloc(1, sizeof(*c));

	if (c == NULL || (c->dn = strdup(e->dn)) == NULL)
		goto fail;
	for (size_t i = 0; i < e->n_attrs; i++) {
		if (!is_requested(attrs, e->attrs[i].name))
			continue;
		for (size_t j = 0; j < e->attrs[i].n; j++)
			if (!add_value(c, e->attrs[i].name, e->attrs[i].vals[j].ptr, e->attrs[i].vals[j].len))
				goto fail;
	}
	return c;
fail:
	sendsec_entry_free(c);
	return NULL;
}

/* ---- filters: (a=v), (a=*), (&...), (|...), with RFC 4515 escapes ---- */

static bool value_equal(const char *attr, const struct sendsec_val *v, const char *want, size_t len)
{
	/* caseIgnore for names, networks and DNs (distinguishedNameMatch, near enough), exact for the
	 * rest (keys, ids, times, codes). */
	bool ignore_case = strcasecmp(attr, "uid") == 0 || strcasecmp(attr, "cn") == 0 ||
			strcasecmp(attr, "sendsecDelegate") == 0 || strcasecmp(attr, "objectClass") == 0 ||
			strcasecmp(attr, "sendsecAllowedNetwork") == 0;

	return v->len == len && (ignore_case ? strncasecmp(v->ptr, want, len) == 0 : memcmp(v->ptr, want, len) == 0);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Evaluates the filter at *p against e; advances *p past it. Aborts on what it cannot read. */
static bool eval(const char **p, const struct sendsec_entry *e)
{
	const char *s = *p;
	bool result;

	if (*s != '(')
		die("filter: expected '('");
	s++;
	if (*s == '&' || *s == '|') {
		bool is_and = *s == '&';

		result = is_and;
		s++;
		while (*s == '(') {
			bool r = eval(&s, e);

			result = is_and ? result && r : result || r;
		}
	} else {
		char attr[64], val[512];
		size_t na = 0, nv = 0;
		size_t n;
		const struct sendsec_val *v;

		while (*s != '=' && *s != '\0' && *s != ')' && na + 1 < sizeof(attr))
			attr[na++] = *s++;
		attr[na] = '\0';
		if (*s != '=' || na == 0 || strchr(attr, '<') != NULL || strchr(attr, '>') != NULL ||
				strchr(attr, '~') != NULL)
			die("filter: only (attr=value) and (attr=*) are understood");
		s++;
		if (s[0] == '*' && s[1] == ')') {
			v = sendsec_entry_values(e, attr, &n);
			result = n > 0;
			s++;
		} else {
			while (*s != ')' && *s != '\0') {
				if (*s == '*')
					die("filter: substring filters are not understood");
				if (nv + 1 >= sizeof(val))
					die("filter: value too long");
				if (*s == '\\') {
					int hi = hexval(s[1]), lo = hi >= 0 ? hexval(s[2]) : -1;

					if (lo < 0)
						die("filter: bad escape");
					val[nv++] = (char)(hi * 16 + lo);
					s += 3;
				} else {
					val[nv++] = *s++;
				}
			}
			v = sendsec_entry_values(e, attr, &n);
			result = false;
			for (size_t i = 0; i < n && !result; i++)
				result = value_equal(attr, &v[i], val, nv);
		}
	}
	if (*s != ')')
		die("filter: expected ')'");
	*p = s + 1;
	return result;
}

static bool matches(const char *filter, const struct sendsec_entry *e)
{
	const char *p = filter;
	bool r = eval(&p, e);

	if (*p != '\0')
		die("filter: trailing text");
	return r;
}

/* True when dn lies at or under base (compared without regard to case). */
static bool under(const char *dn, const char *base)
{
	size_t ld = strlen(dn), lb = strlen(base);

	if (lb == 0)
		return true;
	if (ld < lb || strcasecmp(dn + ld - lb, base) != 0)
		return false;
	return ld == lb || dn[ld - lb - 1] == ',';
}

/* ---- dir.h: searches ---- */

static enum sendsec_dir_status search(struct sendsec_dir *d, enum standin_kind kind, const char *target,
		const char *base, bool base_scope, const char *filter, const char *const *attrs, size_t limit,
		struct sendsec_entry ***list_out, size_t *n_out)
{
	bool injected;
	struct standin_op *op = begin(d, kind, target, &injected);
	struct sendsec_entry **list;
	size_t k = 0;

	*list_out = NULL;
	*n_out = 0;
	d->searches++;
	if (injected)
		return op->status;
	if ((list = calloc(st.n_entries + 1, sizeof(*list))) == NULL)
		return end(op, SENDSEC_DIR_FAILED);
	for (size_t i = 0; i < st.n_entries; i++) {
		const struct sendsec_entry *e = st.entries[i];

		if (base_scope ? strcasecmp(e->dn, base) != 0 : !under(e->dn, base))
			continue;
		if (!matches(filter, e))
			continue;
		if (limit != 0 && k == limit) {
			sendsec_logf(d->log, SENDSEC_LOG_ERROR, "directory search matched more than %zu entries",
					limit);
			sendsec_entries_free(list, k);
			return end(op, SENDSEC_DIR_FAILED);
		}
		if ((list[k] = copy_entry(e, attrs)) == NULL) {
			sendsec_entries_free(list, k);
			return end(op, SENDSEC_DIR_FAILED);
		}
		k++;
	}
	*list_out = list;
	*n_out = k;
	return end(op, SENDSEC_DIR_OK);
}

static enum sendsec_dir_status search_single(struct sendsec_dir *d, enum standin_kind kind, const char *target,
		const char *base, bool base_scope, const char *filter, const char *const *attrs,
		struct sendsec_entry **entry_out)
{
	struct sendsec_entry **list = NULL;
	size_t n = 0;
	enum sendsec_dir_status rc = search(d, kind, target, base, base_scope, filter, attrs, 1, &list, &n);
	struct standin_op *op = &st.ops[st.n_ops - 1];

	*entry_out = NULL;
	if (rc == SENDSEC_DIR_OK && n == 0)
		rc = end(op, SENDSEC_DIR_NO_ENTRY);
	if (rc == SENDSEC_DIR_OK) {
		*entry_out = list[0];
		list[0] = NULL;
	}
	sendsec_entries_free(list, n);
	return rc;
}

enum sendsec_dir_status sendsec_dir_search_one(struct sendsec_dir *d, const char *base, const char *filter,
		const char *const *attrs, struct sendsec_entry **entry_out)
{
	return search_single(d, STANDIN_SEARCH_ONE, filter, base, false, filter, attrs, entry_out);
}

enum sendsec_dir_status sendsec_dir_read(
		struct sendsec_dir *d, const char *dn, const char *const *attrs, struct sendsec_entry **entry_out)
{
	return search_single(d, STANDIN_READ, dn, dn, true, "(objectClass=*)", attrs, entry_out);
}

enum sendsec_dir_status sendsec_dir_search_all(struct sendsec_dir *d, const char *base, const char *filter,
		const char *const *attrs, struct sendsec_entry ***entries_out, size_t *n_out)
{
	return search(d, STANDIN_SEARCH_ALL, filter, base, false, filter, attrs, 0, entries_out, n_out);
}

enum sendsec_dir_status sendsec_dir_find_user(
		struct sendsec_dir *d, const char *user, const char *const *attrs, struct sendsec_entry **entry_out)
{
	char escaped[3 * SENDSEC_DIR_NAME_MAX + 1], filter[4 * SENDSEC_DIR_NAME_MAX];
	size_t len = user != NULL ? strlen(user) : 0;

	*entry_out = NULL;
	/* dir.c's rule, without a query: the stand-in answers as dir.c does. */
	if (user == NULL || len == 0 || len > SENDSEC_DIR_NAME_MAX || !sendsec_utf8_is_valid(user, len) ||
			sendsec_utf8_has_control(user, len))
		return SENDSEC_DIR_NO_ENTRY;
	/* The account filter is the default one, with the name compared on uid (caseIgnoreMatch). */
	if (sendsec_filter_escape(user, len, escaped, sizeof(escaped)) != SENDSEC_OK ||
			snprintf(filter, sizeof(filter), "(uid=%s)", escaped) >= (int)sizeof(filter))
		die("cannot build the uid filter");
	return search_single(d, STANDIN_FIND_USER, user, d->s->base, false, filter, attrs, entry_out);
}

/* ---- dir.h: writes ---- */

static bool has_value(const struct sendsec_attr *a, const struct sendsec_val *v)
{
	for (size_t i = 0; a != NULL && i < a->n; i++)
		if (value_equal(a->name, &a->vals[i], v->ptr, v->len))
			return true;
	return false;
}

static void remove_value(struct sendsec_attr *a, size_t i)
{
	secret_free_n((void *)a->vals[i].ptr, a->vals[i].len + 1);
	memmove(&a->vals[i], &a->vals[i + 1], (a->n - i - 1) * sizeof(a->vals[0]));
	a->n--;
}

static void remove_attr(struct sendsec_entry *e, const char *name)
{
	for (size_t i = 0; i < e->n_attrs; i++) {
		struct sendsec_attr *a = &e->attrs[i];

		if (strcasecmp(a->name, name) != 0)
			continue;
		while (a->n > 0)
			remove_value(a, a->n - 1);
		free(a->vals);
		free(a->name);
		memmove(a, a + 1, (e->n_attrs - i - 1) * sizeof(*a));
		e->n_attrs--;
		return;
	}
}

/* Applies one modification to e: OK, CONFLICT or FAILED (out of memory, protocol error). */
static enum sendsec_dir_status apply(struct sendsec_entry *e, const struct sendsec_mod *m)
{
	struct sendsec_attr *a = find_attr(e, m->attr);

	switch (m->op) {
	case SENDSEC_MOD_ADD:
		if (m->n == 0)
			return SENDSEC_DIR_FAILED; /* slapd: protocol error */
		for (size_t j = 0; j < m->n; j++) {
			if (has_value(find_attr(e, m->attr), &m->vals[j]))
				return SENDSEC_DIR_CONFLICT; /* type or value exists */
			if (!add_value(e, m->attr, m->vals[j].ptr, m->vals[j].len))
				return SENDSEC_DIR_FAILED;
		}
		a = find_attr(e, m->attr);
		if (a != NULL && a->n > 1 && in_list(single_valued, m->attr))
			return SENDSEC_DIR_CONFLICT; /* constraint violation */
		return SENDSEC_DIR_OK;
	case SENDSEC_MOD_DELETE:
		if (a == NULL)
			return SENDSEC_DIR_CONFLICT; /* no such attribute */
		if (m->n == 0) {
			remove_attr(e, m->attr);
			return SENDSEC_DIR_OK;
		}
		for (size_t j = 0; j < m->n; j++) {
			size_t i;

			for (i = 0; i < a->n && !value_equal(a->name, &a->vals[i], m->vals[j].ptr, m->vals[j].len); i++)
				;
			if (i == a->n)
				return SENDSEC_DIR_CONFLICT; /* no such value */
			remove_value(a, i);
		}
		if (a->n == 0)
			remove_attr(e, m->attr);
		return SENDSEC_DIR_OK;
	case SENDSEC_MOD_REPLACE:
		remove_attr(e, m->attr);
		for (size_t j = 0; j < m->n; j++)
			if (!add_value(e, m->attr, m->vals[j].ptr, m->vals[j].len))
				return SENDSEC_DIR_FAILED;
		if (in_list(single_valued, m->attr) && m->n > 1)
			return SENDSEC_DIR_CONFLICT;
		return SENDSEC_DIR_OK;
	}
	return SENDSEC_DIR_FAILED;
}

static struct standin_op *begin_write(struct sendsec_dir *d, enum standin_kind kind, const char *dn,
		const struct sendsec_mod *mods, size_t n, bool *injected_out)
{
	struct standin_op *op = begin(d, kind, dn, injected_out);

	op->n_mods = n;
	if (n > 0) {
		snprintf(op->attr, sizeof(op->attr), "%s", mods[0].attr);
		op->mod_op = mods[0].op;
	}
	return op;
}

/* Applies mods to the stored entry dn, all or nothing: on a copy, kept only when every
 * modification applied. OK, NO_ENTRY, CONFLICT or FAILED. */
static enum sendsec_dir_status apply_all(const char *dn, const struct sendsec_mod *mods, size_t n_mods)
{
	static const char *const all[] = {
			"*", "pwdAccountLockedTime", "pwdReset", "pwdChangedTime", "pwdFailureTime", NULL};
	struct sendsec_entry **slot = slot_of(dn), *work;
	enum sendsec_dir_status rc = SENDSEC_DIR_OK;

	if (slot == NULL)
		return SENDSEC_DIR_NO_ENTRY;
	if ((work = copy_entry(*slot, all)) == NULL)
		return SENDSEC_DIR_FAILED;
	for (size_t i = 0; i < n_mods && rc == SENDSEC_DIR_OK; i++)
		rc = apply(work, &mods[i]);
	if (rc != SENDSEC_DIR_OK) {
		sendsec_entry_free(work);
		return rc;
	}
	sendsec_entry_free(*slot);
	*slot = work;
	return SENDSEC_DIR_OK;
}

enum sendsec_dir_status sendsec_dir_modify(
		struct sendsec_dir *d, const char *dn, const struct sendsec_mod *mods, size_t n_mods)
{
	bool injected;
	struct standin_op *op = begin_write(d, STANDIN_MODIFY, dn, mods, n_mods, &injected);

	if (injected && op->twin) {
		/* Another login made this very write first: it is applied, and this one is told it lost. */
		enum sendsec_dir_status st_twin = apply_all(dn, mods, n_mods);

		op->twin = st_twin == SENDSEC_DIR_OK; /* else nothing was written, and that is the answer */
		return end(op, st_twin == SENDSEC_DIR_OK ? SENDSEC_DIR_CONFLICT : st_twin);
	}
	return injected ? op->status : end(op, apply_all(dn, mods, n_mods));
}

enum sendsec_dir_status sendsec_dir_add(
		struct sendsec_dir *d, const char *dn, const struct sendsec_mod *attrs, size_t n_attrs)
{
	bool injected;
	struct standin_op *op = begin_write(d, STANDIN_ADD, dn, attrs, n_attrs, &injected);
	struct sendsec_entry *e;
	enum sendsec_dir_status rc = SENDSEC_DIR_OK;

	if (injected)
		return op->status;
	if (slot_of(dn) != NULL)
		return end(op, SENDSEC_DIR_CONFLICT);
	if (st.n_entries == MAX_ENTRIES || (e = calloc(1, sizeof(*e))) == NULL)
		return end(op, SENDSEC_DIR_FAILED);
	if ((e->dn = strdup(dn)) == NULL)
		rc = SENDSEC_DIR_FAILED;
	for (size_t i = 0; i < n_attrs && rc == SENDSEC_DIR_OK; i++)
		rc = apply(e, &(struct sendsec_mod){SENDSEC_MOD_ADD, attrs[i].attr, attrs[i].vals, attrs[i].n});
	if (rc != SENDSEC_DIR_OK) {
		sendsec_entry_free(e);
		return end(op, rc);
	}
	st.entries[st.n_entries++] = e;
	return end(op, SENDSEC_DIR_OK);
}

enum sendsec_dir_status sendsec_dir_delete(struct sendsec_dir *d, const char *dn)
{
	bool injected;
	struct standin_op *op = begin_write(d, STANDIN_DELETE, dn, NULL, 0, &injected);
	struct sendsec_entry **slot;

	if (injected)
		return op->status;
	if ((slot = slot_of(dn)) == NULL)
		return end(op, SENDSEC_DIR_NO_ENTRY);
	sendsec_entry_free(*slot);
	*slot = st.entries[--st.n_entries];
	return end(op, SENDSEC_DIR_OK);
}

/* ---- dir.h: binds ---- */

/* slapd's simple bind: the DN exists, no ppolicy lock, and password matches a userPassword value. */
static enum sendsec_dir_status bind_as(struct sendsec_dir *d, const char *dn, const char *password)
{
	struct sendsec_entry **slot = slot_of(dn);
	size_t n;
	const struct sendsec_val *v;

	if (slot == NULL || sendsec_entry_first(*slot, "pwdAccountLockedTime") != NULL)
		return SENDSEC_DIR_BAD_CREDENTIALS;
	v = sendsec_entry_values(*slot, "userPassword", &n);
	for (size_t i = 0; i < n; i++)
		if (sendsec_hash_verify(v[i].ptr, v[i].len, password, d->s->argon2_opslimit, d->s->argon2_memlimit_kib,
				    NULL, NULL) == SENDSEC_OK)
			return SENDSEC_DIR_OK;
	return SENDSEC_DIR_BAD_CREDENTIALS;
}

enum sendsec_dir_status sendsec_dir_check_bind(struct sendsec_dir *d, const char *dn, const char *password)
{
	bool injected;
	struct standin_op *op = begin(d, STANDIN_CHECK_BIND, dn, &injected);

	if (injected)
		return op->status;
	if (password == NULL || password[0] == '\0')
		return end(op, SENDSEC_DIR_BAD_CREDENTIALS);
	return end(op, bind_as(d, dn, password));
}

enum sendsec_dir_status sendsec_dir_passwd_modify(
		struct sendsec_dir *d, const char *dn, const char *old_password, const char *new_password)
{
	bool injected;
	struct standin_op *op = begin(d, STANDIN_PASSWD_MODIFY, dn, &injected);
	char hash[SENDSEC_HASH_MAX];
	struct sendsec_val v = {hash, 0};
	struct sendsec_mod mod = {SENDSEC_MOD_REPLACE, "userPassword", &v, 1};
	enum sendsec_dir_status rc;

	if (injected)
		return op->status;
	if (old_password[0] == '\0')
		return end(op, SENDSEC_DIR_BAD_CREDENTIALS);
	if (new_password[0] == '\0')
		return end(op, SENDSEC_DIR_REFUSED);
	if ((rc = bind_as(d, dn, old_password)) != SENDSEC_DIR_OK)
		return end(op, rc);
	if (sendsec_hash_make(new_password, d->s->argon2_opslimit, d->s->argon2_memlimit_kib, hash, sizeof(hash)) !=
			SENDSEC_OK)
		return end(op, SENDSEC_DIR_FAILED);
	v.len = strlen(hash);
	rc = apply_all(dn, &mod, 1);
	sodium_memzero(hash, sizeof(hash));
	return end(op, rc);
}
