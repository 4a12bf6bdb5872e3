/*
 * decision.c
 *		The routing decision of sections 4, 12 and 14: least busy, uniform
 *		random and round robin among the eligible agents with room, contact
 *		owner with its default agent.  Each method reads candidates under a
 *		snapshot (candidates.c) and makes its pick stick with
 *		routing_claim(); see doc/design.md for why that is race-free.
 *		Traced (trace.c, for explain_route), the same methods run without
 *		claiming and record what they read.
 */
#include "postgres.h"
#include "fmgr.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "common/pg_prng.h"
#include "utils/snapmgr.h"

#include "candidates.h"
#include "decision.h"
#include "loads.h"
#include "offers.h"
#include "pools.h"
#include "trace.h"

/* The most members of a cached pool a random decision draws before reading it. */
#define MEMBER_DRAWS_MAX 64
/* What one draw costs, in pool rows read by the one-pass draw. */
#define DRAW_COST_ROWS 4
/* The members of a pool read whole that a random pick draws before judging all. */
#define POOL_DRAWS 8

static RoutingPlan contact_plan = {
	.sql =
	"select c.owner_agent_id, c.tracked from routing.contacts c"
	" where c.account_id" EQ "$1 and c.contact_id" EQ "$2",
	.nargs = 2,
	.argtypes = {INT8OID, INT8OID}
};

/* Once per conversation, however often the queue retries it (section 13). */
static RoutingPlan owner_offline_plan = {
	.sql =
	"insert into routing.events (account_id, event_id, kind, conversation_id, agent_id, at)"
	" overriding system value"
	" select $1, " ROUTING_NEXT_ID("events_event_id_seq") ", 'owner_offline', $2, $3, $4"
	" where not exists (select 1 from routing.events e where e.account_id" EQ "$1"
	"  and e.conversation_id" EQ "$2 and e.kind" EQ "'owner_offline')",
	.nargs = 4,
	.argtypes = {INT8OID, INT8OID, INT8OID, TIMESTAMPTZOID}
};

/* A waiting conversation of the channel other than $4, at priority $3 or above. */
static RoutingPlan waiting_ahead_plan = {
	.sql =
	"select 1 from routing.conversations c"
	" where c.account_id" EQ "$1 and c.channel_id" EQ "$2"
	" and c.status" EQ "'open' and c.assignee_agent_id is null"
	" and c.assignee_team_id is null and c.priority OPERATOR(pg_catalog.>=) $3"
	" and c.conversation_id OPERATOR(pg_catalog.<>) $4 limit 1",
	.nargs = 4,
	.argtypes = {INT8OID, INT8OID, INT4OID, INT8OID}
};

/*
 * assign_to records a successful claim in the decision.
 */
static void
assign_to(RoutingDecision *decision, int64 agent_id)
{
	decision->assigned = true;
	decision->agent_id = agent_id;
}

/*
 * agent_listed says whether agent_id is one of the n in "ids".
 */
static bool
agent_listed(const int64 *ids, int n, int64 agent_id)
{
	for (int i = 0; i < n; i++)
		if (ids[i] == agent_id)
			return true;
	return false;
}

/*
 * trace_in_order completes a traced decision in order: the first eligible
 * candidate is the pick, and the reason names the next if it ties.
 */
static bool
trace_in_order(const RoutingChannel *channel, Snapshot snapshot,
			   RoutingCandidates *source, const RoutingCandidate *first,
			   RoutingTrace *trace)
{
	bool		by_turn = channel->distribution == DISTRIBUTION_ROUND_ROBIN;
	RoutingCandidate next;

	routing_trace_pick(trace, first->agent_id);
	if (by_turn)
		routing_trace_reason(trace, "round robin: the eligible agent with room least recently given a conversation by this rule");
	else
		routing_trace_reason(trace, "fewest open %s (%lld)",
							 channel->is_chat ? "chats" : "emails",
							 (long long) first->load);
	if (!by_turn && routing_candidates_next(channel, snapshot, source, &next) &&
		next.load == first->load)
		routing_trace_add_reason(trace, "; tied with agent %lld, who was assigned a %s more recently or has a larger id",
								 (long long) next.agent_id,
								 channel->is_chat ? "chat" : "conversation");
	routing_candidates_end(source);
	return true;
}

