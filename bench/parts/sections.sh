# bench/parts/sections.sh, sourced by bench/run: the parts capacity, queue and
# accounts.
#
# On 1 client (fsync off) over pools of 100, the cost of capacities and of
# the queue (sections 12 and 13):
#   routed_chat_no_capacities  routed chat, no capacity rows
#   routed_chat_capacities     the same, every agent with a chat capacity far
#                              above what the run reaches
#   close_empty_queue          close an open assigned chat of a queue channel
#                              (bench/close_queued.sql), nothing waiting
#   close_drains_one           the same, with chats waiting: each close
#                              assigns one (BENCH_CLOSES transactions each)
#   available_queue_100        an agent becomes available and takes one of
#   available_queue_10000      100 or 10,000 chats waiting over 100 queue
#                              channels, of which he is a target of 3
#                              (bench/available_drain.sql; pgbench -r times
#                              the set_availability statement)
# and, on 1 client (fsync off), pools inside larger accounts (issue 10): a
# pool of 10 in accounts of 10, 1,000 and 10,000 agents and a pool of 1,000
# in accounts of 1,000 and 10,000, the other agents seated, available,
# primary members of another team that is not a target
# (bench.make_account_pool):
#   routed_chat_account_N   routed chat, the pool inside an account of N
#   routed_email_account_N  the same, email
# each against the pool alone (routed_*_account_<pool>: "x pool alone";
# bench/out/account_cost.png plots their cost against the account's size);

if part capacity; then
	echo "== capacity: routed chat, 1 client over a pool of $concurrent_pool, fsync off"
	measure 1 "$concurrent_pool" routed_chat_no_capacities routed_chat_capacities
fi

if part queue; then
	echo "== queue: $closes closes of a queue channel's chats, 1 client over a pool of $concurrent_pool, fsync off"
	measure 1 "$concurrent_pool" close_empty_queue close_drains_one
	echo "== queue: an agent becomes available, 100 or 10,000 chats waiting over $concurrent_pool channels, 1 client, fsync off"
	measure 1 "$concurrent_pool" available_queue_100 available_queue_10000
fi

if part accounts; then
	echo "== accounts: routed chat and email, 1 client, a pool inside a larger account, fsync off"
	started=$(date +%s)
	for pool in $(for pair in $account_pools; do echo "${pair%:*}"; done | sort -nu); do
		variants=()
		for pair in $account_pools; do
			if [ "${pair%:*}" = "$pool" ]; then
				variants+=("routed_chat_account_${pair#*:}" "routed_email_account_${pair#*:}")
			fi
		done
		measure 1 "$pool" "${variants[@]}"
	done
	echo "   accounts took $(took "$started")"
fi
