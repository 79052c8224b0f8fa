// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the policy parser, under ASan and UBSan. Besides not
 * crashing, a policy that parses must print to a text that parses back to
 * the same policy, and a failed parse must leave the caller's policy alone.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct policy pol, again, before; /* 280 KiB each */
	struct policy_error err;
	char *text = NULL, *list;
	size_t len = 0;
	FILE *f;

	policy_init(&pol);
	policy_init(&before);
	if (policy_parse(&pol, (const char *)data, size, "fuzz", &err)) {
		if (!policy_equal(&pol, &before))
			abort(); /* a failed parse changed the policy */
	} else {
		f = open_memstream(&text, &len);
		policy_format(&pol, f);
		fclose(f);
		if (policy_parse(&again, text, len, "again", &err) || !policy_equal(&pol, &again))
			abort(); /* the normalised form does not parse back to the same policy */
		policy_free(&again);
		free(text);
	}
	/* The same bytes as a command-line port list. */
	list = malloc(size + 1);
	memcpy(list, data, size);
	list[size] = '\0';
	if (policy_copy(&before, &pol))
		abort();
	if (policy_set_ports(&pol, XDPFW_L4_TCP, list, true, &err) && !policy_equal(&pol, &before))
		abort();
	free(list);
	policy_free(&before);
	policy_free(&pol);
	return 0;
}
