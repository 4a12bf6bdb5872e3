# bench/parts/slice.sh, sourced by bench/run: one pgbench run of one variant.

# slice CLIENTS POOL VARIANT ROUND: one pgbench run of VARIANT on the pool's
# account from a clean state (bench.reset()); stores tps, transactions,
# failures, server CPU and, for routed chat on many clients, the section 5
# invariants right after the run (for the steady runs, that every close hit;
# for the long runs, the tps and server CPU of each minute).
slice() {
	local clients=$1 pool=$2 variant=$3 round=$4
	local script=$variant options="" fsync log rc=0 tps xacts failed before after ok=null
	local account=$pool length=(-T "$seconds") timed=() statement=null
	local spread=() progress=() minutes="" minute_ticks="" minute_cpu="" kind pgbench_pid
	local vacuums="" agent_vacuums floor_vacuums agent_after floor_after
	slice_variant
	fsync=$(psql -X -At -c "show fsync")
	psql_q -c "select bench.reset()" -c "call bench.prepare('$variant', $account, $closes)" >/dev/null
	psql_q -c "vacuum analyze routing.agent_loads, bench.floor_loads, bench.ref_loads" \
		-c "call bench.analyze_filled()" \
		-c "checkpoint" >/dev/null
	log="$out/pgbench-c$clients-p$pool-$variant-$round.log"
	if [ ${#progress[@]} -gt 0 ]; then
		vacuums=$(autovacuum_counts)
	fi
	settle
	before=$(children_ticks)
	if [ ${#spread[@]} -gt 0 ]; then
		spread=(-D account_base="${spread[0]}" -D accounts="${spread[1]}"
			-D channel_base="${spread[2]}" -D channels="${spread[3]}")
	fi
	PGOPTIONS="$options" pgbench -n -M prepared "${length[@]}" "${timed[@]}" "${progress[@]}" \
		-c "$clients" -j "$((clients < 2 ? clients : 2))" \
		-D account="$account" -D pool="$pool" -D chat=1 -D email=2 "${spread[@]}" \
		-f "bench/$script.sql" >"$log" 2>&1 &
	pgbench_pid=$!
	if [ ${#progress[@]} -gt 0 ]; then
		minute_ticks=$(backend_minute_ticks)
	fi
	wait "$pgbench_pid" || rc=$?
	settle
	after=$(children_ticks)
	tps=$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)/\1/p' "$log")
	xacts=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$log")
	failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$log")
	if [ ${#timed[@]} -gt 0 ]; then
		statement=$(awk '/set_availability\(1, .available./ { print $1; exit }' "$log")
		statement=${statement:-null}
	fi
	if [ ${#progress[@]} -gt 0 ]; then
		slice_minutes
	fi
	if [ "$rc" -ne 0 ] || [ -z "$tps" ]; then
		echo "pgbench failed ($variant, pool $pool, $clients clients), see $log:" >&2
		grep -i -m5 'error\|abort' "$log" >&2 || tail -5 "$log" >&2
		failed=$((${failed:-0} + 1))
	fi
	slice_record
}
