// SPDX-License-Identifier: GPL-2.0
/*
 * Test traffic for the namespace tests, bounded in count and time:
 *
 *   nettool serve [--tcp PORTS] [--udp PORTS] --seconds N
 *       listen on every port (IPv4 and IPv6); TCP: read a line, answer "ok\n",
 *       close; UDP: echo each datagram. Exits after N seconds.
 *   nettool tcp ADDR PORT [--timeout-ms N]
 *       connect, send "ping\n", read the answer; exit 0 when it came.
 *   nettool udp ADDR PORT [--count N] [--size BYTES] [--timeout-ms N] [--sport P]
 *       send N datagrams, print how many echoes came back; exit 0 if all did.
 *   nettool talk PORT --delay-ms N --seconds S
 *       accept one TCP connection, say nothing for N ms, then send "late\n".
 *   nettool hold ADDR PORT --seconds S
 *       connect and only listen; exit 0 when "late\n" arrives within S seconds.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_SOCKS 256
#define MAX_DGRAM 65536

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static int parse_addr(const char *s, unsigned int port, struct sockaddr_storage *ss,
		      socklen_t *len)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, s, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		*len = sizeof(*s4);
		return 0;
	}
	if (inet_pton(AF_INET6, s, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		*len = sizeof(*s6);
		return 0;
	}
	fprintf(stderr, "nettool: bad address '%s'\n", s);
	return -1;
}

/* A dual-stack socket bound to [::]:port. */
static int listen_on(int type, unsigned int port)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	int fd = socket(AF_INET6, type | SOCK_CLOEXEC, 0), zero = 0, one = 1;

	if (fd < 0 || setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    (type == SOCK_STREAM && listen(fd, 64))) {
		fprintf(stderr, "nettool: port %u: %s\n", port, strerror(errno));
		exit(1);
	}
	return fd;
}

static int add_ports(struct pollfd *pfd, int *types, int n, int type, char *list)
{
	char *tok, *save = NULL;

	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (n == MAX_SOCKS)
			exit(1);
		types[n] = type;
		pfd[n].fd = listen_on(type, atoi(tok));
		pfd[n++].events = POLLIN;
	}
	return n;
}

/* Waits up to timeout_ms for n bytes equal to want. */
static int expect(int fd, const char *want, size_t n, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char buf[16];

	if (poll(&p, 1, timeout_ms) != 1 || read(fd, buf, sizeof(buf)) != (ssize_t)n ||
	    memcmp(buf, want, n))
		return -1;
	return 0;
}

static void answer_tcp(int lfd)
{
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	/* Data both ways: the client speaks first. */
	if (!expect(fd, "ping\n", 5, 1000) && write(fd, "ok\n", 3) < 0)
		perror("nettool: write");
	close(fd);
}

static void echo_udp(int fd)
{
	static char buf[MAX_DGRAM];
	struct sockaddr_storage from;
	socklen_t flen = sizeof(from);
	ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);

	if (n >= 0)
		sendto(fd, buf, n, 0, (struct sockaddr *)&from, flen);
}

static int serve(int argc, char **argv)
{
	struct pollfd pfd[MAX_SOCKS];
	int types[MAX_SOCKS], n = 0, i;
	long seconds = 0, deadline;

	for (i = 0; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--tcp"))
			n = add_ports(pfd, types, n, SOCK_STREAM, argv[i + 1]);
		else if (!strcmp(argv[i], "--udp"))
			n = add_ports(pfd, types, n, SOCK_DGRAM, argv[i + 1]);
		else if (!strcmp(argv[i], "--seconds"))
			seconds = atol(argv[i + 1]);
	}
	if (seconds <= 0 || seconds > 3600 || !n) {
		fprintf(stderr, "nettool: serve needs ports and --seconds 1-3600\n");
		return 2;
	}
	deadline = now_ms() + seconds * 1000;
	while (now_ms() < deadline) {
		if (poll(pfd, n, 200) <= 0)
			continue;
		for (i = 0; i < n; i++) {
			if (!(pfd[i].revents & POLLIN))
				continue;
			if (types[i] == SOCK_STREAM)
				answer_tcp(pfd[i].fd);
			else
				echo_udp(pfd[i].fd);
		}
	}
	return 0;
}

