// SPDX-License-Identifier: GPL-2.0
/* xdpfw: the command line is user/cli.c, each verb's work in the module it names. */
#include "cli.h"

int main(int argc, char **argv)
{
	return cli_main(argc, argv);
}
