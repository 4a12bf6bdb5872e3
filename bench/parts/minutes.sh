# bench/parts/minutes.sh, sourced by bench/run: the long runs' tps and server CPU
# of each minute.

# backend_minute_ticks: for a long run just started, the CPU ticks (user
# and system) its one backend has used at the end of each whole minute of
# the run but the last, read from /proc: what each minute cost the server,
# which the machine's other load moves less than its rate.  Nothing when the
# backend cannot be found.
backend_minute_ticks() {
	local pid="" start i wait ticks=()
	for i in $(seq 100); do
		pid=$(psql -X -At -c "select pid from pg_stat_activity
			where application_name = 'pgbench' and backend_type = 'client backend'")
		[ -n "$pid" ] && break
		sleep 0.05
	done
	[ -n "$pid" ] || return 0
	start=$(date +%s.%N)
	for ((i = 1; i * 60 < long_seconds; i++)); do
		wait=$(awk -v s="$start" -v i="$i" -v n="$(date +%s.%N)" \
			'BEGIN { d = s + 60 * i - n; print (d > 0 ? d : 0) }')
		sleep "$wait"
		[ -r "/proc/$pid/stat" ] || return 0
		ticks+=("$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$pid/stat")")
	done
	echo "${ticks[*]}"
}

# slice_minutes: for slice (bash's dynamic scope: it reads and sets slice's
# locals), after a long run: how many times autovacuum ran meanwhile, and
# each minute's tps and server CPU per transaction.
slice_minutes() {
	read -r agent_vacuums floor_vacuums <<<"$vacuums"
	read -r agent_after floor_after <<<"$(autovacuum_counts)"
	vacuums="autovacuums: agent_loads $((agent_after - agent_vacuums)), floor_loads $((floor_after - floor_vacuums))"
	# Each "progress: T s, R tps, ..." line is the rate of the minute
	# ending at T.  pgbench may end before it prints the last one: that
	# minute is then what the total leaves over the time left.
	minutes=$(awk -v total="${xacts:-0}" -v secs="$long_seconds" '
		/^progress: / { t = $2 + 0; rate[++n] = $4 + 0; done += $4 * (t - last); last = t }
		END {
			if (secs - last >= 1) rate[++n] = (total - done) / (secs - last)
			for (i = 1; i <= n; i++) printf "%s%.1f", (i > 1 ? "," : ""), rate[i]
		}' "$log")
	# The server CPU per transaction of each minute: the backend's ticks
	# between the samples; the last minute's is what the run's total
	# leaves.
	if [ -n "$minute_ticks" ]; then
		minute_cpu=$(awk -v rates="$minutes" -v ticks="$minute_ticks" \
			-v total=$((after - before)) -v secs="$long_seconds" -v h="$clock_ticks" '
			BEGIN {
				n = split(rates, rate, ","); m = split(ticks, tick, " ")
				if (m != n - 1) exit
				tick[n] = total
				for (i = 1; i <= n; i++) {
					len = i < n ? 60 : secs - 60 * (n - 1)
					cpu = (tick[i] - (i > 1 ? tick[i - 1] : 0)) * 1e6 / h
					printf "%s%.1f", (i > 1 ? "," : ""), (rate[i] > 0 ? cpu / (rate[i] * len) : 0)
				}
			}')
	fi
}
