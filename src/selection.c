/*
 * selection.c
 *		The routing decision of BEHAVIOUR.md section 4: least busy for chat,
 *		bot and Messenger, uniform random for email and form, contact owner
 *		with its default agent.  Each method reads candidates under a snapshot
 *		and makes its pick stick with routing_claim(); see the README's
 *		locking design for why that is race-free.
 */
#include "postgres.h"
#include "fmgr.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "common/pg_prng.h"
#include "executor/tuptable.h"
#include "storage/procarray.h"
#include "utils/snapmgr.h"

#include "routing.h"

/* Random agent ids probed before falling back to a full search. */
#define RANDOM_PROBES 8

static RoutingPlan agent_id_range_plan = {
	.sql =
	"select pg_catalog.min(l.agent_id), pg_catalog.max(l.agent_id)"
	" from routing.agent_loads l where l.account_id" EQ "$1",
	.nargs = 1,
	.argtypes = {INT8OID}
};

static RoutingPlan random_probe_plan = {
	.sql =
	"select l.version, l.checks_version from routing.agent_loads l"
	" where l.account_id" EQ "$1 and l.agent_id" EQ "$2",
	.nargs = 2,
	.argtypes = {INT8OID, INT8OID}
};

static RoutingPlan random_all_plan = {
	.sql =
	"select l.agent_id, l.version from routing.agent_loads l"
	" where l.account_id" EQ "$1 and " SQL_ELIGIBLE
	" order by l.agent_id",
	.nargs = 6,
	.argtypes = {ELIGIBILITY_ARGTYPES}
};

static RoutingPlan contact_plan = {
	.sql =
	"select c.owner_agent_id, c.tracked from routing.contacts c"
	" where c.account_id" EQ "$1 and c.contact_id" EQ "$2",
	.nargs = 2,
	.argtypes = {INT8OID, INT8OID}
};

static RoutingPlan owner_offline_plan = {
	.sql =
	"insert into routing.events (account_id, kind, conversation_id, agent_id, at)"
	" values ($1, 'owner_offline', $2, $3, $4)",
	.nargs = 4,
	.argtypes = {INT8OID, INT8OID, INT8OID, TIMESTAMPTZOID}
};

/*
 * assign_to records a successful claim in the decision.
 */
static void
assign_to(RoutingDecision *decision, int64 agent_id, bool counted)
{
	decision->assigned = true;
	decision->agent_id = agent_id;
	decision->counted = counted;
}

/* A least-busy candidate as the scan read it. */
typedef struct LoadCandidate
{
	int64		agent_id;
	int64		open_chats;
	int64		version;
	bool		held;			/* by another transaction, when read */
} LoadCandidate;

/*
 * The least-busy scan: the account's agent_loads rows in the order of index
 * agent_loads_least_busy (fewest open chats, least recent chat, smallest
 * id), read directly from the index under the decision's snapshot.  A
 * decision reads only as far as the first eligible agents, whatever the
 * account's size; reading the index directly leaves no plan to choose a
 * sort instead, and costs no executor start-up.
 */
typedef struct CandidateScan
{
	RoutingIndexScan rows;
	AttrNumber	agent_id_column;
	AttrNumber	open_chats_column;
	AttrNumber	version_column;
	AttrNumber	checks_version_column;
} CandidateScan;

/*
 * begin_candidates starts the least-busy scan of an account under the
 * decision's snapshot.
 */
static void
begin_candidates(int64 account_id, Snapshot snapshot, CandidateScan *cs)
{
	routing_index_scan_begin(&cs->rows, "agent_loads", "agent_loads_least_busy",
							 1, &account_id, snapshot);
	cs->agent_id_column = routing_index_scan_column(&cs->rows, "agent_id");
	cs->open_chats_column = routing_index_scan_column(&cs->rows, "open_chats");
	cs->version_column = routing_index_scan_column(&cs->rows, "version");
	cs->checks_version_column = routing_index_scan_column(&cs->rows, "checks_version");
}

/*
 * held_by_another tells whether another transaction in progress has locked
 * or updated the scan's current row, so that a claim without waiting would
 * skip it: concurrent decisions read a pool in the same order, and trying
 * every row the others hold cost more than the rest of the decision.  The
 * tuple header is read without the buffer's content lock, so the answer is
 * a hint; a wrong one costs a failed claim or a tied agent taken instead,
 * never a wrong decision (the claim decides).
 */
static bool
held_by_another(CandidateScan *cs)
{
	HeapTupleHeader header = ExecFetchSlotHeapTuple(cs->rows.slot, false, NULL)->t_data;
	TransactionId xmax = HeapTupleHeaderGetRawXmax(header);

	return !(header->t_infomask & (HEAP_XMAX_INVALID | HEAP_XMAX_IS_MULTI)) &&
		TransactionIdIsNormal(xmax) &&
		!TransactionIdIsCurrentTransactionId(xmax) &&
		TransactionIdIsInProgress(xmax);
}

