#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# End to end through the kernel: a live-frames generator (BPF_PROG_TEST_RUN
# redirecting 64-byte frames out of a veth) floods the receiving namespace,
# where each contender in turn judges them: no filter, bare XDP_DROP, xdpfw,
# xdp-filter, the reference iptables ruleset verbatim and its nftables
# translation, each of those with an early drop as a user would add one
# (iptables' raw PREROUTING, nftables' netdev ingress). The contenders
# alternate within every round.
#
# Reported per contender and traffic class (median over rounds, min-max):
#   Mpps      frames the sender pushed through per second (the whole path is
#             synchronous on one CPU, so this is the end-to-end rate);
#   CPU ns    busy CPU time of the machine per frame (/proc/stat), sender included:
#             noisy on this VM, so shown with its min-max over rounds;
#   XDP ns    the receiving XDP program's own time per frame (bpf_stats), which
#             repeats within a few ns run to run.
# Output: OUT/e2e.md, OUT/e2e.csv.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUTPUT=${OUTPUT:-build}
OUT=$OUTPUT/bench
ROUNDS=${E2E_ROUNDS:-3}
COUNT=${E2E_COUNT:-2000000}
XDPFW=$(realpath "$OUTPUT/xdpfw")
LIVEGEN=$(realpath "$OUTPUT/tests/livegen")
FLOOR=$(realpath "$OUTPUT/floor.bpf.o")

TAG=xbench$$
NS_G=$TAG-g
NS_R=$TAG-r
WORK=$(mktemp -d /tmp/xdpfw-bench.XXXXXX)
BPFFS=$WORK/bpffs
export XDPFW_STATE_DIR=$WORK/state
STATS_WAS=$(sysctl -n kernel.bpf_stats_enabled)

cleanup() {
	sysctl -qw kernel.bpf_stats_enabled="$STATS_WAS"
	ip netns list | grep -q "^$NS_G" && ip netns del "$NS_G"
	ip netns list | grep -q "^$NS_R" && ip netns del "$NS_R"
	mountpoint -q "$BPFFS" && umount "$BPFFS"
	rm -rf "$WORK"
}
trap cleanup EXIT

in_r() {
	ip netns exec "$NS_R" sh -c 'mount --bind "$0" /sys/fs/bpf && exec "$@"' "$BPFFS" "$@"
}

mkdir -p "$BPFFS" "$OUT"
mount -t bpf bpf "$BPFFS"
ip netns add "$NS_G"
ip netns add "$NS_R"
ip link add veg netns "$NS_G" type veth peer name ver netns "$NS_R"
ip -n "$NS_G" link set veg up
ip -n "$NS_R" link set ver up
ip -n "$NS_R" link set lo up
ip -n "$NS_R" addr add 198.18.0.1/24 dev ver
ip -n "$NS_G" addr add 198.18.0.2/24 dev veg
in_r bpftool prog loadall "$FLOOR" /sys/fs/bpf/floor
sysctl -qw kernel.bpf_stats_enabled=1

# Contenders: attach_NAME / detach_NAME in the receiving namespace.
xdp_attach() { in_r bpftool net attach xdpdrv pinned "/sys/fs/bpf/floor/$1" dev ver; }
xdp_detach() { ip -n "$NS_R" link set ver xdp off; }
attach_none() { xdp_attach pass_all; } # veth takes redirected frames only with XDP
detach_none() { xdp_detach; }
attach_drop() { xdp_attach floor_empty; }
detach_drop() { xdp_detach; }
attach_xdpfw() { in_r "$XDPFW" load ver --mode native; }
detach_xdpfw() { in_r "$XDPFW" unload ver; }
attach_xdpfilter() {
	in_r xdp-filter load -p deny -m native ver
	local p
	for p in 22 25 53 110 389 465 587 636 953 993 995 1023 3268 3269 5222 5269 5280 8080; do
		in_r xdp-filter port -p tcp "$p" >/dev/null
	done
	in_r xdp-filter port -p udp 53 >/dev/null
	in_r xdp-filter port -p udp 953 >/dev/null
}
detach_xdpfilter() { in_r xdp-filter unload ver >/dev/null; }
attach_iptables() {
	xdp_attach pass_all
	ip netns exec "$NS_R" iptables-restore <tests/bench/reference.iptables
}
detach_iptables() {
	ip netns exec "$NS_R" iptables -F
	ip netns exec "$NS_R" iptables -P INPUT ACCEPT
	ip netns exec "$NS_R" iptables -P FORWARD ACCEPT
	xdp_detach
}
attach_nftables() {
	xdp_attach pass_all
	ip netns exec "$NS_R" nft -f tests/bench/reference.nft
}
detach_nftables() {
	ip netns exec "$NS_R" nft delete table inet reference
	xdp_detach
}
attach_iptables_raw() {
	attach_iptables
	ip netns exec "$NS_R" iptables-restore --noflush <tests/bench/early.iptables
}
detach_iptables_raw() {
	ip netns exec "$NS_R" iptables -t raw -F
	detach_iptables
}
attach_nft_ingress() {
	attach_nftables
	ip netns exec "$NS_R" nft -f tests/bench/early.nft
}
detach_nft_ingress() {
	ip netns exec "$NS_R" nft delete table netdev early
	detach_nftables
}

