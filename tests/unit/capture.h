/* SPDX-License-Identifier: GPL-2.0 */
/* What a printer writes, caught in memory: capture_open(), print to the FILE, capture_close(). */
#ifndef XDPFW_TESTS_CAPTURE_H
#define XDPFW_TESTS_CAPTURE_H

#include <stddef.h>
#include <stdio.h>

struct capture {
	char *buf;
	size_t len;
	FILE *f;
};

FILE *capture_open(struct capture *c);
/* The text printed, NUL-terminated: free() it. */
char *capture_close(struct capture *c);

#endif /* XDPFW_TESTS_CAPTURE_H */
