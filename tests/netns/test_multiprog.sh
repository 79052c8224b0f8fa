#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# load --multiprog: xdpfw as a component of libxdp's dispatcher, beside
# xdp-filter (xdp-tools). Both judge every packet, xdp-filter (priority 10)
# first, xdpfw (20) on what xdp-filter passes; reloads stay atomic under the
# dispatcher; a load killed at any point is cleaned up by the next load or
# unload without disturbing xdp-filter; unload leaves xdp-filter running; a
# plain load on an interface another program holds fails naming it. On a
# kernel that refuses freplace programs (libxdp then attaches xdp-filter
# alone), only the refusal of --multiprog is checked.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/netns/lib.sh

LIVEGEN=$(realpath "${LIVEGEN:-build/tests/livegen}")
RELOADS=${RELOADS:-200}

need_root
for tool in xdp-filter xdp-loader bpftool; do
	if ! command -v "$tool" >/dev/null; then
		echo "$tool missing (apt-get install xdp-tools bpftool)" >&2
		exit 1
	fi
done
setup_namespaces
bg in_p "$NETTOOL" serve --tcp 22,25,9999 --seconds 900
sleep 0.5

tcp() { in_c "$NETTOOL" tcp "$IP_P" "$1" --timeout-ms 1000; }
# "prio:name" of each component of the dispatcher on the protected veth, in run order.
components() {
	in_p xdp-loader status "$VETH_P" 2>/dev/null | awk '$1 == "=>" { print $2 ":" $3 }' | paste -sd' '
}
dispatcher_id() {
	in_p xdp-loader status "$VETH_P" 2>/dev/null | awk '$2 == "xdp_dispatcher" { print $4 }'
}
component_id() { # NAME
	in_p xdp-loader status "$VETH_P" 2>/dev/null | awk -v n="$1" '$1 == "=>" && $3 == n { print $4 }'
}
# The dispatcher's is_xdp_frags (its config, in its .rodata): 1 when every component takes frags.
dispatcher_frags() {
	local map
	map=$(bpftool -j prog show id "$(dispatcher_id)" | jq '.map_ids[0]')
	bpftool -j map dump id "$map" | jq '[.. | objects | .is_xdp_frags? // empty] | first'
}
xdp_progs() { ip -n "$NS_P" -d link show "$VETH_P" | grep -c 'prog/xdp'; }
tc_filters() { tc -n "$NS_P" filter show dev "$VETH_P" egress 2>/dev/null | grep -c xdpfw_egress; }
status_field() { in_p "$XDPFW" status --json | jq -r ".interfaces[0].$1"; }
xdpfw_pins() { ls -A "$BPFFS/xdpfw"; }
stale="xdpfw: warning: $VETH_P: removing stale pins"
stale+=" (an interrupted load, or the interface was deleted)"
filter_load() { # xdp-filter in its default allow policy, denying tcp port 25
	in_p xdp-filter load "$VETH_P" && in_p xdp-filter port 25 -p tcp
}
# Packets xdp-filter passed on (its per-CPU stats by action, XDP_PASS = 2): what reached xdpfw.
# Read raw (little-endian u64 rx_packets first): bpftool formats the value's unions with
# duplicate keys.
filter_passed() {
	bpftool -j map dump pinned "$BPFFS/xdp-filter/xdp_stats_map" |
		jq '[.[] | select(.formatted.key == 2) | .values[].value[0:8] | reverse |
			map(ltrimstr("0x")) | add | ascii_downcase | explode |
			map(if . >= 97 then . - 87 else . - 48 end) | reduce .[] as $d (0; . * 16 + $d)] |
			add'
}
# CMD's status and stderr, without the lockout guard's notes on the test's own listeners.
stderr_of() {
	"$@" 2>&1 >/dev/null | grep -v 'is listening and the policy drops it'
	return "${PIPESTATUS[0]}"
}