busy_jiffies() { awk '/^cpu /{print $2 + $3 + $4 + $7 + $8}' /proc/stat; }
xdp_prog_id() { ip -n "$NS_R" -d link show ver | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p'; }
prog_ns() { # id -> "run_time_ns run_cnt"
	bpftool prog show id "$1" -j | jq -r '"\(.run_time_ns // 0) \(.run_cnt // 0)"'
}

# The kernel's own accounting of xdpfw's maps, as loaded with the built-in policy,
# and what one interface's maps come to at 2, 64 and 128 CPUs: the per-CPU maps'
# bytes a CPU (memlock over the CPU count) times the CPUs, plus the rest.
memory_report() {
	local ncpu maps
	ncpu=$(nproc)
	maps=$(bpftool prog show id "$1" -j | jq -r '.map_ids[]' | while read -r m; do
		bpftool map show id "$m" -j
	done | jq -s '.')
	{
		echo "### Map memory of one interface with the built-in policy ($ncpu CPUs, bpftool)"
		echo
		echo "| map | type | entries | memlock bytes | per CPU |"
		echo "| --- | --- | ---: | ---: | --- |"
		jq -r '.[] | "| \(.name) | \(.type) | \(.max_entries) | \(.bytes_memlock) | " +
			(if (.type | startswith("percpu")) then
				"\(.max_entries * ((.bytes_value + 7) / 8 | floor) * 8) bytes each"
			else "no" end) + " |"' <<<"$maps"
		echo
		echo "Total: $(jq 'map(.bytes_memlock) | add' <<<"$maps") bytes. The flow tables, their" \
			"gate and services (conntrack*, ct_*) are shared by every interface."
		echo
		echo "| CPUs | per-CPU maps of an interface | its other maps | an interface |"
		echo "| ---: | ---: | ---: | ---: |"
		# A per-CPU array holds entries x value (8-byte aligned) on each CPU, and a
		# pointer an entry once: bytes a CPU from the layout, the rest is fixed.
		for n in 2 64 128; do
			jq -r --argjson n "$ncpu" --argjson to "$n" '
				map(select(.name | test("^(conntrack|ct_)") | not)) |
				(map(select(.type | startswith("percpu"))) |
				 map(.max_entries * ((.bytes_value + 7) / 8 | floor) * 8) | add) as $pc |
				((map(.bytes_memlock) | add) - $pc * $n) as $fixed |
				"| \($to) | \($pc * $to / 1024 | floor) KiB (\($pc / 1024 * 10 | floor / 10) KiB a CPU) | \($fixed / 1024 | floor) KiB | \(($pc * $to + $fixed) / 1024 | floor) KiB |"' <<<"$maps"
		done
		echo
		for t in conntrack4 conntrack6; do
			echo "$t: $(bpftool map show name $t -j 2>/dev/null | jq -r 'if type == "array" then .[0] else . end |
				(.bytes_memlock / .max_entries | floor)') bytes per flow."
		done
		echo
	} >"$OUT/memory.md"
}

CONTENDERS="none drop xdpfw xdpfilter iptables iptables_raw nftables nft_ingress"
echo "contender,class,round,packets,seconds,cpu_ns_per_pkt,xdp_ns_per_pkt" >"$OUT/e2e.csv"
hz=$(getconf CLK_TCK)
for round in $(seq 1 "$ROUNDS"); do
	for c in $CONTENDERS; do
		"attach_$c"
		id=$(xdp_prog_id)
		[ "$c$round" = xdpfw1 ] && memory_report "$id"
		for class in blocked:9999 allowed:53; do
			read -r t0 n0 <<<"$(prog_ns "$id")"
			b0=$(busy_jiffies)
			read -r pkts secs <<<"$(ip netns exec "$NS_G" "$LIVEGEN" veg "$COUNT" udp "${class#*:}")"
			b1=$(busy_jiffies)
			read -r t1 n1 <<<"$(prog_ns "$id")"
			cpu=$(awk -v b="$((b1 - b0))" -v hz="$hz" -v n="$pkts" 'BEGIN{printf "%.1f", b / hz * 1e9 / n}')
			xdp=$(awk -v t="$((t1 - t0))" -v n="$((n1 - n0))" 'BEGIN{printf "%.1f", n ? t / n : 0}')
			echo "$c,${class%%:*},$round,$pkts,$secs,$cpu,$xdp" >>"$OUT/e2e.csv"
		done
		"detach_$c"
	done
done

# Median and spread per contender and class.
{
	echo "### End to end: $COUNT 64-byte UDP frames per run over veth, live-frames generator, $ROUNDS rounds"
	echo
	echo "| contender | class | Mpps (median, min-max) | vs drop | receiver CPU ns/frame (min-max) | XDP ns/frame |"
	echo "| --- | --- | ---: | ---: | ---: | ---: |"
	for c in $CONTENDERS; do
		for class in blocked allowed; do
			awk -F, -v c="$c" -v k="$class" '
				$1 == "drop" && $2 == k { dn++; dmpps[dn] = $4 / $5 / 1e6; dcpu[dn] = $6 }
				$1 == c && $2 == k { n++; mpps[n] = $4 / $5 / 1e6; cpu[n] = $6; xdp[n] = $7 }
				function med(a, n,   i, j, t) {
					for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
						if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
					return a[int((n + 1) / 2)]
				}
				END {
					lo = hi = mpps[1]
					for (i = 1; i <= n; i++) { if (mpps[i] < lo) lo = mpps[i]; if (mpps[i] > hi) hi = mpps[i] }
					m = med(mpps, n); d_cpu = med(dcpu, dn)
					clo = chi = cpu[1] - d_cpu
					for (i = 1; i <= n; i++) {
						if (cpu[i] - d_cpu < clo) clo = cpu[i] - d_cpu
						if (cpu[i] - d_cpu > chi) chi = cpu[i] - d_cpu
					}
					printf "| %s | %s | %.2f (%.2f-%.2f) | %.2f | %.0f (%.0f-%.0f) | %s |\n", c, k, m, lo, hi,
						m / med(dmpps, dn), med(cpu, n) - d_cpu, clo, chi,
						(c == "xdpfw" || c == "xdpfilter" || c == "drop") ? sprintf("%.1f", med(xdp, n)) : "-"
				}' "$OUT/e2e.csv"
		done
	done
	echo
	echo "\"vs drop\": Mpps over bare XDP_DROP's in the same class. \"receiver CPU\": the machine's"
	echo "CPU time per frame minus bare XDP_DROP's (the sender's and veth's share), median and the"
	echo "spread over rounds: it swings by tens of ns on this VM, so compare \"XDP ns/frame\" (bpf_stats"
	echo "of the receiving program, which adds ~20 ns of its own) between XDP contenders."
	echo "\"none\" and the netfilter contenders run an XDP_PASS program on the receiver: veth accepts"
	echo "redirected frames only with one. iptables is Debian's default (nf_tables backend);"
	echo "\"_raw\"/\"_ingress\": with the early drop of tests/bench/early.iptables / early.nft."
} >"$OUT/e2e.md"
cat "$OUT/e2e.md"