/*
 * decide_in_order picks the first eligible agent with room in the method's
 * order (least busy: fewest open conversations of the channel's work, least
 * recent, smallest id; round robin: least recently given by this rule,
 * smallest id); false when the decision must start again (its pick changed
 * before it could claim it).
 *
 * A row another transaction holds is skipped in favour of a free one that
 * ties with the first (same load, or as many turns): whatever the holder
 * does to it, taking a tied agent keeps the pool within one, so concurrent
 * inserts into one pool spread over tied agents instead of queueing on one
 * row.  Only when every tied row is held does the decision wait, on the
 * first.  A transaction that already holds a load row (it inserted before)
 * takes any free candidate rather than wait while holding it, which is what
 * would let two such transactions wait on each other.  Traced, nothing is
 * held and the first eligible candidate is the pick.
 *
 * Every claim is made with the candidate scans ended.  Ending a scan marks
 * the index entries it found dead, which btree skips for it if the claim's
 * update has changed the page since it was read: unmarked, the entry each
 * chat claim leaves behind at the low end of the least-busy index stays
 * there until vacuum, and every decision reads through all of them.  A
 * claim that fails reads the candidates again, under the same snapshot, and
 * goes on past those it tried.
 */
static bool
decide_in_order(const RoutingChannel *channel, Snapshot snapshot,
				TimestampTz now, RoutingDecision *decision, RoutingTrace *trace)
{
	bool		by_turn = channel->distribution == DISTRIBUTION_ROUND_ROBIN;
	const char *work = channel->is_chat ? "chats" : "emails";
	RoutingCandidates source;
	RoutingCandidate first;
	RoutingCandidate pick;
	bool		has_pick = true;
	const RoutingCandidate *taken = NULL;
	bool		holds_rows = routing_holds_load_rows();
	int64	   *tried = NULL;	/* claims lost since the read */
	int			ntried = 0;

	routing_candidates_begin(channel, snapshot, trace, &source);
	if (!routing_candidates_next(channel, snapshot, &source, &first))
	{
		routing_candidates_end(&source);
		snprintf(decision->reason, sizeof(decision->reason), "no eligible agent");
		return true;
	}
	if (trace != NULL)
		return trace_in_order(channel, snapshot, &source, &first, trace);
	pick = first;
	for (;;)
	{
		/* The first candidate, or one tied with it, neither held nor tried. */
		while (has_pick && (pick.held || agent_listed(tried, ntried, pick.agent_id)))
			has_pick = routing_candidates_next(channel, snapshot, &source, &pick) &&
				(holds_rows || pick.tie == first.tie);
		routing_candidates_end(&source);
		if (!has_pick)
			break;
		if (routing_claim(channel->account_id, pick.agent_id, pick.version,
						  channel->is_chat, false, now))
		{
			taken = &pick;
			break;
		}
		tried = ntried == 0 ? palloc(sizeof(int64)) :
			repalloc(tried, sizeof(int64) * (ntried + 1));
		tried[ntried++] = pick.agent_id;
		routing_candidates_rewind(channel, snapshot, &source);
		has_pick = routing_candidates_next(channel, snapshot, &source, &pick);
	}
	if (taken == NULL &&
		routing_claim(channel->account_id, first.agent_id, first.version,
					  channel->is_chat, true, now))
		taken = &first;
	if (taken == NULL)
		return false;
	assign_to(decision, taken->agent_id);
	if (by_turn)
	{
		/* The clock now, under the claimed row's lock: a retried decision's
		 * start time would make the agent look least recently given again. */
		routing_note_turn(channel->account_id, channel->channel_id, taken->agent_id,
						  GetCurrentTimestamp());
		snprintf(decision->reason, sizeof(decision->reason), "round robin");
	}
	else
		snprintf(decision->reason, sizeof(decision->reason),
				 "least busy: %lld open %s", (long long) taken->load, work);
	return true;
}

/*
 * member_draws is how many members of a cached pool a random decision draws
 * before it reads the pool whole: four times the draws a hit takes on
 * average by the share of the pool the last read found eligible (a hit
 * ~98% of the time), if that costs less than the read, and none otherwise.
 */
static int
member_draws(const RoutingPoolMembers *members)
{
	int			per_hit;

	if (members->eligible == 0)
		return 0;
	per_hit = members->n / members->eligible;
	if (per_hit > MEMBER_DRAWS_MAX / 4 || per_hit * DRAW_COST_ROWS >= members->n)
		return 0;
	return per_hit * 4;
}

/*
 * draw_from_pool picks an eligible agent with room of the rule's pool
 * uniformly at random; false when none is eligible.  It reads the pool once
 * by key, then judges up to POOL_DRAWS members drawn at random (an eligible
 * one is a uniform pick), and only if none of those was eligible, every
 * member, keeping each eligible one with chance 1/k (reservoir sampling).
 * Judging a member whose verdict is not cached costs its checks, so a pool
 * mostly eligible costs one or two, whatever its size.  The pool's members
 * and the share of them found eligible go to the pool cache.
 */
