/*
 * eligibility.c
 *		Who may own a conversation: the eligibility checks of section 3 for
 *		automatic routing, judged in one place, with the per-backend verdict
 *		cache; and inbox access for manual owners (section 2).
 */
#include "postgres.h"
#include "fmgr.h"

#include "common/hashfn.h"
#include "utils/memutils.h"

#include "eligibility.h"

const char *const routing_check_names[ROUTING_CHECK_COUNT] = {
#define CHECK_NAME(id, name, sql) name,
	ROUTING_CHECKS(CHECK_NAME)
#undef CHECK_NAME
};

/*
 * routing_eligibility_args fills the ELIGIBILITY_NARGS parameters of a query
 * built on the SQL_* fragments: the channel's five, "extra" (an agent id or
 * a limit), and the channel's work type.
 */
void
routing_eligibility_args(const RoutingChannel *channel, int64 extra, Datum *values)
{
	values[0] = Int64GetDatum(channel->account_id);
	values[1] = Int64GetDatum(channel->channel_id);
	values[2] = Int64GetDatum(channel->inbox_id);
	values[3] = BoolGetDatum(channel->restricted);
	values[4] = BoolGetDatum(channel->only_available);
	values[5] = Int64GetDatum(extra);
	values[6] = BoolGetDatum(channel->is_chat);
}

static RoutingPlan agent_check_plan = {
	.sql =
	"select " SQL_CHECK_COLUMNS
	" from routing.agent_loads l"
	" where l.account_id" EQ "$1 and l.agent_id" EQ "$6",
	.nargs = ELIGIBILITY_NARGS,
	.argtypes = {ELIGIBILITY_ARGTYPES}
};

/*
 * check_waived tells whether the channel's rule waives a check: a contact
 * owner or a default agent needs no listing as a target (need_target
 * false), and availability counts only when the rule says "only assign to
 * available users" (sections 4b and 4c).
 */
static bool
check_waived(const RoutingChannel *channel, bool need_target, RoutingCheck check)
{
	return (check == CHECK_TARGET && !need_target) ||
		(check == CHECK_AVAILABLE && !channel->only_available);
}

/*
 * judge_checks decides an agent's eligibility from the checks read, as the
 * channel's rule does.
 */
static void
judge_checks(const RoutingChannel *channel, bool need_target,
			 RoutingChecks *checks)
{
	bool		all_but_available = checks->exists;

	for (int check = 0; check < ROUTING_CHECK_COUNT; check++)
		if (check != CHECK_AVAILABLE && !checks->passed[check] &&
			!check_waived(channel, need_target, check))
			all_but_available = false;
	checks->eligible = all_but_available &&
		(checks->passed[CHECK_AVAILABLE] ||
		 check_waived(channel, need_target, CHECK_AVAILABLE));
	checks->eligible_but_away = all_but_available && !checks->eligible;
}

/*
 * routing_read_checks reads an agent's SQL_CHECK_COLUMNS, starting at column
 * first_col of row "row" of the last result, and judges them.
 */
void
routing_read_checks(const RoutingChannel *channel, bool need_target,
					int row, int first_col, RoutingChecks *checks)
{
	checks->exists = true;
	checks->version = routing_get_int64(row, first_col, NULL);
	checks->checks_version = routing_get_int64(row, first_col + 1, NULL);
	checks->open_chats = routing_get_int64(row, first_col + 2, NULL);
	checks->last_chat_at = routing_get_int64(row, first_col + 3,
											 &checks->has_last_chat_at);
	checks->open_emails = routing_get_int64(row, first_col + 4, NULL);
	for (int check = 0; check < ROUTING_CHECK_COUNT; check++)
		checks->passed[check] = routing_get_bool(row, first_col + 5 + check);
	/* The contact owner and the default agent are the rule's own targets. */
	if (!need_target)
		checks->passed[CHECK_TARGET] = true;
	judge_checks(channel, need_target, checks);
}

/*
 * routing_agent_check evaluates the eligibility checks for one agent on a
 * channel under "snapshot" (InvalidSnapshot: a new one) and fills "checks"
 * (false for every check of an unknown agent).
 */