echo "# xdp-filter first: it denies tcp 25 and allows the rest"
check_ok "xdp-filter load" filter_load
if [ -z "$(dispatcher_id)" ]; then
	echo "# no dispatcher: this kernel refuses freplace programs (libxdp attached xdp-filter alone)"
	holder=$(in_p xdp-loader status "$VETH_P" | awk '$2 ~ /^xdpfilt_/ { print $2 " (prog " $4 ")" }')
	err=$(stderr_of in_p "$XDPFW" load "$VETH_P")
	check_eq "a plain load fails, naming the holder" "$?:$err" \
		"1:xdpfw: $VETH_P: XDP is held by $holder; detach it first"
	err=$(stderr_of in_p "$XDPFW" load "$VETH_P" --multiprog)
	check_eq "--multiprog is refused" "$?:${err%%:*}" "1:xdpfw"
	case $err in
	*"refuses freplace"*) ok "the refusal says why: ${err#xdpfw: }" ;;
	*) not_ok "the refusal does not say why: $err" ;;
	esac
	check_eq "no pins left" "$(xdpfw_pins)" ""
	check_eq "no egress filter left" "$(tc_filters)" 0
	check_eq "xdp-filter still holds the interface" "$(xdp_progs)" 1
	echo "# SKIP the dispatcher checks: they need a kernel with freplace (BPF trampolines)"
	summary
	exit
fi
check_eq "xdp-filter runs in a dispatcher" "$(components)" "10:xdpfilt_alw_all"

echo "# a plain load: the interface is held"
err=$(stderr_of in_p "$XDPFW" load "$VETH_P")
check_eq "fails, naming the dispatcher and what it runs" "$?:$err" \
	"1:xdpfw: $VETH_P: XDP is held by the libxdp dispatcher (prog $(dispatcher_id):\
 xdpfilt_alw_all prio 10); load with --multiprog to run beside it"
check_eq "no pins left" "$(xdpfw_pins)" ""
check_eq "no egress filter left" "$(tc_filters)" 0
err=$(stderr_of in_p "$XDPFW" load "$VETH_P" --multiprog --mode skb)
check_eq "--multiprog in another mode than the dispatcher's is refused" "$?:$err" \
	"1:xdpfw: $VETH_P: the libxdp dispatcher there runs in native mode:\
 load with --mode native, or auto"

echo "# --multiprog: xdpfw joins the dispatcher after xdp-filter"
check_ok "load --multiprog" in_p "$XDPFW" load "$VETH_P" --multiprog
check_eq "the chain: xdp-filter, then xdpfw" "$(components)" "10:xdpfilt_alw_all 20:xdpfw_xdp"
check_eq "status: mode" "$(status_field mode)" multiprog
check_eq "status: the component's id" "$(status_field prog_id)" "$(component_id xdpfw_xdp)"
check_eq "dispatcher without frags (xdp-filter takes none)" "$(dispatcher_frags)" 0
check_ok "tcp 22: both allow" tcp 22
check_fail "tcp 25: xdpfw allows, xdp-filter denies" tcp 25
check_fail "tcp 9999: xdp-filter allows, xdpfw denies" tcp 9999
check_ok "ping" in_c ping -c 1 -W 2 "$IP_P"
seen25=$(in_p "$XDPFW" stats "$VETH_P" --json |
	jq '[.ports[] | select(.proto == "tcp" and .port == 25) |
		.passed_packets + .dropped_packets] | add // 0')
check_eq "xdpfw never saw tcp 25: xdp-filter, ahead of it, dropped it" "$seen25" 0
err=$(stderr_of in_p "$XDPFW" load "$VETH_P" --multiprog)
check_eq "a second load is refused" "$?" 1

echo "# reloads under the dispatcher"
cp docs/policies/outlook-proxy.conf "$WORK/a.conf"
{
	cat docs/policies/outlook-proxy.conf
	echo "allow tcp 9999"
} >"$WORK/b.conf"
check_ok "reload: open tcp 9999" in_p "$XDPFW" reload "$VETH_P" --policy "$WORK/b.conf"
check_ok "tcp 9999 passes both now" tcp 9999
check_ok "reload: close it again" in_p "$XDPFW" reload "$VETH_P" --policy "$WORK/a.conf"
check_fail "tcp 9999 blocked again" tcp 9999
in_p "$XDPFW" stats "$VETH_P" --reset >/dev/null
reached0=$(filter_passed)