static bool
draw_from_pool(const RoutingChannel *channel, Snapshot snapshot,
			   const RoutingPoolKey *key, int64 *agent_id, int64 *version)
{
	RoutingCandidates source = {0};
	RoutingPoolRow row;
	RoutingPoolRow *rows = palloc(sizeof(RoutingPoolRow) * 16);
	int64	   *ids;
	int			size = 16;
	int			nrows = 0;
	int			neligible = 0;
	const RoutingPoolRow *pick = NULL;

	routing_merge_begin(channel, snapshot, &key->targets, &source);
	while (routing_merge_next(&source, &row))
	{
		if (nrows == size)
			rows = repalloc(rows, sizeof(RoutingPoolRow) * (size *= 2));
		rows[nrows++] = row;
	}
	routing_candidates_end(&source);
	for (int draw = 0; draw < POOL_DRAWS && nrows > 0 && pick == NULL; draw++)
	{
		const RoutingPoolRow *drawn = &rows[pg_prng_uint64_range(&pg_global_prng_state, 0,
														  (uint64) nrows - 1)];

		if (routing_pool_row_eligible(channel, drawn, snapshot))
		{
			pick = drawn;
			neligible = nrows / (draw + 1);
		}
	}
	if (pick == NULL)
		for (int i = 0; i < nrows; i++)
			if (routing_pool_row_eligible(channel, &rows[i], snapshot) &&
				pg_prng_uint64_range(&pg_global_prng_state, 0, neligible++) == 0)
				pick = &rows[i];
	ids = palloc(sizeof(int64) * Max(nrows, 1));
	for (int i = 0; i < nrows; i++)
		ids[i] = rows[i].candidate.agent_id;
	routing_pool_remember(key, ids, nrows, neligible);
	if (pick != NULL)
	{
		*agent_id = pick->candidate.agent_id;
		*version = pick->candidate.version;
	}
	pfree(ids);
	pfree(rows);
	return pick != NULL;
}

/*
 * decide_random picks an eligible agent with room uniformly at random;
 * false when the decision must start again.  When the pool cache holds the
 * rule's pool as it is under the decision's snapshot, it first draws
 * members of it at random: each draw hits every eligible member with the
 * same chance, so an accepted draw is a uniform pick, at a cost that
 * follows neither the pool nor the account (a few probes: the rule's
 * targets, each named team's version, the drawn load rows); how many it tries follows
 * what the last read of the pool found (member_draws).  After as many
 * misses, or at once, it reads the pool by key and draws from it
 * (draw_from_pool), at a cost that follows the pool, not the account.
 * The number of draws does not depend on the draw, so the mix of the two
 * uniform draws is uniform.
 * Traced, it lists the candidates and draws none.
 */
static bool
decide_random(const RoutingChannel *channel, Snapshot snapshot,
			  TimestampTz now, RoutingDecision *decision, RoutingTrace *trace)
{
	RoutingPoolKey key;
	RoutingPoolMembers members;
	int64		agent_id = 0;
	int64		version = 0;
	bool		found = false;
	int			draws;

	if (trace != NULL)
	{
		RoutingCandidates source;

		routing_candidates_begin(channel, snapshot, trace, &source);
		routing_candidates_end(&source);
		return true;
	}
	routing_pool_key(channel, snapshot, &key);
	draws = routing_pool_lookup(&key, &members) ? member_draws(&members) : 0;
	for (int draw = 0; draw < draws && !found; draw++)
	{
		RoutingPoolRow row;

		agent_id = members.ids[pg_prng_uint64_range(&pg_global_prng_state, 0,
													(uint64) members.n - 1)];
		if (routing_read_pool_member(channel, agent_id, snapshot, &row))
		{
			version = row.candidate.version;
			found = routing_pool_row_eligible(channel, &row, snapshot);
		}
	}
	if (!found)
		found = draw_from_pool(channel, snapshot, &key, &agent_id, &version);
	if (!found)
	{
		snprintf(decision->reason, sizeof(decision->reason), "no eligible agent");
		return true;
	}
	if (!routing_claim(channel->account_id, agent_id, version, channel->is_chat,
					   true, now))
		return false;
	assign_to(decision, agent_id);
	snprintf(decision->reason, sizeof(decision->reason),
			 "random among eligible agents");
	return true;
}

