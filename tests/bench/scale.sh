#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The control plane at appliance scale, in a throwaway namespace: `xdpfw load`
# with 100k connected UDP sockets to seed, then conntrack and stats over 1M flows,
# with their wall time and peak memory. Output: OUT/scale.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUTPUT=${OUTPUT:-build}
OUT=$OUTPUT/bench
SOCKETS=${SCALE_SOCKETS:-100000}
FLOWS=${SCALE_FLOWS:-1000000}
XDPFW=$(realpath "$OUTPUT/xdpfw")
CTFILL=$(realpath "$OUTPUT/tests/ctfill")

TAG=xscale$$
NS=$TAG-p
WORK=$(mktemp -d /tmp/xdpfw-scale.XXXXXX)
BPFFS=$WORK/bpffs
export XDPFW_STATE_DIR=$WORK/state
PIDS=()

cleanup() {
	local p
	for p in "${PIDS[@]}"; do pkill -P "$p" 2>/dev/null || true; kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	ip netns list | grep -q "^$NS" && ip netns del "$NS"
	mountpoint -q "$BPFFS" && umount "$BPFFS"
	rm -rf "$WORK"
}
trap cleanup EXIT

in_ns() {
	ip netns exec "$NS" sh -c 'mount --bind "$0" /sys/fs/bpf && exec "$@"' "$BPFFS" "$@"
}

# measure LABEL CMD...: wall seconds and peak RSS of CMD, as a table row.
measure() {
	local label=$1
	shift
	in_ns /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" >/dev/null
	read -r secs kib <"$WORK/time"
	echo "| $label | $secs | $((kib / 1024)) |"
}

mkdir -p "$BPFFS" "$OUT"
mount -t bpf bpf "$BPFFS"
ip netns add "$NS"
ip -n "$NS" link add ves type veth peer name vep
ip -n "$NS" addr add 198.18.0.1/24 dev ves
ip -n "$NS" link set ves up
ip -n "$NS" link set vep up
ip -n "$NS" route add 198.18.0.2/32 dev ves
ip netns exec "$NS" sysctl -qw net.ipv4.ip_local_port_range="1024 65535"
# Holders of 12500 sockets each: a process may not hold 100k (RLIMIT_NOFILE), nor
# may one source address have more than 64k UDP ports: each holder has its own.
for i in $(seq 1 $((SOCKETS / 12500))); do
	ip -n "$NS" addr add "198.18.1.$i/32" dev ves
	in_ns "$CTFILL" sockets 12500 198.18.0.2 9 --seconds 300 --src "198.18.1.$i" \
		>"$WORK/holder.$i" &
	PIDS+=($!)
done
for _ in $(seq 1 600); do
	[ "$(cat "$WORK"/holder.* | grep -c ready)" = $((SOCKETS / 12500)) ] && break
	sleep 0.1
done
printf 'conntrack-size %s\n' $((FLOWS + SOCKETS + FLOWS / 4)) >"$WORK/policy.conf"
cat docs/policies/outlook-proxy.conf >>"$WORK/policy.conf"
{
	echo "### The control plane at scale (wall seconds, peak RSS)"
	echo
	echo "| operation | seconds | MiB |"
	echo "| --- | ---: | ---: |"
	measure "load, seeding $SOCKETS connected UDP sockets" \
		"$XDPFW" load ves --policy "$WORK/policy.conf"
	seeded=$(in_ns "$XDPFW" stats ves --json | jq '.conntrack.seeded')
	in_ns "$CTFILL" "$FLOWS" >/dev/null
	measure "conntrack --json, $((FLOWS + SOCKETS)) flows" "$XDPFW" conntrack ves --json
	measure "conntrack (table), $((FLOWS + SOCKETS)) flows" "$XDPFW" conntrack ves
	measure "stats --json, $((FLOWS + SOCKETS)) flows" "$XDPFW" stats ves --json
	entries=$(in_ns "$XDPFW" stats ves --json | jq '.conntrack.entries')
	echo
	echo "Seeded $seeded of $SOCKETS sockets; stats counted $entries entries (expected" \
		"$((FLOWS + SOCKETS)))."
	echo
	in_ns "$XDPFW" unload ves
} >"$OUT/scale.md"
cat "$OUT/scale.md"