static int tcp_probe(const char *addr, unsigned int port, int timeout_ms)
{
	struct sockaddr_storage ss;
	struct pollfd p;
	socklen_t len;
	int fd, err = 0;
	socklen_t elen = sizeof(err);

	if (parse_addr(addr, port, &ss, &len))
		return 2;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 2;
	if (connect(fd, (struct sockaddr *)&ss, len) && errno != EINPROGRESS)
		goto fail;
	p = (struct pollfd){ .fd = fd, .events = POLLOUT };
	if (poll(&p, 1, timeout_ms) != 1)
		goto fail;
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen);
	if (err)
		goto fail;
	if (write(fd, "ping\n", 5) != 5 || expect(fd, "ok\n", 3, timeout_ms))
		goto fail;
	close(fd);
	return 0;
fail:
	close(fd);
	return 1;
}

static int udp_probe(const char *addr, unsigned int port, int count, int size, int timeout_ms,
		     unsigned int sport)
{
	static char buf[MAX_DGRAM];
	struct sockaddr_storage ss;
	int fd, i, replies = 0;
	struct pollfd p;
	socklen_t len;
	long deadline;

	if (parse_addr(addr, port, &ss, &len) || count < 1 || count > 10000 || size < 1 ||
	    size > MAX_DGRAM - 1000)
		return 2;
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 2;
	if (sport) {
		struct sockaddr_storage local = { .ss_family = ss.ss_family };

		/* Port at the same offset in sockaddr_in and sockaddr_in6. */
		((struct sockaddr_in *)&local)->sin_port = htons(sport);
		if (bind(fd, (struct sockaddr *)&local, len))
			return 2;
	}
	if (connect(fd, (struct sockaddr *)&ss, len))
		return 2;
	memset(buf, 'x', size);
	for (i = 0; i < count; i++)
		if (send(fd, buf, size, 0) != size)
			perror("nettool: send");
	deadline = now_ms() + timeout_ms;
	p = (struct pollfd){ .fd = fd, .events = POLLIN };
	while (replies < count && now_ms() < deadline) {
		if (poll(&p, 1, deadline - now_ms()) == 1 && recv(fd, buf, sizeof(buf), 0) == size)
			replies++;
	}
	close(fd);
	printf("%d\n", replies);
	return replies == count ? 0 : 1;
}

static int talk(unsigned int port, int delay_ms, int seconds)
{
	int lfd = listen_on(SOCK_STREAM, port), fd;
	struct pollfd p = { .fd = lfd, .events = POLLIN };

	if (poll(&p, 1, seconds * 1000) != 1)
		return 1;
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return 1;
	usleep(delay_ms * 1000);
	if (write(fd, "late\n", 5) != 5)
		return 1;
	close(fd);
	close(lfd);
	return 0;
}

static int hold(const char *addr, unsigned int port, int seconds)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd;

	if (parse_addr(addr, port, &ss, &len))
		return 2;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len))
		return 1;
	return expect(fd, "late\n", 5, seconds * 1000) ? 1 : 0;
}

static int opt(int argc, char **argv, const char *name, int def)
{
	int i;

	for (i = 0; i + 1 < argc; i++)
		if (!strcmp(argv[i], name))
			return atoi(argv[i + 1]);
	return def;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "serve"))
		return serve(argc - 2, argv + 2);
	if (argc >= 4 && !strcmp(argv[1], "tcp"))
		return tcp_probe(argv[2], atoi(argv[3]), opt(argc, argv, "--timeout-ms", 1000));
	if (argc >= 4 && !strcmp(argv[1], "udp"))
		return udp_probe(argv[2], atoi(argv[3]), opt(argc, argv, "--count", 1),
				 opt(argc, argv, "--size", 32), opt(argc, argv, "--timeout-ms", 1000),
				 opt(argc, argv, "--sport", 0));
	if (argc >= 3 && !strcmp(argv[1], "talk"))
		return talk(atoi(argv[2]), opt(argc, argv, "--delay-ms", 1000),
			    opt(argc, argv, "--seconds", 10));
	if (argc >= 4 && !strcmp(argv[1], "hold"))
		return hold(argv[2], atoi(argv[3]), opt(argc, argv, "--seconds", 10));
	fprintf(stderr, "usage: nettool serve|tcp|udp ... (see the source)\n");
	return 2;
}
