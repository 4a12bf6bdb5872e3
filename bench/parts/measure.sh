# bench/parts/measure.sh, sourced by bench/run: measure, and the parts pools and
# concurrent.
#
# The variants, side by side in one run:
#   bare             INSERT into a copy of routing.conversations, no triggers
#   floor            that INSERT + one UPDATE of one agent's counter row by
#                    primary key + one log INSERT, one transaction
#   routed_chat      INSERT into routing.conversations, chat (least busy)
#   routed_email     the same, email (random)
#   reference_chat   INSERT routed by bench/reference.sql (PL/pgSQL), chat
#   reference_email  the same, email
# at pools of 10, 1,000 and 10,000 agents on 1 client (fsync off), and bare,
# floor, routed_chat, reference_chat on 8 clients over a pool of 100 (fsync
# on; also routed chat with routing.notify off), checking the section 5
# invariants after each many-client routed run.

# measure CLIENTS POOL VARIANT...: ROUNDS rounds over the variants, in an
# order that rotates each round, so that a slow spell of a noisy machine
# does not always hit the same variant.
measure() {
	local clients=$1 pool=$2
	shift 2
	local variants=("$@") n=$# round i
	for ((round = 1; round <= rounds; round++)); do
		for ((i = 0; i < n; i++)); do
			slice "$clients" "$pool" "${variants[$(((i + round - 1) % n))]}" "$round"
		done
	done
}

# took SINCE: the seconds since SINCE (date +%s), for the parts' wall times,
# and the machine's load average then: on a shared machine, a part measured
# beside other work reads differently.
took() {
	echo "$(($(date +%s) - $1)) s (load average $(cut -d' ' -f1-3 /proc/loadavg))"
}

set_fsync off
if part pools; then
	echo "== 1 client, fsync off"
	for pool in $pools; do
		measure 1 "$pool" bare floor routed_chat routed_email reference_chat reference_email
	done
fi

if part concurrent; then
	echo "== $concurrent_clients clients over one pool of $concurrent_pool, fsync on"
	set_fsync on
	measure "$concurrent_clients" "$concurrent_pool" bare floor routed_chat reference_chat \
		routed_chat_notify_off
	set_fsync off
fi
