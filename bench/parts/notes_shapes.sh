# bench/parts/notes_shapes.sh, sourced by bench/run: after the table, what the rows of
# the tenants, teams, overlap, steady and long parts measured, and the
# settings.

if part tenants; then
echo "Issue 10, tenants (1 client, fsync off): $tenants accounts of $tenant_agents agents," \
	"each like bench.make_pool (bench.make_tenants); routed chat and email with each" \
	"insert into one of them at random (routed_*_tenants_$tenants) against every insert" \
	"into one of them (routed_*_one_tenant), the same script (bench/routed_spread.sql);" \
	"target >= 0.9. bare_*: the INSERT alone, into a copy of the table without the" \
	"routing triggers (bench/bare_spread.sql), spread and not."
fi
if part teams; then
echo "Issue 10, teams (1 client, fsync off): one account of $teams teams of $team_agents" \
	"agents, team t the only target of chat channel t and email channel $teams+t" \
	"(bench.make_teams), each insert into one of the $teams channels at random" \
	"(routed_*_teams_$teams), against an account of one team of $team_agents" \
	"(routed_*_team_alone); target >= 0.8."
fi
if part overlap; then
echo "Issue 10, overlap (1 client, fsync off): teams 1-3 of $team_agents agents; a chat" \
	"channel to teams 1 and 2, a bot channel to 2 and 3, a messenger channel to 1-3" \
	"(bench.make_overlap), each insert into one of the three at random (routed_overlap)," \
	"against routed chat on one pool of $team_agents alone; no target (the pool column" \
	"is the team size)."
fi
if part steady; then
echo "Issue 10, steady (1 client, fsync off, pool of $steady_pool): each transaction" \
	"inserts a chat and closes the one inserted 100 transactions before (100 open" \
	"before the run): routed (bench/steady_routed_chat.sql) against the floor's" \
	"statement plus a close that takes one off its agent's counter" \
	"(bench/steady_floor_close.sql); target >= 0.8; after each run 100 chats are" \
	"open and counted (bench.check_steady)."
fi
if part long; then
echo "Issue 10, long (1 client, fsync off, pool of $long_pool): one run of" \
	"$long_seconds s each of the floor and of routed chat, insert only, from empty" \
	"tables, no vacuum but autovacuum's at its defaults; tps per minute from pgbench" \
	"-P 60, server CPU per transaction per minute from the backend's /proc stat." \
	"Targets: routed chat's mean >= 0.7 x the floor's, its last minute >= 0.8 x its" \
	"first."
fi
echo "Settings: PostgreSQL 15, shared_buffers=$shared_buffers, synchronous_commit=on," \
	"fsync off (1 client) / on ($concurrent_clients clients, pgbench -j 2), max_wal_size=8GB," \
	"checkpoint_timeout=30min, autovacuum at PostgreSQL's defaults, routing.notify on (except" \
	"routed_chat_notify_off); pgbench -n -M prepared, $rounds runs of -T $seconds per" \
	"measurement (median tps), each from empty conversations tables (not analyzed" \
	"empty) and zero counters" \
	"(bench.reset(); the long runs: one run of -T $long_seconds each); each pool: one" \
	"account, a restricted inbox, one team of primary members that is both the inbox's" \
	"access and the rules' target, every agent seated and available; machine: $(nproc) cores."

