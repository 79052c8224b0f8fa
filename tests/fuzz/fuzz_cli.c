// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the command line, under ASan and UBSan: the input,
 * split at NUL bytes, is argv. Only the parsing runs (cli_parse); no verb is
 * ever executed, so nothing is loaded or attached.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util.h"

#define MAX_ARGS 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *argv[MAX_ARGS + 2], *p;
	const struct verb *v;
	struct args a;
	int argc = 1;

	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[0] = "xdpfw";
	for (p = buf; p <= buf + size && argc <= MAX_ARGS; p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;
	cli_parse(argc, argv, &v, &a);
	json_output = false;
	verbose = false;
	free(buf);
	return 0;
}
