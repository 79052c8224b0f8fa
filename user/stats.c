// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "maps.h"
#include "pins.h"
#include "policy.h"
#include "stats.h"
#include "util.h"

#define XDPFW_REASON_NAME(id, name) [XDPFW_REASON_##id] = name,
static const char *const reason_names[XDPFW_REASON_MAX] = { XDPFW_REASONS(XDPFW_REASON_NAME) };
#undef XDPFW_REASON_NAME

/* Entries read per batch: bounds the buffer to BATCH * CPUs * 32 bytes. */
#define BATCH 8192

const char *reason_name(enum xdpfw_reason r)
{
	return r < XDPFW_REASON_MAX ? reason_names[r] : "?";
}

struct port_batch {
	struct stats *st;
	int ncpu;
};

static int add_port_rows(const void *k, const void *v, __u32 count, void *arg)
{
	const struct xdpfw_port_stats *vals = v;
	const struct port_batch *pb = arg;
	struct stats *st = pb->st;
	const __u32 *keys = k;
	struct port_row *row, *tmp;
	__u32 i;
	int c;

	for (i = 0; i < count; i++) {
		struct xdpfw_port_stats sum = {};

		for (c = 0; c < pb->ncpu; c++) {
			const struct xdpfw_port_stats *pc = &vals[(size_t)i * pb->ncpu + c];

			sum.passed_packets += pc->passed_packets;
			sum.passed_bytes += pc->passed_bytes;
			sum.dropped_packets += pc->dropped_packets;
			sum.dropped_bytes += pc->dropped_bytes;
		}
		if (!sum.passed_packets && !sum.dropped_packets)
			continue;
		if (st->n_ports == st->cap_ports) {
			tmp = realloc(st->ports, (st->cap_ports * 2 + 64) * sizeof(*st->ports));
			if (!tmp)
				return -ENOMEM;
			st->ports = tmp;
			st->cap_ports = st->cap_ports * 2 + 64;
		}
		row = &st->ports[st->n_ports++];
		row->l4 = keys[i] / XDPFW_PORTS;
		row->port = keys[i] % XDPFW_PORTS;
		row->s = sum;
	}
	return 0;
}

static int read_ports(int fd, struct stats *st, int ncpu)
{
	struct port_batch pb = { .st = st, .ncpu = ncpu };

	return map_batch_each(fd, sizeof(__u32), sizeof(struct xdpfw_port_stats) * ncpu, BATCH,
			      false, add_port_rows, &pb);
}

static int read_reasons(int fd, struct stats *st, int ncpu)
{
	struct xdpfw_reason_stats *v = calloc(ncpu, sizeof(*v));
	__u32 r;
	int c;

	if (!v)
		return -ENOMEM;
	for (r = 0; r < XDPFW_REASON_MAX; r++) {
		if (bpf_map_lookup_elem(fd, &r, v)) {
			free(v);
			return -errno;
		}
		for (c = 0; c < ncpu; c++) {
			st->reasons[r].packets += v[c].packets;
			st->reasons[r].bytes += v[c].bytes;
		}
	}
	free(v);
	return 0;
}

static int read_ct(struct stats *st)
{
	struct ct_maps m;
	int err = ct_open(&m);

	if (err)
		return err;
	err = ct_read_counters(&m, &st->ct);
	ct_close(&m);
	return err;
}

int stats_read(const char *iface, struct stats *st)
{
	int ncpu = libbpf_num_possible_cpus();
	int pfd, rfd, err;

	memset(st, 0, sizeof(*st));
	if (ncpu < 0)
		return ncpu;
	pfd = pins_open_map(iface, XDPFW_PIN_PORT_STATS, sizeof(struct xdpfw_port_stats),
			    XDPFW_PORT_STATS_ENTRIES);
	if (pfd < 0)
		return pfd;
	rfd = pins_open_map(iface, XDPFW_PIN_REASON_STATS, sizeof(struct xdpfw_reason_stats),
			    XDPFW_REASON_MAX);
	if (rfd < 0) {
		close(pfd);
		return rfd;
	}
	err = read_ports(pfd, st, ncpu);
	if (!err)
		err = read_reasons(rfd, st, ncpu);
	if (!err)
		err = read_ct(st);
	if (err) {
		pr_err("%s: cannot read counters: %s", iface, strerror(-err));
		stats_free(st);
	}
	close(pfd);
	close(rfd);
	if (!err)
		stats_sort(st);
	return err;
}

static int cmp_u64_desc(__u64 a, __u64 b)
{
	return a < b ? 1 : a > b ? -1 : 0;
}

static int cmp_rows(const void *pa, const void *pb)
{
	const struct port_row *a = pa, *b = pb;
	int c;

	c = cmp_u64_desc(a->s.passed_packets + a->s.dropped_packets,
			 b->s.passed_packets + b->s.dropped_packets);
	if (!c)
		c = cmp_u64_desc(a->s.passed_bytes + a->s.dropped_bytes,
				 b->s.passed_bytes + b->s.dropped_bytes);
	if (!c)
		c = (int)a->l4 - (int)b->l4;
	if (!c)
		c = (int)a->port - (int)b->port;
	return c;
}

void stats_sort(struct stats *st)
{
	if (st->n_ports)
		qsort(st->ports, st->n_ports, sizeof(*st->ports), cmp_rows);
}

void stats_print_table(const struct stats *st, FILE *out)
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
		fprintf(out, "%-20s %14llu %16llu\n", reason_names[i],
			(unsigned long long)st->reasons[i].packets,
			(unsigned long long)st->reasons[i].bytes);
	fprintf(out, "\n%-20s %14s\n", "CONNTRACK", "COUNT");
	fprintf(out, "%-20s %14llu\n", "entries", (unsigned long long)st->ct.entries);
	for (i = 0; i < XDPFW_CT_COUNTER_MAX; i++)
		fprintf(out, "%-20s %14llu\n", ct_counter_name(i),
			(unsigned long long)st->ct.counter[i]);
	fprintf(out, "%-20s %14llu\n", "evictions", (unsigned long long)st->ct.evictions);
}

void stats_print_json(const char *iface, const struct stats *st, FILE *out)
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
		json_object_object_add(reasons, reason_names[i],
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
	fprintf(out, "%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
									JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
}

void stats_free(struct stats *st)
{
	free(st->ports);
	st->ports = NULL;
	st->n_ports = st->cap_ports = 0;
}
