// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: arbitrary bytes as a sock_diag dump, through what seeding does
 * with one (libmnl's message walk and seed_parse_diag). The first byte picks
 * the protocol and a port filter; whatever is kept must be a flow.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>

#include "seed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const __u8 protos[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_UDPLITE, IPPROTO_ICMP };
	static struct xdpfw_ct_ports only;
	struct seed_set set = {};
	void *buf;
	size_t i;

	if (!size)
		return 0;
	set.proto = protos[data[0] & 3];
	set.only = data[0] & 4 ? &only : NULL;
	only.ports[XDPFW_L4_TCP][0] = only.ports[XDPFW_L4_UDP][0] = ~0ULL; /* ports 0-63 */
	/* A copy the exact size: ASan sees any read past the end. */
	buf = malloc(size - 1);
	memcpy(buf, data + 1, size - 1);
	seed_collect(buf, size - 1, 0, 0, &set);
	for (i = 0; i < set.n; i++) {
		const struct ct_tuple *t = &set.flows[i].k;

		if ((t->ipver != 4 && t->ipver != 6) || t->proto != set.proto || !t->rport ||
		    set.flows[i].v.state < XDPFW_CT_SYN_SENT || set.flows[i].v.state > XDPFW_CT_CLOSE)
			abort();
	}
	free(set.flows);
	free(buf);
	return 0;
}
