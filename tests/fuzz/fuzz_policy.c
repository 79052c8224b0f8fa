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
	struct policy pol, again, before;
	struct policy_error err;
	char *text = NULL, *list;
	size_t len = 0;
	FILE *f;

	policy_init(&pol);
	before = pol;
	if (policy_parse(&pol, (const char *)data, size, "fuzz", &err)) {
		if (memcmp(&pol, &before, sizeof(pol)))
			abort(); /* a failed parse changed the policy */
	} else {
		f = open_memstream(&text, &len);
		policy_format(&pol, f);
		fclose(f);
		if (policy_parse(&again, text, len, "again", &err) || memcmp(&pol, &again, sizeof(pol)))
			abort(); /* the normalised form does not parse back to the same policy */
		free(text);
	}
	/* The same bytes as a command-line port list. */
	list = malloc(size + 1);
	memcpy(list, data, size);
	list[size] = '\0';
	before = pol;
	if (policy_set_ports(&pol, XDPFW_L4_TCP, list, true, &err) &&
	    memcmp(&pol, &before, sizeof(pol)))
		abort();
	free(list);
	return 0;
}
