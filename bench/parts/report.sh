# bench/parts/report.sh, sourced by bench/run: the table of the results and
# the files of bench/out, from bench.results, by bench/report/*.sql in one
# session (their functions and views build on each other; the views are
# temporary).
echo
echo "## Results"
echo
psql -X -q -At -v ON_ERROR_STOP=1 -v ticks="$clock_ticks" \
	-f bench/report/functions.sql -f bench/report/ratios.sql \
	-f bench/report/targets.sql -f bench/report/table.sql
