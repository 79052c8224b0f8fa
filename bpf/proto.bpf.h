/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Protocol numbers the BPF programs need and the kernel's uapi headers would
 * bring only with glibc: <linux/icmp.h> includes <linux/if.h>, which includes
 * <sys/socket.h>, and glibc headers compile under -target bpf only where the
 * 32-bit libc headers (libc6-dev-i386) happen to be installed. The Makefile
 * refuses a BPF object that reaches any header outside the uapi and libbpf.
 */
#ifndef XDPFW_PROTO_BPF_H
#define XDPFW_PROTO_BPF_H

/* EtherTypes the uapi's <linux/if_ether.h> may lack. */
#define ETH_P_8021AD		0x88A8 /* 802.1ad service tag */
#define ETH_P_QINQ1		0x9100 /* pre-802.1ad QinQ tag, still sent by some switches */
#define ETH_P_PPP_SES		0x8864 /* PPPoE session stage */

/* PPP protocol numbers (RFC 1332, RFC 5072) of what a PPPoE session carries. */
#define PPP_IP			0x0021
#define PPP_IPV6		0x0057

/* IPv4 fragment field. */
#define IP_MF			0x2000
#define IP_OFFSET		0x1FFF

/* IPv6 fragment header, frag_off in network order: offset << 3 | M. */
#define IP6_OFFSET		0xFFF8
#define IP6_OFFSET_MF		0xFFF9

/* TCP flags: byte 13 of the header. */
#define TCP_FLAGS_OFF		13
#define TCP_FIN			0x01
#define TCP_SYN			0x02
#define TCP_RST			0x04
#define TCP_ACK			0x10
#define TCP_URG			0x20

/*
 * The first 8 bytes of ICMP and ICMPv6 messages; for echo request and reply
 * (the others carry other things in id and sequence). <linux/icmp.h> has
 * struct icmphdr, but see above.
 */
struct icmp_echo_hdr {
	__u8 type;
	__u8 code;
	__be16 checksum;
	__be16 id;
	__be16 sequence;
};

/* ICMP types (RFC 792). */
#define ICMP_ECHOREPLY		0
#define ICMP_DEST_UNREACH	3
#define ICMP_ECHO		8
#define ICMP_TIME_EXCEEDED	11
#define ICMP_PARAMETERPROB	12

/* ICMPv6 types (RFC 4443, 2710, 3810, 4861). */
#define ICMPV6_DEST_UNREACH	1
#define ICMPV6_PKT_TOOBIG	2
#define ICMPV6_TIME_EXCEED	3
#define ICMPV6_PARAMPROB	4
#define ICMPV6_ECHO_REQUEST	128
#define ICMPV6_ECHO_REPLY	129
#define ICMPV6_MGM_QUERY	130 /* MLD query, report, done: 130-132 */
#define ICMPV6_MGM_REDUCTION	132
#define ICMPV6_ND_FIRST		133 /* router/neighbour solicitation/advertisement, redirect */
#define ICMPV6_ND_LAST		137
#define ICMPV6_MLD2_REPORT	143

#endif /* XDPFW_PROTO_BPF_H */
