/* SPDX-License-Identifier: GPL-2.0 */
/* The reference classifier of the differential test. */
#ifndef XDPFW_TESTS_REFERENCE_H
#define XDPFW_TESTS_REFERENCE_H

#include <stdbool.h>
#include <stddef.h>

#include "policy.h"
#include "xdpfw.h"

#define REF_MAX_FRAGS 4096

/* A datagram whose first fragment passed. */
struct ref_frag {
	__u8 src[16], dst[16];
	__u32 id;
	__u8 proto, ipver;
	int l4;
	unsigned int port;
};

struct ref_state {
	struct ref_frag frags[REF_MAX_FRAGS];
	size_t n_frags;
};

struct ref_result {
	int reason;	   /* enum xdpfw_reason */
	bool passed;
	int l4;		   /* enum xdpfw_l4; XDPFW_L4_MAX: no port counter */
	unsigned int port;
};

/* Judges one frame (at least 14 bytes) as xdpfw should, updating the fragment memory. */
void ref_classify(const __u8 *frame, size_t len, const struct policy *pol, struct ref_state *st,
		  struct ref_result *r);

#endif /* XDPFW_TESTS_REFERENCE_H */
