// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "clock.h"
#include "conntrack.h"
#include "count.skel.h"
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
	case IPPROTO_UDPLITE:
		return "udplite";
	case IPPROTO_ICMP:
		return "icmp";
	case IPPROTO_ICMPV6:
		return "icmp6";
	default:
		return "?";
	}
}

size_t ct_tuple_key(const struct ct_tuple *t, void *key)
{
	struct xdpfw_ct_key4 *k4 = key;
	struct xdpfw_ct_key6 *k6 = key;

	if (t->ipver == 4) {
		*k4 = (struct xdpfw_ct_key4){ .local = t->local[0], .remote = t->remote[0],
					      .lport = t->lport, .rport = t->rport,
					      .proto = t->proto };
		return sizeof(*k4);
	}
	*k6 = (struct xdpfw_ct_key6){ .lport = t->lport, .rport = t->rport, .proto = t->proto };
	memcpy(k6->local, t->local, sizeof(k6->local));
	memcpy(k6->remote, t->remote, sizeof(k6->remote));
	return sizeof(*k6);
}

static void key4_tuple(const struct xdpfw_ct_key4 *k, struct ct_tuple *t)
{
	*t = (struct ct_tuple){ .local = { k->local }, .remote = { k->remote }, .lport = k->lport,
				.rport = k->rport, .proto = k->proto, .ipver = 4 };
}

static void key6_tuple(const struct xdpfw_ct_key6 *k, struct ct_tuple *t)
{
	*t = (struct ct_tuple){ .lport = k->lport, .rport = k->rport, .proto = k->proto,
				.ipver = 6 };
	memcpy(t->local, k->local, sizeof(t->local));
	memcpy(t->remote, k->remote, sizeof(t->remote));
}

int ct_open(struct ct_maps *m)
{
	static const enum pin_id ids[] = { PIN_CONNTRACK4,  PIN_CONNTRACK6, PIN_CT_PORTS,
					   PIN_CT_PORT_EXP, PIN_CT_STATS,   PIN_CT_SERVICES,
					   PIN_CT_SERVICE_NEXT };
	int *fds[] = { &m->table4_fd, &m->table6_fd,   &m->ports_fd,	     &m->exp_fd,
		       &m->stats_fd,  &m->services_fd, &m->service_next_fd };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fds); i++)
		*fds[i] = -1;
	for (i = 0; i < ARRAY_SIZE(fds); i++) {
		*fds[i] = pins_open(NULL, ids[i]);
		if (*fds[i] < 0) {
			int err = *fds[i];

			ct_close(m);
			return err;
		}
	}
	return 0;
}

void ct_close(struct ct_maps *m)
{
	int *fds[] = { &m->table4_fd, &m->table6_fd,   &m->ports_fd,	     &m->exp_fd,
		       &m->stats_fd,  &m->services_fd, &m->service_next_fd };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fds); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

/* The gate maps, mapped: shared with the egress program, so only atomic updates. */
struct gate {
	struct xdpfw_ct_ports *bits;
	__u64 *until; /* [l4 * XDPFW_PORTS + port] */
};

#define GATE_EXP_BYTES (XDPFW_CT_PORT_EXP_ENTRIES * sizeof(__u64))

static int gate_map(const struct ct_maps *m, struct gate *g)
{
	g->bits = mmap(NULL, sizeof(*g->bits), PROT_READ | PROT_WRITE, MAP_SHARED, m->ports_fd, 0);
	if (g->bits == MAP_FAILED)
		return -errno;
	g->until = mmap(NULL, GATE_EXP_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, m->exp_fd, 0);
	if (g->until == MAP_FAILED) {
		int err = -errno;

		munmap(g->bits, sizeof(*g->bits));
		return err;
	}
	return 0;
}

static void gate_unmap(struct gate *g)
{
	munmap(g->bits, sizeof(*g->bits));
	munmap(g->until, GATE_EXP_BYTES);
}

