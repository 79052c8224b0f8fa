// SPDX-License-Identifier: GPL-2.0
/*
 * Policy file parser. The format is line based; '#' starts a comment:
 *
 *   default drop|pass        what happens to traffic no rule passes (drop)
 *   icmp pass|drop           ICMPv4 (pass)
 *   icmp6 pass|drop          ICMPv6 except neighbour discovery/MLD (pass)
 *   allow tcp|udp LIST       LIST: ports and ranges, "22,25 6000-6010"
 *   deny tcp|udp LIST        take ports out again (lines apply in order)
 *   conntrack-size N         flows the shared flow table holds (262144)
 *   timeout NAME DURATION    a flow timeout: 30, 30s, 2m, 1h, 5d
 *
 * Errors name file:line:column and what was expected there.
 */
#include <ctype.h>
#include <stddef.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy.h"
#include "util.h"

/* Single-valued settings: "<word> <off>|<on>", where <on> sets <flag>. */
static const struct setting_def {
	const char *word, *off, *on;
	__u32 flag;
} settings[POLICY_SETTINGS] = {
	[POLICY_DEFAULT] = { "default", "drop", "pass", XDPFW_F_DEFAULT_PASS },
	[POLICY_ICMP] = { "icmp", "pass", "drop", XDPFW_F_ICMP_DROP },
	[POLICY_ICMP6] = { "icmp6", "pass", "drop", XDPFW_F_ICMP6_DROP },
};

/* Numeric settings, each once: "<word> N" with N in [min, max]. */
static const struct number_def {
	const char *word, *what;
	unsigned long min, max;
	size_t offset; /* of the __u32 in struct policy */
} numbers[] = {
	{ "conntrack-size", "number of flows", POLICY_CT_SIZE_MIN, POLICY_CT_SIZE_MAX,
	  offsetof(struct policy, ct_size) },
	{ "log-rate", "number of records a second", 0, POLICY_LOG_RATE_MAX,
	  offsetof(struct policy, bpf.log_rate) },
};

struct parser {
	const char *pos;	/* next unread byte of the current line */
	const char *eol;	/* end of the current line (before '\n' or '\r\n') */
	const char *bol;	/* start of the current line, for columns */
	const char *name;	/* file name for messages */
	unsigned int line;	/* 1-based; 0 when parsing a command-line argument */
	unsigned int set_on[POLICY_SETTINGS]; /* line a single-valued setting was set on */
	unsigned int number_on[ARRAY_SIZE(numbers)]; /* line a numeric setting was set on */
	unsigned int timeout_on[XDPFW_CT_TO_MAX];
	struct policy *pol;
	struct policy_error *err;
};

/* A word: a maximal run of bytes that are not blanks, ',' or '#'. */
struct word {
	const char *s;
	size_t len;
};

#define XDPFW_CT_TIMEOUT_NAME(id, name, secs) [XDPFW_CT_TO_##id] = name,
static const char *const timeout_names[XDPFW_CT_TO_MAX] = {
	XDPFW_CT_TIMEOUTS(XDPFW_CT_TIMEOUT_NAME)
};
#undef XDPFW_CT_TIMEOUT_NAME

#define XDPFW_CT_TIMEOUT_SECS(id, name, secs) [XDPFW_CT_TO_##id] = secs,
static const __u32 timeout_defaults[XDPFW_CT_TO_MAX] = {
	XDPFW_CT_TIMEOUTS(XDPFW_CT_TIMEOUT_SECS)
};
#undef XDPFW_CT_TIMEOUT_SECS

/* Duration units: a number alone is seconds. */
static const struct {
	char unit;
	__u32 secs;
} units[] = { { 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 } };

static const char *const l4_names[XDPFW_L4_MAX] = {
	[XDPFW_L4_TCP] = "tcp",
	[XDPFW_L4_UDP] = "udp",
};

