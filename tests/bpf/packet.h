/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Crafted frames for the BPF tests and the benchmarks: a spec says what the
 * frame holds (VLAN tags, IPv4/IPv6, extension headers, fragments, ports,
 * ICMP, a quoted packet), build() writes it.
 */
#ifndef XDPFW_TESTS_PACKET_H
#define XDPFW_TESTS_PACKET_H

#include <stdbool.h>
#include <stddef.h>

#include <linux/types.h>

#define MAX_FRAME 12000

/* IPv6 extension header types used in specs. */
#define HOP 0
#define RT 43
#define FRAG 44
#define AH 51
#define DST 60

struct spec {
	int vlans;		/* tags before the EtherType: 0..3 */
	__u16 tpid;		/* outer tag type: ETH_P_8021Q (default), ETH_P_8021AD, 0x9100 */
	__u16 ethertype;	/* non-IP frames only */
	bool pppoe;		/* a PPPoE session header after the tags */
	__u16 ppp_proto;	/* its PPP protocol: 0 for the IP version's, else as given */
	bool pfc;		/* PPP protocol field compressed to one byte (RFC 1661) */
	int ipver;		/* 4, 6; 0 for a non-IP frame */
	__u8 proto;		/* IP protocol of the transport header */
	__u16 dport;
	__u8 icmp_type;
	int ip_opts;		/* IPv4 option bytes, a multiple of 4 */
	__u16 frag;		/* IPv4: IP_MF (0x2000) | offset in 8-byte units */
	__u16 ip_id;
	__u8 ext[10];		/* IPv6 extension headers in order */
	int n_ext;
	__u16 v6frag;		/* IPv6 fragment header: offset << 3 | M */
	int payload;		/* bytes after the transport header */
	bool loopback_src;
	bool out;		/* sent by the host: 198.18.0.1 -> .2 (else .2 -> .1) */
	__u16 sport;		/* default 40000 */
	__u16 tcp_flags;	/* default SYN; NO_FLAGS for none at all */
	__u16 icmp_id;
	const struct spec *quote; /* ICMP error: the packet it quotes (IP header + 8 bytes) */
	__u8 remote;		/* last byte of the remote address, default 2 */
	__u32 remote4;		/* IPv4: the whole remote address (host order), if set */
	__u8 local;		/* last byte of the host's address, default 1 */
};

#define TCP4(port) .ipver = 4, .proto = IPPROTO_TCP, .dport = port
#define UDP4(port) .ipver = 4, .proto = IPPROTO_UDP, .dport = port
#define TCP6(port) .ipver = 6, .proto = IPPROTO_TCP, .dport = port
#define UDP6(port) .ipver = 6, .proto = IPPROTO_UDP, .dport = port
#define SYN 0x02
#define ACK 0x10
#define FIN 0x01
#define RST 0x04
#define PSH 0x08
#define URG 0x20
#define NO_FLAGS 0x100

/* Writes the frame into buf (MAX_FRAME bytes) and returns its length. */
size_t build(const struct spec *s, __u8 *buf);
/* Offset of the L3 header in a frame built from s. */
size_t l3_off(const struct spec *s);

#endif /* XDPFW_TESTS_PACKET_H */
