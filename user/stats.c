// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "maps.h"
#include "pins.h"
#include "stats.h"
#include "util.h"

#define XDPFW_REASON_NAME(id, name) [XDPFW_REASON_##id] = name,
static const char *const reason_names[XDPFW_REASON_MAX] = { XDPFW_REASONS(XDPFW_REASON_NAME) };
#undef XDPFW_REASON_NAME

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
	const struct port_batch *pb = arg;
	struct stats *st = pb->st;
	const __u32 *keys = k;
	struct port_row *row, *tmp;
	struct xdpfw_port_stats sum;
	__u32 i;

	for (i = 0; i < count; i++) {
		percpu_sum((const __u64 *)v + (size_t)i * pb->ncpu * U64_FIELDS(sum), pb->ncpu,
			   U64_FIELDS(sum), (__u64 *)&sum);
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

static int read_ports(int fd, struct stats *st)
{
	struct port_batch pb = { .st = st, .ncpu = libbpf_num_possible_cpus() };

	if (pb.ncpu < 0)
		return pb.ncpu;
	return map_batch_each(fd, sizeof(__u32), sizeof(struct xdpfw_port_stats) * pb.ncpu, false,
			      add_port_rows, &pb);
}

static int read_reasons(int fd, struct stats *st)
{
	int err = 0;
	__u32 r;

	for (r = 0; r < XDPFW_REASON_MAX && !err; r++)
		err = map_percpu_read(fd, r, U64_FIELDS(st->reasons[r]), (__u64 *)&st->reasons[r]);
	return err;
}

int stats_read(const char *iface, struct stats *st)
{
	int pfd, rfd, err;
	struct ct_maps m;

	memset(st, 0, sizeof(*st));
	/* Each opener names what is missing; only reading is left to fail here. */
	pfd = pins_open(iface, PIN_PORT_STATS);
	if (pfd < 0)
		return pfd;
	rfd = pins_open(iface, PIN_REASON_STATS);
	err = rfd < 0 ? rfd : ct_open(&m);
	if (err)
		goto out_close;
	err = read_ports(pfd, st);
	if (!err)
		err = read_reasons(rfd, st);
	if (!err)
		err = ct_read_counters(&m, &st->ct);
	ct_close(&m);
	if (err) {
		pr_err("%s: cannot read counters: %s", iface, strerror(-err));
		stats_free(st);
	} else {
		stats_sort(st);
	}
out_close:
	if (rfd >= 0)
		close(rfd);
	close(pfd);
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

void stats_free(struct stats *st)
{
	free(st->ports);
	st->ports = NULL;
	st->n_ports = st->cap_ports = 0;
}
