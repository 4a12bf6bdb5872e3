# bench/parts/settings.sh, sourced by bench/run: the settings from the environment,
# the accounts each part measures in, and part NAME.
seconds=${BENCH_SECONDS:-4}
rounds=${BENCH_ROUNDS:-3}
memory_rows=${BENCH_MEMORY_ROWS:-1000000}
pools=${BENCH_POOLS:-"10 1000 10000"}
shared_buffers=${BENCH_SHARED_BUFFERS:-512MB}
concurrent_pool=100
concurrent_clients=8
closes=${BENCH_CLOSES:-10000}
long_seconds=${BENCH_LONG_SECONDS:-180}
only=${BENCH_ONLY:-pools,concurrent,memory,capacity,queue,accounts,tenants,teams,overlap,steady,long,fresh,clock,clients}
destdir=${BENCH_DESTDIR:-}
# The accounts of the capacity and queue pools (the others' account is their
# size); each is a pool of 100 agents.
capacity_account=900001
close_account=900002
drain_account=900003
# Issue 10: "POOL:ACCOUNT_SIZE" pairs, each its own account, numbered
# POOL * 1000000 + ACCOUNT_SIZE (account_pool_id).
account_pools="10:10 10:1000 10:10000 1000:1000 1000:10000"
account_pool_id() {
	echo $(($1 * 1000000 + $2))
}
# The other issue 10 shapes' accounts, all from 1,000,000 up, below the
# account_pool_id ones (bench.route_batches, the memory check's load, leaves
# them out): tenants are accounts tenant_first.. of tenant_agents agents each;
# the teams account holds teams x team_agents agents.
tenants=3000
tenant_agents=10
tenant_first=1000001
teams=100
team_agents=100
teams_account=2000001
team_alone_account=2000002
overlap_account=2000003
steady_account=2000004
steady_pool=10
long_account=2000005
long_pool=10
# part NAME: whether BENCH_ONLY asks for that part.
part() {
	[[ ",$only," == *",$1,"* ]]
}
for p in ${only//,/ }; do
	case $p in
	pools | concurrent | memory | capacity | queue | accounts | tenants | teams | overlap | steady | long | fresh | clock | clients) ;;
	*) echo "bench/run: unknown part in BENCH_ONLY: $p (pools, concurrent, memory, capacity, queue, accounts, tenants, teams, overlap, steady, long, fresh, clock, clients)" >&2
		exit 1 ;;
	esac
done

