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
	}
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

void output_stats_table(const struct stats *st, FILE *out)
{
	const struct port_row *r;
	size_t i;

	fprintf(out, "%-5s %5s %14s %16s %14s %16s\n", "PROTO", "PORT", "PASSED_PKTS",
		"PASSED_BYTES", "DROPPED_PKTS", "DROPPED_BYTES");
	for (i = 0; i < st->n_ports; i++) {
		r = &st->ports[i];
		fprintf(out, "%-5s %5u %14llu %16llu %14llu %16llu\n", policy_l4_name(r->l4),
			r->port, (unsigned long long)r->s.passed_packets,
			(unsigned long long)r->s.passed_bytes,
			(unsigned long long)r->s.dropped_packets,
			(unsigned long long)r->s.dropped_bytes);
	}
	fprintf(out, "\n%-20s %14s %16s\n", "REASON", "PACKETS", "BYTES");
	for (i = 0; i < XDPFW_REASON_MAX; i++)
		fprintf(out, "%-20s %14llu %16llu\n", reason_name(i),
			(unsigned long long)st->reasons[i].packets,
			(unsigned long long)st->reasons[i].bytes);
	fprintf(out, "\n%-20s %14s\n", "CONNTRACK", "COUNT");
	fprintf(out, "%-20s %14llu\n", "entries", (unsigned long long)st->ct.entries);
	for (i = 0; i < XDPFW_CT_COUNTER_MAX; i++)
		fprintf(out, "%-20s %14llu\n", ct_counter_name(i),
			(unsigned long long)st->ct.counter[i]);
	fprintf(out, "%-20s %14llu\n", "evictions", (unsigned long long)st->ct.evictions);
}

void output_stats_json(const char *iface, const struct stats *st, FILE *out)
{
	json_object *root = json_object_new_object();
	json_object *ports = json_object_new_array();
	json_object *reasons = json_object_new_object();
	json_object *ct = json_object_new_object();
	const struct port_row *r;
	json_object *o;
	size_t i;

	for (i = 0; i < st->n_ports; i++) {
		r = &st->ports[i];
		o = json_object_new_object();
		json_object_object_add(o, "proto", json_object_new_string(policy_l4_name(r->l4)));
		json_object_object_add(o, "port", json_object_new_int(r->port));
		json_object_object_add(o, "passed_packets",
				       json_object_new_uint64(r->s.passed_packets));
		json_object_object_add(o, "passed_bytes", json_object_new_uint64(r->s.passed_bytes));
		json_object_object_add(o, "dropped_packets",
				       json_object_new_uint64(r->s.dropped_packets));
		json_object_object_add(o, "dropped_bytes",
				       json_object_new_uint64(r->s.dropped_bytes));
		json_object_array_add(ports, o);
	}
	for (i = 0; i < XDPFW_REASON_MAX; i++)
		json_object_object_add(reasons, reason_name(i),
				       json_object_new_uint64(st->reasons[i].packets));
	json_object_object_add(ct, "entries", json_object_new_uint64(st->ct.entries));
	for (i = 0; i < XDPFW_CT_COUNTER_MAX; i++)
		json_object_object_add(ct, ct_counter_name(i),
				       json_object_new_uint64(st->ct.counter[i]));
	json_object_object_add(ct, "evictions", json_object_new_uint64(st->ct.evictions));
	json_object_object_add(root, "interface", json_object_new_string(iface));
	json_object_object_add(root, "ports", ports);
	json_object_object_add(root, "reasons", reasons);
	json_object_object_add(root, "conntrack", ct);
	put_json(root, out);
}

