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
 *   nettool spoof ADDR PORT --from IPV4 --count N [--repeat R]
 *       send R UDP datagrams to ADDR:PORT from each of N source addresses
 *       counting up from IPV4 (a raw socket: the sources are not ours).
 *   nettool frag ADDR PORT --size N --count C [--order forward|reverse|orphans]
 *       send C UDP datagrams of N bytes to an echo server as IPv4 fragments of
 *       at most 1000 bytes, in order, last fragment first, or without their
 *       first fragment; print how many echoes came back within a second.
 *   nettool bulk-send PORT --bytes N --seconds S
 *       accept one TCP connection, write N bytes, close.
 *   nettool bulk-recv ADDR PORT --bytes N [--timeout-ms T]
 *       connect and read; print the bytes received; exit 0 if all N came.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
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

static int spoof(const char *addr, unsigned int port, const char *from, int count, int repeat)
{
	struct {
		struct iphdr ip;
		struct udphdr udp;
		char payload[8];
	} pkt = {
		.ip = { .version = 4, .ihl = 5, .ttl = 64, .protocol = IPPROTO_UDP },
		.udp = { .dest = htons(port), .len = htons(sizeof(struct udphdr) + 8) },
		.payload = "spoofed",
	};
	struct sockaddr_in dst = { .sin_family = AF_INET };
	struct in_addr base;
	int fd, i, r;

	if (inet_pton(AF_INET, addr, &dst.sin_addr) != 1 || inet_pton(AF_INET, from, &base) != 1 ||
	    count < 1 || count > 65536 || repeat < 1 || repeat > 10)
		return 2;
	/* IPPROTO_RAW: we write the IP header; the kernel fills in length, id and checksum. */
	fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	if (fd < 0)
		return 2;
	pkt.ip.daddr = dst.sin_addr.s_addr;
	for (i = 0; i < count; i++) {
		pkt.ip.saddr = htonl(ntohl(base.s_addr) + i);
		pkt.udp.source = htons(1024 + i % 60000);
		for (r = 0; r < repeat; r++)
			if (sendto(fd, &pkt, sizeof(pkt), 0, (struct sockaddr *)&dst, sizeof(dst)) < 0)
				perror("nettool: spoof");
		if (i % 32 == 31) /* paced: a full veth ring would drop what the test counts */
			usleep(500);
	}
	close(fd);
	return 0;
}

#define FRAG_BYTES 1000 /* fragment payload: a multiple of 8 */

/* One datagram (UDP header + payload in dgram) as fragments, in the order asked for. */
static void send_fragments(int raw, const struct sockaddr_in *dst, struct iphdr *ip,
			   const char *dgram, int len, const char *order)
{
	char pkt[sizeof(struct iphdr) + FRAG_BYTES];
	int n = (len + FRAG_BYTES - 1) / FRAG_BYTES, i, k, off, chunk;

	for (k = 0; k < n; k++) {
		i = !strcmp(order, "reverse") ? n - 1 - k : k;
		if (!strcmp(order, "orphans") && i == 0)
			continue;
		off = i * FRAG_BYTES;
		chunk = len - off < FRAG_BYTES ? len - off : FRAG_BYTES;
		ip->frag_off = htons((i < n - 1 ? IP_MF : 0) | off / 8);
		memcpy(pkt, ip, sizeof(*ip));
		memcpy(pkt + sizeof(*ip), dgram + off, chunk);
		if (sendto(raw, pkt, sizeof(*ip) + chunk, 0, (const struct sockaddr *)dst,
			   sizeof(*dst)) < 0)
			perror("nettool: frag");
	}
}

