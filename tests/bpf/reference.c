// SPDX-License-Identifier: GPL-2.0
/*
 * A reference classifier in plain C, written from the policy semantics
 * (README "What the XDP program does", docs/policy.md), not from the BPF
 * source: the oracle of the differential test. It models the fragment table;
 * the flow table is empty in the differential runs, so established and
 * related never apply.
 */
#include <arpa/inet.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <string.h>

#include "reference.h"

#define MAX_EXT 8
#define MAX_L4_OFF 1024

static unsigned int get16(const __u8 *p)
{
	return p[0] << 8 | p[1];
}

static bool port_allowed(const struct policy *pol, int l4, unsigned int port)
{
	return pol->bpf.ports[l4][port / 64] >> (port % 64) & 1;
}

static int by_default(const struct policy *pol, int drop)
{
	return pol->bpf.flags & XDPFW_F_DEFAULT_PASS ? XDPFW_REASON_PASSED_DEFAULT : drop;
}

static struct ref_frag *frag_find(struct ref_state *st, const struct ref_frag *k)
{
	size_t i;

	for (i = 0; i < st->n_frags; i++)
		if (!memcmp(st->frags[i].src, k->src, 16) && !memcmp(st->frags[i].dst, k->dst, 16) &&
		    st->frags[i].id == k->id && st->frags[i].proto == k->proto &&
		    st->frags[i].ipver == k->ipver)
			return &st->frags[i];
	return NULL;
}

static void frag_remember(struct ref_state *st, const struct ref_frag *k)
{
	struct ref_frag *f = frag_find(st, k);

	if (!f && st->n_frags < REF_MAX_FRAGS)
		f = &st->frags[st->n_frags++];
	if (f)
		*f = *k;
}

/* Everything after the IP headers: ICMP, TCP, UDP, other. */
static int judge_l4(const __u8 *l4, size_t avail, const struct policy *pol, int l3, int proto,
		    struct ref_result *r)
{
	unsigned int type;

	switch (proto) {
	case IPPROTO_TCP:
		if (avail < 20 || (l4[12] >> 4) < 5 || (l4[12] >> 4) * 4U > avail)
			return XDPFW_REASON_DROPPED_MALFORMED;
		r->l4 = XDPFW_L4_TCP;
		break;
	case IPPROTO_UDP:
		if (avail < 8)
			return XDPFW_REASON_DROPPED_MALFORMED;
		r->l4 = XDPFW_L4_UDP;
		break;
	case IPPROTO_UDPLITE:
		/* A UDP header; no port rules: the default verdict (no flows in these runs). */
		if (avail < 8)
			return XDPFW_REASON_DROPPED_MALFORMED;
		return by_default(pol, XDPFW_REASON_DROPPED_PROTO);
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if (avail < 8)
			return XDPFW_REASON_DROPPED_MALFORMED;
		if ((proto == IPPROTO_ICMP) != (l3 == 4))
			return by_default(pol, XDPFW_REASON_DROPPED_PROTO);
		type = l4[0];
		/* Neighbour discovery (133-137) and MLD (130-132, 143) always pass. */
		if (l3 == 6 && ((type >= 130 && type <= 137) || type == 143))
			return XDPFW_REASON_PASSED_ICMP;
		if (pol->bpf.flags & (l3 == 4 ? XDPFW_F_ICMP_DROP : XDPFW_F_ICMP6_DROP))
			return XDPFW_REASON_DROPPED_ICMP;
		return XDPFW_REASON_PASSED_ICMP;
	default:
		return by_default(pol, XDPFW_REASON_DROPPED_PROTO);
	}
	r->port = get16(l4 + 2);
	if (port_allowed(pol, r->l4, r->port))
		return XDPFW_REASON_PASSED_PORT;
	return by_default(pol, XDPFW_REASON_DROPPED_PORT);
}

/* A later fragment rides on its first fragment's verdict. */
static int later_fragment(struct ref_state *st, const struct ref_frag *k, struct ref_result *r)
{
	struct ref_frag *f = frag_find(st, k);

	if (!f)
		return XDPFW_REASON_DROPPED_FRAGMENT;
	r->l4 = f->l4;
	r->port = f->port;
	return XDPFW_REASON_PASSED_FRAGMENT;
}

static int ipv4(const __u8 *f, size_t len, size_t off, const struct policy *pol,
		struct ref_state *st, struct ref_result *r, struct ref_frag *k, bool *first)
{
	const __u8 *ip = f + off;
	unsigned int hlen, tot, frag, offset;

	if (len - off < 20 || ip[0] >> 4 != 4 || (ip[0] & 15) < 5)
		return XDPFW_REASON_DROPPED_MALFORMED;
	hlen = (ip[0] & 15) * 4;
	tot = get16(ip + 2);
	if (len - off < hlen || tot < hlen || off + tot > len)
		return XDPFW_REASON_DROPPED_MALFORMED;
	frag = get16(ip + 6);
	offset = frag & 0x1fff;
	if (offset == 1 && ip[9] == IPPROTO_TCP)
		return XDPFW_REASON_DROPPED_MALFORMED;
	if (ip[12] == 127)
		return XDPFW_REASON_DROPPED_MARTIAN;
	memset(k, 0, sizeof(*k));
	memcpy(k->src, ip + 12, 4);
	memcpy(k->dst, ip + 16, 4);
	k->id = get16(ip + 4);
	k->proto = ip[9];
	k->ipver = 4;
	if (offset)
		return later_fragment(st, k, r);
	*first = frag & 0x2000;
	if (off + hlen > MAX_L4_OFF)
		return XDPFW_REASON_DROPPED_MALFORMED;
	return judge_l4(ip + hlen, tot - hlen, pol, 4, ip[9], r);
}