void
routing_agent_check(const RoutingChannel *channel, int64 agent_id,
					bool need_target, Snapshot snapshot, RoutingChecks *checks)
{
	Datum		values[ELIGIBILITY_NARGS];

	memset(checks, 0, sizeof(*checks));
	checks->agent_id = agent_id;
	routing_eligibility_args(channel, agent_id, values);
	if (routing_exec_snapshot(&agent_check_plan, values, NULL, 1, snapshot) == 1)
		routing_read_checks(channel, need_target, 0, 1, checks);
}

/*
 * The verdict cache: each backend keeps the checks it read for a candidate
 * of a channel, and reuses them while the candidate's load row still has
 * the checks_version they were read under.  Every change that can change an
 * agent's eligibility moves that version, to a value never used before (a
 * rolled-back change leaves no reusable value behind), in the same
 * transaction as the change: changes to a channel, its inbox or rule move
 * it for every agent of the account.  Checks are stored under the version
 * read in the same snapshot as they were.  So a cached verdict is exactly
 * what the checks would read now.  The claim's compare-and-swap on
 * "version" still guards the decision against changes after the read.
 * Two-way set associative: a set of two slots holds the two candidates
 * that hashed to it most recently used, so the memory is fixed (640 kB,
 * allocated on first use) and two candidates that collide (as many do when
 * an account's channels and agents together fill most of the cache) do not
 * evict each other.  The set is the channel's hash plus the agent id, so
 * that agents with nearby ids (a pool, usually) do not take each other's
 * sets: a pool of up to 8,192 agents fits in distinct sets, and one of
 * 16,384 in the two ways.  Least-busy routing visits a whole pool in turn,
 * so a pool that did not fit would read every candidate's checks anew.
 * The cache is emptied when a routing relation is dropped or altered
 * (routing_schema_generation), so that a version read from a re-created
 * agent_checks_seq never finds a verdict of the dropped tables.
 */
typedef struct CachedChecks
{
	int64		account_id;
	int64		channel_id;
	int64		agent_id;
	int64		checks_version;
	bool		exists;
	bool		passed[ROUTING_CHECK_COUNT];
} CachedChecks;

#define CHECKS_CACHE_SLOTS 16384

static CachedChecks *checks_cache = NULL;

/* The routing_schema_generation() the cache's slots were filled under. */
static uint64 checks_cache_generation = 0;

/*
 * cached_checks_match tells whether a cache slot holds checks of agent_id on
 * the channel (under some version).
 */
static bool
cached_checks_match(const CachedChecks *slot, const RoutingChannel *channel,
					int64 agent_id)
{
	return slot->exists && slot->agent_id == agent_id &&
		slot->account_id == channel->account_id &&
		slot->channel_id == channel->channel_id;
}

/*
 * routing_candidate_eligible tells whether agent_id, whose load row was
 * read with checks_version and room (has_room) for the channel's work, is
 * eligible for automatic routing on the channel (every check, the target
 * one included), reading the checks under "snapshot" only when the cache
 * has none for that version.
 */