static int frag(const char *addr, unsigned int port, int size, int count, const char *order)
{
	static char dgram[MAX_DGRAM], buf[MAX_DGRAM];
	struct sockaddr_in dst = { .sin_family = AF_INET, .sin_port = htons(port) }, me;
	struct iphdr ip = { .version = 4, .ihl = 5, .ttl = 64, .protocol = IPPROTO_UDP };
	struct udphdr *uh = (struct udphdr *)dgram;
	struct pollfd p;
	socklen_t mlen = sizeof(me);
	int udp, raw, i, echoes = 0;
	long deadline, id0;

	if (inet_pton(AF_INET, addr, &dst.sin_addr) != 1 || size < 1 ||
	    size > MAX_DGRAM - 1000 || count < 1 || count > 10000)
		return 2;
	/* A UDP socket gets the echoes; its address and port are the fragments' source. */
	udp = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	raw = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	if (udp < 0 || raw < 0 || connect(udp, (struct sockaddr *)&dst, sizeof(dst)) ||
	    getsockname(udp, (struct sockaddr *)&me, &mlen))
		return 2;
	/* Echoes wait while we send: room for all of them (SO_RCVBUFFORCE: root ignores rmem_max). */
	setsockopt(udp, SOL_SOCKET, SO_RCVBUFFORCE, &(int){ 8 << 20 }, sizeof(int));
	ip.saddr = me.sin_addr.s_addr;
	ip.daddr = dst.sin_addr.s_addr;
	uh->source = me.sin_port;
	uh->dest = dst.sin_port;
	uh->len = htons(sizeof(*uh) + size);
	memset(dgram + sizeof(*uh), 'f', size); /* UDP checksum 0: none, valid over IPv4 */
	/* Fresh ids each run: a datagram must not ride on an earlier run's first fragment. */
	id0 = now_ms() * 7 + getpid();
	for (i = 0; i < count; i++) {
		ip.id = htons(id0 + i);
		send_fragments(raw, &dst, &ip, dgram, sizeof(*uh) + size, order);
		usleep(2000); /* the echo server drains its socket between datagrams */
	}
	deadline = now_ms() + 1000;
	p = (struct pollfd){ .fd = udp, .events = POLLIN };
	while (echoes < count && now_ms() < deadline)
		if (poll(&p, 1, deadline - now_ms()) == 1 && recv(udp, buf, sizeof(buf), 0) == size)
			echoes++;
	close(raw);
	close(udp);
	printf("%d\n", echoes);
	return echoes == count ? 0 : 1;
}

static int bulk_send(unsigned int port, int bytes, int seconds)
{
	static char buf[65536];
	int lfd = listen_on(SOCK_STREAM, port), fd;
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	ssize_t n;

	if (poll(&p, 1, seconds * 1000) != 1)
		return 1;
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return 1;
	memset(buf, 'b', sizeof(buf));
	while (bytes > 0) {
		n = write(fd, buf, bytes < (int)sizeof(buf) ? bytes : (int)sizeof(buf));
		if (n <= 0)
			return 1;
		bytes -= n;
	}
	close(fd);
	close(lfd);
	return 0;
}

static int bulk_recv(const char *addr, unsigned int port, int bytes, int timeout_ms)
{
	static char buf[65536];
	struct sockaddr_storage ss;
	struct pollfd p;
	long deadline = now_ms() + timeout_ms;
	int fd, got = 0;
	socklen_t len;
	ssize_t n;

	if (parse_addr(addr, port, &ss, &len))
		return 2;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len))
		return 1;
	p = (struct pollfd){ .fd = fd, .events = POLLIN };
	while (got < bytes && now_ms() < deadline) {
		if (poll(&p, 1, deadline - now_ms()) != 1)
			continue;
		n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			break;
		got += n;
	}
	close(fd);
	printf("%d\n", got);
	return got == bytes ? 0 : 1;
}

static const char *optstr(int argc, char **argv, const char *name, const char *def)
{
	int i;

	for (i = 0; i + 1 < argc; i++)
		if (!strcmp(argv[i], name))
			return argv[i + 1];
	return def;
}

static int opt(int argc, char **argv, const char *name, int def)
{
	const char *v = optstr(argc, argv, name, NULL);

	return v ? atoi(v) : def;
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
	if (argc >= 4 && !strcmp(argv[1], "spoof"))
		return spoof(argv[2], atoi(argv[3]), optstr(argc, argv, "--from", "198.19.0.1"),
			     opt(argc, argv, "--count", 1), opt(argc, argv, "--repeat", 1));
	if (argc >= 4 && !strcmp(argv[1], "frag"))
		return frag(argv[2], atoi(argv[3]), opt(argc, argv, "--size", 3000),
			    opt(argc, argv, "--count", 1), optstr(argc, argv, "--order", "forward"));
	if (argc >= 3 && !strcmp(argv[1], "bulk-send"))
		return bulk_send(atoi(argv[2]), opt(argc, argv, "--bytes", 1 << 20),
				 opt(argc, argv, "--seconds", 10));
	if (argc >= 4 && !strcmp(argv[1], "bulk-recv"))
		return bulk_recv(argv[2], atoi(argv[3]), opt(argc, argv, "--bytes", 1 << 20),
				 opt(argc, argv, "--timeout-ms", 5000));
	fprintf(stderr, "usage: nettool serve|tcp|udp|talk|hold|spoof|bulk-send|bulk-recv ... "
			"(see the source)\n");
	return 2;
}
