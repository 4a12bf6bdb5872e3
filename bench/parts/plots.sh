# bench/parts/plots.sh, sourced by bench/run: bench/out/routed_cost.png (part
# pools) and bench/out/account_cost.png (part accounts).

if part pools; then
gnuplot <<PLOT
set terminal pngcairo size 1200,600 font ",10"
set output "$out/routed_cost.png"
set datafile missing "?"
set multiplot layout 1,2 title "routing: cost of one INSERT against pool size (1 client, fsync off, median of $rounds x -T $seconds)"
set logscale x
set xlabel "agents in the pool"
set ylabel "µs per insert (1e6 / tps)"
set key below maxrows 4
set yrange [0:*]
set xtics ("10" 10, "100" 100, "1,000" 1000, "10,000" 10000)
set title "routed vs the limits"
plot "$out/routed_cost.dat" using 1:4 with linespoints lw 2 title "routed chat (least busy)", \
     "" using 1:5 with linespoints lw 2 title "routed email (random)", \
     "" using 1:3 with linespoints dt 2 title "floor", \
     "" using 1:2 with linespoints dt 3 title "bare INSERT", \
     "" using 1:8 with lines dt 4 lc 1 title "routed chat, server CPU µs", \
     "" using 1:9 with lines dt 4 lc 2 title "routed email, server CPU µs", \
     "" using 1:10 with lines dt 4 lc 3 title "floor, server CPU µs"
set title "routed vs the PL/pgSQL reference (log y)"
set logscale y
set yrange [*:*]
plot "$out/routed_cost.dat" using 1:4 with linespoints lw 2 title "routed chat", \
     "" using 1:5 with linespoints lw 2 title "routed email", \
     "" using 1:6 with linespoints dt 2 title "reference chat", \
     "" using 1:7 with linespoints dt 2 title "reference email", \
     "" using 1:3 with linespoints dt 3 title "floor"
unset multiplot
PLOT
fi
if part accounts; then
gnuplot <<PLOT
set terminal pngcairo size 1200,600 font ",10"
set output "$out/account_cost.png"
set datafile missing "?"
set multiplot layout 1,2 title "routing: cost of one INSERT into a pool against the size of its account (1 client, fsync off, median of $rounds x -T $seconds)"
set logscale x
set xlabel "agents in the account"
set key below maxrows 2
set yrange [0:*]
set xrange [5:20000]
set xtics ("10" 10, "100" 100, "1,000" 1000, "10,000" 10000)
set title "µs per insert (1e6 / tps)"
set ylabel "µs per insert"
plot "$out/account_cost.dat" using 1:2 with linespoints lw 2 title "pool of 10, routed chat", \
     "" using 1:3 with linespoints lw 2 title "pool of 10, routed email", \
     "" using 1:4 with linespoints lw 2 dt 2 title "pool of 1,000, routed chat", \
     "" using 1:5 with linespoints lw 2 dt 2 title "pool of 1,000, routed email"
set title "server CPU µs per insert"
set ylabel "server CPU µs per insert"
plot "$out/account_cost.dat" using 1:6 with linespoints lw 2 title "pool of 10, routed chat", \
     "" using 1:7 with linespoints lw 2 title "pool of 10, routed email", \
     "" using 1:8 with linespoints lw 2 dt 2 title "pool of 1,000, routed chat", \
     "" using 1:9 with linespoints lw 2 dt 2 title "pool of 1,000, routed email"
unset multiplot
PLOT
fi
echo "Wrote $out/results.csv and $out/samples.csv$(part pools && echo ", $out/routed_cost.png")$(part accounts && echo ", $out/account_cost.png")."
