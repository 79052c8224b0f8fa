#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Reload under load: allowed traffic (UDP to port 53) floods the protected side
# while the policy is reloaded 1000 times, alternating two policies that both
# allow it. Not one allowed packet may be dropped, every packet sent must be
# counted as passed, and no counter may ever go backwards.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/netns/lib.sh

LIVEGEN=$(realpath "${LIVEGEN:-build/tests/livegen}")
RELOADS=${RELOADS:-1000}

need_root
setup_namespaces

cp docs/policies/outlook-proxy.conf "$WORK/a.conf"
{
	cat docs/policies/outlook-proxy.conf
	echo "allow tcp 6000-6010"
} >"$WORK/b.conf"
check_ok "load" in_p "$XDPFW" load "$VETH_P" --policy "$WORK/a.conf"

# The sender: bursts of 200k frames until told to stop; every burst's count is logged.
: >"$WORK/sent"
touch "$WORK/run"
sender() {
	local out
	while [ -e "$WORK/run" ]; do
		out=$(ip netns exec "$NS_C" "$LIVEGEN" "$VETH_C" 200000 udp 53) || break
		echo "${out%% *}" >>"$WORK/sent"
	done
}
sender &
BG_PIDS+=($!)
sender_pid=$!

udp53() { # "passed dropped" of udp/53
	in_p "$XDPFW" stats "$VETH_P" --json |
		jq -r '[.ports[] | select(.proto == "udp" and .port == 53)] |
			if length == 0 then "0 0" else "\(.[0].passed_packets) \(.[0].dropped_packets)" end'
}

backwards=0
last=0
failed_reloads=0
for i in $(seq 1 "$RELOADS"); do
	conf=$WORK/a.conf
	[ $((i % 2)) = 0 ] || conf=$WORK/b.conf
	in_p "$XDPFW" reload "$VETH_P" --policy "$conf" || failed_reloads=$((failed_reloads + 1))
	if [ $((i % 100)) = 0 ]; then
		read -r passed _ <<<"$(udp53)"
		[ "$passed" -lt "$last" ] && backwards=$((backwards + 1))
		last=$passed
	fi
done
rm -f "$WORK/run"
wait "$sender_pid"

sent=$(awk '{n += $1} END {print n + 0}' "$WORK/sent")
read -r passed dropped <<<"$(udp53)"
check_eq "$RELOADS reloads, none failed" "$failed_reloads" 0
[ "$sent" -ge 1000000 ] && ok "traffic flowed throughout ($sent frames)" ||
	not_ok "too little traffic: $sent frames"
check_eq "udp/53 frames dropped" "$dropped" 0
check_eq "udp/53 frames passed = frames sent" "$passed" "$sent"
check_eq "counter samples that went backwards" "$backwards" 0
check_eq "no drop of any kind" "$(in_p "$XDPFW" stats "$VETH_P" --json |
	jq '[.reasons | to_entries[] | select(.key | startswith("dropped")) | .value] | add')" 0
check_eq "the last reload's policy is live" "$(in_p "$XDPFW" status --json |
	jq '.interfaces[0].tcp_ports')" $(( RELOADS % 2 == 0 ? 18 : 29 ))
check_ok "unload" in_p "$XDPFW" unload "$VETH_P"

summary
