# test/citus/cluster.sh: sourced by test/citus/run and bench/citus; a
# throwaway Citus cluster on loopback: a coordinator and $CITUS_WORKERS workers
# (default two) of the PostgreSQL of $PG_CONFIG, on ports $CITUS_PORT (default
# 5436) and the ones after it, run by the postgres OS user (initdb refuses
# root), with routing distributed; or, with server_start instead of
# cluster_start, one server without Citus on $CITUS_PORT.  The caller sets a
# trap that calls cluster_stop.

PG_CONFIG=${PG_CONFIG:-pg_config}
bindir=$("$PG_CONFIG" --bindir)
PATH=$bindir:$PATH
export PATH
coordinator_port=${CITUS_PORT:-5436}
citus_workers=${CITUS_WORKERS:-2}
worker_ports=
i=1
while [ "$i" -le "$citus_workers" ]; do
	worker_ports="$worker_ports${worker_ports:+ }$((coordinator_port + i))"
	i=$((i + 1))
done
cluster_dir=
started_nodes=

# need_citus: Citus 13.2.2 installed for $PG_CONFIG, built from $CITUS_SRC
# (a source tarball) when it is not; without either, says how to get it and
# fails.
need_citus()
{
	citus_so=$("$PG_CONFIG" --pkglibdir)/citus.so
	if [ -f "$citus_so" ] && grep -qa "Citus 13.2.2 on " "$citus_so"; then
		return 0
	fi
	if [ -z "${CITUS_SRC:-}" ]; then
		echo "Citus 13.2.2 is not installed for $("$PG_CONFIG" --version) ($citus_so)." >&2
		echo "Set CITUS_SRC to its source tarball, and it is built and installed first:" >&2
		echo "  make test-citus CITUS_SRC=../shared/citus/citus-13.2.2.tar.gz" >&2
		echo "(the tarball is git archive of tag v13.2.2 of https://github.com/citusdata/citus;" >&2
		echo "or install Citus 13.2 for PostgreSQL 15 from Citus's own packages)." >&2
		return 1
	fi
	./test/citus/build-citus "$CITUS_SRC"
}

# as_postgres COMMAND...: runs a command as the postgres OS user when root.
as_postgres()
{
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# node_psql PORT ARGS...: psql as the postgres superuser on one node.
node_psql()
{
	port=$1
	shift
	psql -X -q -v ON_ERROR_STOP=1 -h "$cluster_dir" -p "$port" -U postgres -d postgres "$@"
}

# node_start PORT [PRELOAD]: initdb and start one node of the cluster in
# $cluster_dir (made by cluster_start), with PRELOAD (default citus) in
# shared_preload_libraries; cluster_stop stops it.
node_start()
{
	port=$1
	preload=${2-citus}
	as_postgres initdb -D "$cluster_dir/$port" -U postgres -A trust --no-sync \
		>"$cluster_dir/initdb-$port.log" 2>&1 ||
		{ cat "$cluster_dir/initdb-$port.log"; return 1; }
	cat >>"$cluster_dir/$port/postgresql.conf" <<-CONF
		port = $port
		listen_addresses = '127.0.0.1'
		unix_socket_directories = '$cluster_dir'
		shared_preload_libraries = '$preload'
		wal_level = logical
		max_prepared_transactions = 100
		max_connections = 100
		shared_buffers = 64MB
		fsync = off
		log_min_messages = warning
		# the tests compare pg_dist_transaction before and after: no recovery in between
		citus.recover_2pc_interval = -1
	CONF
	as_postgres pg_ctl -D "$cluster_dir/$port" -l "$cluster_dir/$port.log" -w start \
		>/dev/null || { tail -20 "$cluster_dir/$port.log"; return 1; }
	started_nodes="$started_nodes $port"
}

# node_crash PORT: stops one node at once, as a crash would (pg_ctl -m
# immediate: no checkpoint, recovery from the WAL at the next start).
node_crash()
{
	as_postgres pg_ctl -D "$cluster_dir/$1" -m immediate -w stop >/dev/null
}

# node_restart PORT: starts again a node that node_start made and that
# was stopped; returns once it accepts connections (after its recovery).
node_restart()
{
	as_postgres pg_ctl -D "$cluster_dir/$1" -l "$cluster_dir/$1.log" -w start \
		>/dev/null || { tail -20 "$cluster_dir/$1.log"; return 1; }
}

# cluster_start [VERSION]: initdb and start all three nodes, then, with every
# node up, CREATE EXTENSION citus and routing (at VERSION if given) on each,
# register the workers on the coordinator and run routing.distribute() there.
cluster_start()
{
	create_routing="create extension routing${1:+ version '$1'}"
	cluster_dir=$(mktemp -d /tmp/routing-citus.XXXXXX)
	chmod 755 "$cluster_dir"
	[ "$(id -u)" -ne 0 ] || chown postgres "$cluster_dir"
	for port in $coordinator_port $worker_ports; do
		node_start "$port" || return 1
	done
	for port in $coordinator_port $worker_ports; do
		node_psql "$port" -c 'create extension citus' -c "$create_routing" || return 1
	done
	node_psql "$coordinator_port" -o /dev/null \
		-c "select pg_catalog.citus_set_coordinator_host('127.0.0.1', $coordinator_port)" ||
		return 1
	for port in $worker_ports; do
		node_psql "$coordinator_port" -o /dev/null \
			-c "select pg_catalog.citus_add_node('127.0.0.1', $port)" || return 1
	done
	node_psql "$coordinator_port" -o /dev/null -c 'select routing.distribute()'
}

# server_start: one server without Citus on $coordinator_port, in a new
# $cluster_dir, configured as the cluster's nodes are, with routing created
# and routing.notify off as routing.distribute() sets it on a cluster.
server_start()
{
	cluster_dir=$(mktemp -d /tmp/routing-citus.XXXXXX)
	chmod 755 "$cluster_dir"
	[ "$(id -u)" -ne 0 ] || chown postgres "$cluster_dir"
	node_start "$coordinator_port" '' || return 1
	node_psql "$coordinator_port" -c 'create extension routing' \
		-c 'alter database postgres set routing.notify = off'
}

# cluster_logs: the end of every node's server log (after a failure).
cluster_logs()
{
	for port in $started_nodes; do
		echo "--- end of the server log of the node on port $port"
		grep -v -e '^\s*$' -e ' LOG: ' -e 'CONTEXT:  Citus maintenance' "$cluster_dir/$port.log" | tail -15
	done
}

# cluster_stop: stops every node this shell started and removes the cluster.
cluster_stop()
{
	for port in $started_nodes; do
		as_postgres pg_ctl -D "$cluster_dir/$port" -m immediate -w stop >/dev/null 2>&1
	done
	started_nodes=
	[ -z "$cluster_dir" ] || rm -rf "$cluster_dir"
	cluster_dir=
}