/*
 * next_eligible reads the next eligible candidate in load order into "out";
 * false when the account has no more.
 */
static bool
next_eligible(const RoutingChannel *channel, Snapshot snapshot,
			  CandidateScan *cs, LoadCandidate *out)
{
	while (routing_index_scan_next(&cs->rows))
	{
		RoutingIndexScan *rows = &cs->rows;
		int64		checks_version;

		out->agent_id = DatumGetInt64(routing_index_scan_value(rows, cs->agent_id_column, NULL));
		checks_version = DatumGetInt64(routing_index_scan_value(rows, cs->checks_version_column,
																NULL));
		if (!routing_candidate_eligible(channel, out->agent_id, checks_version,
										snapshot))
			continue;
		out->open_chats = DatumGetInt32(routing_index_scan_value(rows, cs->open_chats_column, NULL));
		out->version = DatumGetInt64(routing_index_scan_value(rows, cs->version_column, NULL));
		out->held = held_by_another(cs);
		return true;
	}
	return false;
}

/*
 * decide_least_busy picks the eligible agent with the fewest open chats,
 * then the least recent chat assignment, then the smallest id; false when
 * the decision must start again (its pick changed before it could claim it).
 *
 * A row another transaction holds is skipped in favour of a free one with
 * the same number of open chats: whatever the holder does to it, taking a
 * tied agent keeps the pool within one chat, so concurrent inserts into one
 * pool spread over tied agents instead of queueing on one row.  Only when
 * every tied row is held does the decision wait, on the minimum.  A
 * transaction that already holds a load row (it inserted before) takes any
 * free candidate rather than wait while holding it, which is what would let
 * two such transactions wait on each other.
 */
static bool
decide_least_busy(const RoutingChannel *channel, Snapshot snapshot,
				  TimestampTz now, RoutingDecision *decision)
{
	CandidateScan scan;
	LoadCandidate first;
	LoadCandidate next;
	const LoadCandidate *taken = NULL;
	bool		holds_rows = routing_holds_load_rows();

	begin_candidates(channel->account_id, snapshot, &scan);
	if (!next_eligible(channel, snapshot, &scan, &first))
	{
		routing_index_scan_end(&scan.rows);
		snprintf(decision->reason, sizeof(decision->reason), "no eligible agent");
		return true;
	}
	if (!first.held &&
		routing_claim(channel->account_id, first.agent_id, first.version,
					  true, false, now))
		taken = &first;
	while (taken == NULL && next_eligible(channel, snapshot, &scan, &next) &&
		   (holds_rows || next.open_chats == first.open_chats))
	{
		if (!next.held &&
			routing_claim(channel->account_id, next.agent_id, next.version,
						  true, false, now))
			taken = &next;
	}
	routing_index_scan_end(&scan.rows);
	if (taken == NULL &&
		routing_claim(channel->account_id, first.agent_id, first.version,
					  true, true, now))
		taken = &first;
	if (taken == NULL)
		return false;
	assign_to(decision, taken->agent_id, true);
	snprintf(decision->reason, sizeof(decision->reason),
			 "least busy: %lld open chats", (long long) taken->open_chats);
	return true;
}

/*
 * decide_random picks an eligible agent uniformly at random; false when the
 * decision must start again.  It first probes random ids in the account's
 * id range: each probe hits every eligible agent with the same chance, so an
 * accepted probe is a uniform pick, at a cost that does not grow with the
 * pool.  After RANDOM_PROBES misses (a sparse pool) it draws from the full
 * eligible list; a mix of uniform draws is uniform.
 */
static bool
decide_random(const RoutingChannel *channel, Snapshot snapshot,
			  TimestampTz now, RoutingDecision *decision)
{
	Datum		account = Int64GetDatum(channel->account_id);
	bool		has_agents;
	int64		low,
				high;
	int64		agent_id = 0;
	int64		version = 0;
	bool		found = false;

	if (routing_exec_snapshot(&agent_id_range_plan, &account, NULL, 1, snapshot) != 1)
		elog(ERROR, "agent id range query returned no row");
	low = routing_get_int64(0, 1, &has_agents);
	high = routing_get_int64(0, 2, NULL);
	for (int probe = 0; has_agents && probe < RANDOM_PROBES && !found; probe++)
	{
		Datum		probe_values[2] = {account, 0};

		agent_id = low + (int64) pg_prng_uint64_range(&pg_global_prng_state, 0,
													  (uint64) (high - low));
		probe_values[1] = Int64GetDatum(agent_id);
		if (routing_exec_snapshot(&random_probe_plan, probe_values, NULL, 1,
								  snapshot) == 1)
		{
			version = routing_get_int64(0, 1, NULL);
			found = routing_candidate_eligible(channel, agent_id,
											   routing_get_int64(0, 2, NULL),
											   snapshot);
		}
	}
	if (has_agents && !found)
	{
		Datum		values[6];
		int			n;

		routing_eligibility_args(channel, 0, values);
		n = routing_exec_snapshot(&random_all_plan, values, NULL, 0, snapshot);
		if (n > 0)
		{
			int			pick = (int) pg_prng_uint64_range(&pg_global_prng_state, 0, n - 1);

			agent_id = routing_get_int64(pick, 1, NULL);
			version = routing_get_int64(pick, 2, NULL);
			found = true;
		}
	}
	if (!found)
	{
		snprintf(decision->reason, sizeof(decision->reason), "no eligible agent");
		return true;
	}
	if (!routing_claim(channel->account_id, agent_id, version, channel->is_chat,
					   true, now))
		return false;
	assign_to(decision, agent_id, channel->is_chat);
	snprintf(decision->reason, sizeof(decision->reason),
			 "random among eligible agents");
	return true;
}

