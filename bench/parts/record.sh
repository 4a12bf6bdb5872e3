# bench/parts/record.sh, sourced by bench/run: the checks after a run, and its
# sample.

# slice_record: for slice (bash's dynamic scope: it reads slice's locals),
# after the run: the section 5 invariants after a many-client routed run,
# every close hit after a steady run; then stores the sample and prints it.
slice_record() {
	if [ "$clients" -gt 1 ]; then
		case $variant in
		routed_chat*) ok=$(psql -X -At -c "select (wrong_counters = 0 and spread <= 1
			and unassigned = 0)::text from bench.check_invariants($pool)") ;;
		reference_chat) ok=$(psql -X -At -c "select (wrong_counters = 0 and spread <= 1
			and unassigned = 0)::text from bench.check_reference_invariants($pool)") ;;
		esac
	fi
	case $variant in
	steady_routed_chat) ok=$(psql -X -At -c "select bench.check_steady($account, true)::text") ;;
	steady_floor_close) ok=$(psql -X -At -c "select bench.check_steady($account, false)::text") ;;
	esac
	psql_q -c "insert into bench.samples values ($clients, '$fsync', $pool, '$variant', $round,
		${tps:-0}, ${xacts:-0}, ${failed:-0}, $((after - before)), $ok, $statement,
		$([ -z "$minutes" ] && echo null || echo "'{$minutes}'"),
		$([ -z "$minute_cpu" ] && echo null || echo "'{$minute_cpu}'"))"
	printf '  %-26s pool %6s  %2s client(s)  fsync %-3s  round %s  %9.1f tps  %7.1f CPU µs/tx%s%s%s\n' \
		"$variant" "$pool" "$clients" "$fsync" "$round" "${tps:-0}" \
		"$(awk -v t=$((after - before)) -v x="${xacts:-0}" -v h="$clock_ticks" \
			'BEGIN { print (x > 0 ? t * 1e6 / h / x : 0) }')" \
		"$([ "$statement" = null ] || awk -v s="$statement" \
			'BEGIN { printf "  set_availability %.1f µs", s * 1000 }')" \
		"${minutes:+  per minute: ${minutes//,/ } tps${minute_cpu:+, ${minute_cpu//,/ } CPU µs/tx}}" \
		"$([ "$ok" = null ] || echo "  checks: $ok")${vacuums:+  $vacuums}"
}
