# SPDX-License-Identifier: GPL-2.0
# Shared by the namespace tests and the demo: two private namespaces joined by a
# veth pair, a private bpffs, assertions, and a cleanup trap that undoes it all.
#
#   protected (NS_P, veth VETH_P): 198.18.0.1/24, 2001:db8::1/64, runs xdpfw
#   client    (NS_C, veth VETH_C): 198.18.0.2/24, 2001:db8::2/64
#
# Traffic only ever goes between these two addresses.

XDPFW=${XDPFW:-build/xdpfw}
NETTOOL=${NETTOOL:-build/tests/nettool}
XDPFW=$(realpath "$XDPFW")
NETTOOL=$(realpath "$NETTOOL")

TAG=xdpfw$$
NS_P=$TAG-p
NS_C=$TAG-c
VETH_P=xfp$$
VETH_C=xfc$$
IP_P=198.18.0.1
IP_C=198.18.0.2
IP6_P=2001:db8::1
IP6_C=2001:db8::2
WORK=$(mktemp -d /tmp/xdpfw-netns.XXXXXX)
BPFFS=$WORK/bpffs
# Last good policies go here, not to the machine's /var/lib/xdpfw.
export XDPFW_STATE_DIR=$WORK/state

BG_PIDS=()

# `ip netns exec` remounts /sys, so each call would see an empty, new bpffs:
# bind one private bpffs onto /sys/fs/bpf so pins live across calls.
in_p() {
	ip netns exec "$NS_P" sh -c 'mount --bind "$0" /sys/fs/bpf && exec "$@"' "$BPFFS" "$@"
}

in_c() {
	ip netns exec "$NS_C" "$@"
}

# bg CMD...: runs CMD in the background; cleanup kills it.
bg() {
	"$@" &
	BG_PIDS+=($!)
}

cleanup() {
	local pid
	# A backgrounded function is a subshell: its child (ip netns exec ...) goes first.
	for pid in "${BG_PIDS[@]}"; do
		pkill -P "$pid" 2>/dev/null
		kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	done
	if ip netns list | grep -q "^$NS_P"; then
		in_p "$XDPFW" unload "$VETH_P" >/dev/null 2>&1
		ip netns del "$NS_P"
	fi
	ip netns list | grep -q "^$NS_C" && ip netns del "$NS_C"
	mountpoint -q "$BPFFS" && umount "$BPFFS"
	rm -rf "$WORK"
}

need_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "these tests need root (network namespaces, XDP)" >&2
		exit 1
	fi
}

setup_namespaces() {
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	mkdir -p "$BPFFS"
	mount -t bpf bpf "$BPFFS"
	ip netns add "$NS_P"
	ip netns add "$NS_C"
	local ns
	for ns in "$NS_P" "$NS_C"; do
		ip -n "$ns" link set lo up
		# No router solicitations or DAD probes: the links carry only test traffic.
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.router_solicitations=0 \
			net.ipv6.conf.default.router_solicitations=0 \
			net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
	done
	# Created after the sysctls: a new device copies the "default" settings.
	ip link add "$VETH_P" netns "$NS_P" type veth peer name "$VETH_C" netns "$NS_C"
	ip -n "$NS_P" addr add "$IP_P/24" dev "$VETH_P"
	ip -n "$NS_P" addr add "$IP6_P/64" dev "$VETH_P" nodad
	ip -n "$NS_C" addr add "$IP_C/24" dev "$VETH_C"
	ip -n "$NS_C" addr add "$IP6_C/64" dev "$VETH_C" nodad
	# The client's kernel keeps sending MLD reports for seconds after link-up;
	# they would mix into the ICMP counts, so the client does not send them.
	in_c nft -f - <<-EOF
	table inet quiet {
		chain out {
			type filter hook output priority -10; policy accept;
			icmpv6 type { mld-listener-report, mld2-listener-report } drop
		}
	}
	EOF
	ip -n "$NS_P" link set "$VETH_P" up
	ip -n "$NS_C" link set "$VETH_C" up
	# Static neighbours: no ARP or neighbour solicitation mixes into the counts.
	local mac_p mac_c
	mac_p=$(ip -n "$NS_P" -br link show "$VETH_P" | awk '{print $3}')
	mac_c=$(ip -n "$NS_C" -br link show "$VETH_C" | awk '{print $3}')
	ip -n "$NS_C" neigh replace "$IP_P" lladdr "$mac_p" dev "$VETH_C" nud permanent
	ip -n "$NS_C" neigh replace "$IP6_P" lladdr "$mac_p" dev "$VETH_C" nud permanent
	ip -n "$NS_P" neigh replace "$IP_C" lladdr "$mac_c" dev "$VETH_P" nud permanent
	ip -n "$NS_P" neigh replace "$IP6_C" lladdr "$mac_c" dev "$VETH_P" nud permanent
}

# Waits (at most 5 s) until the client's veth has sent nothing for a second:
# the MLD reports that follow bringing a link up are over.
settle() {
	local i last now
	last=$(in_c cat "/sys/class/net/$VETH_C/statistics/tx_packets")
	for i in 1 2 3 4 5; do
		sleep 1
		now=$(in_c cat "/sys/class/net/$VETH_C/statistics/tx_packets")
		[ "$now" = "$last" ] && return 0
		last=$now
	done
}

. tests/assert.sh
