/*
 * eligibility.c
 *		Who may own a conversation: the eligibility checks of section 3 for
 *		automatic routing, judged in one place, with the per-backend verdict
 *		cache; and inbox access for manual owners (section 2).
 */
#include "postgres.h"
#include "fmgr.h"

#include "utils/snapmgr.h"

#include "eligibility.h"
#include "index_scan.h"
#include "loads.h"
#include "set_cache.h"

const char *const routing_check_names[ROUTING_CHECK_COUNT] = {
#define CHECK_NAME(id, name, reader) name,
	ROUTING_CHECKS(CHECK_NAME)
#undef CHECK_NAME
};

/*
 * The rows the checks read, each by key through an index (the partial ones
 * of inbox_access and rule_targets hold only rows of their kind): a probe
 * costs no plan and no executor start-up, which is most of what a check
 * costs when a backend first meets an agent.  The checks of the agent alone
 * (3.1, 3.2 and 3.5) come with the load row (loads.c).
 */
static RoutingTable seats_table = {.name = "seats", .columns = {"hub"}};
static RoutingTable memberships_table = {
	.name = "team_members", .index = "team_members_by_agent", .columns = {"team_id"}
};
static RoutingTable agent_access_table = {
	.name = "inbox_access", .index = "inbox_access_agent", .columns = {"agent_id"}
};
static RoutingTable team_access_table = {
	.name = "inbox_access", .index = "inbox_access_team", .columns = {"team_id"}
};
static RoutingTable agent_target_table = {
	.name = "rule_targets", .index = "rule_targets_agent", .columns = {"agent_id"}
};
static RoutingTable team_target_table = {
	.name = "rule_targets", .index = "rule_targets_team", .columns = {"team_id"}
};

/* What a check reads about one agent: the agent's load row, read first. */
typedef struct CheckedAgent
{
	const RoutingChannel *channel;
	int64		agent_id;
	Snapshot	snapshot;
	RoutingLoadRow load;
} CheckedAgent;

/*
 * row_exists tells whether "table" has a row whose first nkeys key columns
 * equal "keys", under "snapshot".
 */
static bool
row_exists(RoutingTable *table, int nkeys, const int64 *keys, Snapshot snapshot)
{
	RoutingIndexScan scan;
	bool		found;

	routing_index_scan_begin(&scan, table, nkeys, keys, snapshot);
	found = routing_index_scan_next(&scan);
	routing_index_scan_end(&scan);
	return found;
}

/*
 * read_ids reads column 0 (a bigint) of every row of "table" whose first two
 * key columns equal "keys", into an array allocated in the current memory
 * context; *n is its length.
 */
static int64 *
read_ids(RoutingTable *table, const int64 *keys, Snapshot snapshot, int *n)
{
	RoutingIndexScan scan;
	int			size = 8;
	int64	   *ids = palloc(sizeof(int64) * size);

	*n = 0;
	routing_index_scan_begin(&scan, table, 2, keys, snapshot);
	while (routing_index_scan_next(&scan))
	{
		if (*n == size)
			ids = repalloc(ids, sizeof(int64) * (size *= 2));
		ids[(*n)++] = DatumGetInt64(routing_index_scan_value(&scan, 0, NULL));
	}
	routing_index_scan_end(&scan);
	return ids;
}

/*
 * routing_rule_targets reads the teams and the agents the channel's rule
 * names, under "snapshot", each list in id order.
 */
void
routing_rule_targets(const RoutingChannel *channel, Snapshot snapshot,
					 RoutingRuleTargets *targets)
{
	int64		keys[2] = {channel->account_id, channel->channel_id};

	targets->team_ids = read_ids(&team_target_table, keys, snapshot, &targets->nteams);
	targets->agent_ids = read_ids(&agent_target_table, keys, snapshot, &targets->nagents);
}

/* Check 3.1: the agent is active. */
static bool
check_active(const CheckedAgent *agent, const RoutingChecks *checks)
{
	return agent->load.facts.active;
}

/* Check 3.2: the agent holds a paid seat. */
static bool
check_seat(const CheckedAgent *agent, const RoutingChecks *checks)
{
	return agent->load.facts.has_seat;
}

/*
 * team_has_access_under tells whether a team is granted the channel's
 * (restricted) inbox.
 */
