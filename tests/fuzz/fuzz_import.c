// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for `xdpfw import` (user/import*.c), under ASan and UBSan: the first byte
 * picks the reader (iptables or nft) and --lossy, the rest is the ruleset. Besides not
 * crashing: an import that succeeds prints a policy that parses, and stdout stays empty when
 * it fails.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "import.h"
#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct policy pol; /* 280 KiB */
	struct policy_error perr;
	char *out = NULL, *err = NULL;
	size_t olen = 0, elen = 0;
	bool nft, lossy;
	FILE *o, *e;
	int ret;

	if (!size)
		return 0;
	nft = data[0] & 1;
	lossy = data[0] & 2;
	o = open_memstream(&out, &olen);
	e = open_memstream(&err, &elen);
	if (!o || !e)
		abort();
	ret = nft ? import_nft((const char *)data + 1, size - 1, "fuzz", lossy, o, e) :
		    import_iptables((const char *)data + 1, size - 1, "fuzz", lossy, o, e);
	fclose(o);
	fclose(e);
	if (ret && (olen || (ret != -EINVAL && ret != -ENOMEM && ret != -EFBIG)))
		abort(); /* a failure prints no policy, and says why with one of these */
	if (!ret) {
		if (policy_parse(&pol, out, olen, "imported", &perr))
			abort(); /* the policy printed does not parse */
		policy_free(&pol);
	}
	free(out);
	free(err);
	return 0;
}
