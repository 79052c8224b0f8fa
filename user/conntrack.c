// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <json-c/json.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "clock.h"
#include "conntrack.h"
#include "maps.h"
#include "pins.h"
#include "util.h"

#define BATCH 4096

/* Socket states as /proc/net/tcp prints them (include/net/tcp_states.h). */
enum {
	TCP_ESTABLISHED = 1,
	TCP_SYN_SENT,
	TCP_SYN_RECV,
	TCP_FIN_WAIT1,
	TCP_FIN_WAIT2,
	TCP_TIME_WAIT,
	TCP_CLOSE,
	TCP_CLOSE_WAIT,
	TCP_LAST_ACK,
	TCP_LISTEN,
	TCP_CLOSING,
};

static int parse_hex_addr(const char *hex, int l3, __u32 addr[4])
{
	size_t words = l3 == 4 ? 1 : 4, i;
	char word[9];
	char *end;

	if (strlen(hex) != words * 8)
		return -EINVAL;
	memset(addr, 0, 16);
	/* The kernel prints each 32-bit word of the address as a native integer. */
	for (i = 0; i < words; i++) {
		memcpy(word, hex + 8 * i, 8);
		word[8] = '\0';
		addr[i] = strtoul(word, &end, 16);
		if (*end)
			return -EINVAL;
	}
	return 0;
}

static bool is_loopback(int l3, const __u32 a[4])
{
	if (l3 == 4)
		return (ntohl(a[0]) >> 24) == 127;
	return !(a[0] | a[1] | a[2]) && a[3] == htonl(1);
}

static __u8 tcp_state(unsigned int st)
{
	switch (st) {
	case TCP_ESTABLISHED:
		return XDPFW_CT_ESTABLISHED;
	case TCP_SYN_SENT:
		return XDPFW_CT_SYN_SENT;
	case TCP_FIN_WAIT1:
	case TCP_FIN_WAIT2:
	case TCP_CLOSE_WAIT:
	case TCP_LAST_ACK:
	case TCP_CLOSING:
		return XDPFW_CT_FIN;
	default: /* listening, time-wait, closed, half-open server side */
		return 0;
	}
}

/* ::ffff:a.b.c.d, as an IPv6 socket shows an IPv4 peer. */
static bool is_v4_mapped(const __u32 a[4])
{
	return !a[0] && !a[1] && a[2] == htonl(0xffff);
}

int ct_parse_proc_line(const char *line, int l3, __u8 proto, struct xdpfw_ct_key *k,
		       __u8 *state)
{
	char local[40], remote[40], lport[9], rport[9], st[9], *end;
	unsigned long lp, rp, s;
	int n = 0;

	if (strstr(line, "local_address"))
		return 0;
	/* Fixed widths as the kernel prints them: 4 hex digits a port, 2 the state. */
	if (sscanf(line, " %*u: %39[0-9A-Fa-f]:%8[0-9A-Fa-f] %39[0-9A-Fa-f]:%8[0-9A-Fa-f] "
			 "%8[0-9A-Fa-f] %n",
		   local, lport, remote, rport, st, &n) != 5 || !n || strlen(lport) != 4 ||
	    strlen(rport) != 4 || strlen(st) != 2)
		return -EINVAL;
	lp = strtoul(lport, &end, 16);
	rp = strtoul(rport, &end, 16);
	s = strtoul(st, &end, 16);
	memset(k, 0, sizeof(*k));
	if (parse_hex_addr(local, l3, k->local) || parse_hex_addr(remote, l3, k->remote))
		return -EINVAL;
	/* An IPv4 peer of an IPv6 socket: its packets carry IPv4 headers. */
	if (l3 == 6 && is_v4_mapped(k->local) && is_v4_mapped(k->remote)) {
		k->local[0] = k->local[3];
		k->remote[0] = k->remote[3];
		memset(&k->local[1], 0, 12);
		memset(&k->remote[1], 0, 12);
		l3 = 4;
	}
	*state = proto == IPPROTO_TCP ? tcp_state(s) : s == TCP_ESTABLISHED ? XDPFW_CT_ESTABLISHED
									    : 0;
	/* Loopback flows never cross an interface xdpfw filters. */
	if (!*state || !rp || is_loopback(l3, k->local) || is_loopback(l3, k->remote))
		return 0;
	k->lport = htons(lp);
	k->rport = htons(rp);
	k->proto = proto;
	k->l3 = l3;
	return 1;
}