static bool
team_has_access_under(const RoutingChannel *channel, int64 team_id, Snapshot snapshot)
{
	int64		keys[3] = {channel->account_id, channel->inbox_id, team_id};

	return row_exists(&team_access_table, 3, keys, snapshot);
}

/*
 * Check 3.3: the inbox is open to everyone, or grants the agent access
 * through a team the agent is a member of, in any role, or by name.  The
 * primary team (on the load row) is tried first: most inboxes are granted
 * to teams, and it costs one probe.
 */
static bool
check_access(const CheckedAgent *agent, const RoutingChecks *checks)
{
	const RoutingChannel *channel = agent->channel;
	int64		by_name[3] = {channel->account_id, channel->inbox_id, agent->agent_id};
	int64		member[2] = {channel->account_id, agent->agent_id};
	RoutingIndexScan teams;
	bool		granted;

	if (!channel->restricted ||
		(agent->load.facts.has_primary_team &&
		 team_has_access_under(channel, agent->load.facts.primary_team_id, agent->snapshot)) ||
		row_exists(&agent_access_table, 3, by_name, agent->snapshot))
		return true;
	granted = false;
	routing_index_scan_begin(&teams, &memberships_table, 2, member, agent->snapshot);
	while (!granted && routing_index_scan_next(&teams))
	{
		int64		team_id = DatumGetInt64(routing_index_scan_value(&teams, 0, NULL));

		granted = !(agent->load.facts.has_primary_team && team_id == agent->load.facts.primary_team_id) &&
			team_has_access_under(channel, team_id, agent->snapshot);
	}
	routing_index_scan_end(&teams);
	return granted;
}

/*
 * Check 3.4: the rule names the agent's primary team (kept on the load row
 * in the same transaction as the membership), or the agent.
 */
static bool
check_target(const CheckedAgent *agent, const RoutingChecks *checks)
{
	const RoutingChannel *channel = agent->channel;
	int64		by_name[3] = {channel->account_id, channel->channel_id, agent->agent_id};
	int64		by_team[3] = {channel->account_id, channel->channel_id, agent->load.facts.primary_team_id};

	return (agent->load.facts.has_primary_team &&
			row_exists(&team_target_table, 3, by_team, agent->snapshot)) ||
		row_exists(&agent_target_table, 3, by_name, agent->snapshot);
}

/* Check 3.5: the agent is available (no availability row: away). */
static bool
check_available(const CheckedAgent *agent, const RoutingChecks *checks)
{
	return agent->load.facts.available;
}

/* Section 12: the agent's open work of the channel's type is below capacity. */
static bool
check_room(const CheckedAgent *agent, const RoutingChecks *checks)
{
	return routing_load_has_room(&agent->load, agent->channel->is_chat);
}

typedef bool (*CheckReader) (const CheckedAgent *agent, const RoutingChecks *checks);

