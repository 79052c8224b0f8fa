// SPDX-License-Identifier: GPL-2.0
/*
 * Seeding reads the host's sockets with sock_diag (user/diag.c), as ss(8)
 * does: the kernel filters them by state and sends them in a few large
 * messages, where the /proc/net files took thousands of reads at 100k
 * sockets. Sockets are read first and timed after: a flow's expiry counts
 * from when it enters the table.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "diag.h"
#include "maps.h"
#include "seed.h"
#include "util.h"

/* What is asked of the kernel: the states worth a flow, nothing else is sent. */
static const struct {
	__u8 proto;
	__u32 states;
} dumps[] = {
	{ IPPROTO_TCP, DIAG_STATE(DIAG_ESTABLISHED) | DIAG_STATE(DIAG_SYN_SENT) |
			       DIAG_STATE(DIAG_FIN_WAIT1) | DIAG_STATE(DIAG_FIN_WAIT2) |
			       DIAG_STATE(DIAG_CLOSE_WAIT) | DIAG_STATE(DIAG_LAST_ACK) |
			       DIAG_STATE(DIAG_CLOSING) | DIAG_STATE(DIAG_LISTEN) },
	{ IPPROTO_UDP, DIAG_STATE(DIAG_ESTABLISHED) },
	{ IPPROTO_UDPLITE, DIAG_STATE(DIAG_ESTABLISHED) },
};

static __u8 tcp_state(unsigned int st)
{
	switch (st) {
	case DIAG_ESTABLISHED:
		return XDPFW_CT_ESTABLISHED;
	case DIAG_SYN_SENT:
		return XDPFW_CT_SYN_SENT;
	case DIAG_FIN_WAIT1:
	case DIAG_FIN_WAIT2:
	case DIAG_CLOSE_WAIT:
	case DIAG_LAST_ACK:
	case DIAG_CLOSING:
		return XDPFW_CT_FIN;
	default: /* listening, time-wait, closed, half-open server side */
		return 0;
	}
}

static bool is_loopback(int ipver, const __u32 a[4])
{
	if (ipver == 4)
		return (ntohl(a[0]) >> 24) == 127;
	return !(a[0] | a[1] | a[2]) && a[3] == htonl(1);
}

/* ::ffff:a.b.c.d, as an IPv6 socket shows an IPv4 peer. */
static bool is_v4_mapped(const __u32 a[4])
{
	return !a[0] && !a[1] && a[2] == htonl(0xffff);
}

int seed_parse_diag(const struct inet_diag_msg *m, __u8 proto, struct ct_tuple *t, __u8 *state)
{
	int ipver = m->idiag_family == AF_INET ? 4 : m->idiag_family == AF_INET6 ? 6 : 0;

	if (!ipver)
		return -EINVAL;
	memset(t, 0, sizeof(*t));
	memcpy(t->local, m->id.idiag_src, ipver == 4 ? 4 : 16);
	memcpy(t->remote, m->id.idiag_dst, ipver == 4 ? 4 : 16);
	/* An IPv4 peer of an IPv6 socket: its packets carry IPv4 headers. */
	if (ipver == 6 && is_v4_mapped(t->local) && is_v4_mapped(t->remote)) {
		t->local[0] = t->local[3];
		t->remote[0] = t->remote[3];
		memset(&t->local[1], 0, 12);
		memset(&t->remote[1], 0, 12);
		ipver = 4;
	}
	*state = proto == IPPROTO_TCP		  ? tcp_state(m->idiag_state)
		 : m->idiag_state == DIAG_ESTABLISHED ? XDPFW_CT_ESTABLISHED
						     : 0;
	/* Loopback flows never cross an interface xdpfw filters. */
	if (!*state || !m->id.idiag_dport || is_loopback(ipver, t->local) ||
	    is_loopback(ipver, t->remote))
		return 0;
	t->lport = m->id.idiag_sport;
	t->rport = m->id.idiag_dport;
	t->proto = proto;
	t->ipver = ipver;
	return 1;
}

static bool port_in(const struct xdpfw_ct_ports *set, enum xdpfw_l4 l4, __u16 port)
{
	return set->ports[l4][xdpfw_port_word(port)] & xdpfw_port_bit(port);
}

/* One socket: kept in set when it is worth a flow on a port asked for (a diag_fn). */
static int collect(const struct inet_diag_msg *m, __u8 proto, void *arg)
{
	struct seed_set *set = arg;
	struct ct_flow *f;
	__u8 state;
	int l4;

	if (set->n == set->cap) {
		f = realloc(set->flows, (set->cap * 2 + 1024) * sizeof(*f));
		if (!f)
			return -ENOMEM;
		set->flows = f;
		set->cap = set->cap * 2 + 1024;
	}
	/* A listener: its port is a service, its connections count under it. */
	if (proto == IPPROTO_TCP && m->idiag_state == DIAG_LISTEN) {
		__u16 port = ntohs(m->id.idiag_sport);

		set->listening.ports[XDPFW_L4_TCP][xdpfw_port_word(port)] |= xdpfw_port_bit(port);
		return 0;
	}
	f = &set->flows[set->n];
	if (seed_parse_diag(m, proto, &f->k, &state) != 1)
		return 0;
	l4 = f->k.proto == IPPROTO_TCP ? XDPFW_L4_TCP : XDPFW_L4_UDP;
	/* UDP-lite has no port rules: it is never open, so always seeded. */
	if (set->only && f->k.proto != IPPROTO_UDPLITE && !port_in(set->only, l4, ntohs(f->k.lport)))
		return 0;
	f->v = (struct xdpfw_ct_val){ .state = state };
	set->n++;
	return 0;
}

