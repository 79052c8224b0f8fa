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
OUTPUT=$OUTPUT bash tests/bench/scale.sh >/dev/null
OUTPUT=$OUTPUT bash tests/bench/e2e.sh >/dev/null

# Every series inside its axes: y from 0 (ports) or log-scaled (flows, where hot and
# cold differ tenfold) to just above the largest value.
gnuplot <<GP
set terminal pngcairo size 1000,440 font ",10" noenhanced
set output "$OUT/scale.png"
set multiplot layout 1,2
set grid
set key top left
set logscale x
set ylabel "ns per packet above the empty program (min)"
set xlabel "allowed TCP ports"
set title "Allowed TCP SYN vs allowed ports (hot)"
set yrange [0:*]
set offsets 0, 0, graph 0.1, 0
plot "$OUT/ports.dat" using 1:2 with linespoints title "xdpfw", \\
     "$OUT/ports.dat" using 1:3 with linespoints title "xdp-filter"
set xrange [500:8000000]
set logscale y
set yrange [10:*]
set xlabel "tracked flows"
set title "Established reply vs tracked flows"
plot "$OUT/flows.dat" using 1:2 with linespoints title "xdpfw hot", \\
     "$OUT/flows.dat" using 1:3 with linespoints title "floor+lookup hot", \\
     "$OUT/flows.dat" using 1:4 with linespoints title "xdpfw cold", \\
     "$OUT/flows.dat" using 1:5 with linespoints title "floor+lookup cold"
unset multiplot
GP

for f in header results scale e2e memory; do
	cat "$OUT/$f.md"
	echo
done >"$OUT/report.md"
cat "$OUT/report.md"
echo
echo "Written: $OUT/report.md, $OUT/raw.csv, $OUT/e2e.csv, $OUT/scale.png"
