/*
 * decision.c
 *		The routing decision of sections 4, 12 and 14: least busy, uniform
 *		random and round robin among the eligible agents with room, contact
 *		owner with its default agent.  Each method reads candidates under a
 *		snapshot and makes its pick stick with routing_claim(); see the
 *		doc/design.md for why that is race-free.  Traced (for
 *		explain_route), the same methods run without claiming and record
 *		what they read.
 */
#include "postgres.h"
#include "fmgr.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "common/pg_prng.h"
#include "utils/snapmgr.h"

#include "decision.h"
#include "index_scan.h"
#include "loads.h"
#include "offers.h"
#include "pools.h"

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

/* A candidate as a method read it. */
typedef struct LoadCandidate
{
	int64		agent_id;
	int64		load;			/* open conversations of the channel's work */
	int64		tie;			/* equal values may be taken in any order */
	int64		version;
	bool		held;			/* by another transaction, when read */
} LoadCandidate;

/*
 * The pool of a users-and-teams rule (agents it names, primary members of
 * teams it names) with their load of the channel's work ($3: chat), room
 * and round-robin turns, for the methods whose order no index gives: least
 * busy by email load, and round robin.  Eligibility is judged from the
 * facts read with each row and the verdict cache.
 */
#define POOL_COLUMNS \
	"select l.agent_id, l.version," \
	" (case when $3 then l.open_chats else l.open_emails end)::pg_catalog.int8," \
	" coalesce(t.given, 0), " SQL_ROOM("$3") ", " ROUTING_FACTS_SQL \
	" from (select r.agent_id from routing.rule_targets r" \
	"   where r.account_id" EQ "$1 and r.channel_id" EQ "$2 and r.agent_id is not null" \
	"  union select m.agent_id from routing.rule_targets r" \
	"   cross join lateral (select m.agent_id from routing.team_members m" \
	"    where m.account_id" EQ "$1 and m.team_id" EQ "r.team_id" \
	"     and m.role" EQ "'primary' offset 0) m" \
	"   where r.account_id" EQ "$1 and r.channel_id" EQ "$2 and r.team_id is not null) p" \
	" cross join lateral (select * from routing.agent_loads l" \
	"  where l.account_id" EQ "$1 and l.agent_id" EQ "p.agent_id offset 0) l" \
	" left join lateral (select t.given, t.last_given_at from routing.rule_turns t" \
	"  where t.account_id" EQ "$1 and t.channel_id" EQ "$2" \
	"   and t.agent_id" EQ "p.agent_id offset 0) t on true"

/*
 * A targeted team's members and the pool's rows are read by key ("offset
 * 0" keeps the generic plan from scanning the whole account's members or
 * load rows instead).
 */
/* Round robin: least recently given by this rule (never first), smallest id. */
#define SQL_TURN_ORDER " order by t.last_given_at nulls first, l.agent_id"

static RoutingPlan pool_by_email_load_plan = {
	.sql = POOL_COLUMNS SQL_EMAIL_LOAD_ORDER,
	.nargs = 3,
	.argtypes = {INT8OID, INT8OID, BOOLOID}
};

static RoutingPlan pool_by_turn_plan = {
	.sql = POOL_COLUMNS SQL_TURN_ORDER,
	.nargs = 3,
	.argtypes = {INT8OID, INT8OID, BOOLOID}
};

/*
 * Every agent the rule names, directly or through a team in any role, in
 * the method's order: the candidates a traced decision lists, each with
 * its checks read under the same snapshot.
 */
#define TARGET_IDS \
	"select l.agent_id from routing.agent_loads l" \
	" left join routing.rule_turns rt on rt.account_id" EQ "l.account_id" \
	"  and rt.channel_id" EQ "$2 and rt.agent_id" EQ "l.agent_id" \
	" where l.account_id" EQ "$1" \
	" and (l.agent_id" EQ "any (select t.agent_id from routing.rule_targets t" \
	"   where t.account_id" EQ "$1 and t.channel_id" EQ "$2 and t.agent_id is not null)" \
	"  or l.agent_id" EQ "any (select m.agent_id from routing.team_members m" \
	"   join routing.rule_targets t on t.account_id" EQ "m.account_id" \
	"    and t.team_id" EQ "m.team_id" \
	"   where m.account_id" EQ "$1 and t.channel_id" EQ "$2 and t.team_id is not null))"

static RoutingPlan targets_by_chat_load_plan = {
	.sql = TARGET_IDS SQL_LOAD_ORDER,
	.nargs = 2,
	.argtypes = {INT8OID, INT8OID}
};