int seed_collect(const void *buf, size_t len, __u32 seq, __u32 portid, struct seed_set *set)
{
	return diag_walk(buf, len, seq, portid, set->proto, collect, set);
}

/* Every socket worth a flow whose local port is in `only` (NULL: any). */
static int read_sockets(const struct xdpfw_ct_ports *only, struct seed_set *set)
{
	size_t d;
	int err = 0;

	memset(set, 0, sizeof(*set));
	set->only = only;
	for (d = 0; d < ARRAY_SIZE(dumps) && !err; d++)
		err = diag_dump(dumps[d].proto, dumps[d].states, collect, set);
	return err;
}

struct xdpfw_service seed_service(const struct seed_set *set, const struct ct_tuple *t)
{
	__u16 lport = ntohs(t->lport);

	if (t->proto == IPPROTO_TCP && port_in(&set->listening, XDPFW_L4_TCP, lport))
		return (struct xdpfw_service){ .dir = XDPFW_DIR_IN, .proto = t->proto,
					       .port = t->lport };
	return (struct xdpfw_service){ .dir = XDPFW_DIR_OUT, .proto = t->proto, .port = t->rport };
}

/* Service slots for the flows, a map lookup per service (not per flow): 100k flows, a few services. */
static int seed_slots(const struct ct_maps *m, struct seed_set *set)
{
	static __u8 known[2][XDPFW_L4_MAX][XDPFW_PORTS]; /* [dir - 1][l4][port]; 0: not asked yet */
	struct xdpfw_service svc;
	__u8 *slot;
	size_t i;
	int err;

	memset(known, 0, sizeof(known));
	for (i = 0; i < set->n; i++) {
		if (set->flows[i].k.proto == IPPROTO_UDPLITE)
			continue; /* no ports of its own in the counters, as in the program */
		svc = seed_service(set, &set->flows[i].k);
		slot = &known[svc.dir - 1][svc.proto == IPPROTO_TCP ? XDPFW_L4_TCP : XDPFW_L4_UDP]
			     [ntohs(svc.port)];
		if (!*slot) {
			err = ct_service_slot(m, &svc, slot);
			if (err)
				return err;
		}
		set->flows[i].v.slot = *slot;
	}
	return 0;
}

__u32 seed_timeout(const struct policy *pol, __u8 proto, __u8 state)
{
	const __u32 *t = pol->bpf.timeouts;

	if (proto == IPPROTO_UDP || proto == IPPROTO_UDPLITE)
		return t[XDPFW_CT_TO_UDP];
	if (proto != IPPROTO_TCP)
		return t[XDPFW_CT_TO_ICMP];
	switch (state) {
	case XDPFW_CT_SYN_SENT:
		return t[XDPFW_CT_TO_TCP_SYN_SENT];
	case XDPFW_CT_FIN:
		return t[XDPFW_CT_TO_TCP_FIN];
	case XDPFW_CT_CLOSE:
		return t[XDPFW_CT_TO_TCP_CLOSE];
	default:
		return t[XDPFW_CT_TO_TCP_ESTABLISHED];
	}
}

void seed_ports_closed(const struct policy *pol, struct xdpfw_ct_ports *out)
{
	int l4, w;

	for (l4 = 0; l4 < XDPFW_L4_MAX; l4++)
		for (w = 0; w < XDPFW_PORT_WORDS; w++)
			out->ports[l4][w] = ~pol->bpf.ports[l4][w];
}

bool seed_ports_removed(const struct policy *from, const struct policy *to,
			struct xdpfw_ct_ports *out)
{
	__u64 any = 0;
	int l4, w;

	for (l4 = 0; l4 < XDPFW_L4_MAX; l4++)
		for (w = 0; w < XDPFW_PORT_WORDS; w++) {
			out->ports[l4][w] = from->bpf.ports[l4][w] & ~to->bpf.ports[l4][w];
			any |= out->ports[l4][w];
		}
	return any;
}

int seed_flows(const struct ct_maps *m, const struct policy *pol, __u32 hz,
	       const struct xdpfw_ct_ports *only, unsigned int *added)
{
	static struct seed_set set; /* 16 KiB of listening ports */
	__u64 now;
	size_t i;
	int err;

	*added = 0;
	err = read_sockets(only, &set);
	if (!err)
		err = seed_slots(m, &set);
	/* The clock after reading: 100k sockets take a while, the timeouts start now. */
	if (!err)
		err = clock_jiffies(&now);
	for (i = 0; !err && i < set.n; i++) {
		struct xdpfw_ct_val *v = &set.flows[i].v;

		v->created = v->refreshed = now;
		v->expires = now + (__u64)seed_timeout(pol, set.flows[i].k.proto, v->state) * hz;
	}
	if (!err)
		err = ct_add(m, set.flows, set.n, added);
	if (!err && *added)
		map_percpu_add(m->stats_fd, XDPFW_CT_SEEDED, *added);
	free(set.flows);
	return err;
}
