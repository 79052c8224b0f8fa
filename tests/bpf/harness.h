/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the BPF tests share: the loaded skeleton, running a frame through the
 * real XDP program, and checking its verdict and every counter delta.
 */
#ifndef XDPFW_TESTS_HARNESS_H
#define XDPFW_TESTS_HARNESS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>

#include "packet.h"
#include "xdpfw.h"
#include "xdpfw.skel.h"

#define NO_PORT -1
/* Flow times are jiffies: one tick either side covers the test run's own time. */
#define SLACK_JIFFIES 1

#define PASS(reason) XDP_PASS, XDPFW_REASON_##reason
#define DROP(reason) XDP_DROP, XDPFW_REASON_##reason

struct expect {
	int verdict;
	enum xdpfw_reason reason;
	int l4;		/* counted under (l4, port); NO_PORT when not */
	__u16 port;
};

struct tcase {
	const char *name;
	struct spec s;
	struct expect e;
};

extern struct xdpfw_bpf *skel;
extern int ncpu;
extern __u32 hz; /* the kernel's, as the loader measures it */

__u64 now_jiffies(void);
void set_policy_text(const char *text);
void set_default_policy(void);
int run(const __u8 *frame, size_t len);
/* Runs one frame and checks verdict and every counter delta. */
void check_frame(const char *name, const __u8 *frame, size_t len, const struct expect *e);
void check_case(const struct tcase *t);
/* cmocka group setup/teardown: load the skeleton, measure HZ. */
int harness_setup(void **state);
int harness_teardown(void **state);

#endif /* XDPFW_TESTS_HARNESS_H */
