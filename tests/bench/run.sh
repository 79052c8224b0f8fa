#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make bench`: measure, plot, print. Never fails on speed; exits non-zero only
# when something could not be measured at all.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUTPUT=${OUTPUT:-build}
OUT=$OUTPUT/bench
mkdir -p "$OUT"

{
	echo "## xdpfw benchmark"
	echo
	echo "$(date -u +%Y-%m-%d), kernel $(uname -r), $(nproc) CPUs:" \
		"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
	echo
} >"$OUT/header.md"

"$OUTPUT/tests/bench" "$OUT"
OUTPUT=$OUTPUT bash tests/bench/e2e.sh >/dev/null

gnuplot <<GP
set terminal pngcairo size 900,420 font ",10" noenhanced
set output "$OUT/scale.png"
set multiplot layout 1,2
set grid
set key bottom right
set logscale x
set ylabel "ns per packet (BPF_PROG_TEST_RUN, min)"
set yrange [0:*]
set xlabel "allowed TCP ports"
set title "Allowed TCP SYN vs allowed ports"
plot "$OUT/ports.dat" using 1:2 with linespoints title "xdpfw", \
     "$OUT/ports.dat" using 1:3 with linespoints title "xdp-filter"
set xrange [500:2000000]
set xlabel "tracked flows"
set title "Established reply vs tracked flows"
plot "$OUT/flows.dat" using 1:2 with linespoints title "xdpfw", \
     "$OUT/flows.dat" using 1:3 with linespoints title "floor+lookup"
unset multiplot
GP

for f in header results e2e memory; do
	cat "$OUT/$f.md"
	echo
done >"$OUT/report.md"
cat "$OUT/report.md"
echo
echo "Written: $OUT/report.md, $OUT/raw.csv, $OUT/e2e.csv, $OUT/scale.png"
