# bench/parts/cluster.sh, sourced by bench/run: outside the cluster, checks that
# routing is installed and runs bench/run again inside a throwaway one.
if [ -z "${BENCH_IN_CLUSTER:-}" ]; then
	# With BENCH_DESTDIR, the server looks for routing's control file,
	# scripts and library under that prefix first (Debian's
	# extension_destdir), so a build staged with make install DESTDIR=...
	# is measured without installing it into the system.
	destdir_options=()
	if [ -n "$destdir" ]; then
		# absolute: the server resolves it from its own data directory
		destdir=$(cd "$destdir" 2>/dev/null && pwd) || {
			echo "bench/run: BENCH_DESTDIR=$BENCH_DESTDIR is not a directory; run make install DESTDIR=..." >&2
			exit 1
		}
		destdir_options=(-o "extension_destdir=$destdir")
	fi
	if [ ! -f "$destdir$(pg_config --pkglibdir)/routing.so" ]; then
		if [ -n "$destdir" ]; then
			echo "bench/run: no routing.so under BENCH_DESTDIR=$destdir; run make install DESTDIR=$destdir" >&2
		else
			echo "bench/run: routing is not installed; run make install (or make bench)" >&2
		fi
		exit 1
	fi
	mkdir -p "$out"
	rm -f "$out"/pgbench-*.log
	export BENCH_IN_CLUSTER=1
	# fsync starts off (the 1-client rows); the 8-client rows turn it on.
	# Autovacuum stays at PostgreSQL's defaults: routing must not depend on
	# vacuum timing, and the long runs check that over minutes.
	exec pg_virtualenv -t \
		-o "shared_buffers=$shared_buffers" \
		-o "fsync=off" \
		-o "synchronous_commit=on" \
		-o "max_wal_size=8GB" \
		-o "checkpoint_timeout=30min" \
		-o "max_connections=50" \
		-o "log_checkpoints=off" \
		"${destdir_options[@]}" \
		"$0" "$@"
fi
