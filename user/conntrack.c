// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "conntrack.h"
#include "maps.h"
#include "pins.h"
#include "util.h"

const char *ct_state_name(__u8 state)
{
	switch (state) {
	case XDPFW_CT_SYN_SENT:
		return "syn-sent";
	case XDPFW_CT_ESTABLISHED:
		return "established";
	case XDPFW_CT_FIN:
		return "fin";
	case XDPFW_CT_CLOSE:
		return "close";
	default:
		return "?";
	}
}

const char *ct_counter_name(enum xdpfw_ct_counter c)
{
	static const char *const names[XDPFW_CT_COUNTER_MAX] = {
		[XDPFW_CT_INSERTS] = "inserts",	  [XDPFW_CT_REFRESHES] = "refreshes",
		[XDPFW_CT_CLOSES] = "closes",	  [XDPFW_CT_DELETES] = "deletes",
		[XDPFW_CT_SEEDED] = "seeded",
	};

	return c < XDPFW_CT_COUNTER_MAX ? names[c] : "?";
}

const char *ct_proto_name(__u8 proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_ICMP:
		return "icmp";
	case IPPROTO_ICMPV6:
		return "icmp6";
	default:
		return "?";
	}
}

int ct_open(struct ct_maps *m)
{
	int err;

	m->ports_fd = m->stats_fd = -1;
	m->table_fd = pins_open(NULL, PIN_CONNTRACK);
	if (m->table_fd < 0)
		return m->table_fd;
	m->ports_fd = pins_open(NULL, PIN_CT_PORTS);
	if (m->ports_fd >= 0)
		m->stats_fd = pins_open(NULL, PIN_CT_STATS);
	err = m->ports_fd < 0 ? m->ports_fd : m->stats_fd < 0 ? m->stats_fd : 0;
	if (err)
		ct_close(m);
	return err;
}

void ct_close(struct ct_maps *m)
{
	if (m->table_fd >= 0)
		close(m->table_fd);
	if (m->ports_fd >= 0)
		close(m->ports_fd);
	if (m->stats_fd >= 0)
		close(m->stats_fd);
	m->table_fd = m->ports_fd = m->stats_fd = -1;
}

static int for_each_batch(const struct ct_maps *m, bool delete, map_batch_fn fn, void *arg)
{
	return map_batch_each(m->table_fd, sizeof(struct xdpfw_ct_key),
			      sizeof(struct xdpfw_ct_val), delete, fn, arg);
}

struct collect {
	struct ct_flow *flows;
	size_t n, cap;
	__u64 now;
};

static int collect_flows(const void *k, const void *v, __u32 n, void *arg)
{
	const struct xdpfw_ct_key *keys = k;
	const struct xdpfw_ct_val *vals = v;
	struct collect *c = arg;
	struct ct_flow *tmp;
	__u32 i;

	for (i = 0; i < n; i++) {
		if (vals[i].expires <= c->now)
			continue;
		if (c->n == c->cap) {
			c->cap = c->cap ? c->cap * 2 : 256;
			tmp = realloc(c->flows, c->cap * sizeof(*tmp));
			if (!tmp)
				return -ENOMEM;
			c->flows = tmp;
		}
		c->flows[c->n].k = keys[i];
		c->flows[c->n++].v = vals[i];
	}
	return 0;
}

static int cmp_age(const void *a, const void *b)
{
	__u64 x = ((const struct ct_flow *)a)->v.created;
	__u64 y = ((const struct ct_flow *)b)->v.created;

	return x < y ? -1 : x > y;
}

int ct_list(const struct ct_maps *m, struct ct_flow **flows, size_t *n)
{
	struct collect c = {};
	int err;

	err = clock_jiffies(&c.now);
	if (!err)
		err = for_each_batch(m, false, collect_flows, &c);
	if (err) {
		pr_err("cannot read the flow table: %s", strerror(-err));
		free(c.flows);
		return err;
	}
	if (c.n)
		qsort(c.flows, c.n, sizeof(*c.flows), cmp_age);
	*flows = c.flows;
	*n = c.n;
	return 0;
}

static int count_flows(const void *keys, const void *vals, __u32 n, void *arg)
{
	*(unsigned int *)arg += n;
	return 0;
}

int ct_flush(const struct ct_maps *m, unsigned int *deleted)
{
	int err;

	*deleted = 0;
	err = for_each_batch(m, true, count_flows, deleted);
	if (*deleted)
		map_percpu_add(m->stats_fd, XDPFW_CT_DELETES, *deleted);
	if (err)
		pr_err("cannot flush the flow table: %s", strerror(-err));
	return err;
}

struct census {
	__u64 now;
	__u64 present; /* entries in the table, expired or not */
	__u64 live;
};

static int count_live(const void *k, const void *v, __u32 n, void *arg)
{
	const struct xdpfw_ct_val *vals = v;
	struct census *c = arg;
	__u32 i;

	c->present += n;
	for (i = 0; i < n; i++)
		c->live += vals[i].expires > c->now;
	return 0;
}

int ct_read_counters(const struct ct_maps *m, struct ct_counters *c)
{
	struct census all = {};
	__u64 added, gone;
	__u32 k;
	int err = 0;

	memset(c, 0, sizeof(*c));
	for (k = 0; k < XDPFW_CT_COUNTER_MAX && !err; k++)
		err = map_percpu_read(m->stats_fd, k, 1, &c->counter[k]);
	if (!err)
		err = clock_jiffies(&all.now);
	if (!err)
		err = for_each_batch(m, false, count_live, &all);
	if (err)
		return err;
	c->entries = all.live;
	/* Every entry that came and is neither here nor deleted was evicted. */
	added = c->counter[XDPFW_CT_INSERTS] + c->counter[XDPFW_CT_SEEDED];
	gone = c->counter[XDPFW_CT_DELETES] + all.present;
	c->evictions = added > gone ? added - gone : 0;
	return 0;
}
