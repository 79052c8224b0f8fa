/* SPDX-License-Identifier: GPL-2.0 */
/* The built-in policy is docs/policies/outlook-proxy.conf, byte for byte, NUL-terminated. */
	.section .rodata
	.global xdpfw_default_policy
	.type xdpfw_default_policy, @object
xdpfw_default_policy:
	.incbin DEFAULT_POLICY_FILE
	.byte 0
	.size xdpfw_default_policy, . - xdpfw_default_policy
	.section .note.GNU-stack, "", @progbits
