// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the /proc/net/{tcp,tcp6,udp,udp6} line parser that
 * seeds the flow table at load, under ASan and UBSan. The first byte picks
 * the file; a line that parses must give a consistent key.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>

#include "seed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xdpfw_ct_key k;
	int l3, ret;
	__u8 proto, state;
	char *line;

	if (!size)
		return 0;
	l3 = data[0] & 1 ? 6 : 4;
	proto = data[0] & 2 ? IPPROTO_UDP : IPPROTO_TCP;
	line = malloc(size);
	memcpy(line, data + 1, size - 1);
	line[size - 1] = '\0';
	ret = seed_parse_proc_line(line, l3, proto, &k, &state);
	if (ret == 1 && ((k.ipver != 4 && k.ipver != 6) || k.proto != proto || !k.rport ||
			 state < XDPFW_CT_SYN_SENT || state > XDPFW_CT_CLOSE || k.reserved))
		abort();
	if (ret != 0 && ret != 1 && ret != -22)
		abort();
	free(line);
	return 0;
}