static RoutingPlan targets_by_email_load_plan = {
	.sql = TARGET_IDS SQL_EMAIL_LOAD_ORDER,
	.nargs = 2,
	.argtypes = {INT8OID, INT8OID}
};

static RoutingPlan targets_by_turn_plan = {
	.sql = TARGET_IDS " order by rt.last_given_at nulls first, l.agent_id",
	.nargs = 2,
	.argtypes = {INT8OID, INT8OID}
};

/* The most candidates a method without an index reads into a list. */
#define POOL_MAX_CANDIDATES 100000

/*
 * A pool member's load row as read: what the least-busy order compares,
 * and what judging the member's eligibility takes from the row.
 */
typedef struct PoolRow
{
	LoadCandidate candidate;
	bool		has_last_chat_at;
	TimestampTz last_chat_at;
	RoutingAgentFacts facts;
	bool		room;
} PoolRow;

/* A targeted team's primary members, in load order. */
typedef struct TeamStream
{
	RoutingIndexScan rows;
	bool		has_row;
	PoolRow		row;
} TeamStream;

/*
 * Where an ordered method reads its candidates from: for least busy by chat
 * load, a merge of the targeted teams' streams and the named agents' rows
 * (sorted); otherwise a list of the pool in the method's order; or, traced,
 * the rule's targets listed into the trace.  "next" is the next list entry.
 */
typedef struct CandidateSource
{
	RoutingTrace *trace;
	bool		by_merge;
	TeamStream *teams;
	int			nteams;
	PoolRow    *named;
	int			nnamed;
	int64	   *named_ids;		/* sorted, to skip a named agent met again */
	bool		is_chat;		/* the merge's load and room: chat, else email */
	PoolRow    *list;
	int			nlist;
	int			next;
} CandidateSource;

/*
 * excluded tells whether the decision's conversation excludes an agent: an
 * offer of it to them lapsed (section 16).
 */
static bool
excluded(const RoutingChannel *channel, int64 agent_id)
{
	for (int i = 0; i < channel->nexcluded; i++)
		if (channel->excluded[i] == agent_id)
			return true;
	return false;
}

/*
 * exclude_lapsed makes checked agent ineligible for the conversation if an
 * offer of it to them lapsed.
 */
static void
exclude_lapsed(const RoutingChannel *channel, RoutingChecks *checks)
{
	if (!excluded(channel, checks->agent_id))
		return;
	checks->offer_lapsed = true;
	checks->eligible = false;
	checks->eligible_but_away = false;
}

/*
 * trace_candidate records a candidate in the trace, if there is room.
 */
static void
trace_candidate(RoutingTrace *trace, const RoutingChecks *checks, const char *role)
{
	RoutingTraceCandidate *candidate;

	if (trace->ncandidates >= trace->max_candidates)
		return;
	candidate = &trace->candidates[trace->ncandidates++];
	candidate->checks = *checks;
	candidate->role = role;
}

/*
 * read_pool reads the pool of a users-and-teams rule into the source's list,
 * in the order of "plan" (one of the pool plans), the tie value being the
 * turns (by_turn) or the load.
 */
static void
read_pool(const RoutingChannel *channel, Snapshot snapshot, RoutingPlan *plan,
		  bool by_turn, CandidateSource *source)
{
	Datum		values[3] = {Int64GetDatum(channel->account_id),
	Int64GetDatum(channel->channel_id), BoolGetDatum(channel->is_chat)};
	int			n = routing_exec_snapshot(plan, values, NULL, POOL_MAX_CANDIDATES,
										  snapshot);

	source->list = palloc0(sizeof(PoolRow) * Max(n, 1));
	for (int row = 0; row < n; row++)
	{
		LoadCandidate *c = &source->list[row].candidate;

		c->agent_id = routing_get_int64(row, 1, NULL);
		c->version = routing_get_int64(row, 2, NULL);
		c->load = routing_get_int64(row, 3, NULL);
		c->tie = by_turn ? routing_get_int64(row, 4, NULL) : c->load;
		source->list[row].room = routing_get_bool(row, 5);
		routing_spi_facts(row, 6, &source->list[row].facts);
	}
	source->nlist = n;
}

/*
 * pool_row_from takes what a method compares and judges from a load row:
 * the load and room of the channel's work (is_chat: chat, else email), and
 * the last chat time that orders chats.
 */