static const CheckReader check_readers[ROUTING_CHECK_COUNT] = {
#define CHECK_READER(id, name, reader) reader,
	ROUTING_CHECKS(CHECK_READER)
#undef CHECK_READER
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
 * read_checks reads every check of an agent whose load row was read into
 * "agent" and "checks"; the target check passes without reading when
 * need_target is false.
 */
static void
read_checks(const CheckedAgent *agent, bool need_target, RoutingChecks *checks)
{
	for (int check = 0; check < ROUTING_CHECK_COUNT; check++)
		checks->passed[check] = (check == CHECK_TARGET && !need_target) ||
			check_readers[check] (agent, checks);
}

/*
 * routing_agent_check reads the eligibility checks for one agent on a
 * channel under "snapshot" (InvalidSnapshot: a new one), all in that one
 * snapshot, and judges them into "checks" (false for every check of an
 * unknown agent).  A contact owner or default agent (need_target false) is
 * the rule's own target.
 */
void
routing_agent_check(const RoutingChannel *channel, int64 agent_id,
					bool need_target, Snapshot snapshot, RoutingChecks *checks)
{
	CheckedAgent agent = {.channel = channel, .agent_id = agent_id, .snapshot = snapshot};
	Snapshot	own_snapshot = NULL;

	memset(checks, 0, sizeof(*checks));
	checks->agent_id = agent_id;
	if (snapshot == InvalidSnapshot)
		agent.snapshot = own_snapshot = routing_take_snapshot();
	checks->exists = routing_read_load_row(channel->account_id, agent_id,
										   agent.snapshot, &agent.load);
	if (checks->exists)
	{
		checks->version = agent.load.version;
		checks->open_chats = agent.load.open_chats;
		checks->has_last_chat_at = agent.load.has_last_chat_at;
		checks->last_chat_at = agent.load.last_chat_at;
		checks->open_emails = agent.load.open_emails;
		read_checks(&agent, need_target, checks);
		judge_checks(channel, need_target, checks);
	}
	if (own_snapshot != NULL)
		UnregisterSnapshot(own_snapshot);
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
 * A miss reads only what the load row does not carry (inbox access: one or
 * two probes for a restricted inbox, none for an open one).
 * It is a set cache (set_cache.c) of (channel, agent): a pool of up to
 * 8,192 agents fits in distinct sets, and one of 16,384 in the two ways.
 * Least-busy routing visits a whole pool in turn, so a pool that did not
 * fit would read every candidate's checks anew.  Vacuum and other changes
 * to the tables keep it.
 */
typedef struct CachedChecks
{
	RoutingCacheKey key;
	int64		checks_version;
	bool		passed[ROUTING_CHECK_COUNT];
} CachedChecks;

static RoutingSetCache checks_cache = {
	.name = "routing eligibility checks",
	.nslots = 16384,
	.slot_size = sizeof(CachedChecks)
};

/*
 * routing_candidate_eligible tells whether agent_id, whose load row was
 * read with "facts" and room (has_room) for the channel's work, is eligible
 * for automatic routing on the channel, reading the checks the load row
 * does not carry under "snapshot" only when the cache has none for that
 * checks_version.  A candidate is a target of the rule by where the
 * decision found it (the rule's named agents and its teams' primary
 * members, read under the same snapshot, or a remembered pool checked
 * against them), so the target check is not read again.
 */
bool
routing_candidate_eligible(const RoutingChannel *channel, int64 agent_id,
						   const RoutingAgentFacts *facts, bool has_room,
						   Snapshot snapshot)
{
	RoutingCacheKey key = {.account_id = channel->account_id,
	.channel_id = channel->channel_id, .agent_id = agent_id, .filled = true};
	CachedChecks *slot = routing_set_cache_find(&checks_cache, &key);
	RoutingChecks checks;

	if (slot == NULL || slot->checks_version != facts->checks_version)
	{
		CheckedAgent agent = {.channel = channel, .agent_id = agent_id,
		.snapshot = snapshot, .load = {.facts = *facts}};

		slot = routing_set_cache_take(&checks_cache, &key);
		memset(&checks, 0, sizeof(checks));
		read_checks(&agent, false, &checks);
		slot->key = key;
		slot->checks_version = facts->checks_version;
		memcpy(slot->passed, checks.passed, sizeof(slot->passed));
	}
	memset(&checks, 0, sizeof(checks));
	checks.exists = true;
	memcpy(checks.passed, slot->passed, sizeof(checks.passed));
	checks.passed[CHECK_CAPACITY] = has_room;
	judge_checks(channel, true, &checks);
	return checks.eligible;
}

/*
 * team_has_access tells whether a team may own conversations of the
 * channel's inbox: any team for an inbox open to everyone, otherwise only a
 * team granted access.
 */
static bool
team_has_access(const RoutingChannel *channel, int64 team_id)
{
	Snapshot	snapshot;
	bool		granted;

	if (!channel->restricted)
		return true;
	snapshot = routing_take_snapshot();
	granted = team_has_access_under(channel, team_id, snapshot);
	UnregisterSnapshot(snapshot);
	return granted;
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

/*
 * routing_has_seat tells whether an agent holds a paid seat (check 3.2), as
 * a rule's default agent must.
 */
bool
routing_has_seat(int64 account_id, int64 agent_id)
{
	int64		keys[2] = {account_id, agent_id};
	Snapshot	snapshot = routing_take_snapshot();
	bool		seated = row_exists(&seats_table, 2, keys, snapshot);

	UnregisterSnapshot(snapshot);
	return seated;
}
