# bench/parts/setup.sh, sourced by bench/run: the extension, the bench schema and
# the accounts of the parts asked for.

echo "== setup: $(psql -X -At -c 'select version()')"
psql_q -c "create extension routing"
psql_q -f bench/setup.sql
make_pools=""
if part pools || part memory; then make_pools=$pools; fi
if part concurrent || part capacity || { part memory && [ -z "$make_pools" ]; }; then
	make_pools="$make_pools $concurrent_pool"
fi
for pool in $make_pools; do
	psql_q -c "select bench.make_pool($pool, $pool)" >/dev/null
done
if part capacity; then
	psql_q -c "select bench.make_capacity_pool($capacity_account, $concurrent_pool, 1000000)" >/dev/null
fi
if part queue; then
	psql_q -c "select bench.make_close_pool($close_account, $concurrent_pool,
		($closes + $concurrent_pool - 1) / $concurrent_pool)" \
		-c "select bench.make_drain_pool($drain_account, $concurrent_pool)" >/dev/null
fi
if part accounts; then
	for pair in $account_pools; do
		psql_q -c "select bench.make_account_pool($(account_pool_id "${pair%:*}" "${pair#*:}"),
			${pair%:*}, ${pair#*:})" >/dev/null
	done
fi
if part tenants; then
	started=$(date +%s.%N)
	psql_q -c "select bench.make_tenants($tenant_first, $tenants, $tenant_agents)" >/dev/null
	echo "   tenants: $tenants accounts of $tenant_agents agents built in" \
		"$(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }') s"
fi
if part teams || part overlap; then
	psql_q -c "select bench.make_pool($team_alone_account, $team_agents)" >/dev/null
fi
if part teams; then
	started=$(date +%s.%N)
	psql_q -c "select bench.make_teams($teams_account, $teams, $team_agents)" >/dev/null
	echo "   teams: $teams teams of $team_agents agents built in" \
		"$(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }') s"
fi
if part overlap; then
	psql_q -c "select bench.make_overlap($overlap_account, $team_agents)" >/dev/null
fi
if part steady; then
	psql_q -c "select bench.make_pool($steady_account, $steady_pool)" >/dev/null
fi
if part long; then
	psql_q -c "select bench.make_pool($long_account, $long_pool)" >/dev/null
fi
psql_q -c "vacuum analyze" >/dev/null