/*
 * decide_contact_owner routes to the contact's owner (section 4b), or, on a
 * live chat channel, for an untracked or unowned contact, to the rule's
 * default agent; false when the decision must start again.  Either must pass
 * every check but the target one.  An owner kept out only by being away
 * records an owner_offline event, once per conversation (not when traced).
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
		routing_trace_reason(trace, "the contact has no tracked owner and the channel no default agent: the conversation stays unassigned");
		return true;
	}
	is_default = !has_owner;
	who = is_default ? "default agent" : "contact owner";
	routing_agent_check(channel, is_default ? channel->default_agent_id : owner_id,
						false, snapshot, &checks);
	routing_exclude_lapsed(channel, &checks);
	routing_trace_candidate(trace, &checks, is_default ? "default_agent" : "contact_owner");
	if (trace != NULL)
	{
		if (checks.eligible)
		{
			routing_trace_pick(trace, checks.agent_id);
			routing_trace_reason(trace, "the %s is eligible", who);
		}
		else
			routing_trace_reason(trace, "the %s is not eligible%s: the conversation stays unassigned",
								 who, checks.eligible_but_away && !is_default ?
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
				 checks.eligible_but_away ? ": away" :
				 checks.offer_lapsed ? ": their offer lapsed" : "");
		return true;
	}
	if (!routing_claim(channel->account_id, checks.agent_id, checks.version,
					   channel->is_chat, true, now))
		return false;
	assign_to(decision, checks.agent_id);
	snprintf(decision->reason, sizeof(decision->reason), "%s", who);
	return true;
}

/*
 * waits_behind tells whether another conversation of the channel at
 * "priority" or above is waiting.
 */
static bool
waits_behind(int64 account_id, int64 channel_id, int64 conversation_id,
			 int32 priority, Snapshot snapshot)
{
	Datum		values[4] = {Int64GetDatum(account_id), Int64GetDatum(channel_id),
	Int32GetDatum(priority), Int64GetDatum(conversation_id)};

	return routing_exec_snapshot(&waiting_ahead_plan, values, NULL, 1, snapshot) == 1;
}

/*
 * routing_decide applies the rule of a channel to an open, unassigned
 * conversation.  A successful decision holds the chosen agent's load row
 * lock to the end of the transaction and has counted the conversation in
 * the agent's load of its work.
 *
 * Each attempt reads the channel, its inbox and rule, and the candidates'
 * versions under one snapshot.  A change to any of them that commits later
 * moves the versions of the agents it concerns (rules, inboxes and channels:
 * every agent of the account), so the claim fails and the next attempt reads
 * it; a claim that succeeds was decided on state nothing has changed since.
 *
 * Given its priority, the conversation is one that must not jump the queue
 * (section 13): in a queue channel where another conversation of that
 * priority or above waits, it is not decided, and waits.  The drain, which
 * takes the queue in order, gives none.  Under a contact owner rule each
 * conversation has its own candidates, which those ahead cannot take: it
 * is decided.
 *
 * Under a rule with accept_within (section 16) the agents whose offers of
 * the conversation lapsed are passed over, and an assignment is an offer,
 * recorded with its deadline.
 *
 * With a trace, the decision is made once, claims nothing, writes nothing
 * and records what it read (explain_route); "decision" is left unassigned.
 */
void
routing_decide(int64 account_id, int64 channel_id, int64 conversation_id,
			   bool has_contact, int64 contact_id, const int32 *priority,
			   RoutingDecision *decision, RoutingTrace *trace)
{
	TimestampTz now = GetCurrentTimestamp();
	bool		decided = false;
	bool		offers = false;
	bool		offered = false;
	Interval	accept_within = {0};

	memset(decision, 0, sizeof(*decision));
	decision->decided_at = now;
	routing_trace_start(trace);
	while (!decided)
	{
		RoutingChannel channel;
		Snapshot	snapshot = routing_take_snapshot();

		routing_load_channel(account_id, channel_id, snapshot, &channel);
		offers = channel.rule_enabled && channel.offers;
		accept_within = channel.accept_within;
		offered = offers && routing_offer_exists(account_id, conversation_id, snapshot);
		if (offered)
			channel.excluded = routing_offer_exclusions(account_id, conversation_id,
														snapshot, &channel.nexcluded);
		decision->queue = channel.rule_enabled && channel.queue;
		/* Exclusions make the pool this conversation's own (section 16). */
		decision->own_pool = channel.contact_owner || channel.nexcluded > 0;
		if (!channel.rule_enabled)
		{
			snprintf(decision->reason, sizeof(decision->reason), "no enabled rule");
			decided = true;
		}
		else if (decision->queue && !channel.contact_owner && priority != NULL &&
				 trace == NULL &&
				 waits_behind(account_id, channel_id, conversation_id, *priority,
							  snapshot))
		{
			snprintf(decision->reason, sizeof(decision->reason), "waits in the queue");
			decided = true;
		}
		else if (channel.contact_owner)
			decided = decide_contact_owner(&channel, snapshot, conversation_id,
										   has_contact, contact_id, now, decision,
										   trace);
		else if (channel.distribution == DISTRIBUTION_RANDOM)
			decided = decide_random(&channel, snapshot, now, decision, trace);
		else
			decided = decide_in_order(&channel, snapshot, now, decision, trace);
		UnregisterSnapshot(snapshot);
		routing_trace_end(trace, &channel);
	}
	if (decision->assigned && offers)
		routing_offer_start(account_id, conversation_id, decision->agent_id,
							routing_offer_deadline(now, &accept_within), offered);
}
