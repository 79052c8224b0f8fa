// SPDX-License-Identifier: GPL-2.0
/*
 * Which ports of a host a firewall lets through, from one source address, without a server
 * on any of them: a TCP port is reached when the SYN gets an answer (SYN-ACK from a listener,
 * RST from the kernel where none listens), a UDP port when the datagram gets one (an echo, or
 * ICMP port unreachable); a port whose packet is dropped gives none within the timeout.
 *
 *   portscan ADDR --from SRC [--tcp PORTS] [--udp PORTS] [--timeout-ms N] [--parallel N]
 *
 * PORTS: "1-65535", "22,53,6000-6010". Prints "tcp PORT" and "udp PORT" for every port
 * reached, in order, and exits 0; 1 on an error. Every probe gets its own socket and its own
 * timeout, at most N at once (4096): a full TCP scan through a firewall that drops all but a
 * few ports takes 65535 / N timeouts.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PORTS 65536

struct probe {
	unsigned int port;
	long deadline;
};

static struct sockaddr_storage dst, src;
static socklen_t addr_len;

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static int parse_addr(const char *s, struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, s, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		return sizeof(*s4);
	}
	if (inet_pton(AF_INET6, s, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		return sizeof(*s6);
	}
	fprintf(stderr, "portscan: bad address '%s'\n", s);
	return -1;
}

static void set_port(struct sockaddr_storage *ss, unsigned int port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
}

/* "1-100,443": into want[]; false on anything else. */
static bool parse_ports(char *list, bool *want)
{
	char *tok, *save = NULL, *end;
	unsigned long lo, hi;

	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		lo = strtoul(tok, &end, 10);
		hi = *end == '-' ? strtoul(end + 1, &end, 10) : lo;
		if (*end || !lo || lo > hi || hi >= PORTS)
			return false;
		while (lo <= hi)
			want[lo++] = true;
	}
	return true;
}

/*
 * A socket of type bound to the source, connecting to port: non-blocking, so a TCP connect
 * is in flight on return. The local port is chosen at connect, per destination port: a scan
 * of 65535 ports does not run out of them.
 */
static int open_probe(int type, unsigned int port)
{
	int fd = socket(dst.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1;

	if (fd < 0)
		return -1;
	if (type == SOCK_STREAM)
		setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
	set_port(&dst, port);
	if (bind(fd, (struct sockaddr *)&src, addr_len) ||
	    (connect(fd, (struct sockaddr *)&dst, addr_len) && errno != EINPROGRESS)) {
		close(fd);
		return -1;
	}
	if (type == SOCK_DGRAM && send(fd, "probe\n", 6, 0) != 6) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Has the probe on fd been answered? TCP: connected or refused; UDP: data or refused. */
static bool answered(int fd, int type)
{
	int err = 0;
	socklen_t len = sizeof(err);
	char buf[64];

	if (type == SOCK_STREAM) {
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
		return !err || err == ECONNREFUSED;
	}
	return recv(fd, buf, sizeof(buf), 0) >= 0 || errno == ECONNREFUSED;
}

/* Probes every port of want[] of one type, parallel at once; marks reached[]. */
static int scan(int type, const bool *want, bool *reached, unsigned int parallel, int timeout_ms)
{
	struct pollfd *pfd = calloc(parallel, sizeof(*pfd));
	struct probe *pr = calloc(parallel, sizeof(*pr));
	unsigned int next = 1, n = 0, i;
	long t;
	int ret = 0;

	if (!pfd || !pr) {
		free(pfd);
		free(pr);
		return -1;
	}
	for (;;) {
		while (n < parallel && next < PORTS) {
			if (!want[next]) {
				next++;
				continue;
			}
			pfd[n].fd = open_probe(type, next);
			if (pfd[n].fd < 0) {
				fprintf(stderr, "portscan: port %u: %s\n", next, strerror(errno));
				ret = -1;
				goto out;
			}
			pfd[n].events = type == SOCK_STREAM ? POLLOUT : POLLIN;
			pr[n].port = next++;
			pr[n++].deadline = now_ms() + timeout_ms;
		}
		if (!n)
			break;
		t = pr[0].deadline;
		for (i = 1; i < n; i++)
			t = pr[i].deadline < t ? pr[i].deadline : t;
		t -= now_ms();
		if (poll(pfd, n, t > 0 ? t : 0) < 0 && errno != EINTR) {
			ret = -1;
			goto out;
		}
		t = now_ms();
		for (i = 0; i < n;) {
			if (pfd[i].revents)
				reached[pr[i].port] = answered(pfd[i].fd, type);
			else if (pr[i].deadline > t) {
				i++;
				continue;
			}
			/* Answered or timed out: the slot takes the last probe. */
			close(pfd[i].fd);
			pfd[i] = pfd[--n];
			pr[i] = pr[n];
		}
	}
out:
	for (i = 0; i < n; i++)
		close(pfd[i].fd);
	free(pfd);
	free(pr);
	return ret;
}

static _Noreturn void usage(void)
{
	fprintf(stderr, "usage: portscan ADDR --from SRC [--tcp PORTS] [--udp PORTS] "
			"[--timeout-ms N] [--parallel N]\n");
	exit(1);
}

int main(int argc, char **argv)
{
	static bool want_tcp[PORTS], want_udp[PORTS], tcp[PORTS], udp[PORTS];
	unsigned int parallel = 4096, p;
	int i, timeout_ms = 500, len;
	struct rlimit rl;
	bool have_src = false;

	if (argc < 2 || (len = parse_addr(argv[1], &dst)) < 0)
		usage();
	addr_len = len;
	for (i = 2; i < argc; i++) {
		if (i + 1 == argc)
			usage();
		if (!strcmp(argv[i], "--from")) {
			if (parse_addr(argv[++i], &src) != len)
				usage();
			have_src = true;
		} else if (!strcmp(argv[i], "--tcp")) {
			if (!parse_ports(argv[++i], want_tcp))
				usage();
		} else if (!strcmp(argv[i], "--udp")) {
			if (!parse_ports(argv[++i], want_udp))
				usage();
		} else if (!strcmp(argv[i], "--timeout-ms")) {
			timeout_ms = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--parallel")) {
			parallel = atoi(argv[++i]);
		} else {
			usage();
		}
	}
	if (!have_src || timeout_ms <= 0 || !parallel)
		usage();
	/* A descriptor a probe, and a few more. */
	rl.rlim_cur = rl.rlim_max = parallel + 64;
	if (setrlimit(RLIMIT_NOFILE, &rl)) {
		fprintf(stderr, "portscan: %u descriptors: %s\n", parallel + 64, strerror(errno));
		return 1;
	}
	if (scan(SOCK_STREAM, want_tcp, tcp, parallel, timeout_ms) ||
	    scan(SOCK_DGRAM, want_udp, udp, parallel, timeout_ms))
		return 1;
	for (p = 1; p < PORTS; p++)
		if (tcp[p])
			printf("tcp %u\n", p);
	for (p = 1; p < PORTS; p++)
		if (udp[p])
			printf("udp %u\n", p);
	return 0;
}
