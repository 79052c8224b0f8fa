// SPDX-License-Identifier: GPL-2.0
/*
 * Everything the read verbs print, as a table or as JSON. JSON follows
 * bpftool: one document per command on stdout, pretty-printed; in JSON mode
 * an error is a single {"error": "..."} object instead (util.c).
 */
#include <arpa/inet.h>
#include <json-c/json.h>
#include <netinet/in.h>
#include <string.h>
#include <time.h>

#include "output.h"
#include "util.h"

static void put_json(json_object *root, FILE *out)
{
	fprintf(out, "%s\n",
		json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
							     JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
}

/* "default", "icmp", "icmp6" and their values, as in a policy file. */
static void add_settings(json_object *o, const struct policy *p)
{
	int i;

	for (i = 0; i < POLICY_SETTINGS; i++)
		json_object_object_add(o, policy_setting_name(i),
				       json_object_new_string(policy_setting_value(p, i)));
}

void output_status_json(const struct iface_status *st, size_t n, FILE *out)
{
	json_object *root = json_object_new_object(), *arr = json_object_new_array(), *o;
	char key[16];
	size_t i;
	int l4;

	for (i = 0; i < n; i++) {
		o = json_object_new_object();
		json_object_object_add(o, "interface", json_object_new_string(st[i].name));
		json_object_object_add(o, "ifindex", json_object_new_int64(st[i].ifindex));
		json_object_object_add(o, "mode", json_object_new_string(st[i].mode));
		json_object_object_add(o, "prog_id", json_object_new_int64(st[i].prog_id));
		/* A pending apply: when it rolls back (unix seconds); null when none waits. */
		json_object_object_add(o, "apply_deadline",
				       st[i].apply_deadline
					       ? json_object_new_int64(st[i].apply_deadline)
					       : NULL);
		if (!st[i].err) {
			add_settings(o, &st[i].pol);
			for (l4 = 0; l4 < XDPFW_L4_MAX; l4++) {
				snprintf(key, sizeof(key), "%s_ports", policy_l4_name(l4));
				json_object_object_add(
					o, key, json_object_new_int(policy_port_count(&st[i].pol, l4)));
			}
		}
		json_object_array_add(arr, o);
	}
	json_object_object_add(root, "interfaces", arr);
	put_json(root, out);
}

void output_status_table(const struct iface_status *st, size_t n, FILE *out)
{
	size_t i;
	int s;

	if (!n) {
		fprintf(out, "xdpfw is not loaded on any interface\n");
		return;
	}
	fprintf(out, "%-16s %-8s %8s  %s\n", "INTERFACE", "MODE", "PROG_ID", "POLICY");
	for (i = 0; i < n; i++) {
		const struct policy *p = &st[i].pol;

		fprintf(out, "%-16s %-8s %8u  ", st[i].name, st[i].mode, st[i].prog_id);
		if (st[i].err) {
			fprintf(out, "(unreadable: %s)\n", strerror(-st[i].err));
			continue;
		}
		for (s = 0; s < POLICY_SETTINGS; s++)
			fprintf(out, "%s %s, ", policy_setting_name(s), policy_setting_value(p, s));
		fprintf(out, "tcp %u ports, udp %u ports\n", policy_port_count(p, XDPFW_L4_TCP),
			policy_port_count(p, XDPFW_L4_UDP));
		if (st[i].apply_deadline > (__u64)time(NULL))
			fprintf(out, "%-16s an apply waits for 'xdpfw confirm %s': it rolls back "
				     "in %lld s\n",
				"", st[i].name, (long long)st[i].apply_deadline - time(NULL));
		else if (st[i].apply_deadline)
			fprintf(out, "%-16s an apply was not confirmed and its rollback is overdue: "
				     "'xdpfw confirm %s' keeps it\n",
				"", st[i].name);
	}
}

static json_object *prefixes_json(const struct prefix_list *l)
{
	json_object *arr = json_object_new_array();
	char a[PREFIX_TEXT_MAX];
	size_t i;

	for (i = 0; i < l->n; i++) {
		prefix_format(&l->v[i], a, sizeof(a));
		json_object_array_add(arr, json_object_new_string(a));
	}
	return arr;
}

static json_object *rule_json(const struct policy *pol, enum xdpfw_l4 l4, unsigned int lo,
			      unsigned int hi, const struct xdpfw_port_rule *r)
{
	json_object *o = json_object_new_object(), *lim;
	const struct xdpfw_limit *l;

	json_object_object_add(o, "proto", json_object_new_string(policy_l4_name(l4)));
	json_object_object_add(o, "lo", json_object_new_int(lo));
	json_object_object_add(o, "hi", json_object_new_int(hi));
	json_object_object_add(o, "from", r->list ? prefixes_json(&pol->lists[r->list]) : NULL);
	lim = NULL;
	if (r->limit) {
		l = &pol->bpf.limits[r->limit - 1];
		lim = json_object_new_object();
		json_object_object_add(lim, "rate", json_object_new_int64(l->rate));
		json_object_object_add(lim, "per_seconds", json_object_new_int64(l->per));
		json_object_object_add(lim, "burst", json_object_new_int64(l->burst));
	}
	json_object_object_add(o, "limit", lim);
	return o;
}

/* The open ports with a from-list or a limit: a range a rule. */
static json_object *rules_json(const struct policy *pol)
{
	json_object *arr = json_object_new_array();
	unsigned int p, lo;
	__u8 rule;
	int l4;

	for (l4 = 0; l4 < XDPFW_L4_MAX; l4++)
		for (p = 1; p < XDPFW_PORTS; p++) {
			rule = pol->bpf.port_rule[l4][p];
			if (!rule || !policy_port_allowed(pol, l4, p))
				continue;
			for (lo = p; p + 1 < XDPFW_PORTS && pol->bpf.port_rule[l4][p + 1] == rule &&
				     policy_port_allowed(pol, l4, p + 1);
			     p++)
				;
			json_object_array_add(arr, rule_json(pol, l4, lo, p, &pol->bpf.rules[rule]));
		}
	return arr;
}

void output_policy_json(const struct policy *pol, FILE *out)
{
	json_object *root = json_object_new_object(), *ports, *timeouts, *r;
	unsigned int next, lo, hi;
	int l4, t;

	add_settings(root, pol);
	for (l4 = 0; l4 < XDPFW_L4_MAX; l4++) {
		ports = json_object_new_array();
		for (next = 1; policy_next_range(pol, l4, &next, &lo, &hi);) {
			r = json_object_new_array();
			json_object_array_add(r, json_object_new_int(lo));
			json_object_array_add(r, json_object_new_int(hi));
			json_object_array_add(ports, r);
		}
		json_object_object_add(root, policy_l4_name(l4), ports);
	}
	json_object_object_add(root, "blocklist", prefixes_json(&pol->lists[XDPFW_LIST_BLOCK]));
	json_object_object_add(root, "rules", rules_json(pol));
	json_object_object_add(root, "conntrack_size", json_object_new_int64(pol->ct_size));
	timeouts = json_object_new_object();
	for (t = 0; t < XDPFW_CT_TO_MAX; t++)
		json_object_object_add(timeouts, policy_timeout_name(t),
				       json_object_new_int64(pol->bpf.timeouts[t]));
	json_object_object_add(root, "timeouts", timeouts);
	put_json(root, out);
}

void output_flushed_json(unsigned int n, FILE *out)
{
	json_object *root = json_object_new_object();

	json_object_object_add(root, "flushed", json_object_new_int64(n));
	put_json(root, out);
}

void output_prefixes(const char *iface, const struct prefix_list *l, bool json, FILE *out)
{
	json_object *root, *arr;
	char a[PREFIX_TEXT_MAX];
	size_t i;

	if (!json) {
		for (i = 0; i < l->n; i++) {
			prefix_format(&l->v[i], a, sizeof(a));
			fprintf(out, "%s\n", a);
		}
		return;
	}
	root = json_object_new_object();
	arr = json_object_new_array();
	json_object_object_add(root, "interface", json_object_new_string(iface));
	for (i = 0; i < l->n; i++) {
		prefix_format(&l->v[i], a, sizeof(a));
		json_object_array_add(arr, json_object_new_string(a));
	}
	json_object_object_add(root, "prefixes", arr);
	put_json(root, out);
}

void output_version_json(const char *version, const char *libbpf, FILE *out)
{
	json_object *root = json_object_new_object();

	json_object_object_add(root, "version", json_object_new_string(version));
	json_object_object_add(root, "libbpf", json_object_new_string(libbpf));
	put_json(root, out);
}

static void format_addr(const struct ct_tuple *k, const __u32 a[4], char *buf, size_t len)
{
	inet_ntop(k->ipver == 4 ? AF_INET : AF_INET6, a, buf, len);
}

static __u64 secs_between(__u64 from, __u64 to, __u32 hz)
{
	return to > from && hz ? (to - from) / hz : 0;
}

void output_flows_begin(struct flow_printer *p, const char *iface)
{
	json_object *name;

	p->n = 0;
	if (!p->json) {
		fprintf(p->out, "%-5s %-46s %-46s %-11s %8s %10s\n", "PROTO", "LOCAL", "REMOTE",
			"STATE", "AGE_S", "EXPIRES_S");
		return;
	}
	/* Streamed: a million flows are a million small objects, never one tree. */
	name = json_object_new_string(iface);
	fprintf(p->out, "{\"interface\": %s, \"flows\": [",
		json_object_to_json_string_ext(name, JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(name);
}

static void flow_row(const struct flow_printer *p, const struct ct_flow *f)
{
	char local[INET6_ADDRSTRLEN], remote[INET6_ADDRSTRLEN], l[64], r[64];

	format_addr(&f->k, f->k.local, local, sizeof(local));
	format_addr(&f->k, f->k.remote, remote, sizeof(remote));
	snprintf(l, sizeof(l), f->k.ipver == 4 ? "%s:%u" : "[%s]:%u", local, ntohs(f->k.lport));
	snprintf(r, sizeof(r), f->k.ipver == 4 ? "%s:%u" : "[%s]:%u", remote, ntohs(f->k.rport));
	fprintf(p->out, "%-5s %-46s %-46s %-11s %8llu %10llu\n", ct_proto_name(f->k.proto), l, r,
		ct_state_name(f->v.state),
		(unsigned long long)secs_between(f->v.created, p->now, p->hz),
		(unsigned long long)secs_between(p->now, f->v.expires, p->hz));
}

/*
 * One flow as a JSON object, printed directly: its strings are addresses and
 * fixed names, which need no escaping, and a million flows through json-c's
 * object tree cost three times the time.
 */
static void flow_json(const struct flow_printer *p, const struct ct_flow *f)
{
	char local[INET6_ADDRSTRLEN], remote[INET6_ADDRSTRLEN];

	format_addr(&f->k, f->k.local, local, sizeof(local));
	format_addr(&f->k, f->k.remote, remote, sizeof(remote));
	fprintf(p->out,
		"%s\n  {\"proto\":\"%s\",\"local\":\"%s\",\"local_port\":%u,\"remote\":\"%s\","
		"\"remote_port\":%u,\"state\":\"%s\",\"age_s\":%llu,\"expires_in_s\":%llu}",
		p->n ? "," : "", ct_proto_name(f->k.proto), local, ntohs(f->k.lport), remote,
		ntohs(f->k.rport), ct_state_name(f->v.state),
		(unsigned long long)secs_between(f->v.created, p->now, p->hz),
		(unsigned long long)secs_between(p->now, f->v.expires, p->hz));
}

int output_flow(const struct ct_flow *f, void *printer)
{
	struct flow_printer *p = printer;

	if (p->json)
		flow_json(p, f);
	else
		flow_row(p, f);
	p->n++;
	return 0;
}

void output_flows_end(struct flow_printer *p)
{
	if (p->json)
		fprintf(p->out, "%s]}\n", p->n ? "\n" : "");
}

void output_flows_table(const struct ct_flow *flows, size_t n, __u64 now, __u32 hz, FILE *out)
{
	struct flow_printer p = { .out = out, .now = now, .hz = hz };
	size_t i;

	output_flows_begin(&p, NULL);
	for (i = 0; i < n; i++)
		output_flow(&flows[i], &p);
	output_flows_end(&p);
}

void output_flows_json(const char *iface, const struct ct_flow *flows, size_t n, __u64 now,
		       __u32 hz, FILE *out)
{
	struct flow_printer p = { .out = out, .json = true, .now = now, .hz = hz };
	size_t i;

	output_flows_begin(&p, iface);
	for (i = 0; i < n; i++)
		output_flow(&flows[i], &p);
	output_flows_end(&p);
}

/* A row's port column: "22", "6000-6010", or "other" for a catch-all. */
static const char *row_port(const struct stats_row *r, char *buf, size_t len)
{
	if (r->kind == ROW_OTHER)
		return "other";
	if (r->lo == r->hi)
		snprintf(buf, len, "%u", r->lo);
	else
		snprintf(buf, len, "%u-%u", r->lo, r->hi);
	return buf;
}

static const char *row_proto(const struct stats_row *r)
{
	return r->proto == IPPROTO_TCP ? "tcp" : r->proto == IPPROTO_UDP ? "udp" : "any";
}

/* Local time as "2026-11-24 10:00:00"; "-" for 0. */
static const char *format_time(__u64 secs, char *buf, size_t len)
{
	time_t t = secs;
	struct tm tm;

	if (!secs || !localtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm))
		return "-";
	return buf;
}

/* The epoch counters count from: the load, or the last reset. */
static __u64 counting_since(const struct xdpfw_config *cfg)
{
	return cfg->reset_at > cfg->loaded_at ? cfg->reset_at : cfg->loaded_at;
}

static size_t rows_shown(const struct stats *st, const struct stats_view *v)
{
	return v->top && v->top < st->n_rows ? v->top : st->n_rows;
}

static double per_s(__u64 n, double secs)
{
	return secs > 0 ? n / secs : 0;
}

static void table_totals(const struct stats *st, const struct stats_view *v, FILE *out)
{
	char t1[32], t2[32];

	if (st->secs > 0) {
		fprintf(out, "%s: over %.2f s: passed %.1f packets/s %.0f bits/s, dropped %.1f packets/s %.0f bits/s\n",
			st->iface, st->secs, per_s(st->passed.packets, st->secs),
			per_s(st->passed.bytes * 8, st->secs), per_s(st->dropped.packets, st->secs),
			per_s(st->dropped.bytes * 8, st->secs));
		return;
	}
	fprintf(out, "%s: counting since %s (loaded %s)\n", st->iface,
		format_time(counting_since(&st->cfg), t1, sizeof(t1)),
		format_time(st->cfg.loaded_at, t2, sizeof(t2)));
	fprintf(out, "passed %llu packets %llu bytes, dropped %llu packets %llu bytes\n",
		(unsigned long long)st->passed.packets, (unsigned long long)st->passed.bytes,
		(unsigned long long)st->dropped.packets, (unsigned long long)st->dropped.bytes);
}

static void table_rows(const struct stats *st, const struct stats_view *v, FILE *out)
{
	const struct stats_row *r;
	size_t i, n = rows_shown(st, v);
	char port[16];

	if (st->secs > 0)
		fprintf(out, "\n%-4s %-5s %-11s %-8s %14s %16s %14s %16s\n", "DIR", "PROTO", "PORT",
			"KIND", "PASSED_PPS", "PASSED_BPS", "DROPPED_PPS", "DROPPED_BPS");
	else
		fprintf(out, "\n%-4s %-5s %-11s %-8s %14s %16s %14s %16s\n", "DIR", "PROTO", "PORT",
			"KIND", "PASSED_PKTS", "PASSED_BYTES", "DROPPED_PKTS", "DROPPED_BYTES");
	for (i = 0; i < n; i++) {
		r = &st->rows[i];
		fprintf(out, "%-4s %-5s %-11s %-8s ", dir_name(r->dir), row_proto(r),
			row_port(r, port, sizeof(port)), row_kind_name(r->kind));
		if (st->secs > 0)
			fprintf(out, "%14.1f %16.0f %14.1f %16.0f\n",
				per_s(r->passed.packets, st->secs),
				per_s(r->passed.bytes * 8, st->secs),
				per_s(r->dropped.packets, st->secs),
				per_s(r->dropped.bytes * 8, st->secs));
		else
			fprintf(out, "%14llu %16llu %14llu %16llu\n",
				(unsigned long long)r->passed.packets,
				(unsigned long long)r->passed.bytes,
				(unsigned long long)r->dropped.packets,
				(unsigned long long)r->dropped.bytes);
	}
	if (n < st->n_rows)
		fprintf(out, "(%zu more rows)\n", st->n_rows - n);
}

static void table_rest(const struct stats *st, FILE *out)
{
	size_t i;

	fprintf(out, "\n%-20s %14s %16s\n", "REASON", "PACKETS", "BYTES");
	for (i = 0; i < XDPFW_REASON_MAX; i++)
		fprintf(out, "%-20s %14llu %16llu\n", reason_name(i),
			(unsigned long long)st->reasons[i].packets,
			(unsigned long long)st->reasons[i].bytes);
	fprintf(out, "\n%-20s %14s\n", "DROP LOG", "RECORDS");
	for (i = 0; i < XDPFW_LOG_COUNTER_MAX; i++)
		fprintf(out, "%-20s %14llu\n", log_counter_name(i), (unsigned long long)st->log[i]);
	fprintf(out, "\n%-20s %14s\n", "CONNTRACK", "COUNT");
	fprintf(out, "%-20s %14llu\n", "entries", (unsigned long long)st->ct.entries);
	fprintf(out, "%-20s %14llu\n", "limit", (unsigned long long)st->ct.limit);
	for (i = 0; i < XDPFW_CT_COUNTER_MAX; i++)
		fprintf(out, "%-20s %14llu\n", ct_counter_name(i),
			(unsigned long long)st->ct.counter[i]);
	fprintf(out, "%-20s %14llu\n", "evictions", (unsigned long long)st->ct.evictions);
}

void output_stats_table(const struct stats *st, size_t n, const struct stats_view *v, FILE *out)
{
	size_t i;

	if (!n)
		fprintf(out, "xdpfw is not loaded on any interface\n");
	for (i = 0; i < n; i++) {
		if (i)
			fprintf(out, "\n");
		table_totals(&st[i], v, out);
		table_rows(&st[i], v, out);
		if (st[i].secs <= 0)
			table_rest(&st[i], out);
	}
}

static json_object *json_u64(__u64 v)
{
	return json_object_new_uint64(v);
}

/* passed_packets, passed_bytes, dropped_*, and with secs the same as rates (_pps, _bps). */
static void json_counts(json_object *o, const struct xdpfw_counter *passed,
			const struct xdpfw_counter *dropped, double secs)
{
	json_object_object_add(o, "passed_packets", json_u64(passed->packets));
	json_object_object_add(o, "passed_bytes", json_u64(passed->bytes));
	json_object_object_add(o, "dropped_packets", json_u64(dropped->packets));
	json_object_object_add(o, "dropped_bytes", json_u64(dropped->bytes));
	if (secs <= 0)
		return;
	json_object_object_add(o, "passed_pps", json_object_new_double(per_s(passed->packets, secs)));
	json_object_object_add(o, "passed_bps",
			       json_object_new_double(per_s(passed->bytes * 8, secs)));
	json_object_object_add(o, "dropped_pps",
			       json_object_new_double(per_s(dropped->packets, secs)));
	json_object_object_add(o, "dropped_bps",
			       json_object_new_double(per_s(dropped->bytes * 8, secs)));
}

static json_object *json_row(const struct stats_row *r, double secs)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "direction", json_object_new_string(dir_name(r->dir)));
	json_object_object_add(o, "proto", json_object_new_string(row_proto(r)));
	if (r->kind != ROW_OTHER) {
		json_object_object_add(o, "port", json_object_new_int(r->lo));
		if (r->hi != r->lo)
			json_object_object_add(o, "port_to", json_object_new_int(r->hi));
	}
	json_object_object_add(o, "kind", json_object_new_string(row_kind_name(r->kind)));
	json_counts(o, &r->passed, &r->dropped, secs);
	return o;
}