static void
pool_row_from(const RoutingLoadRow *load, bool is_chat, PoolRow *row)
{
	row->candidate.agent_id = load->agent_id;
	row->candidate.load = routing_load_open(load, is_chat);
	row->candidate.tie = row->candidate.load;
	row->candidate.version = load->version;
	row->candidate.held = load->held;
	row->facts = load->facts;
	row->room = routing_load_has_room(load, is_chat);
	row->has_last_chat_at = load->has_last_chat_at;
	row->last_chat_at = load->last_chat_at;
}

/*
 * before tells whether row a comes before row b in least-busy order: fewer
 * open chats, then least recent chat (never first), then smaller id.
 */
static bool
before(const PoolRow *a, const PoolRow *b)
{
	if (a->candidate.load != b->candidate.load)
		return a->candidate.load < b->candidate.load;
	if (a->has_last_chat_at != b->has_last_chat_at)
		return !a->has_last_chat_at;
	if (a->has_last_chat_at && a->last_chat_at != b->last_chat_at)
		return a->last_chat_at < b->last_chat_at;
	return a->candidate.agent_id < b->candidate.agent_id;
}

/*
 * compare_rows and compare_ids order qsort's arrays.
 */
static int
compare_rows(const void *a, const void *b)
{
	return before(a, b) ? -1 : before(b, a) ? 1 : 0;
}

static int
compare_ids(const void *a, const void *b)
{
	int64		x = *(const int64 *) a;
	int64		y = *(const int64 *) b;

	return x < y ? -1 : x > y ? 1 : 0;
}

/*
 * advance_team reads a team stream's next row.
 */
static void
advance_team(TeamStream *team, bool is_chat)
{
	RoutingLoadRow load;

	team->has_row = routing_index_scan_next(&team->rows);
	if (team->has_row)
	{
		routing_scan_load_row(&team->rows, &load);
		pool_row_from(&load, is_chat, &team->row);
	}
}

/*
 * read_pool_member reads agent_id's load row by key into "row"; false when
 * the agent has none.
 */
static bool
read_pool_member(const RoutingChannel *channel, int64 agent_id, Snapshot snapshot,
				 PoolRow *row)
{
	RoutingLoadRow load;

	if (!routing_read_load_row(channel->account_id, agent_id, snapshot, &load))
		return false;
	pool_row_from(&load, channel->is_chat, row);
	return true;
}

/*
 * begin_merge starts the read of a users-and-teams rule's pool: a stream
 * per targeted team (its primary members, from the index, in chat load
 * order) and the named agents' rows (by primary key, sorted), merged in
 * next_eligible.  Its cost follows the pool, not the account.  Random
 * reads it too, in any order.
 */
static void
begin_merge(const RoutingChannel *channel, Snapshot snapshot,
			const RoutingRuleTargets *targets, CandidateSource *source)
{
	source->by_merge = true;
	source->nnamed = targets->nagents;
	source->named_ids = targets->agent_ids;
	source->named = palloc0(sizeof(PoolRow) * Max(targets->nagents, 1));
	source->nteams = targets->nteams;
	for (int i = 0; i < source->nnamed; i++)
		if (!read_pool_member(channel, source->named_ids[i], snapshot, &source->named[i]))
			source->named[i].candidate.agent_id = -1;	/* no load row: skipped */
	qsort(source->named, source->nnamed, sizeof(PoolRow), compare_rows);
	source->teams = palloc0(sizeof(TeamStream) * Max(source->nteams, 1));
	for (int i = 0; i < source->nteams; i++)
	{
		routing_team_loads_begin(&source->teams[i].rows, channel->account_id,
								 targets->team_ids[i], snapshot);
		advance_team(&source->teams[i], channel->is_chat);
	}
	source->is_chat = channel->is_chat;
}

/*
 * next_merged takes the next row of the merge in least-busy order; false
 * when every stream is done.  A named agent met again in a team's stream is
 * skipped there.
 */
static bool
next_merged(CandidateSource *source, PoolRow *out)
{
	for (;;)
	{
		TeamStream *team = NULL;
		const PoolRow *named = source->next < source->nnamed ?
			&source->named[source->next] : NULL;

		for (int i = 0; i < source->nteams; i++)
			if (source->teams[i].has_row &&
				(team == NULL || before(&source->teams[i].row, &team->row)))
				team = &source->teams[i];
		if (named != NULL && (team == NULL || before(named, &team->row)))
		{
			*out = *named;
			source->next++;
			if (out->candidate.agent_id < 0)
				continue;
			return true;
		}
		if (team == NULL)
			return false;
		*out = team->row;
		advance_team(team, source->is_chat);
		if (bsearch(&out->candidate.agent_id, source->named_ids, source->nnamed,
					sizeof(int64), compare_ids) == NULL)
			return true;
	}
}

