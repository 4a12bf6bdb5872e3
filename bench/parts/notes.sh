# bench/parts/notes.sh, sourced by bench/run: after the table, what the rows of
# the memory, concurrent, capacity, queue and accounts parts measured.

echo
if part memory; then
growth=$((memory_last - memory_first))
if [ "$growth" -le 65536 ]; then verdict=met; else verdict="**NOT met** (grew)"; fi
echo "Memory (issue 4 item 3): one backend's sum(total_bytes) of pg_backend_memory_contexts" \
	"after routing 1,000 conversations: $memory_first bytes; after $memory_routed:" \
	"$memory_last bytes (growth $growth bytes, allowed 64 kB): $verdict."
sed 's/^/  - /' <<<"$memory_notes"
echo
fi
if part concurrent; then
echo "Section 5: checked after every $concurrent_clients-client routed run: every counter" \
	"equals the true count of open assigned chats, the pool's open chat counts differ by" \
	"at most one, nothing left unassigned, no failed transaction."
fi
if part capacity || part queue; then
echo "Sections 12 and 13 (1 client, fsync off, pools of $concurrent_pool): routed chat with" \
	"every agent's chat capacity at 1,000,000 against the same pool without capacities;" \
	"pgbench -t $closes closes of an open assigned chat of a queue channel, every agent" \
	"at capacity, with $closes chats waiting (each close assigns one) and with none; an" \
	"agent (chat capacity 1, target of 3 of 100 queue channels) set available, which" \
	"assigns him one waiting chat, then away, his chat closed and a new chat queued, with" \
	"100 and 10,000 chats waiting: the set_availability(available) latency (pgbench -r)."
fi
if part accounts; then
echo "Issue 10 (1 client, fsync off): routed chat and email over a pool (one team of" \
	"primary members, the inbox's access and the rules' target) inside an account of N" \
	"agents (routed_*_account_N), the others seated, available, primary members of" \
	"another team without access, not a target; x pool alone: against the same pool" \
	"as the whole account. Targets: the pools of 10 and 1,000 inside 10,000 agents at" \
	">= 0.8 x the pool alone, chat and email."
fi