/* What the egress program's ct_gate_open does: the deadline up to `until`, then the bit. */
static void gate_open(struct gate *g, enum xdpfw_l4 l4, __u16 port, __u64 until)
{
	__u64 *dl = &g->until[l4 * XDPFW_PORTS + port];
	__u64 old = __atomic_load_n(dl, __ATOMIC_RELAXED);

	while (old < until &&
	       !__atomic_compare_exchange_n(dl, &old, until, false, __ATOMIC_RELAXED,
					    __ATOMIC_RELAXED))
		;
	__atomic_fetch_or(&g->bits->ports[l4][xdpfw_port_word(port)], xdpfw_port_bit(port),
			  __ATOMIC_RELAXED);
}

static int gate_l4(__u8 proto)
{
	return proto == IPPROTO_TCP ? XDPFW_L4_TCP : proto == IPPROTO_UDP ? XDPFW_L4_UDP : -1;
}

int ct_add(const struct ct_maps *m, const struct ct_flow *flows, size_t n, unsigned int *added)
{
	struct xdpfw_ct_key6 key; /* the larger of the two */
	const struct ct_tuple *t;
	struct gate g;
	int err, l4;
	size_t i;

	*added = 0;
	err = gate_map(m, &g);
	if (err)
		return err;
	for (i = 0; i < n; i++) {
		t = &flows[i].k;
		ct_tuple_key(t, &key);
		if (bpf_map_update_elem(t->ipver == 4 ? m->table4_fd : m->table6_fd, &key,
					&flows[i].v, BPF_NOEXIST))
			continue; /* there already: egress knows better */
		l4 = gate_l4(t->proto);
		if (l4 >= 0)
			gate_open(&g, l4, ntohs(t->lport), flows[i].v.expires);
		(*added)++;
	}
	gate_unmap(&g);
	return 0;
}

int ct_service_slot(const struct ct_maps *m, const struct xdpfw_service *svc, __u8 *slot)
{
	__u32 *next, idx, have;
	int err = 0;

	if (!bpf_map_lookup_elem(m->services_fd, svc, &have)) {
		*slot = have;
		return 0;
	}
	next = mmap(NULL, sizeof(*next), PROT_READ | PROT_WRITE, MAP_SHARED, m->service_next_fd, 0);
	if (next == MAP_FAILED)
		return -errno;
	idx = __atomic_fetch_add(next, 1, __ATOMIC_RELAXED);
	munmap(next, sizeof(*next));
	*slot = XDPFW_SLOT_OTHER_OUT;
	if (idx >= XDPFW_SERVICE_SLOT_COUNT)
		return 0;
	idx += XDPFW_SLOT_FIRST_SERVICE;
	if (!bpf_map_update_elem(m->services_fd, svc, &idx, BPF_NOEXIST))
		*slot = idx;
	else if (errno != EEXIST)
		err = -errno;
	else if (!bpf_map_lookup_elem(m->services_fd, svc, &have)) /* egress was first */
		*slot = have;
	return err;
}

struct walk {
	ct_flow_fn fn;
	void *arg;
	__u64 now;
	int ipver;
};

static int walk_batch(const void *k, const void *v, __u32 n, void *arg)
{
	const struct xdpfw_ct_val *vals = v;
	const struct walk *w = arg;
	struct ct_flow f;
	__u32 i;
	int ret;

	for (i = 0; i < n; i++) {
		if (vals[i].expires <= w->now)
			continue;
		if (w->ipver == 4)
			key4_tuple((const struct xdpfw_ct_key4 *)k + i, &f.k);
		else
			key6_tuple((const struct xdpfw_ct_key6 *)k + i, &f.k);
		f.v = vals[i];
		ret = w->fn(&f, w->arg);
		if (ret)
			return ret;
	}
	return 0;
}

int ct_each(const struct ct_maps *m, __u64 now, ct_flow_fn fn, void *arg)
{
	struct walk w = { fn, arg, now, 4 };
	int err;

	err = map_batch_each(m->table4_fd, sizeof(struct xdpfw_ct_key4),
			     sizeof(struct xdpfw_ct_val), false, walk_batch, &w);
	if (!err) {
		w.ipver = 6;
		err = map_batch_each(m->table6_fd, sizeof(struct xdpfw_ct_key6),
				     sizeof(struct xdpfw_ct_val), false, walk_batch, &w);
	}
	return err;
}