/*
 * decide_contact_owner routes to the contact's owner (section 4b), or, on a
 * live chat channel, for an untracked or unowned contact, to the rule's
 * default agent; false when the decision must start again.  Either must pass
 * every check but the target one.  An owner kept out only by being away
 * records an owner_offline event.
 */
static bool
decide_contact_owner(const RoutingChannel *channel, Snapshot snapshot,
					 int64 conversation_id, bool has_contact, int64 contact_id,
					 TimestampTz now, RoutingDecision *decision)
{
	Datum		values[4];
	int64		owner_id = 0;
	bool		has_owner = false;
	bool		is_default;
	RoutingChecks checks;

	if (has_contact)
	{
		values[0] = Int64GetDatum(channel->account_id);
		values[1] = Int64GetDatum(contact_id);
		if (routing_exec_snapshot(&contact_plan, values, NULL, 1, snapshot) == 1)
		{
			owner_id = routing_get_int64(0, 1, &has_owner);
			has_owner = has_owner && routing_get_bool(0, 2);
		}
	}
	if (!has_owner &&
		!(strcmp(channel->kind, "chat") == 0 && channel->has_default_agent))
	{
		snprintf(decision->reason, sizeof(decision->reason),
				 "contact has no tracked owner and the channel no default agent");
		return true;
	}
	is_default = !has_owner;
	routing_agent_check(channel, is_default ? channel->default_agent_id : owner_id,
						false, snapshot, &checks);
	if (!checks.eligible)
	{
		if (checks.eligible_but_away && !is_default)
		{
			values[0] = Int64GetDatum(channel->account_id);
			values[1] = Int64GetDatum(conversation_id);
			values[2] = Int64GetDatum(owner_id);
			values[3] = TimestampTzGetDatum(now);
			routing_exec(&owner_offline_plan, values, NULL, 0);
		}
		snprintf(decision->reason, sizeof(decision->reason),
				 "%s %lld is not eligible%s",
				 is_default ? "default agent" : "contact owner",
				 (long long) checks.agent_id,
				 checks.eligible_but_away ? ": away" : "");
		return true;
	}
	if (!routing_claim(channel->account_id, checks.agent_id, checks.version,
					   channel->is_chat, true, now))
		return false;
	assign_to(decision, checks.agent_id, channel->is_chat);
	snprintf(decision->reason, sizeof(decision->reason), "%s",
			 is_default ? "default agent" : "contact owner");
	return true;
}

/*
 * routing_decide applies the rule of a channel to an open, unassigned
 * conversation.  A successful decision holds the chosen agent's load row
 * lock to the end of the transaction and, for chats, has counted the chat.
 *
 * Each attempt reads the channel, its inbox and rule, and the candidates'
 * versions under one snapshot.  A change to any of them that commits later
 * moves the versions of the agents it concerns (rules, inboxes and channels:
 * every agent of the account), so the claim fails and the next attempt reads
 * it; a claim that succeeds was decided on state nothing has changed since.
 */
void
routing_decide(int64 account_id, int64 channel_id, int64 conversation_id,
			   bool has_contact, int64 contact_id, RoutingDecision *decision)
{
	TimestampTz now = GetCurrentTimestamp();
	bool		decided = false;

	memset(decision, 0, sizeof(*decision));
	decision->decided_at = now;
	while (!decided)
	{
		RoutingChannel channel;
		Snapshot	snapshot = routing_take_snapshot();

		routing_load_channel(account_id, channel_id, snapshot, &channel);
		if (!channel.rule_enabled)
		{
			snprintf(decision->reason, sizeof(decision->reason), "no enabled rule");
			decided = true;
		}
		else if (channel.contact_owner)
			decided = decide_contact_owner(&channel, snapshot, conversation_id,
										   has_contact, contact_id, now, decision);
		else if (channel.is_chat)
			decided = decide_least_busy(&channel, snapshot, now, decision);
		else
			decided = decide_random(&channel, snapshot, now, decision);
		UnregisterSnapshot(snapshot);
	}
}