static json_object *json_epoch(__u64 secs)
{
	return secs ? json_u64(secs) : NULL;
}

static json_object *json_stats(const struct stats *st, const struct stats_view *v)
{
	json_object *root = json_object_new_object(), *totals = json_object_new_object();
	json_object *rows = json_object_new_array(), *reasons = json_object_new_object();
	json_object *reason_bytes = json_object_new_object(), *log = json_object_new_object();
	json_object *ct = json_object_new_object();
	size_t i, n = rows_shown(st, v);

	json_object_object_add(root, "interface", json_object_new_string(st->iface));
	json_object_object_add(root, "loaded_at", json_epoch(st->cfg.loaded_at));
	json_object_object_add(root, "reset_at", json_epoch(st->cfg.reset_at));
	json_object_object_add(root, "since", json_epoch(counting_since(&st->cfg)));
	if (st->secs > 0) {
		json_object_object_add(root, "time", json_u64(time(NULL)));
		json_object_object_add(root, "interval_s", json_object_new_double(st->secs));
	}
	json_counts(totals, &st->passed, &st->dropped, st->secs);
	json_object_object_add(root, "totals", totals);
	for (i = 0; i < n; i++)
		json_object_array_add(rows, json_row(&st->rows[i], st->secs));
	json_object_object_add(root, "ports", rows);
	json_object_object_add(root, "more_ports", json_u64(st->n_rows - n));
	for (i = 0; i < XDPFW_REASON_MAX; i++) {
		json_object_object_add(reasons, reason_name(i), json_u64(st->reasons[i].packets));
		json_object_object_add(reason_bytes, reason_name(i), json_u64(st->reasons[i].bytes));
	}
	json_object_object_add(root, "reasons", reasons);
	json_object_object_add(root, "reason_bytes", reason_bytes);
	for (i = 0; i < XDPFW_LOG_COUNTER_MAX; i++)
		json_object_object_add(log, log_counter_name(i), json_u64(st->log[i]));
	json_object_object_add(root, "log", log);
	json_object_object_add(ct, "entries", json_u64(st->ct.entries));
	json_object_object_add(ct, "limit", json_u64(st->ct.limit));
	for (i = 0; i < XDPFW_CT_COUNTER_MAX; i++)
		json_object_object_add(ct, ct_counter_name(i), json_u64(st->ct.counter[i]));
	json_object_object_add(ct, "evictions", json_u64(st->ct.evictions));
	json_object_object_add(root, "conntrack", ct);
	return root;
}