static int count_batch(const void *keys, const void *vals, __u32 n, void *arg)
{
	*(__u64 *)arg += n;
	return 0;
}

int ct_flush(const struct ct_maps *m, unsigned int *deleted)
{
	__u64 n = 0;
	struct gate g;
	int err;

	err = map_batch_each(m->table4_fd, sizeof(struct xdpfw_ct_key4),
			     sizeof(struct xdpfw_ct_val), true, count_batch, &n);
	if (!err)
		err = map_batch_each(m->table6_fd, sizeof(struct xdpfw_ct_key6),
				     sizeof(struct xdpfw_ct_val), true, count_batch, &n);
	/* No flow, no gate: a flow egress adds meanwhile opens its own again. */
	if (!err)
		err = gate_map(m, &g);
	if (!err) {
		memset(g.bits, 0, sizeof(*g.bits));
		memset(g.until, 0, GATE_EXP_BYTES);
		gate_unmap(&g);
	}
	*deleted = n;
	if (n)
		map_percpu_add(m->stats_fd, XDPFW_CT_DELETES, n);
	if (err)
		pr_err("cannot flush the flow tables: %s", strerror(-err));
	return err;
}

static int map_id(int fd, __u32 *id, __u32 *max_entries)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	*id = info.id;
	*max_entries = info.max_entries;
	return 0;
}

/* The kernel's element counts of both tables through bpf/count.bpf.c; -errno where it cannot. */
static int count_by_kernel(const __u32 ids[2], __u64 *entries)
{
	struct count_bpf *skel = count_bpf__open();
	struct bpf_link *link = NULL;
	__s64 rec[2];
	int fd = -1, err, i;
	ssize_t n;

	if (!skel)
		return -errno;
	for (i = 0; i < 2; i++)
		skel->rodata->map_ids[i] = ids[i];
	err = count_bpf__load(skel);
	if (!err) {
		link = bpf_program__attach_iter(skel->progs.count_entries, NULL);
		err = link ? 0 : -errno;
	}
	if (!err) {
		fd = bpf_iter_create(bpf_link__fd(link));
		err = fd < 0 ? -errno : 0;
	}
	*entries = 0;
	while (!err && (n = read(fd, rec, sizeof(rec))) == sizeof(rec))
		*entries += rec[1];
	if (fd >= 0)
		close(fd);
	bpf_link__destroy(link);
	count_bpf__destroy(skel);
	return err;
}

int ct_read_counters(const struct ct_maps *m, struct ct_counters *c)
{
	__u32 ids[2] = { 0 }, max6;
	__u64 added, gone;
	__u32 k;
	int err = 0;

	memset(c, 0, sizeof(*c));
	for (k = 0; k < XDPFW_CT_COUNTER_MAX && !err; k++)
		err = map_percpu_read(m->stats_fd, k, 1, &c->counter[k]);
	if (!err)
		err = map_id(m->table4_fd, &ids[0], &k);
	if (!err)
		err = map_id(m->table6_fd, &ids[1], &max6);
	if (err)
		return err;
	c->limit = k;
	/* Kernels before 6.6 keep no count: there, the tables are walked (counted, not copied). */
	if (count_by_kernel(ids, &c->entries)) {
		c->entries = 0;
		err = map_batch_each(m->table4_fd, sizeof(struct xdpfw_ct_key4),
				     sizeof(struct xdpfw_ct_val), false, count_batch, &c->entries);
		if (!err)
			err = map_batch_each(m->table6_fd, sizeof(struct xdpfw_ct_key6),
					     sizeof(struct xdpfw_ct_val), false, count_batch,
					     &c->entries);
		if (err)
			return err;
	}
	/* Every entry that came and is neither here nor deleted was evicted. */
	added = c->counter[XDPFW_CT_INSERTS] + c->counter[XDPFW_CT_SEEDED];
	gone = c->counter[XDPFW_CT_DELETES] + c->entries;
	c->evictions = added > gone ? added - gone : 0;
	return 0;
}
