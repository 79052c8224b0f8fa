// SPDX-License-Identifier: GPL-2.0
/*
 * The lockout guard. Listening sockets come from sock_diag (user/diag.c):
 * TCP listeners, and UDP sockets bound below the ephemeral port range and
 * not connected (a UDP client binds an ephemeral port: not a service). Only
 * those that can receive from the interface count: bound to any address or
 * to one of the interface's, not to loopback. Their processes are found as
 * ss -p finds them, by the socket's inode among /proc/PID/fd.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <ifaddrs.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "guard.h"
#include "util.h"

bool guard_drops(const struct policy *pol, __u8 proto, __u16 port)
{
	enum xdpfw_l4 l4 = proto == IPPROTO_TCP ? XDPFW_L4_TCP : XDPFW_L4_UDP;

	return !(pol->bpf.flags & XDPFW_F_DEFAULT_PASS) && !policy_port_allowed(pol, l4, port);
}

static int cmp_listener(const void *pa, const void *pb)
{
	const struct listener *a = pa, *b = pb;

	return a->proto != b->proto ? a->proto - b->proto : a->port - b->port;
}

size_t guard_dropped(const struct policy *pol, struct listener *l, size_t n)
{
	size_t i, out = 0;

	if (n)
		qsort(l, n, sizeof(*l), cmp_listener);
	for (i = 0; i < n; i++) {
		if (!guard_drops(pol, l[i].proto, l[i].port))
			continue;
		if (out && !cmp_listener(&l[out - 1], &l[i]))
			continue;
		l[out++] = l[i];
	}
	return out;
}

/* An address as an IPv4 one when it is IPv4-mapped: ::ffff:a.b.c.d. */
static int unmap(int family, __u32 a[4])
{
	if (family == AF_INET6 && !a[0] && !a[1] && a[2] == htonl(0xffff)) {
		a[0] = a[3];
		a[1] = a[2] = a[3] = 0;
		return AF_INET;
	}
	return family;
}

/* An address of SSH_CONNECTION: IPv4 in the first word, an IPv4-mapped IPv6 one as IPv4. */
static bool ssh_addr(const char *text, int *family, __u32 addr[4])
{
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, text, addr) == 1)
		*family = AF_INET;
	else if (inet_pton(AF_INET6, text, addr) == 1)
		*family = unmap(AF_INET6, addr);
	else
		return false;
	return true;
}

bool guard_ssh_session(const char *env, struct ssh_session *s)
{
	char client[64], cport[8], server[64], sport[8], extra;
	char *end;
	long p;

	if (!env || sscanf(env, "%63s %7s %63s %7s %c", client, cport, server, sport, &extra) != 4)
		return false;
	p = strtol(sport, &end, 10);
	if (*end || p < 1 || p > 65535)
		return false;
	if (!ssh_addr(client, &s->client_family, s->client) ||
	    !ssh_addr(server, &s->server_family, s->server))
		return false;
	s->port = p;
	return true;
}

