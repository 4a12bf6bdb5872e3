# bench/parts/probes.sh, sourced by bench/run: psql, fsync and what a run costs
# the server.

psql_q() {
	psql -X -q -v ON_ERROR_STOP=1 "$@"
}

set_fsync() {
	psql_q -c "alter system set fsync = $1" -c "select pg_reload_conf()" >/dev/null
	sleep 1
}

# The CPU time (clock ticks) of the postmaster's ended children: a backend's
# user and system time land there when it exits.
postmaster_pid=$(head -1 "$(psql -X -At -c 'show data_directory')/postmaster.pid")
children_ticks() {
	awk '{ sub(/^.*\) /, ""); print $14 + $15 }' "/proc/$postmaster_pid/stat"
}
clock_ticks=$(getconf CLK_TCK)
# settle: waits until every other client backend has ended and been reaped.
settle() {
	local i
	for i in $(seq 100); do
		[ "$(psql -X -At -c "select count(*) from pg_stat_activity
			where backend_type = 'client backend' and pid <> pg_backend_pid()")" = 0 ] && break
		sleep 0.05
	done
	sleep 0.1
}

# autovacuum_counts: how many times autovacuum has vacuumed routing's and
# the floor's counter tables so far; the long runs report how many times it
# did during each run (at the default autovacuum_naptime of a minute, the
# first minute runs without).
autovacuum_counts() {
	psql -X -At -F ' ' -c "select (select autovacuum_count from pg_stat_user_tables
			where relid = 'routing.agent_loads'::regclass),
		(select autovacuum_count from pg_stat_user_tables
			where relid = 'bench.floor_loads'::regclass)"
}
