// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <bpf/bpf.h>

#include "clock.h"
#include "maps.h"
#include "seed.h"
#include "util.h"

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

static int parse_hex_addr(const char *hex, int ipver, __u32 addr[4])
{
	size_t words = ipver == 4 ? 1 : 4, i;
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

static bool is_loopback(int ipver, const __u32 a[4])
{
	if (ipver == 4)
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

int seed_parse_proc_line(const char *line, int ipver, __u8 proto, struct xdpfw_ct_key *k,
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
	if (parse_hex_addr(local, ipver, k->local) || parse_hex_addr(remote, ipver, k->remote))
		return -EINVAL;
	/* An IPv4 peer of an IPv6 socket: its packets carry IPv4 headers. */
	if (ipver == 6 && is_v4_mapped(k->local) && is_v4_mapped(k->remote)) {
		k->local[0] = k->local[3];
		k->remote[0] = k->remote[3];
		memset(&k->local[1], 0, 12);
		memset(&k->remote[1], 0, 12);
		ipver = 4;
	}
	*state = proto == IPPROTO_TCP ? tcp_state(s) : s == TCP_ESTABLISHED ? XDPFW_CT_ESTABLISHED
									    : 0;
	/* Loopback flows never cross an interface xdpfw filters. */
	if (!*state || !rp || is_loopback(ipver, k->local) || is_loopback(ipver, k->remote))
		return 0;
	k->lport = htons(lp);
	k->rport = htons(rp);
	k->proto = proto;
	k->ipver = ipver;
	return 1;
}

__u32 seed_timeout(const struct policy *pol, __u8 proto, __u8 state)
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
	return set->ports[l4][xdpfw_port_word(port)] & xdpfw_port_bit(port);
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

static int seed_file(const struct ct_maps *m, struct xdpfw_ct_ports *ports,
		     const struct policy *pol, __u32 hz, const char *path, int ipver, __u8 proto,
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

	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 0 : -errno; /* no IPv6: no tcp6 */
	if (clock_jiffies(&now)) {
		fclose(f);
		return -EIO;
	}
	while (getline(&line, &cap, f) > 0) {
		if (seed_parse_proc_line(line, ipver, proto, &k, &state) != 1)
			continue;
		port = ntohs(k.lport);
		if (only && !port_in(only, l4, port))
			continue;
		memset(&v, 0, sizeof(v));
		v.state = state;
		v.created = v.refreshed = now;
		v.expires = now + (__u64)seed_timeout(pol, proto, state) * hz;
		if (bpf_map_update_elem(m->table_fd, &k, &v, BPF_NOEXIST))
			continue; /* already tracked: egress knows better */
		__atomic_fetch_or(&ports->ports[l4][xdpfw_port_word(port)], xdpfw_port_bit(port),
				  __ATOMIC_RELAXED);
		(*added)++;
	}
	free(line);
	fclose(f);
	return 0;
}

int seed_flows(const struct ct_maps *m, const struct policy *pol, __u32 hz, const char *proc_net,
	       const struct xdpfw_ct_ports *only, unsigned int *added)
{
	static const struct {
		const char *name;
		int ipver;
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
	for (i = 0; i < ARRAY_SIZE(files) && !err; i++) {
		snprintf(path, sizeof(path), "%s/%s", proc_net, files[i].name);
		err = seed_file(m, ports, pol, hz, path, files[i].ipver, files[i].proto, only, added);
	}
	munmap(ports, sizeof(*ports));
	if (*added)
		map_percpu_add(m->stats_fd, XDPFW_CT_SEEDED, *added);
	return err;
}

