#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make demo`: xdpfw at work without touching a real interface. Two throwaway
# namespaces, the built-in policy on one, real traffic from the other, the
# stats table, and everything removed again.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/netns/lib.sh

need_root
setup_namespaces
bg in_p "$NETTOOL" serve --tcp 22,25,993,443,9999 --udp 53,5353 --seconds 60
bg in_c "$NETTOOL" serve --tcp 9999 --seconds 60
sleep 0.3

probe() { # what cmd...
	local what=$1
	shift
	if "$@" >/dev/null 2>&1; then echo "  $what: passes"; else echo "  $what: blocked"; fi
}

echo "== namespaces $NS_P ($IP_P, protected) and $NS_C ($IP_C, client)"
echo "== xdpfw load $VETH_P (built-in policy)"
in_p "$XDPFW" load "$VETH_P" || exit 1
in_p "$XDPFW" status
echo
echo "== traffic from the client"
for p in 22 25 993 443 9999; do
	probe "tcp $p" in_c "$NETTOOL" tcp "$IP_P" "$p" --timeout-ms 500
done
probe "tcp [$IP6_P]:22" in_c "$NETTOOL" tcp "$IP6_P" 22 --timeout-ms 500
probe "udp 53 (x3)" in_c "$NETTOOL" udp "$IP_P" 53 --count 3
probe "udp 5353 (x3)" in_c "$NETTOOL" udp "$IP_P" 5353 --count 3 --timeout-ms 500
probe "ping" in_c ping -c 2 -i 0.2 -W 1 "$IP_P"
echo
echo "== the protected side connects out to a port its policy does not open: replies pass"
probe "tcp out to $IP_C:9999" in_p "$NETTOOL" tcp "$IP_C" 9999 --timeout-ms 500
in_p "$XDPFW" conntrack "$VETH_P"
echo
echo "== xdpfw stats $VETH_P"
in_p "$XDPFW" stats "$VETH_P"
echo
echo "== xdpfw unload $VETH_P; the namespaces go too"
in_p "$XDPFW" unload "$VETH_P"