__u32 ct_state_timeout(const struct policy *pol, __u8 proto, __u8 state)
{
	const __u32 *t = pol->bpf.timeouts;

	if (proto == IPPROTO_UDP)
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
	m->ports_fd = m->stats_fd = -1;
	m->table_fd = pins_open_map(NULL, XDPFW_PIN_CONNTRACK, sizeof(struct xdpfw_ct_val), 0);
	if (m->table_fd < 0)
		return m->table_fd;
	m->ports_fd = pins_open_map(NULL, XDPFW_PIN_CT_PORTS, sizeof(struct xdpfw_ct_ports), 1);
	if (m->ports_fd >= 0)
		m->stats_fd = pins_open_map(NULL, XDPFW_PIN_CT_STATS, sizeof(__u64),
					    XDPFW_CT_COUNTER_MAX);
	if (m->ports_fd < 0 || m->stats_fd < 0) {
		int err = m->ports_fd < 0 ? m->ports_fd : m->stats_fd;

		ct_close(m);
		return err;
	}
	return 0;
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

/* Adds n to a counter only userspace writes: kept in CPU 0's slot. */
static int add_counter(const struct ct_maps *m, __u32 which, __u64 n)
{
	int ncpu = libbpf_num_possible_cpus(), err = 0;
	__u64 *v;

	if (ncpu < 0)
		return ncpu;
	v = calloc(ncpu, sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (bpf_map_lookup_elem(m->stats_fd, &which, v))
		err = -errno;
	v[0] += n;
	if (!err && bpf_map_update_elem(m->stats_fd, &which, v, BPF_ANY))
		err = -errno;
	free(v);
	return err;
}

/*
 * The port bitmap is shared with the egress program, which sets bits too:
 * set ours with atomic operations on the mapped array, never by rewriting it.
 */
static struct xdpfw_ct_ports *map_ports(const struct ct_maps *m)
{
	void *p = mmap(NULL, sizeof(struct xdpfw_ct_ports), PROT_READ | PROT_WRITE, MAP_SHARED,
		       m->ports_fd, 0);

	return p == MAP_FAILED ? NULL : p;
}

static bool port_in(const struct xdpfw_ct_ports *set, enum xdpfw_l4 l4, __u16 port)
{
	return set->ports[l4][port / 64] >> (port % 64) & 1;
}

void ct_ports_closed(const struct policy *pol, struct xdpfw_ct_ports *out)
{
	int l4, w;

	for (l4 = 0; l4 < XDPFW_L4_MAX; l4++)
		for (w = 0; w < XDPFW_PORT_WORDS; w++)
			out->ports[l4][w] = ~pol->bpf.ports[l4][w];
}

bool ct_ports_removed(const struct policy *from, const struct policy *to,
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

static int seed_file(const struct ct_maps *m, struct xdpfw_ct_ports *ports,
		     const struct policy *pol, const char *path, int l3, __u8 proto,
		     const struct xdpfw_ct_ports *only, unsigned int *added)
{
	enum xdpfw_l4 l4 = proto == IPPROTO_TCP ? XDPFW_L4_TCP : XDPFW_L4_UDP;
	struct xdpfw_ct_key k;
	struct xdpfw_ct_val v;
	__u64 now;
	size_t cap = 0;
	char *line = NULL;
	__u8 state;
	FILE *f;
	__u16 port;
	__u64 bit;

	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 0 : -errno; /* no IPv6: no tcp6 */
	if (clock_jiffies(&now)) {
		fclose(f);
		return -EIO;
	}
	while (getline(&line, &cap, f) > 0) {
		if (ct_parse_proc_line(line, l3, proto, &k, &state) != 1)
			continue;
		port = ntohs(k.lport);
		if (only && !port_in(only, l4, port))
			continue;
		memset(&v, 0, sizeof(v));
		v.state = state;
		v.created = v.refreshed = now;
		v.expires = now + (__u64)ct_state_timeout(pol, proto, state) * pol->bpf.hz;
		if (bpf_map_update_elem(m->table_fd, &k, &v, BPF_NOEXIST))
			continue; /* already tracked: egress knows better */
		bit = 1ULL << (port % 64);
		__atomic_fetch_or(&ports->ports[l4][port / 64], bit, __ATOMIC_RELAXED);
		(*added)++;
	}
	free(line);
	fclose(f);
	return 0;
}

int ct_seed(const struct ct_maps *m, const struct policy *pol, const char *proc_net,
	    const struct xdpfw_ct_ports *only, unsigned int *added)
{
	static const struct {
		const char *name;
		int l3;
		__u8 proto;
	} files[] = {
		{ "tcp", 4, IPPROTO_TCP },
		{ "tcp6", 6, IPPROTO_TCP },
		{ "udp", 4, IPPROTO_UDP },
		{ "udp6", 6, IPPROTO_UDP },
	};
	struct xdpfw_ct_ports *ports = map_ports(m);
	char path[256];
	size_t i;
	int err = 0;

	*added = 0;
	if (!ports)
		return -errno;
	for (i = 0; i < sizeof(files) / sizeof(files[0]) && !err; i++) {
		snprintf(path, sizeof(path), "%s/%s", proc_net, files[i].name);
		err = seed_file(m, ports, pol, path, files[i].l3, files[i].proto, only, added);
	}
	munmap(ports, sizeof(*ports));
	if (*added)
		add_counter(m, XDPFW_CT_SEEDED, *added);
	return err;
}

struct collect {
	struct ct_flow *flows;
	size_t n, cap;
	__u64 now;
	__u64 present;
};

static int collect_flows(const void *k, const void *v, __u32 n, void *arg)
{
	const struct xdpfw_ct_key *keys = k;
	const struct xdpfw_ct_val *vals = v;
	struct collect *c = arg;
	struct ct_flow *tmp;
	__u32 i;

	c->present += n;
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

static int for_each_batch(const struct ct_maps *m, bool delete, map_batch_fn fn, void *arg)
{
	return map_batch_each(m->table_fd, sizeof(struct xdpfw_ct_key),
			      sizeof(struct xdpfw_ct_val), BATCH, delete, fn, arg);
}

static int cmp_age(const void *a, const void *b)
{
	__u64 x = ((const struct ct_flow *)a)->v.created;
	__u64 y = ((const struct ct_flow *)b)->v.created;

	return x < y ? -1 : x > y;
}

static int collect_all(const struct ct_maps *m, struct collect *c)
{
	int err;

	memset(c, 0, sizeof(*c));
	err = clock_jiffies(&c->now);
	if (!err)
		err = for_each_batch(m, false, collect_flows, c);
	if (err) {
		pr_err("cannot read the flow table: %s", strerror(-err));
		free(c->flows);
	}
	return err;
}

int ct_list(const struct ct_maps *m, struct ct_flow **flows, size_t *n)
{
	struct collect c;
	int err = collect_all(m, &c);

	if (err)
		return err;
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
		add_counter(m, XDPFW_CT_DELETES, *deleted);
	if (err)
		pr_err("cannot flush the flow table: %s", strerror(-err));
	return err;
}

int ct_read_counters(const struct ct_maps *m, struct ct_counters *c)
{
	int ncpu = libbpf_num_possible_cpus(), i;
	struct collect all;
	__u64 *v, added, gone;
	__u32 k;
	int err;

	memset(c, 0, sizeof(*c));
	if (ncpu < 0)
		return ncpu;
	v = calloc(ncpu, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (k = 0; k < XDPFW_CT_COUNTER_MAX; k++) {
		if (bpf_map_lookup_elem(m->stats_fd, &k, v)) {
			free(v);
			return -errno;
		}
		for (i = 0; i < ncpu; i++)
			c->counter[k] += v[i];
	}
	free(v);
	err = collect_all(m, &all);
	if (err)
		return err;
	free(all.flows);
	c->entries = all.n;
	/* Every entry that came and is neither here nor deleted was evicted. */
	added = c->counter[XDPFW_CT_INSERTS] + c->counter[XDPFW_CT_SEEDED];
	gone = c->counter[XDPFW_CT_DELETES] + all.present;
	c->evictions = added > gone ? added - gone : 0;
	return 0;
}

static void format_addr(const struct xdpfw_ct_key *k, const __u32 a[4], char *buf, size_t len)
{
	inet_ntop(k->l3 == 4 ? AF_INET : AF_INET6, a, buf, len);
}

static __u64 secs_between(__u64 from, __u64 to, __u32 hz)
{
	return to > from && hz ? (to - from) / hz : 0;
}

void ct_print_table(const struct ct_flow *flows, size_t n, __u64 now, __u32 hz, FILE *out)
{
	char local[INET6_ADDRSTRLEN], remote[INET6_ADDRSTRLEN], l[64], r[64];
	const struct ct_flow *f;
	size_t i;

	fprintf(out, "%-5s %-46s %-46s %-11s %8s %10s\n", "PROTO", "LOCAL", "REMOTE", "STATE",
		"AGE_S", "EXPIRES_S");
	for (i = 0; i < n; i++) {
		f = &flows[i];
		format_addr(&f->k, f->k.local, local, sizeof(local));
		format_addr(&f->k, f->k.remote, remote, sizeof(remote));
		snprintf(l, sizeof(l), f->k.l3 == 4 ? "%s:%u" : "[%s]:%u", local, ntohs(f->k.lport));
		snprintf(r, sizeof(r), f->k.l3 == 4 ? "%s:%u" : "[%s]:%u", remote,
			 ntohs(f->k.rport));
		fprintf(out, "%-5s %-46s %-46s %-11s %8llu %10llu\n", ct_proto_name(f->k.proto), l,
			r, ct_state_name(f->v.state),
			(unsigned long long)secs_between(f->v.created, now, hz),
			(unsigned long long)secs_between(now, f->v.expires, hz));
	}
}

void ct_print_json(const char *iface, const struct ct_flow *flows, size_t n, __u64 now, __u32 hz,
		   FILE *out)
{
	json_object *root = json_object_new_object(), *arr = json_object_new_array(), *o;
	char addr[INET6_ADDRSTRLEN];
	const struct ct_flow *f;
	size_t i;

	for (i = 0; i < n; i++) {
		f = &flows[i];
		o = json_object_new_object();
		json_object_object_add(o, "proto", json_object_new_string(ct_proto_name(f->k.proto)));
		format_addr(&f->k, f->k.local, addr, sizeof(addr));
		json_object_object_add(o, "local", json_object_new_string(addr));
		json_object_object_add(o, "local_port", json_object_new_int(ntohs(f->k.lport)));
		format_addr(&f->k, f->k.remote, addr, sizeof(addr));
		json_object_object_add(o, "remote", json_object_new_string(addr));
		json_object_object_add(o, "remote_port", json_object_new_int(ntohs(f->k.rport)));
		json_object_object_add(o, "state", json_object_new_string(ct_state_name(f->v.state)));
		json_object_object_add(o, "age_s",
				       json_object_new_uint64(secs_between(f->v.created, now, hz)));
		json_object_object_add(o, "expires_in_s",
				       json_object_new_uint64(secs_between(now, f->v.expires, hz)));
		json_object_array_add(arr, o);
	}
	json_object_object_add(root, "interface", json_object_new_string(iface));
	json_object_object_add(root, "flows", arr);
	fprintf(out, "%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
									JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
}
