/*
 * candidates.c
 *		Reading a routing decision's candidates under its snapshot: for
 *		least busy by chat load, a merge of the targeted teams' primary
 *		members read from the least-busy index and the named agents' rows;
 *		for least busy by email and round robin, the pool in the method's
 *		order; each member judged from its load row and the verdict cache,
 *		passing over agents whose offer of the conversation lapsed.  Traced,
 *		every agent the rule names is listed into the trace with its checks,
 *		and read back from it.
 */
#include "postgres.h"

#include "catalog/pg_type.h"

#include "candidates.h"
#include "eligibility.h"
#include "index_scan.h"
#include "loads.h"
#include "plumbing.h"
#include "trace.h"

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
 * routing_exclude_lapsed makes checked agent ineligible for the conversation if an
 * offer of it to them lapsed.
 */
void
routing_exclude_lapsed(const RoutingChannel *channel, RoutingChecks *checks)
{
	if (!excluded(channel, checks->agent_id))
		return;
	checks->offer_lapsed = true;
	checks->eligible = false;
	checks->eligible_but_away = false;
}

/*
 * read_pool reads the pool of a users-and-teams rule into the source's list,
 * in the order of "plan" (one of the pool plans), the tie value being the
 * turns (by_turn) or the load.
 */
static void
read_pool(const RoutingChannel *channel, Snapshot snapshot, RoutingPlan *plan,
		  bool by_turn, RoutingCandidates *source)
{
	Datum		values[3] = {Int64GetDatum(channel->account_id),
	Int64GetDatum(channel->channel_id), BoolGetDatum(channel->is_chat)};
	int			n = routing_exec_snapshot(plan, values, NULL, POOL_MAX_CANDIDATES,
										  snapshot);

	source->list = palloc0(sizeof(RoutingPoolRow) * Max(n, 1));
	for (int row = 0; row < n; row++)
	{
		RoutingCandidate *c = &source->list[row].candidate;

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
pool_row_from(const RoutingLoadRow *load, bool is_chat, RoutingPoolRow *row)
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
before(const RoutingPoolRow *a, const RoutingPoolRow *b)
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
advance_team(RoutingTeamStream *team, bool is_chat)
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
 * routing_read_pool_member reads agent_id's load row by key into "row"; false when
 * the agent has none.
 */
bool
routing_read_pool_member(const RoutingChannel *channel, int64 agent_id, Snapshot snapshot,
				 RoutingPoolRow *row)
{
	RoutingLoadRow load;

	if (!routing_read_load_row(channel->account_id, agent_id, snapshot, &load))
		return false;
	pool_row_from(&load, channel->is_chat, row);
	return true;
}

/*
 * routing_merge_begin starts the read of a users-and-teams rule's pool: a
 * stream per targeted team (its primary members, from the index, in chat
 * load order) and the named agents' rows (by primary key, sorted), merged
 * by routing_merge_next.  Its cost follows the pool, not the account.
 * Random reads it too, in any order.
 */
void
routing_merge_begin(const RoutingChannel *channel, Snapshot snapshot,
			const RoutingRuleTargets *targets, RoutingCandidates *source)
{
	source->by_merge = true;
	source->nnamed = targets->nagents;
	source->named_ids = targets->agent_ids;
	source->named = palloc0(sizeof(RoutingPoolRow) * Max(targets->nagents, 1));
	source->nteams = targets->nteams;
	for (int i = 0; i < source->nnamed; i++)
		if (!routing_read_pool_member(channel, source->named_ids[i], snapshot, &source->named[i]))
			source->named[i].candidate.agent_id = -1;	/* no load row: skipped */
	qsort(source->named, source->nnamed, sizeof(RoutingPoolRow), compare_rows);
	source->teams = palloc0(sizeof(RoutingTeamStream) * Max(source->nteams, 1));
	for (int i = 0; i < source->nteams; i++)
	{
		routing_team_loads_begin(&source->teams[i].rows, channel->account_id,
								 targets->team_ids[i], snapshot);
		advance_team(&source->teams[i], channel->is_chat);
	}
	source->is_chat = channel->is_chat;
}

/*
 * routing_merge_next takes the next row of the merge in least-busy order; false
 * when every stream is done.  A named agent met again in a team's stream is
 * skipped there.
 */
bool
routing_merge_next(RoutingCandidates *source, RoutingPoolRow *out)
{
	for (;;)
	{
		RoutingTeamStream *team = NULL;
		const RoutingPoolRow *named = source->next < source->nnamed ?
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
 * routing_candidates_begin starts reading the channel's candidates in the order of
 * its method under the decision's snapshot.
 */
void
routing_candidates_begin(const RoutingChannel *channel, Snapshot snapshot,
				 RoutingTrace *trace, RoutingCandidates *source)
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
			routing_exclude_lapsed(channel, &checks);
			routing_trace_candidate(trace, &checks, "target");
		}
	}
	else if (channel->is_chat && !by_turn)
	{
		RoutingRuleTargets targets;

		routing_rule_targets(channel, snapshot, &targets);
		routing_merge_begin(channel, snapshot, &targets, source);
	}
	else
		read_pool(channel, snapshot, by_turn ? &pool_by_turn_plan : &pool_by_email_load_plan,
				  by_turn, source);
}

/*
 * routing_candidates_end ends what routing_candidates_begin started.
 */
void
routing_candidates_end(RoutingCandidates *source)
{
	for (int i = 0; i < source->nteams; i++)
		routing_index_scan_end(&source->teams[i].rows);
}

/*
 * routing_candidates_rewind starts the candidates over, in the same order, after
 * routing_candidates_end.
 */
void
routing_candidates_rewind(const RoutingChannel *channel, Snapshot snapshot,
				  RoutingCandidates *source)
{
	if (source->by_merge)
		routing_candidates_begin(channel, snapshot, NULL, source);
	else
		source->next = 0;
}

/*
 * routing_pool_row_eligible tells whether a member read from the pool may take the
 * channel's work now.
 */
bool
routing_pool_row_eligible(const RoutingChannel *channel, const RoutingPoolRow *row, Snapshot snapshot)
{
	return !excluded(channel, row->candidate.agent_id) &&
		routing_candidate_eligible(channel, row->candidate.agent_id,
								   &row->facts, row->room, snapshot);
}

/*
 * routing_candidates_next reads the next eligible candidate with room, in the
 * method's order, into "out"; false when there are no more.
 */
bool
routing_candidates_next(const RoutingChannel *channel, Snapshot snapshot,
			  RoutingCandidates *source, RoutingCandidate *out)
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
		RoutingPoolRow row;

		while (routing_merge_next(source, &row))
		{
			if (!routing_pool_row_eligible(channel, &row, snapshot))
				continue;
			*out = row.candidate;
			return true;
		}
		return false;
	}
	while (source->next < source->nlist)
	{
		int			i = source->next++;

		if (!routing_pool_row_eligible(channel, &source->list[i], snapshot))
			continue;
		*out = source->list[i].candidate;
		return true;
	}
	return false;
}

