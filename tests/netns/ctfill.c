// SPDX-License-Identifier: GPL-2.0
/*
 * Fills the pinned flow tables for the scale tests, as seeding would:
 *
 *   ctfill N [--ipv6] [--seconds S]
 *       N established TCP flows from 198.19.0.0/16 (2001:db8:19::/48) port
 *       443 to 198.18.0.1 (2001:db8::1) ports 32768 up, living S seconds
 *       (default 600). Prints how many were added.
 *   ctfill sockets N ADDR PORT --seconds S [--src IPV4]
 *       opens N UDP sockets connected to ADDR:PORT (from --src, so that holders
 *       with different sources share no local port) and holds them S seconds
 *       (prints "ready" once all are connected); N is bounded by the hard
 *       RLIMIT_NOFILE, so run several for more.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "clock.h"
#include "conntrack.h"

static int fill(unsigned int n, int ipver, unsigned int seconds)
{
	struct ct_flow *flows = calloc(n, sizeof(*flows));
	unsigned int i, added;
	struct ct_maps m;
	__u32 hz;
	__u64 now;

	if (!flows || ct_open(&m) || clock_hz(&hz) || clock_jiffies(&now))
		return 1;
	for (i = 0; i < n; i++) {
		struct ct_tuple *t = &flows[i].k;

		t->ipver = ipver;
		t->proto = IPPROTO_TCP;
		t->lport = htons(32768 + i % 28232);
		t->rport = htons(443);
		if (ipver == 4) {
			t->local[0] = htonl(0xc6120001);
			t->remote[0] = htonl(0xc6130000 | (i / 28232 + 1));
		} else {
			inet_pton(AF_INET6, "2001:db8::1", t->local);
			inet_pton(AF_INET6, "2001:db8:19::", t->remote);
			t->remote[3] = htonl(i / 28232 + 1);
		}
		flows[i].v = (struct xdpfw_ct_val){ .state = XDPFW_CT_ESTABLISHED,
						    .created = now,
						    .refreshed = now,
						    .expires = now + (__u64)seconds * hz };
	}
	if (ct_add(&m, flows, n, &added))
		return 1;
	printf("%u\n", added);
	ct_close(&m);
	free(flows);
	return 0;
}

static int sockets(unsigned int n, const char *addr, unsigned int port, unsigned int seconds,
		   const char *src)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct sockaddr_in me = { .sin_family = AF_INET };
	struct rlimit rl;
	unsigned int i;
	int fd;

	/* Room for n descriptors, within the hard limit. */
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = n + 64;
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1 ||
	    (src && inet_pton(AF_INET, src, &me.sin_addr) != 1) || setrlimit(RLIMIT_NOFILE, &rl)) {
		perror("ctfill sockets");
		return 1;
	}
	for (i = 0; i < n; i++) {
		fd = socket(AF_INET, SOCK_DGRAM, 0);
		if (fd < 0 || (src && bind(fd, (struct sockaddr *)&me, sizeof(me))) ||
		    connect(fd, (struct sockaddr *)&sin, sizeof(sin))) {
			fprintf(stderr, "ctfill: socket %u: %s\n", i, strerror(errno));
			return 1;
		}
	}
	printf("ready\n");
	fflush(stdout);
	sleep(seconds);
	return 0;
}

static const char *optstr(int argc, char **argv, const char *name)
{
	int i;

	for (i = 0; i + 1 < argc; i++)
		if (!strcmp(argv[i], name))
			return argv[i + 1];
	return NULL;
}

static unsigned int opt(int argc, char **argv, const char *name, unsigned int def)
{
	const char *v = optstr(argc, argv, name);

	return v ? strtoul(v, NULL, 0) : def;
}

int main(int argc, char **argv)
{
	int i, ipver = 4;

	if (argc >= 5 && !strcmp(argv[1], "sockets"))
		return sockets(strtoul(argv[2], NULL, 0), argv[3], strtoul(argv[4], NULL, 0),
			       opt(argc, argv, "--seconds", 60), optstr(argc, argv, "--src"));
	for (i = 2; i < argc; i++)
		if (!strcmp(argv[i], "--ipv6"))
			ipver = 6;
	if (argc >= 2)
		return fill(strtoul(argv[1], NULL, 0), ipver, opt(argc, argv, "--seconds", 600));
	fprintf(stderr, "usage: ctfill N [--ipv6] [--seconds S] | sockets N ADDR PORT --seconds S\n");
	return 2;
}