/*
 * begin_candidates starts reading the channel's candidates in the order of
 * its method under the decision's snapshot.
 */
static void
begin_candidates(const RoutingChannel *channel, Snapshot snapshot,
				 RoutingTrace *trace, CandidateSource *source)
{
	bool		by_turn = channel->distribution == DISTRIBUTION_ROUND_ROBIN;
	int			n;

	memset(source, 0, sizeof(*source));
	source->trace = trace;
	if (trace != NULL)
	{
		Datum		values[2] = {Int64GetDatum(channel->account_id),
		Int64GetDatum(channel->channel_id)};

		n = routing_exec_snapshot(by_turn ? &targets_by_turn_plan :
								  channel->is_chat ? &targets_by_chat_load_plan :
								  &targets_by_email_load_plan,
								  values, NULL, 0, snapshot);
		for (int row = 0; row < n; row++)
		{
			RoutingChecks checks;

			routing_agent_check(channel, routing_get_int64(row, 1, NULL), true,
								snapshot, &checks);
			exclude_lapsed(channel, &checks);
			trace_candidate(trace, &checks, "target");
		}
	}
	else if (channel->is_chat && !by_turn)
	{
		RoutingRuleTargets targets;

		routing_rule_targets(channel, snapshot, &targets);
		begin_merge(channel, snapshot, &targets, source);
	}
	else
		read_pool(channel, snapshot, by_turn ? &pool_by_turn_plan : &pool_by_email_load_plan,
				  by_turn, source);
}

/*
 * end_candidates ends what begin_candidates started.
 */
static void
end_candidates(CandidateSource *source)
{
	for (int i = 0; i < source->nteams; i++)
		routing_index_scan_end(&source->teams[i].rows);
}

/*
 * rewind_candidates starts the candidates over, in the same order, after
 * end_candidates.
 */
static void
rewind_candidates(const RoutingChannel *channel, Snapshot snapshot,
				  CandidateSource *source)
{
	if (source->by_merge)
		begin_candidates(channel, snapshot, NULL, source);
	else
		source->next = 0;
}

/*
 * pool_row_eligible tells whether a member read from the pool may take the
 * channel's work now.
 */
static bool
pool_row_eligible(const RoutingChannel *channel, const PoolRow *row, Snapshot snapshot)
{
	return !excluded(channel, row->candidate.agent_id) &&
		routing_candidate_eligible(channel, row->candidate.agent_id,
								   &row->facts, row->room, snapshot);
}

/*
 * next_eligible reads the next eligible candidate with room, in the
 * method's order, into "out"; false when there are no more.
 */