static int ipv6(const __u8 *f, size_t len, size_t off, const struct policy *pol,
		struct ref_state *st, struct ref_result *r, struct ref_frag *k, bool *first)
{
	static const __u8 loopback[16] = { [15] = 1 };
	const __u8 *ip = f + off;
	size_t pos = off + 40, remain, hl;
	unsigned int next, i, fo, frag_hdrs = 0;
	bool later = false;

	if (len - off < 40 || ip[0] >> 4 != 6)
		return XDPFW_REASON_DROPPED_MALFORMED;
	remain = get16(ip + 4);
	next = ip[6];
	memset(k, 0, sizeof(*k));
	for (i = 0; i <= MAX_EXT; i++) {
		if (next == 0 && i)
			return XDPFW_REASON_DROPPED_MALFORMED;
		if (next == 0 || next == 43 || next == 60 || next == 51) {
			if (pos + 2 > len)
				return XDPFW_REASON_DROPPED_MALFORMED;
			hl = next == 51 ? (f[pos + 1] + 2) * 4 : (f[pos + 1] + 1) * 8;
			next = f[pos];
		} else if (next == 44) {
			/* The kernel reassembles by the outermost: two would be two datagrams. */
			if (frag_hdrs++ || pos + 8 > len)
				return XDPFW_REASON_DROPPED_MALFORMED;
			hl = 8;
			fo = get16(f + pos + 2);
			if (fo & 0xfff9) {
				k->id = (__u32)f[pos + 4] << 24 | f[pos + 5] << 16 | f[pos + 6] << 8 |
					f[pos + 7];
				k->proto = f[pos]; /* every fragment carries it */
				later = fo & 0xfff8;
				*first = !later;
			}
			next = f[pos];
		} else {
			break;
		}
		if (hl > remain)
			return XDPFW_REASON_DROPPED_MALFORMED;
		remain -= hl;
		pos += hl;
		if (later)
			break;
	}
	if (i > MAX_EXT)
		return XDPFW_REASON_DROPPED_MALFORMED;
	if (off + 40 + get16(ip + 4) > len)
		return XDPFW_REASON_DROPPED_MALFORMED;
	if (!memcmp(ip + 8, loopback, 16))
		return XDPFW_REASON_DROPPED_MARTIAN;
	memcpy(k->src, ip + 8, 16);
	memcpy(k->dst, ip + 24, 16);
	k->ipver = 6;
	if (later)
		return later_fragment(st, k, r);
	if (pos > MAX_L4_OFF)
		return XDPFW_REASON_DROPPED_MALFORMED;
	return judge_l4(f + pos, remain, pol, 6, next, r);
}

void ref_classify(const __u8 *f, size_t len, const struct policy *pol, struct ref_state *st,
		  struct ref_result *r)
{
	unsigned int type, ppp, tags = 0;
	struct ref_frag k;
	bool first = false;
	size_t off = 12;

	memset(r, 0, sizeof(*r));
	r->l4 = XDPFW_L4_MAX;
	type = get16(f + 12);
	while (type == 0x8100 || type == 0x88a8 || type == 0x9100) {
		if (++tags > 2 || off + 6 > len) {
			r->reason = XDPFW_REASON_DROPPED_MALFORMED;
			goto out;
		}
		off += 4;
		type = get16(f + off);
	}
	off += 2;
	if (type == 0x8864) { /* PPPoE session: 6 bytes, then a PPP protocol of 1 or 2 */
		off += 6;
		if (off + 1 > len || (!(f[off] & 1) && off + 2 > len)) {
			r->reason = XDPFW_REASON_DROPPED_MALFORMED;
			goto out;
		}
		ppp = f[off] & 1 ? f[off] : get16(f + off);
		off += f[off] & 1 ? 1 : 2;
		type = ppp == 0x21 ? 0x0800 : ppp == 0x57 ? 0x86dd : 0x8864;
	}
	if (type == 0x0800)
		r->reason = ipv4(f, len, off, pol, st, r, &k, &first);
	else if (type == 0x86dd)
		r->reason = ipv6(f, len, off, pol, st, r, &k, &first);
	else
		r->reason = XDPFW_REASON_PASSED_NONIP;
	if (r->reason < XDPFW_REASON_FIRST_DROP && first) {
		k.l4 = r->l4;
		k.port = r->port;
		frag_remember(st, &k);
	}
	if (r->reason == XDPFW_REASON_DROPPED_MALFORMED || r->reason == XDPFW_REASON_DROPPED_MARTIAN ||
	    r->reason == XDPFW_REASON_DROPPED_FRAGMENT)
		r->l4 = XDPFW_L4_MAX;
out:
	r->passed = r->reason < XDPFW_REASON_FIRST_DROP;
}