__attribute__((format(printf, 3, 4))) static int fail(struct parser *ps, const char *at,
						      const char *fmt, ...)
{
	unsigned int col = at - ps->bol + 1;
	int n;
	va_list ap;

	if (ps->line)
		n = snprintf(ps->err->msg, sizeof(ps->err->msg), "%s:%u:%u: ", ps->name, ps->line,
			     col);
	else
		n = snprintf(ps->err->msg, sizeof(ps->err->msg), "%s, column %u: ", ps->name, col);
	if (n < 0 || (size_t)n >= sizeof(ps->err->msg))
		return -EINVAL; /* the location alone fills the message */
	va_start(ap, fmt);
	vsnprintf(ps->err->msg + n, sizeof(ps->err->msg) - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Quote a word for a message: at most 32 bytes, unprintable bytes as '?'. */
static const char *shown(struct word w, char buf[40])
{
	size_t i, n = w.len < 32 ? w.len : 32;

	for (i = 0; i < n; i++)
		buf[i] = isprint((unsigned char)w.s[i]) ? w.s[i] : '?';
	strcpy(buf + n, w.len > n ? "..." : "");
	return buf;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static void skip_blanks(struct parser *ps)
{
	while (ps->pos < ps->eol && is_blank(*ps->pos))
		ps->pos++;
}

static bool at_end(struct parser *ps)
{
	skip_blanks(ps);
	return ps->pos == ps->eol || *ps->pos == '#';
}

static struct word next_word(struct parser *ps)
{
	struct word w;

	skip_blanks(ps);
	w.s = ps->pos;
	while (ps->pos < ps->eol && !is_blank(*ps->pos) && *ps->pos != ',' && *ps->pos != '#')
		ps->pos++;
	w.len = ps->pos - w.s;
	return w;
}

static bool word_is(struct word w, const char *s)
{
	return w.len == strlen(s) && !memcmp(w.s, s, w.len);
}

static int expect_end(struct parser *ps, const char *after)
{
	struct word w;
	char buf[40];

	if (at_end(ps))
		return 0;
	w = next_word(ps);
	if (!w.len)
		w.len = 1; /* a lone ',' */
	return fail(ps, w.s, "unexpected '%s' after '%s'", shown(w, buf), after);
}

/* One of two words; returns 0 for the first, 1 for the second. */
static int expect_choice(struct parser *ps, const char *after, const char *a, const char *b)
{
	struct word w = next_word(ps);
	char buf[40];

	if (word_is(w, a))
		return 0;
	if (word_is(w, b))
		return 1;
	if (!w.len)
		return fail(ps, w.s, "expected '%s' or '%s' after '%s'", a, b, after);
	return fail(ps, w.s, "expected '%s' or '%s' after '%s', got '%s'", a, b, after,
		    shown(w, buf));
}

/* A decimal port 1-65535 at the cursor. */
static int parse_port(struct parser *ps, unsigned int *port)
{
	const char *start = ps->pos;
	unsigned long v = 0;
	struct word w;
	char buf[40];

	while (ps->pos < ps->eol && isdigit((unsigned char)*ps->pos)) {
		if (v <= XDPFW_PORTS)
			v = v * 10 + (*ps->pos - '0');
		ps->pos++;
	}
	if (ps->pos == start) {
		w.s = start;
		w.len = 0;
		while (start + w.len < ps->eol && !is_blank(start[w.len]) && start[w.len] != ',')
			w.len++;
		if (!w.len)
			return fail(ps, start, "expected a port number (1-65535)");
		return fail(ps, start, "expected a port number (1-65535), got '%s'", shown(w, buf));
	}
	if (v < 1 || v > XDPFW_PORTS - 1) {
		w.s = start;
		w.len = ps->pos - start;
		return fail(ps, start, "port %s out of range (1-65535)", shown(w, buf));
	}
	*port = v;
	return 0;
}

static void set_range(struct policy *pol, enum xdpfw_l4 l4, unsigned int lo, unsigned int hi,
		      bool allow)
{
	__u64 *bm = pol->bpf.ports[l4];
	unsigned int p;

	for (p = lo; p <= hi; p++) {
		if (allow)
			bm[xdpfw_port_word(p)] |= xdpfw_port_bit(p);
		else
			bm[xdpfw_port_word(p)] &= ~xdpfw_port_bit(p);
	}
}

/* LIST: items "N" or "N-M", separated by ',' and/or blanks; at least one. */
static int parse_port_list(struct parser *ps, enum xdpfw_l4 l4, bool allow)
{
	unsigned int lo, hi;
	const char *start;
	int err;

	skip_blanks(ps);
	if (at_end(ps))
		return fail(ps, ps->pos, "expected a port list after '%s'", l4_names[l4]);
	for (;;) {
		start = ps->pos;
		err = parse_port(ps, &lo);
		if (err)
			return err;
		hi = lo;
		if (ps->pos < ps->eol && *ps->pos == '-') {
			ps->pos++;
			err = parse_port(ps, &hi);
			if (err)
				return err;
			if (hi < lo)
				return fail(ps, start, "range %u-%u is reversed", lo, hi);
		}
		set_range(ps->pol, l4, lo, hi, allow);
		skip_blanks(ps);
		if (ps->pos < ps->eol && *ps->pos == ',') {
			ps->pos++;
			skip_blanks(ps);
			continue;
		}
		if (at_end(ps))
			return 0;
		if (!isdigit((unsigned char)*ps->pos))
			return parse_port(ps, &lo);
	}
}

static int parse_setting(struct parser *ps, enum policy_setting which, const char *at)
{
	const struct setting_def *def = &settings[which];
	int on;

	if (ps->set_on[which])
		return fail(ps, at, "'%s' already set on line %u", def->word,
			    ps->set_on[which]);
	on = expect_choice(ps, def->word, def->off, def->on);
	if (on < 0)
		return on;
	if (on)
		ps->pol->bpf.flags |= def->flag;
	else
		ps->pol->bpf.flags &= ~def->flag;
	ps->set_on[which] = ps->line;
	return expect_end(ps, def->word);
}

static int l4_from_name_n(const char *s, size_t len)
{
	int l4;

	for (l4 = 0; l4 < XDPFW_L4_MAX; l4++)
		if (len == strlen(l4_names[l4]) && !memcmp(s, l4_names[l4], len))
			return l4;
	return -EINVAL;
}

static int parse_rule(struct parser *ps, bool allow)
{
	struct word w = next_word(ps);
	const char *verb = allow ? "allow" : "deny";
	char buf[40];
	int l4;

	if (!w.len)
		return fail(ps, w.s, "expected 'tcp' or 'udp' after '%s'", verb);
	l4 = l4_from_name_n(w.s, w.len);
	if (l4 < 0)
		return fail(ps, w.s, "expected 'tcp' or 'udp' after '%s', got '%s'", verb,
			    shown(w, buf));
	return parse_port_list(ps, l4, allow);
}

/* A decimal number in [min, max]; a duration may carry a unit (s, m, h, d). */
static int parse_number(struct parser *ps, const char *after, const char *what,
			unsigned long min, unsigned long max, bool duration, unsigned long *out)
{
	struct word w = next_word(ps);
	unsigned long v = 0, scale = 1;
	size_t i, n = 0;
	char buf[40];

	while (n < w.len && isdigit((unsigned char)w.s[n])) {
		if (v <= max)
			v = v * 10 + (w.s[n] - '0');
		n++;
	}
	if (duration && n && n + 1 == w.len) {
		for (i = 0; i < ARRAY_SIZE(units); i++)
			if (w.s[n] == units[i].unit)
				break;
		if (i < ARRAY_SIZE(units)) {
			scale = units[i].secs;
			n++;
		}
	}
	if (!w.len)
		return fail(ps, w.s, "expected a %s after '%s'", what, after);
	if (!n || n != w.len)
		return fail(ps, w.s, "expected a %s after '%s', got '%s'", what, after,
			    shown(w, buf));
	if (v > max / scale || v * scale < min)
		return fail(ps, w.s, "%s '%s' out of range (%lu-%lu%s)", what, shown(w, buf), min,
			    max, duration ? " seconds" : "");
	*out = v * scale;
	return 0;
}

static int parse_number_setting(struct parser *ps, size_t which, const char *at)
{
	const struct number_def *def = &numbers[which];
	unsigned long v;
	int err;

	if (ps->number_on[which])
		return fail(ps, at, "'%s' already set on line %u", def->word, ps->number_on[which]);
	err = parse_number(ps, def->word, def->what, def->min, def->max, false, &v);
	if (err)
		return err;
	*(__u32 *)((char *)ps->pol + def->offset) = v;
	ps->number_on[which] = ps->line;
	return expect_end(ps, def->word);
}

static int parse_timeout(struct parser *ps)
{
	struct word w = next_word(ps);
	unsigned long v;
	char buf[40];
	int t, err;

	for (t = 0; t < XDPFW_CT_TO_MAX; t++)
		if (word_is(w, timeout_names[t]))
			break;
	if (t == XDPFW_CT_TO_MAX) {
		if (!w.len && w.s < ps->eol && *w.s != '#')
			w.len = 1; /* a lone ',' */
		if (!w.len)
			return fail(ps, w.s, "expected a timeout name (tcp-syn-sent, tcp-established, "
					     "tcp-fin, tcp-close, udp, udp-stream, icmp) after 'timeout'");
		return fail(ps, w.s,
			    "expected a timeout name (tcp-syn-sent, tcp-established, tcp-fin, "
			    "tcp-close, udp, udp-stream, icmp) after 'timeout', got '%s'",
			    shown(w, buf));
	}
	if (ps->timeout_on[t])
		return fail(ps, w.s, "timeout '%s' already set on line %u", timeout_names[t],
			    ps->timeout_on[t]);
	err = parse_number(ps, timeout_names[t], "duration", 1, POLICY_TIMEOUT_MAX, true, &v);
	if (err)
		return err;
	ps->pol->bpf.timeouts[t] = v;
	ps->timeout_on[t] = ps->line;
	return expect_end(ps, timeout_names[t]);
}

static int parse_line(struct parser *ps)
{
	struct word w;
	char buf[40];
	int which;

	if (at_end(ps))
		return 0;
	w = next_word(ps);

	for (which = 0; which < POLICY_SETTINGS; which++)
		if (word_is(w, settings[which].word))
			return parse_setting(ps, which, w.s);
	if (word_is(w, "allow"))
		return parse_rule(ps, true);
	if (word_is(w, "deny"))
		return parse_rule(ps, false);
	for (which = 0; which < (int)ARRAY_SIZE(numbers); which++)
		if (word_is(w, numbers[which].word))
			return parse_number_setting(ps, which, w.s);
	if (word_is(w, "timeout"))
		return parse_timeout(ps);
	if (!w.len)
		w.len = 1;
	return fail(ps, w.s,
		    "expected 'default', 'icmp', 'icmp6', 'allow', 'deny', 'conntrack-size', "
		    "'log-rate' or 'timeout', got '%s'",
		    shown(w, buf));
}

/* Control bytes other than tab have no place in a policy, comments included. */
static int check_bytes(struct parser *ps)
{
	const char *c;

	for (c = ps->bol; c < ps->eol; c++) {
		if (*c == '\0')
			return fail(ps, c, "unexpected NUL byte (binary file?)");
		if (iscntrl((unsigned char)*c) && *c != '\t')
			return fail(ps, c, "unexpected control character 0x%02x",
				    (unsigned char)*c);
	}
	return 0;
}

void policy_init(struct policy *pol)
{
	memset(pol, 0, sizeof(*pol));
	memcpy(pol->bpf.timeouts, timeout_defaults, sizeof(timeout_defaults));
	pol->ct_size = XDPFW_CT_DEFAULT_SIZE;
	pol->bpf.log_rate = XDPFW_LOG_RATE_DEFAULT;
}

void policy_log_budget(struct xdpfw_policy *p, __u32 hz, long ncpu)
{
	__u64 cpu_micro = (__u64)p->log_rate * 1000000 / (ncpu > 0 ? ncpu : 1);

	p->log_micro_per_jiffy = cpu_micro / (hz ? hz : 100);
	/* A second's worth, and at least one record: a low rate still logs. */
	p->log_burst_micro = !p->log_rate ? 0 : cpu_micro > 1000000 ? cpu_micro : 1000000;
}

const char *policy_timeout_name(enum xdpfw_ct_timeout t)
{
	return t < XDPFW_CT_TO_MAX ? timeout_names[t] : "?";
}

int policy_parse(struct policy *pol, const char *text, size_t len, const char *name,
		 struct policy_error *err)
{
	struct parser ps = { .name = name, .err = err };
	const char *end = text + len, *nl;
	struct policy tmp;
	int ret;

	/* Parse into a copy: a bad policy never touches the caller's. */
	policy_init(&tmp);
	ps.pol = &tmp;
	for (ps.bol = text; ps.bol < end; ps.bol = nl + 1) {
		nl = memchr(ps.bol, '\n', end - ps.bol);
		if (!nl)
			nl = end;
		ps.eol = nl;
		if (ps.eol > ps.bol && ps.eol[-1] == '\r')
			ps.eol--;
		ps.pos = ps.bol;
		ps.line++;
		ret = check_bytes(&ps);
		if (!ret)
			ret = parse_line(&ps);
		if (ret)
			return ret;
	}
	*pol = tmp;
	return 0;
}

int policy_parse_file(struct policy *pol, const char *path, struct policy_error *err)
{
	struct stat st;
	ssize_t n;
	char *buf;
	int fd, ret;

	/* O_NONBLOCK: open() on a FIFO would wait for a writer before fstat could refuse it. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		ret = -errno;
		/* A socket cannot be opened at all (ENXIO): say what it is. */
		if (!stat(path, &st) && !S_ISREG(st.st_mode)) {
			snprintf(err->msg, sizeof(err->msg), "%s: not a regular file", path);
			return -EINVAL;
		}
		snprintf(err->msg, sizeof(err->msg), "%s: %s", path, strerror(-ret));
		return ret;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		snprintf(err->msg, sizeof(err->msg), "%s: not a regular file", path);
		close(fd);
		return -EINVAL;
	}
	if (st.st_size > POLICY_MAX_BYTES) {
		snprintf(err->msg, sizeof(err->msg), "%s: too large (%lld bytes, limit %d)", path,
			 (long long)st.st_size, POLICY_MAX_BYTES);
		close(fd);
		return -EFBIG;
	}
	buf = malloc(st.st_size + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	/* Read one byte more than stat said, to notice a file that grew. */
	n = read(fd, buf, st.st_size + 1);
	ret = -errno;
	close(fd);
	if (n < 0) {
		snprintf(err->msg, sizeof(err->msg), "%s: %s", path, strerror(-ret));
	} else if (n > st.st_size) {
		snprintf(err->msg, sizeof(err->msg), "%s: changed while being read", path);
		ret = -EAGAIN;
	} else {
		ret = policy_parse(pol, buf, n, path, err);
	}
	free(buf);
	return ret;
}

int policy_parse_default(struct policy *pol)
{
	struct policy_error err;

	return policy_parse(pol, xdpfw_default_policy, strlen(xdpfw_default_policy),
			    "built-in policy", &err);
}

int policy_set_ports(struct policy *pol, enum xdpfw_l4 l4, const char *list, bool allow,
		     struct policy_error *err)
{
	struct policy tmp = *pol;
	struct parser ps = {
		.pos = list,
		.bol = list,
		.eol = list + strlen(list),
		.name = "port list",
		.pol = &tmp,
		.err = err,
	};
	int ret;

	ret = check_bytes(&ps);
	/* No comments on a command line: "22#25" is a typo, not port 22. */
	if (!ret && strchr(list, '#'))
		ret = fail(&ps, strchr(list, '#'), "unexpected '#' in a port list");
	if (!ret && at_end(&ps))
		ret = fail(&ps, ps.pos, "expected a port list");
	if (!ret)
		ret = parse_port_list(&ps, l4, allow);
	if (!ret)
		*pol = tmp;
	return ret;
}

int policy_l4_from_name(const char *name)
{
	return l4_from_name_n(name, strlen(name));
}

const char *policy_l4_name(enum xdpfw_l4 l4)
{
	return l4 < XDPFW_L4_MAX ? l4_names[l4] : "?";
}

bool policy_port_allowed(const struct policy *pol, enum xdpfw_l4 l4, unsigned int port)
{
	return port < XDPFW_PORTS && (pol->bpf.ports[l4][xdpfw_port_word(port)] & xdpfw_port_bit(port));
}

unsigned int policy_port_count(const struct policy *pol, enum xdpfw_l4 l4)
{
	unsigned int i, n = 0;

	for (i = 0; i < XDPFW_PORT_WORDS; i++)
		n += __builtin_popcountll(pol->bpf.ports[l4][i]);
	return n;
}

bool policy_next_range(const struct policy *pol, enum xdpfw_l4 l4, unsigned int *next,
		       unsigned int *lo, unsigned int *hi)
{
	unsigned int p = *next;

	while (p < XDPFW_PORTS && !policy_port_allowed(pol, l4, p))
		p++;
	if (p >= XDPFW_PORTS)
		return false;
	*lo = p;
	while (p + 1 < XDPFW_PORTS && policy_port_allowed(pol, l4, p + 1))
		p++;
	*hi = p;
	*next = p + 1;
	return true;
}

const char *policy_setting_name(enum policy_setting s)
{
	return s < POLICY_SETTINGS ? settings[s].word : "?";
}

const char *policy_setting_value(const struct policy *pol, enum policy_setting s)
{
	if (s >= POLICY_SETTINGS)
		return "?";
	return pol->bpf.flags & settings[s].flag ? settings[s].on : settings[s].off;
}

/* "allow tcp a,b,c-d" lines of at most ~72 columns, ranges collapsed. */
static void format_ports(const struct policy *pol, enum xdpfw_l4 l4, FILE *out)
{
	unsigned int next = 1, lo, hi, col = 0;
	char item[16];
	int n;

	while (policy_next_range(pol, l4, &next, &lo, &hi)) {
		n = hi == lo ? snprintf(item, sizeof(item), "%u", lo)
			     : snprintf(item, sizeof(item), "%u-%u", lo, hi);
		if (col && col + 1 + n > 72) {
			fputc('\n', out);
			col = 0;
		}
		if (!col)
			col = fprintf(out, "allow %s %s", l4_names[l4], item);
		else
			col += fprintf(out, ",%s", item);
	}
	if (col)
		fputc('\n', out);
}

void policy_format(const struct policy *pol, FILE *out)
{
	int l4, t, i;

	for (i = 0; i < POLICY_SETTINGS; i++)
		fprintf(out, "%s %s\n", settings[i].word, policy_setting_value(pol, i));
	if (pol->ct_size != XDPFW_CT_DEFAULT_SIZE)
		fprintf(out, "conntrack-size %u\n", pol->ct_size);
	if (pol->bpf.log_rate != XDPFW_LOG_RATE_DEFAULT)
		fprintf(out, "log-rate %u\n", pol->bpf.log_rate);
	for (t = 0; t < XDPFW_CT_TO_MAX; t++)
		if (pol->bpf.timeouts[t] != timeout_defaults[t])
			fprintf(out, "timeout %s %us\n", timeout_names[t], pol->bpf.timeouts[t]);
	for (l4 = 0; l4 < XDPFW_L4_MAX; l4++)
		format_ports(pol, l4, out);
}