void output_stats_json(const struct stats *st, size_t n, const struct stats_view *v, FILE *out)
{
	json_object *root, *arr;
	size_t i;

	if (v->one && n == 1) {
		root = json_stats(st, v);
	} else {
		root = json_object_new_object();
		arr = json_object_new_array();
		for (i = 0; i < n; i++)
			json_object_array_add(arr, json_stats(&st[i], v));
		json_object_object_add(root, "interfaces", arr);
	}
	if (!v->lines) {
		put_json(root, out);
		return;
	}
	fprintf(out, "%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN |
								     JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
	fflush(out);
}

/* The Prometheus text format (version 0.0.4): a family's HELP and TYPE, then its samples. */
static void prom_family(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value, escaped as the format asks: backslash, double quote, newline. */
static void prom_value(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(out, "\\%c", *s);
		else if (*s == '\n')
			fprintf(out, "\\n");
		else
			fputc(*s, out);
	}
}

static void prom_iface(FILE *out, const char *metric, const char *iface)
{
	fprintf(out, "%s{interface=\"", metric);
	prom_value(out, iface);
	fprintf(out, "\"");
}

static void prom_reasons(FILE *out, const struct stats *st, size_t n, bool bytes)
{
	const char *metric = bytes ? "xdpfw_bytes_total" : "xdpfw_packets_total";
	size_t i;
	int r;

	prom_family(out, metric, "counter",
		    bytes ? "Bytes of the frames xdpfw judged, from the Ethernet header."
			  : "Packets xdpfw judged, by verdict and reason.");
	for (i = 0; i < n; i++)
		for (r = 0; r < XDPFW_REASON_MAX; r++) {
			prom_iface(out, metric, st[i].iface);
			fprintf(out, ",verdict=\"%s\",reason=\"%s\"} %llu\n",
				r < XDPFW_REASON_FIRST_DROP ? "pass" : "drop", reason_name(r),
				(unsigned long long)(bytes ? st[i].reasons[r].bytes
							   : st[i].reasons[r].packets));
		}
}

static void prom_port(FILE *out, const char *metric, const struct stats *st,
		      const struct stats_row *r, const char *verdict, __u64 v)
{
	char port[16];

	if (!v)
		return;
	prom_iface(out, metric, st->iface);
	fprintf(out, ",proto=\"%s\",port=\"%s\",direction=\"%s\",verdict=\"%s\"} %llu\n",
		row_proto(r), row_port(r, port, sizeof(port)), dir_name(r->dir), verdict,
		(unsigned long long)v);
}

/* Non-zero series only: a port that saw nothing has none. */
static void prom_ports(FILE *out, const struct stats *st, size_t n, bool bytes)
{
	const char *metric = bytes ? "xdpfw_port_bytes_total" : "xdpfw_port_packets_total";
	const struct stats_row *r;
	size_t i, j;

	prom_family(out, metric, "counter",
		    bytes ? "Bytes by service port and direction (in: to a local service, out: "
			    "replies of connections the host opened)."
			  : "Packets by service port and direction (in: to a local service, out: "
			    "replies of connections the host opened).");
	for (i = 0; i < n; i++)
		for (j = 0; j < st[i].n_rows; j++) {
			r = &st[i].rows[j];
			prom_port(out, metric, &st[i], r, "pass",
				  bytes ? r->passed.bytes : r->passed.packets);
			prom_port(out, metric, &st[i], r, "drop",
				  bytes ? r->dropped.bytes : r->dropped.packets);
		}
}

static void prom_epochs(FILE *out, const struct stats *st, size_t n)
{
	size_t i;

	prom_family(out, "xdpfw_loaded_timestamp_seconds", "gauge",
		    "When xdpfw was loaded on the interface, in Unix time.");
	for (i = 0; i < n; i++) {
		prom_iface(out, "xdpfw_loaded_timestamp_seconds", st[i].iface);
		fprintf(out, "} %llu\n", (unsigned long long)st[i].cfg.loaded_at);
	}
	prom_family(out, "xdpfw_counters_since_timestamp_seconds", "gauge",
		    "When the interface's counters started: the load or the last reset.");
	for (i = 0; i < n; i++) {
		prom_iface(out, "xdpfw_counters_since_timestamp_seconds", st[i].iface);
		fprintf(out, "} %llu\n", (unsigned long long)counting_since(&st[i].cfg));
	}
}

static void prom_log(FILE *out, const struct stats *st, size_t n)
{
	size_t i;
	int c;

	prom_family(out, "xdpfw_drop_log_records_total", "counter",
		    "Dropped packets by what the drop log did with them: sent to the ring, "
		    "suppressed by the budget, lost to a full ring.");
	for (i = 0; i < n; i++)
		for (c = 0; c < XDPFW_LOG_COUNTER_MAX; c++) {
			prom_iface(out, "xdpfw_drop_log_records_total", st[i].iface);
			fprintf(out, ",outcome=\"%s\"} %llu\n", log_counter_name(c),
				(unsigned long long)st[i].log[c]);
		}
}

/* The flow tables are shared: one set of series without an interface label. */
static void prom_conntrack(FILE *out, const struct ct_counters *ct)
{
	int c;

	prom_family(out, "xdpfw_conntrack_entries", "gauge", "Flows in the shared flow tables.");
	fprintf(out, "xdpfw_conntrack_entries %llu\n", (unsigned long long)ct->entries);
	prom_family(out, "xdpfw_conntrack_entries_limit", "gauge",
		    "Flows each shared flow table holds.");
	fprintf(out, "xdpfw_conntrack_entries_limit %llu\n", (unsigned long long)ct->limit);
	prom_family(out, "xdpfw_conntrack_evictions_total", "counter",
		    "Flows the tables pushed out to make room.");
	fprintf(out, "xdpfw_conntrack_evictions_total %llu\n", (unsigned long long)ct->evictions);
	prom_family(out, "xdpfw_conntrack_events_total", "counter",
		    "Flow table writes by kind.");
	for (c = 0; c < XDPFW_CT_COUNTER_MAX; c++)
		fprintf(out, "xdpfw_conntrack_events_total{event=\"%s\"} %llu\n",
			ct_counter_name(c), (unsigned long long)ct->counter[c]);
}

void output_stats_prometheus(const struct stats *st, const struct iface_status *info, size_t n,
			     FILE *out)
{
	size_t i;

	prom_family(out, "xdpfw_info", "gauge", "An interface xdpfw filters, its mode and program.");
	for (i = 0; i < n; i++) {
		prom_iface(out, "xdpfw_info", info[i].name);
		fprintf(out, ",mode=\"%s\",prog_id=\"%u\"} 1\n", info[i].mode, info[i].prog_id);
	}
	prom_epochs(out, st, n);
	prom_reasons(out, st, n, false);
	prom_reasons(out, st, n, true);
	prom_ports(out, st, n, false);
	prom_ports(out, st, n, true);
	prom_log(out, st, n);
	if (n)
		prom_conntrack(out, &st[0].ct);
}

/* tcpdump's letters, in the order of the bits: FIN SYN RST PSH ACK URG ECE CWR. */
static const char *tcp_flags(__u8 f, char buf[9])
{
	static const char letters[] = "FSRPAUEC";
	int i, n = 0;

	for (i = 0; i < 8; i++)
		if (f & (1 << i))
			buf[n++] = letters[i];
	buf[n] = 0;
	return buf;
}

static bool has_ports(__u8 proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_UDPLITE;
}

static bool is_icmp(__u8 proto)
{
	return proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6;
}

static void log_addrs(const struct xdpfw_log_record *r, char *src, char *dst, size_t len)
{
	int af = r->ipver == 4 ? AF_INET : AF_INET6;

	if (!r->ipver) {
		snprintf(src, len, "-");
		snprintf(dst, len, "-");
		return;
	}
	inet_ntop(af, r->saddr, src, len);
	inet_ntop(af, r->daddr, dst, len);
}

static void log_json(const char *iface, const struct xdpfw_log_record *r, __u64 wall_ns, FILE *out)
{
	json_object *o = json_object_new_object();
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN], flags[9];

	log_addrs(r, src, dst, sizeof(src));
	json_object_object_add(o, "type", json_object_new_string("drop"));
	json_object_object_add(o, "time", json_object_new_double(wall_ns / 1e9));
	json_object_object_add(o, "interface", json_object_new_string(iface));
	json_object_object_add(o, "reason", json_object_new_string(reason_name(r->reason)));
	json_object_object_add(o, "len", json_object_new_int64(r->len));
	if (r->ipver) {
		json_object_object_add(o, "ipver", json_object_new_int(r->ipver));
		json_object_object_add(o, "proto", json_object_new_string(ct_proto_name(r->proto)));
		json_object_object_add(o, "src", json_object_new_string(src));
		json_object_object_add(o, "dst", json_object_new_string(dst));
	}
	if (r->ipver && has_ports(r->proto) && (r->sport || r->dport)) {
		json_object_object_add(o, "sport", json_object_new_int(ntohs(r->sport)));
		json_object_object_add(o, "dport", json_object_new_int(ntohs(r->dport)));
	}
	if (r->ipver && r->proto == IPPROTO_TCP)
		json_object_object_add(o, "tcp_flags",
				       json_object_new_string(tcp_flags(r->tcp_flags, flags)));
	if (r->ipver && is_icmp(r->proto))
		json_object_object_add(o, "icmp_type", json_object_new_int(r->icmp_type));
	fprintf(out, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
								  JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

/* 2026-11-24 10:00:00.123456 eth0 dropped-port tcp 198.18.0.1:40000 -> 198.18.0.2:25 S len 74 */
static void log_line(const char *iface, const struct xdpfw_log_record *r, __u64 wall_ns, FILE *out)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN], when[32], flags[9];
	const char *fmt = r->ipver == 6 ? "[%s]:%u" : "%s:%u";
	char s[64], d[64];

	log_addrs(r, src, dst, sizeof(src));
	if (r->ipver && has_ports(r->proto) && (r->sport || r->dport)) {
		snprintf(s, sizeof(s), fmt, src, ntohs(r->sport));
		snprintf(d, sizeof(d), fmt, dst, ntohs(r->dport));
	} else {
		snprintf(s, sizeof(s), "%s", src);
		snprintf(d, sizeof(d), "%s", dst);
	}
	fprintf(out, "%s.%06llu %s %s %s %s -> %s", format_time(wall_ns / 1000000000, when, sizeof(when)),
		(unsigned long long)(wall_ns / 1000 % 1000000), iface, reason_name(r->reason),
		r->ipver ? ct_proto_name(r->proto) : "-", s, d);
	if (r->ipver && r->proto == IPPROTO_TCP)
		fprintf(out, " flags %s", tcp_flags(r->tcp_flags, flags));
	if (r->ipver && is_icmp(r->proto))
		fprintf(out, " type %u", r->icmp_type);
	fprintf(out, " len %u\n", r->len);
}

