# bench/parts/steady_long.sh, sourced by bench/run: the parts steady,
# long, fresh (bench/fresh_start) and clock (bench/clock), 1 client, fsync
# off, and clients (bench/clients, its own cluster, fsync on):
#   steady_floor_close         steady: bench/floor.sql's work, then the close
#                              of the chat inserted 100 transactions before,
#                              with its counter, one transaction
#                              (bench/steady_floor_close.sql), pool of 10
#   steady_routed_chat         a routed chat in and the one routed 100
#                              transactions before closed, one transaction
#                              (bench/steady_routed_chat.sql; "x floor plus
#                              close"); both checked afterwards: every close
#                              hit (bench.check_steady)
#   long_floor                 long: one run of BENCH_LONG_SECONDS of the
#                              floor on a pool of 10, insert only, no vacuum
#                              but autovacuum's; pgbench -P 60 gives each
#                              minute's tps, the backend's /proc stat its CPU
#                              per transaction; prints how many times
#                              autovacuum vacuumed the counters meanwhile
#   long_routed_chat           the same, routed chat ("mean x floor" and "last
#                              minute x first")

if part steady; then
	echo "== steady: a chat in and one closed per transaction, 1 client, pool of $steady_pool, fsync off"
	started=$(date +%s)
	measure 1 "$steady_pool" steady_floor_close steady_routed_chat
	echo "   steady took $(took "$started")"
fi

if part long; then
	echo "== long: one run of $long_seconds s each, floor and routed chat, 1 client, pool of $long_pool, fsync off"
	started=$(date +%s)
	slice 1 "$long_pool" long_floor 1
	slice 1 "$long_pool" long_routed_chat 1
	echo "   long took $(took "$started")"
fi

# 90 s after VACUUM ANALYZE of a new account, in its own database (issue 21)
if part fresh; then bench/fresh_start; fi

# section 16's rows: offers, ticks and lapses, in a database of its own
if part clock; then bench/clock; fi

# issue 25's rows: 1, 8 and 32 clients with announcements by the clock
# worker, by the transactions, and off, in a cluster of its own (routing
# preloaded)
# (an if: a sourced file's last status is the source's, and set -e stops)
if part clients; then bench/clients; fi