# As test_reload.sh, shorter: udp 53, which both allow, floods while the policy flips.
: >"$WORK/sent"
touch "$WORK/run"
sender() {
	local out
	while [ -e "$WORK/run" ]; do
		out=$(ip netns exec "$NS_C" "$LIVEGEN" "$VETH_C" 20000 udp 53) || break
		echo "${out%% *}" >>"$WORK/sent"
	done
}
sender &
BG_PIDS+=($!)
sender_pid=$!
failed_reloads=0
for i in $(seq 1 "$RELOADS"); do
	conf=$WORK/a.conf
	[ $((i % 2)) = 0 ] || conf=$WORK/b.conf
	in_p "$XDPFW" reload "$VETH_P" --policy "$conf" 2>/dev/null ||
		failed_reloads=$((failed_reloads + 1))
done
rm -f "$WORK/run"
wait "$sender_pid"
sent=$(awk '{n += $1} END {print n + 0}' "$WORK/sent")
reached=$(($(filter_passed) - reached0))
echo "# frames sent $sent; passed on by xdp-filter to xdpfw $reached; the rest the veth dropped" \
	"before XDP (client veth tx dropped: $(ip -n "$NS_C" -s -j link show "$VETH_C" |
	jq '.[0].stats64.tx.dropped'))"
read -r passed dropped <<<"$(in_p "$XDPFW" stats "$VETH_P" --json |
	jq -r '[.ports[] | select(.proto == "udp" and .port == 53)] |
		if length == 0 then "0 0" else "\(.[0].passed_packets) \(.[0].dropped_packets)" end')"
check_eq "$RELOADS reloads, none failed" "$failed_reloads" 0
[ "$reached" -gt 0 ] && ok "traffic flowed throughout ($reached frames)" || not_ok "no traffic"
check_eq "udp/53 frames dropped" "$dropped" 0
check_eq "udp/53 frames xdpfw passed = frames xdp-filter passed on to it" "$passed" "$reached"
check_eq "the last reload's policy is live" "$(status_field tcp_ports)" \
	$((RELOADS % 2 == 0 ? 18 : 19))
check_eq "xdp-filter still ahead of xdpfw" "$(components)" "10:xdpfilt_alw_all 20:xdpfw_xdp"
check_ok "unload" in_p "$XDPFW" unload "$VETH_P"

echo "# killed during load --multiprog: the next load or unload cleans up"
check_eq "before: xdp-filter alone" "$(components)" "10:xdpfilt_alw_all"
in_p env XDPFW_FAULT=tc-attached "$XDPFW" load "$VETH_P" --multiprog 2>/dev/null
check_eq "tc-attached: the CLI died by SIGKILL" "$?" 137
check_eq "tc-attached: xdpfw not in the dispatcher" "$(components)" "10:xdpfilt_alw_all"
err=$(stderr_of in_p "$XDPFW" load "$VETH_P" --multiprog)
check_eq "tc-attached: the next load clears what was left and loads" "$?:$err" \
	"0:$stale"
check_eq "tc-attached: one xdpfw in the chain" "$(components)" "10:xdpfilt_alw_all 20:xdpfw_xdp"
check_eq "tc-attached: exactly one egress filter" "$(tc_filters)" 1
check_ok "unload" in_p "$XDPFW" unload "$VETH_P"

in_p env XDPFW_FAULT=mp-attached "$XDPFW" load "$VETH_P" --multiprog 2>/dev/null
check_eq "mp-attached: the CLI died by SIGKILL" "$?" 137
check_eq "mp-attached: xdpfw runs, unrecorded" "$(components):$(status_field mode)" \
	"10:xdpfilt_alw_all 20:xdpfw_xdp:detached"