void output_log_record(const char *iface, const struct xdpfw_log_record *r, __u64 wall_ns,
		       bool json, FILE *out)
{
	if (json)
		log_json(iface, r, wall_ns, out);
	else
		log_line(iface, r, wall_ns, out);
	fflush(out);
}

void output_log_summary(const struct droplog_summary *sum, size_t n, bool json, FILE *out)
{
	json_object *o;
	size_t i;
	int c;

	for (i = 0; i < n; i++) {
		if (!json) {
			fprintf(out, "%s: %llu records; not logged: %llu over the budget, %llu to a full ring\n",
				sum[i].iface, (unsigned long long)sum[i].records,
				(unsigned long long)sum[i].log[XDPFW_LOG_SUPPRESSED],
				(unsigned long long)sum[i].log[XDPFW_LOG_LOST]);
			continue;
		}
		o = json_object_new_object();
		json_object_object_add(o, "type", json_object_new_string("summary"));
		json_object_object_add(o, "interface", json_object_new_string(sum[i].iface));
		json_object_object_add(o, "records", json_u64(sum[i].records));
		for (c = 0; c < XDPFW_LOG_COUNTER_MAX; c++)
			json_object_object_add(o, log_counter_name(c), json_u64(sum[i].log[c]));
		fprintf(out, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
	}
	fflush(out);
}

static void suggest_row(const struct stats_row *r, FILE *out)
{
	char port[16], line[64];

	snprintf(line, sizeof(line), "allow %s %s", row_proto(r), row_port(r, port, sizeof(port)));
	fprintf(out, "%-24s # %llu packets, %llu bytes", line,
		(unsigned long long)(r->passed.packets + r->dropped.packets),
		(unsigned long long)(r->passed.bytes + r->dropped.bytes));
	if (r->dropped.packets)
		fprintf(out, " (%llu dropped)", (unsigned long long)r->dropped.packets);
	fprintf(out, "\n");
}

/* Rows a policy cannot name: catch-alls, replies, port 0. As comments, for the reader. */
static void suggest_note(const struct stats_row *r, FILE *out)
{
	char port[16];

	fprintf(out, "# %s %s %s: %llu packets", dir_name(r->dir), row_proto(r),
		row_port(r, port, sizeof(port)),
		(unsigned long long)(r->passed.packets + r->dropped.packets));
	if (r->kind == ROW_OTHER && r->dir == XDPFW_DIR_IN)
		fprintf(out, " to ports not counted one by one (the closed-port buckets were taken)");
	else if (r->dir == XDPFW_DIR_OUT)
		fprintf(out, ", replies of the host's own connections: state tracking passes them");
	else
		fprintf(out, ", to port 0: never allowed");
	fprintf(out, "\n");
}

void output_suggest(const struct stats *st, const struct policy *live, FILE *out)
{
	static struct policy base;
	char since[32];
	size_t i;

	/* The live settings, no open port, and default drop: the ports follow, by traffic. */
	base = *live;
	memset(base.bpf.ports, 0, sizeof(base.bpf.ports));
	base.bpf.flags &= ~XDPFW_F_DEFAULT_PASS;
	fprintf(out,
		"# xdpfw suggest %s: the ports that received traffic since %s, busiest first.\n"
		"# Check it with 'xdpfw check FILE', apply it with 'xdpfw reload %s --policy FILE'.\n",
		st->iface, format_time(counting_since(&st->cfg), since, sizeof(since)), st->iface);
	policy_format(&base, out);
	for (i = 0; i < st->n_rows; i++)
		if (st->rows[i].dir == XDPFW_DIR_IN && st->rows[i].kind != ROW_OTHER &&
		    st->rows[i].lo)
			suggest_row(&st->rows[i], out);
	for (i = 0; i < st->n_rows; i++)
		if (st->rows[i].dir != XDPFW_DIR_IN || st->rows[i].kind == ROW_OTHER ||
		    !st->rows[i].lo)
			suggest_note(&st->rows[i], out);
}
