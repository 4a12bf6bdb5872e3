/*
 * decision.c
 *		The routing decision of section 4: least busy for chat, bot and
 *		Messenger, uniform random for email and form, contact owner with its
 *		default agent.  Each method reads candidates under a snapshot and
 *		makes its pick stick with routing_claim(); see the README's locking
 *		design for why that is race-free.  Traced (for explain_route), the
 *		same methods run without claiming and record what they read.
 */
#include "postgres.h"
#include "fmgr.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "common/pg_prng.h"
#include "storage/procarray.h"
#include "utils/snapmgr.h"

#include "decision.h"
#include "index_scan.h"
#include "loads.h"

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

/* A candidate as a method read it. */
typedef struct LoadCandidate
{
	int64		agent_id;
	int64		open_chats;
	int64		version;
	bool		held;			/* by another transaction, when read */
} LoadCandidate;

enum
{
	LOAD_AGENT_ID, LOAD_OPEN_CHATS, LOAD_VERSION, LOAD_CHECKS_VERSION
};

/*
 * The account's agent_loads rows in the order of index
 * agent_loads_least_busy (fewest open chats, least recent chat, smallest
 * id).  Read directly from the index, a decision reads only as far as the
 * first eligible agents, whatever the account's size; no plan can choose a
 * sort instead, and there is no executor start-up.
 */
static RoutingTable least_busy_table = {
	.name = "agent_loads",
	.index = "agent_loads_least_busy",
	.columns = {"agent_id", "open_chats", "version", "checks_version"}
};

/*
 * Every agent the rule names, directly or through a team in any role, in
 * load order, with each check: the candidates a traced decision lists.
 */
static RoutingPlan targets_plan = {
	.sql =
	"select l.agent_id, " SQL_CHECK_COLUMNS
	" from routing.agent_loads l"
	" where l.account_id" EQ "$1"
	" and (l.agent_id" EQ "any (select t.agent_id from routing.rule_targets t"
	"   where t.account_id" EQ "$1 and t.channel_id" EQ "$2)"
	"  or l.agent_id" EQ "any (select m.agent_id from routing.team_members m"
	"   join routing.rule_targets t on t.account_id" EQ "m.account_id"
	"    and t.team_id" EQ "m.team_id"
	"   where m.account_id" EQ "$1 and t.channel_id" EQ "$2))"
	SQL_LOAD_ORDER,
	.nargs = 6,
	.argtypes = {ELIGIBILITY_ARGTYPES}
};

/*
 * Where a method reads its candidates from: the least-busy index, or,
 * traced, the rule's targets listed into the trace (next is the next one to
 * read).
 */
typedef struct CandidateSource
{
	RoutingTrace *trace;
	RoutingIndexScan rows;
	int			next;
} CandidateSource;

/*
 * trace_candidate records a candidate in the trace, if there is room.
 */
static RoutingTraceCandidate *
trace_candidate(RoutingTrace *trace, const RoutingChecks *checks, const char *role)
{
	RoutingTraceCandidate *candidate;

	if (trace->ncandidates >= trace->max_candidates)
		return NULL;
	candidate = &trace->candidates[trace->ncandidates++];
	candidate->checks = *checks;
	candidate->role = role;
	return candidate;
}

/*
 * begin_candidates starts reading the channel's candidates in load order
 * under the decision's snapshot.
 */
static void
begin_candidates(const RoutingChannel *channel, Snapshot snapshot,
				 RoutingTrace *trace, CandidateSource *source)
{
	source->trace = trace;
	source->next = 0;
	if (trace == NULL)
	{
		routing_index_scan_begin(&source->rows, &least_busy_table, 1,
								 &channel->account_id, snapshot);
	}
	else
	{
		Datum		values[6];
		int			n;

		routing_eligibility_args(channel, 0, values);
		n = routing_exec_snapshot(&targets_plan, values, NULL, 0, snapshot);
		for (int row = 0; row < n; row++)
		{
			RoutingChecks checks = {0};

			checks.agent_id = routing_get_int64(row, 1, NULL);
			routing_read_checks(channel, true, row, 2, &checks);
			trace_candidate(trace, &checks, "target");
		}
	}
}

/*
 * end_candidates ends what begin_candidates started.
 */