static bool
next_eligible(const RoutingChannel *channel, Snapshot snapshot,
			  CandidateSource *source, LoadCandidate *out)
{
	if (source->trace != NULL)
	{
		bool		by_turn = channel->distribution == DISTRIBUTION_ROUND_ROBIN;

		while (source->next < source->trace->ncandidates)
		{
			RoutingChecks *checks = &source->trace->candidates[source->next++].checks;

			if (!checks->eligible)
				continue;
			out->agent_id = checks->agent_id;
			out->load = channel->is_chat ? checks->open_chats : checks->open_emails;
			out->tie = by_turn ? 0 : out->load;
			out->version = checks->version;
			out->held = false;
			return true;
		}
		return false;
	}
	if (source->by_merge)
	{
		PoolRow		row;

		while (next_merged(source, &row))
		{
			if (!pool_row_eligible(channel, &row, snapshot))
				continue;
			*out = row.candidate;
			return true;
		}
		return false;
	}
	while (source->next < source->nlist)
	{
		int			i = source->next++;

		if (!pool_row_eligible(channel, &source->list[i], snapshot))
			continue;
		*out = source->list[i].candidate;
		return true;
	}
	return false;
}

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
	CandidateSource source;
	LoadCandidate first;
	LoadCandidate next;
	LoadCandidate pick;
	bool		has_pick = true;
	const LoadCandidate *taken = NULL;
	bool		holds_rows = routing_holds_load_rows();
	int64	   *tried = NULL;	/* claims lost since the read */
	int			ntried = 0;

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
		if (by_turn)
			snprintf(trace->reason, sizeof(trace->reason),
					 "round robin: the eligible agent with room least recently given a conversation by this rule");
		else
			snprintf(trace->reason, sizeof(trace->reason), "fewest open %s (%lld)",
					 work, (long long) first.load);
		if (!by_turn && next_eligible(channel, snapshot, &source, &next) &&
			next.load == first.load)
			snprintf(trace->reason + strlen(trace->reason),
					 sizeof(trace->reason) - strlen(trace->reason),
					 "; tied with agent %lld, who was assigned a %s more recently or has a larger id",
					 (long long) next.agent_id, channel->is_chat ? "chat" : "conversation");
		end_candidates(&source);
		return true;
	}
	pick = first;
	for (;;)
	{
		/* The first candidate, or one tied with it, neither held nor tried. */
		while (has_pick && (pick.held || agent_listed(tried, ntried, pick.agent_id)))
			has_pick = next_eligible(channel, snapshot, &source, &pick) &&
				(holds_rows || pick.tie == first.tie);
		end_candidates(&source);
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
		rewind_candidates(channel, snapshot, &source);
		has_pick = next_eligible(channel, snapshot, &source, &pick);
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
	CandidateSource source = {0};
	PoolRow		row;
	PoolRow    *rows = palloc(sizeof(PoolRow) * 16);
	int64	   *ids;
	int			size = 16;
	int			nrows = 0;
	int			neligible = 0;
	const PoolRow *pick = NULL;

	begin_merge(channel, snapshot, &key->targets, &source);
	while (next_merged(&source, &row))
	{
		if (nrows == size)
			rows = repalloc(rows, sizeof(PoolRow) * (size *= 2));
		rows[nrows++] = row;
	}
	end_candidates(&source);
	for (int draw = 0; draw < POOL_DRAWS && nrows > 0 && pick == NULL; draw++)
	{
		const PoolRow *drawn = &rows[pg_prng_uint64_range(&pg_global_prng_state, 0,
														  (uint64) nrows - 1)];

		if (pool_row_eligible(channel, drawn, snapshot))
		{
			pick = drawn;
			neligible = nrows / (draw + 1);
		}
	}
	if (pick == NULL)
		for (int i = 0; i < nrows; i++)
			if (pool_row_eligible(channel, &rows[i], snapshot) &&
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
		CandidateSource source;

		begin_candidates(channel, snapshot, trace, &source);
		end_candidates(&source);
		return true;
	}
	routing_pool_key(channel, snapshot, &key);
	draws = routing_pool_lookup(&key, &members) ? member_draws(&members) : 0;
	for (int draw = 0; draw < draws && !found; draw++)
	{
		PoolRow		row;

		agent_id = members.ids[pg_prng_uint64_range(&pg_global_prng_state, 0,
													(uint64) members.n - 1)];
		if (read_pool_member(channel, agent_id, snapshot, &row))
		{
			version = row.candidate.version;
			found = pool_row_eligible(channel, &row, snapshot);
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
		if (trace != NULL)
			snprintf(trace->reason, sizeof(trace->reason),
					 "the contact has no tracked owner and the channel no default agent: the conversation stays unassigned");
		return true;
	}
	is_default = !has_owner;
	who = is_default ? "default agent" : "contact owner";
	routing_agent_check(channel, is_default ? channel->default_agent_id : owner_id,
						false, snapshot, &checks);
	exclude_lapsed(channel, &checks);
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
 * trace_outcome completes a traced decision: its method, the number of
 * eligible candidates, and the reasons the methods leave to it.
 */
static void
trace_outcome(RoutingTrace *trace)
{
	const RoutingChannel *channel = &trace->channel;

	trace->method = !channel->rule_enabled ? "none" :
		channel->contact_owner ? "contact_owner" :
		channel->distribution == DISTRIBUTION_ROUND_ROBIN ? "round_robin" :
		channel->distribution == DISTRIBUTION_LEAST_BUSY ? "least_busy" : "random";
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
				 "no eligible agent%s: the conversation %s",
				 channel->queue ? " with room" : "",
				 channel->queue ? "waits in the queue" : "stays unassigned");
	else if (channel->distribution == DISTRIBUTION_RANDOM)
		snprintf(trace->reason, sizeof(trace->reason),
				 "a uniformly random pick among the %d eligible agents",
				 trace->neligible);
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
		if (trace != NULL)
		{
			trace->channel = channel;
			trace_outcome(trace);
		}
	}
	if (decision->assigned && offers)
		routing_offer_start(account_id, conversation_id, decision->agent_id,
							routing_offer_deadline(now, &accept_within), offered);
}