bool
routing_candidate_eligible(const RoutingChannel *channel, int64 agent_id,
						   int64 checks_version, bool has_room, Snapshot snapshot)
{
	int64		channel_key[2] = {channel->account_id, channel->channel_id};
	CachedChecks *set;
	CachedChecks *slot;
	RoutingChecks checks;
	uint64		generation = routing_schema_generation();

	if (checks_cache == NULL)
		checks_cache = MemoryContextAllocZero(
			AllocSetContextCreate(TopMemoryContext, "routing eligibility checks",
								  ALLOCSET_SMALL_SIZES),
			sizeof(CachedChecks) * CHECKS_CACHE_SLOTS);
	else if (checks_cache_generation != generation)
		memset(checks_cache, 0, sizeof(CachedChecks) * CHECKS_CACHE_SLOTS);
	checks_cache_generation = generation;
	set = &checks_cache[((hash_bytes((const unsigned char *) channel_key,
									 sizeof(channel_key)) + (uint64) agent_id) %
						 (CHECKS_CACHE_SLOTS / 2)) * 2];
	/* The set's first slot is its most recently used. */
	if (!cached_checks_match(&set[0], channel, agent_id) &&
		cached_checks_match(&set[1], channel, agent_id))
	{
		CachedChecks used = set[1];

		set[1] = set[0];
		set[0] = used;
	}
	slot = &set[0];
	if (!(cached_checks_match(slot, channel, agent_id) &&
		  slot->checks_version == checks_version))
	{
		if (!cached_checks_match(slot, channel, agent_id))
			set[1] = set[0];
		routing_agent_check(channel, agent_id, true, snapshot, &checks);
		slot->account_id = channel->account_id;
		slot->channel_id = channel->channel_id;
		slot->agent_id = agent_id;
		slot->checks_version = checks.checks_version;
		slot->exists = checks.exists;
		memcpy(slot->passed, checks.passed, sizeof(slot->passed));
	}
	memset(&checks, 0, sizeof(checks));
	checks.exists = slot->exists;
	memcpy(checks.passed, slot->passed, sizeof(checks.passed));
	checks.passed[CHECK_CAPACITY] = has_room;
	judge_checks(channel, true, &checks);
	return checks.eligible;
}

static RoutingPlan team_access_plan = {
	.sql =
	"select 1 from routing.inbox_access x"
	" where x.account_id" EQ "$1 and x.inbox_id" EQ "$2 and x.team_id" EQ "$3",
	.nargs = 3,
	.argtypes = {INT8OID, INT8OID, INT8OID}
};

/*
 * team_has_access tells whether a team may own conversations of the
 * channel's inbox: any team for an inbox open to everyone, otherwise only a
 * team granted access.
 */
static bool
team_has_access(const RoutingChannel *channel, int64 team_id)
{
	Datum		values[3] = {Int64GetDatum(channel->account_id),
	Int64GetDatum(channel->inbox_id), Int64GetDatum(team_id)};

	return !channel->restricted || routing_exec(&team_access_plan, values, NULL, 1) == 1;
}

/*
 * routing_check_owner_access refuses an owner outside a restricted inbox
 * (section 2): an agent needs a grant by name or a membership, primary or
 * additional, of a granted team; a team needs a grant.
 */
void
routing_check_owner_access(const RoutingChannel *channel, int64 conversation_id,
						   bool has_agent, int64 agent_id,
						   bool has_team, int64 team_id)
{
	if (!channel->restricted)
		return;
	if (has_agent)
	{
		RoutingChecks checks;

		routing_agent_check(channel, agent_id, false, InvalidSnapshot, &checks);
		if (!checks.exists)
			ereport(ERROR,
					(errcode(ERRCODE_NO_DATA_FOUND),
					 errmsg("agent %lld does not exist in account %lld",
							(long long) agent_id, (long long) channel->account_id)));
		if (!checks.passed[CHECK_ACCESS])
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("agent %lld has no access to restricted inbox %lld of conversation %lld",
							(long long) agent_id, (long long) channel->inbox_id,
							(long long) conversation_id),
					 errdetail("Only agents granted access by name or members of the inbox's teams may own its conversations.")));
	}
	if (has_team && !team_has_access(channel, team_id))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("team %lld has no access to restricted inbox %lld of conversation %lld",
						(long long) team_id, (long long) channel->inbox_id,
						(long long) conversation_id),
				 errdetail("Only the inbox's teams may own its conversations.")));
}

static RoutingPlan seat_plan = {
	.sql =
	"select 1 from routing.seats s"
	" where s.account_id" EQ "$1 and s.agent_id" EQ "$2",
	.nargs = 2,
	.argtypes = {INT8OID, INT8OID}
};

/*
 * routing_has_seat tells whether an agent holds a paid seat (check 3.2), as
 * a rule's default agent must.
 */
bool
routing_has_seat(int64 account_id, int64 agent_id)
{
	Datum		values[2] = {Int64GetDatum(account_id), Int64GetDatum(agent_id)};

	return routing_exec(&seat_plan, values, NULL, 1) == 1;
}