static void
end_candidates(CandidateSource *source)
{
	if (source->trace == NULL)
		routing_index_scan_end(&source->rows);
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
held_by_another(RoutingIndexScan *rows)
{
	HeapTupleHeader header = routing_index_scan_tuple(rows)->t_data;
	TransactionId xmax = HeapTupleHeaderGetRawXmax(header);

	return !(header->t_infomask & (HEAP_XMAX_INVALID | HEAP_XMAX_IS_MULTI)) &&
		TransactionIdIsNormal(xmax) &&
		!TransactionIdIsCurrentTransactionId(xmax) &&
		TransactionIdIsInProgress(xmax);
}

/*
 * next_eligible reads the next eligible candidate in load order into "out";
 * false when there are no more.
 */
static bool
next_eligible(const RoutingChannel *channel, Snapshot snapshot,
			  CandidateSource *source, LoadCandidate *out)
{
	RoutingIndexScan *rows = &source->rows;

	if (source->trace != NULL)
	{
		while (source->next < source->trace->ncandidates)
		{
			RoutingChecks *checks = &source->trace->candidates[source->next++].checks;

			if (!checks->eligible)
				continue;
			out->agent_id = checks->agent_id;
			out->open_chats = checks->open_chats;
			out->version = checks->version;
			out->held = false;
			return true;
		}
		return false;
	}
	while (routing_index_scan_next(rows))
	{
		int64		checks_version;

		out->agent_id = DatumGetInt64(routing_index_scan_value(rows, LOAD_AGENT_ID, NULL));
		checks_version = DatumGetInt64(routing_index_scan_value(rows, LOAD_CHECKS_VERSION,
																NULL));
		if (!routing_candidate_eligible(channel, out->agent_id, checks_version,
										snapshot))
			continue;
		out->open_chats = DatumGetInt32(routing_index_scan_value(rows, LOAD_OPEN_CHATS, NULL));
		out->version = DatumGetInt64(routing_index_scan_value(rows, LOAD_VERSION, NULL));
		out->held = held_by_another(rows);
		return true;
	}
	return false;
}

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

/*
 * trace_pick makes the traced candidate of agent_id the pick.
 */
static void
trace_pick(RoutingTrace *trace, int64 agent_id)
{
	for (int i = 0; i < trace->ncandidates; i++)
		if (trace->candidates[i].checks.agent_id == agent_id)
			trace->pick = i;
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
 * two such transactions wait on each other.  Traced, nothing is held and
 * the first eligible candidate is the pick.
 */
static bool
decide_least_busy(const RoutingChannel *channel, Snapshot snapshot,
				  TimestampTz now, RoutingDecision *decision, RoutingTrace *trace)
{
	CandidateSource source;
	LoadCandidate first;
	LoadCandidate next;
	const LoadCandidate *taken = NULL;
	bool		holds_rows = routing_holds_load_rows();

	begin_candidates(channel, snapshot, trace, &source);
	if (!next_eligible(channel, snapshot, &source, &first))
	{
		end_candidates(&source);
		snprintf(decision->reason, sizeof(decision->reason), "no eligible agent");
		return true;
	}
	if (trace != NULL)
	{
		trace_pick(trace, first.agent_id);
		snprintf(trace->reason, sizeof(trace->reason), "fewest open chats (%lld)",
				 (long long) first.open_chats);
		if (next_eligible(channel, snapshot, &source, &next) &&
			next.open_chats == first.open_chats)
			snprintf(trace->reason + strlen(trace->reason),
					 sizeof(trace->reason) - strlen(trace->reason),
					 "; tied with agent %lld, who was assigned a chat more recently or has a larger id",
					 (long long) next.agent_id);
		end_candidates(&source);
		return true;
	}
	if (!first.held &&
		routing_claim(channel->account_id, first.agent_id, first.version,
					  true, false, now))
		taken = &first;
	while (taken == NULL && next_eligible(channel, snapshot, &source, &next) &&
		   (holds_rows || next.open_chats == first.open_chats))
	{
		if (!next.held &&
			routing_claim(channel->account_id, next.agent_id, next.version,
						  true, false, now))
			taken = &next;
	}
	end_candidates(&source);
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
 * eligible list; a mix of uniform draws is uniform.  Traced, it counts the
 * eligible candidates and draws none.
 */
static bool
decide_random(const RoutingChannel *channel, Snapshot snapshot,
			  TimestampTz now, RoutingDecision *decision, RoutingTrace *trace)
{
	Datum		account = Int64GetDatum(channel->account_id);
	bool		has_agents;
	int64		low,
				high;
	int64		agent_id = 0;
	int64		version = 0;
	bool		found = false;

	if (trace != NULL)
	{
		CandidateSource source;

		begin_candidates(channel, snapshot, trace, &source);
		end_candidates(&source);
		return true;
	}
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
 * records an owner_offline event (not when traced).
 */
static bool
decide_contact_owner(const RoutingChannel *channel, Snapshot snapshot,
					 int64 conversation_id, bool has_contact, int64 contact_id,
					 TimestampTz now, RoutingDecision *decision,
					 RoutingTrace *trace)
{
	Datum		values[4];
	int64		owner_id = 0;
	bool		has_owner = false;
	bool		is_default;
	const char *who;
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
		if (trace != NULL)
			snprintf(trace->reason, sizeof(trace->reason),
					 "the contact has no tracked owner and the channel no default agent: the conversation stays unassigned");
		return true;
	}
	is_default = !has_owner;
	who = is_default ? "default agent" : "contact owner";
	routing_agent_check(channel, is_default ? channel->default_agent_id : owner_id,
						false, snapshot, &checks);
	if (trace != NULL)
	{
		trace_candidate(trace, &checks, is_default ? "default_agent" : "contact_owner");
		if (checks.eligible)
		{
			trace->pick = 0;
			snprintf(trace->reason, sizeof(trace->reason), "the %s is eligible", who);
		}
		else
			snprintf(trace->reason, sizeof(trace->reason),
					 "the %s is not eligible%s: the conversation stays unassigned", who,
					 checks.eligible_but_away && !is_default ?
					 " (away: an owner_offline event is recorded)" : "");
		return true;
	}
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
				 "%s %lld is not eligible%s", who, (long long) checks.agent_id,
				 checks.eligible_but_away ? ": away" : "");
		return true;
	}
	if (!routing_claim(channel->account_id, checks.agent_id, checks.version,
					   channel->is_chat, true, now))
		return false;
	assign_to(decision, checks.agent_id, channel->is_chat);
	snprintf(decision->reason, sizeof(decision->reason), "%s", who);
	return true;
}

/*
 * trace_outcome completes a traced decision: its method, the number of
 * eligible candidates, and the reasons the methods leave to it.
 */
static void
trace_outcome(RoutingTrace *trace)
{
	const RoutingChannel *channel = &trace->channel;

	trace->method = !channel->rule_enabled ? "none" :
		channel->contact_owner ? "contact_owner" :
		channel->is_chat ? "least_busy" : "random";
	trace->neligible = 0;
	for (int i = 0; i < trace->ncandidates; i++)
		if (trace->candidates[i].checks.eligible)
			trace->neligible++;
	if (!channel->rule_enabled)
		snprintf(trace->reason, sizeof(trace->reason),
				 "the channel has no enabled rule: the conversation stays unassigned");
	else if (channel->contact_owner)
		return;
	else if (trace->neligible == 0)
		snprintf(trace->reason, sizeof(trace->reason),
				 "no eligible agent: the conversation stays unassigned");
	else if (!channel->is_chat)
		snprintf(trace->reason, sizeof(trace->reason),
				 "a uniformly random pick among the %d eligible agents",
				 trace->neligible);
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
 *
 * With a trace, the decision is made once, claims nothing, writes nothing
 * and records what it read (explain_route); "decision" is left unassigned.
 */
void
routing_decide(int64 account_id, int64 channel_id, int64 conversation_id,
			   bool has_contact, int64 contact_id, RoutingDecision *decision,
			   RoutingTrace *trace)
{
	TimestampTz now = GetCurrentTimestamp();
	bool		decided = false;

	memset(decision, 0, sizeof(*decision));
	decision->decided_at = now;
	if (trace != NULL)
	{
		trace->ncandidates = 0;
		trace->pick = -1;
		trace->reason[0] = '\0';
	}
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
										   has_contact, contact_id, now, decision,
										   trace);
		else if (channel.is_chat)
			decided = decide_least_busy(&channel, snapshot, now, decision, trace);
		else
			decided = decide_random(&channel, snapshot, now, decision, trace);
		UnregisterSnapshot(snapshot);
		if (trace != NULL)
		{
			trace->channel = channel;
			trace_outcome(trace);
		}
	}
}