check_fail "mp-attached: filtering (9999 blocked)" tcp 9999
check_ok "mp-attached: unload" in_p "$XDPFW" unload "$VETH_P"
check_eq "mp-attached: the unload took xdpfw out, xdp-filter stays" "$(components)" \
	"10:xdpfilt_alw_all"
check_eq "mp-attached: no pins left" "$(xdpfw_pins)" ""
check_eq "mp-attached: no egress filter left" "$(tc_filters)" 0
check_ok "mp-attached: tcp 9999 passes xdp-filter again" tcp 9999
in_p env XDPFW_FAULT=mp-attached "$XDPFW" load "$VETH_P" --multiprog 2>/dev/null
check_eq "mp-attached, again: the CLI died by SIGKILL" "$?" 137
err=$(stderr_of in_p "$XDPFW" load "$VETH_P" --multiprog)
check_eq "mp-attached: the next load clears what was left and loads" "$?:$err" \
	"0:$stale"
check_eq "mp-attached: exactly one xdpfw in the chain" "$(components)" \
	"10:xdpfilt_alw_all 20:xdpfw_xdp"
check_eq "mp-attached: status" "$(status_field mode)" multiprog
check_ok "unload" in_p "$XDPFW" unload "$VETH_P"

in_p env XDPFW_FAULT=link-pinned "$XDPFW" load "$VETH_P" --multiprog 2>/dev/null
check_eq "link-pinned: the CLI died by SIGKILL" "$?" 137
check_eq "link-pinned: loaded" "$(components):$(status_field mode)" \
	"10:xdpfilt_alw_all 20:xdpfw_xdp:multiprog"
check_fail "link-pinned: filtered (9999 blocked)" tcp 9999

echo "# unload leaves xdp-filter running"
check_ok "unload" in_p "$XDPFW" unload "$VETH_P"
check_eq "the chain: xdp-filter alone" "$(components)" "10:xdpfilt_alw_all"
check_eq "no pins left" "$(xdpfw_pins)" ""
check_eq "no egress filter left" "$(tc_filters)" 0
check_ok "tcp 9999: xdp-filter allows" tcp 9999
check_fail "tcp 25: xdp-filter still denies" tcp 25
check_ok "tcp 22" tcp 22

echo "# xdpfw first, then xdp-filter joins and leaves: xdpfw stays, as it was"
check_ok "xdp-filter unload" in_p xdp-filter unload "$VETH_P"
check_eq "no XDP program" "$(xdp_progs)" 0
check_ok "load --multiprog" in_p "$XDPFW" load "$VETH_P" --multiprog
check_eq "the chain: xdpfw alone" "$(components)" "20:xdpfw_xdp"
check_eq "dispatcher with frags (xdpfw takes them)" "$(dispatcher_frags)" 1
id=$(status_field prog_id)
check_ok "xdp-filter load" filter_load
check_eq "the chain: xdp-filter, then xdpfw" "$(components)" "10:xdpfilt_alw_all 20:xdpfw_xdp"
check_eq "status: the same component, in the new dispatcher" \
	"$(status_field mode):$(status_field prog_id)" "multiprog:$id"
check_eq "dispatcher without frags now" "$(dispatcher_frags)" 0
check_fail "tcp 25: denied by xdp-filter" tcp 25
check_fail "tcp 9999: denied by xdpfw" tcp 9999
check_ok "tcp 22" tcp 22
check_ok "xdp-filter unload" in_p xdp-filter unload "$VETH_P"
check_eq "the chain: xdpfw alone again" "$(components):$(status_field prog_id)" "20:xdpfw_xdp:$id"
check_eq "dispatcher with frags again" "$(dispatcher_frags)" 1
check_fail "tcp 9999 still denied" tcp 9999
check_ok "tcp 25 passes: xdpfw allows it" tcp 25
check_ok "unload" in_p "$XDPFW" unload "$VETH_P"
check_eq "no XDP program left" "$(xdp_progs)" 0
check_eq "no dispatcher state left" "$(ls -A "$BPFFS/xdp")" ""
check_eq "no pins left" "$(xdpfw_pins)" ""

summary