/* Is addr (IPv4 in the first word) one of iface's addresses? */
static bool on_iface(const char *iface, int family, const __u32 addr[4])
{
	struct ifaddrs *ifa, *i;
	bool found = false;

	if (getifaddrs(&ifa))
		return false;
	for (i = ifa; i && !found; i = i->ifa_next) {
		if (!i->ifa_addr || strcmp(i->ifa_name, iface) || i->ifa_addr->sa_family != family)
			continue;
		if (family == AF_INET)
			found = ((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr == addr[0];
		else
			found = !memcmp(&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, addr, 16);
	}
	freeifaddrs(ifa);
	return found;
}

struct listen_set {
	struct listener *l;
	size_t n, cap;
	const char *iface;
	unsigned int eph_lo; /* the ephemeral range's first port */
};

static bool is_any(int family, const __u32 a[4])
{
	return family == AF_INET ? !a[0] : !(a[0] | a[1] | a[2] | a[3]);
}

/* A socket of the dump, kept when it listens for what the interface brings (a diag_fn). */
static int collect(const struct inet_diag_msg *m, __u8 proto, void *arg)
{
	struct listen_set *set = arg;
	__u16 port = ntohs(m->id.idiag_sport);
	struct listener *tmp;
	__u32 a[4] = {};
	int family;

	memcpy(a, m->id.idiag_src, m->idiag_family == AF_INET ? 4 : 16);
	family = unmap(m->idiag_family, a);
	if (proto == IPPROTO_UDP && (m->id.idiag_dport || port >= set->eph_lo))
		return 0; /* connected, or a client's ephemeral port */
	if (!port || (!is_any(family, a) && !on_iface(set->iface, family, a)))
		return 0;
	if (set->n == set->cap) {
		tmp = realloc(set->l, (set->cap * 2 + 16) * sizeof(*tmp));
		if (!tmp)
			return -ENOMEM;
		set->l = tmp;
		set->cap = set->cap * 2 + 16;
	}
	set->l[set->n++] = (struct listener){ .proto = proto, .port = port,
					      .inode = m->idiag_inode };
	return 0;
}

static unsigned int ephemeral_lo(void)
{
	FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
	unsigned int lo = 32768;

	if (f) {
		if (fscanf(f, "%u", &lo) != 1)
			lo = 32768;
		fclose(f);
	}
	return lo;
}

/* The process name of pid into comm. */
static void read_comm(unsigned long pid, char comm[16])
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%lu/comm", pid);
	f = fopen(path, "r");
	if (f && fgets(comm, 16, f))
		comm[strcspn(comm, "\n")] = 0;
	if (f)
		fclose(f);
}

/* A pid's sockets among the listeners: the lowest pid holding one names it. */
static void scan_fds(unsigned long pid, struct listener *l, size_t n)
{
	char path[PATH_MAX], link[64];
	struct dirent *fd;
	unsigned int ino;
	ssize_t len;
	size_t i;
	DIR *fds;

	snprintf(path, sizeof(path), "/proc/%lu/fd", pid);
	fds = opendir(path);
	while (fds && (fd = readdir(fds))) {
		snprintf(path, sizeof(path), "/proc/%lu/fd/%s", pid, fd->d_name);
		len = readlink(path, link, sizeof(link) - 1);
		if (len <= 0)
			continue;
		link[len] = 0;
		if (sscanf(link, "socket:[%u]", &ino) != 1)
			continue;
		for (i = 0; i < n; i++) {
			if (l[i].inode != ino || (l[i].pid && l[i].pid < pid))
				continue;
			l[i].pid = pid;
			read_comm(pid, l[i].comm);
		}
	}
	if (fds)
		closedir(fds);
}

static void name_owners(struct listener *l, size_t n)
{
	DIR *proc = opendir("/proc");
	struct dirent *p;
	unsigned long pid;

	while (proc && (p = readdir(proc))) {
		pid = strtoul(p->d_name, NULL, 10);
		if (pid && isdigit((unsigned char)p->d_name[0]))
			scan_fds(pid, l, n);
	}
	if (proc)
		closedir(proc);
}

/*
 * Refuses a policy that drops the port of this command's own SSH session on
 * iface. The session itself survives as a tracked connection (closing a
 * port keeps its connections), but the next login would not get in.
 */
static int check_ssh(const char *iface, const struct policy *pol, bool force)
{
	struct ssh_session ssh;
	__u16 port;

	if (!guard_ssh_session(getenv("SSH_CONNECTION"), &ssh) ||
	    !on_iface(iface, ssh.server_family, ssh.server) ||
	    policy_passes(pol, XDPFW_L4_TCP, ssh.port, ssh.client_family, ssh.client))
		return 0;
	port = ssh.port;
	if (force) {
		pr_warn("%s: the policy drops tcp/%u from this SSH session's client: no new "
			"session will get in (--force)",
			iface, port);
		return 0;
	}
	pr_err("%s: the policy drops tcp/%u from this SSH session's client (SSH_CONNECTION): "
	       "no new session would get in; refusing ('xdpfw apply' rolls back unless "
	       "confirmed, --force applies anyway)",
	       iface, port);
	return -EPERM;
}

int guard_check_block(const char *iface, const struct prefix_list *l, bool force)
{
	struct ssh_session ssh;
	size_t i;

	if (!guard_ssh_session(getenv("SSH_CONNECTION"), &ssh) ||
	    !on_iface(iface, ssh.server_family, ssh.server))
		return 0;
	for (i = 0; i < l->n; i++)
		if (prefix_has_addr(&l->v[i], ssh.client_family, ssh.client))
			break;
	if (i == l->n)
		return 0;
	if (force) {
		pr_warn("%s: blocking this SSH session's client (--force)", iface);
		return 0;
	}
	pr_err("%s: the blocklist would hold this SSH session's client (SSH_CONNECTION): "
	       "refusing (--force blocks it anyway)",
	       iface);
	return -EPERM;
}

int guard_check(const char *iface, const struct policy *pol, bool force)
{
	static const struct {
		__u8 proto;
		__u32 states;
	} dumps[] = {
		{ IPPROTO_TCP, DIAG_STATE(DIAG_LISTEN) },
		{ IPPROTO_UDP, DIAG_STATE(DIAG_CLOSE) },
	};
	struct listen_set set = { .iface = iface, .eph_lo = ephemeral_lo() };
	size_t i, n;
	int err = check_ssh(iface, pol, force);

	for (i = 0; i < ARRAY_SIZE(dumps) && !err; i++)
		if (diag_dump(dumps[i].proto, dumps[i].states, collect, &set))
			break; /* advice only: a host whose sockets cannot be read still loads */
	n = guard_dropped(pol, set.l, set.n);
	if (n && !err)
		name_owners(set.l, n);
	for (i = 0; i < n && !err; i++) {
		if (set.l[i].pid)
			pr_warn("%s: %s/%u (%s, pid %u) is listening and the policy drops it", iface,
				set.l[i].proto == IPPROTO_TCP ? "tcp" : "udp", set.l[i].port,
				set.l[i].comm, set.l[i].pid);
		else
			pr_warn("%s: %s/%u is listening and the policy drops it", iface,
				set.l[i].proto == IPPROTO_TCP ? "tcp" : "udp", set.l[i].port);
	}
	free(set.l);
	return err;
}
