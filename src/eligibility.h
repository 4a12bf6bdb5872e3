/*
 * eligibility.h
 *		Who may own a conversation (eligibility.c): the eligibility checks of
 *		section 3, read by key and judged in one place, the per-backend
 *		verdict cache, and inbox access for manual owners (section 2).
 */
#ifndef ROUTING_ELIGIBILITY_H
#define ROUTING_ELIGIBILITY_H

#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/timestamp.h"

#include "channel.h"
#include "index_scan.h"
#include "loads.h"
#include "plumbing.h"

/*
 * The checks of sections 3 (3.1 to 3.5) and 12 (room), the one list that
 * knows them: an id, the name explain_route shows, and the function of
 * eligibility.c that reads it, from the agent's load row (active, paid
 * seat, available, room) or by key through an index.  Which rules waive
 * a check is judged in C (check_waived in eligibility.c).  Adding a check
 * is a line here, its function, and a trigger that moves the agents'
 * checks_version when the table it reads changes.  Room depends on the
 * load, which moves only "version": it is never taken from the verdict
 * cache, but from the load row the decision read.
 */
#define ROUTING_CHECKS(X) \
	X(CHECK_ACTIVE, "active", check_active) \
	X(CHECK_SEAT, "paid_seat", check_seat) \
	X(CHECK_ACCESS, "inbox_access", check_access) \
	X(CHECK_TARGET, "target", check_target) \
	X(CHECK_AVAILABLE, "available", check_available) \
	X(CHECK_CAPACITY, "capacity", check_room)

typedef enum RoutingCheck
{
#define CHECK_ID(id, name, reader) id,
	ROUTING_CHECKS(CHECK_ID)
#undef CHECK_ID
	ROUTING_CHECK_COUNT
} RoutingCheck;

/* One agent's eligibility checks on a channel (sections 3 and 12). */
typedef struct RoutingChecks
{
	int64		agent_id;
	bool		exists;
	int64		version;		/* of the agent's load row */
	int64		open_chats;		/* ditto: the agent's loads */
	bool		has_last_chat_at;
	TimestampTz last_chat_at;
	int64		open_emails;
	bool		passed[ROUTING_CHECK_COUNT];
	bool		eligible;
	bool		eligible_but_away;	/* only availability stands in the way */
	bool		offer_lapsed;	/* the conversation excludes them (section 16) */
} RoutingChecks;

/* The teams and the agents a users-and-teams rule names. */
typedef struct RoutingRuleTargets
{
	int64	   *team_ids;
	int			nteams;
	int64	   *agent_ids;
	int			nagents;
} RoutingRuleTargets;

extern const char *const routing_check_names[ROUTING_CHECK_COUNT];

extern void routing_rule_targets(const RoutingChannel *channel, Snapshot snapshot,
								 RoutingRuleTargets *targets);
extern void routing_agent_check(const RoutingChannel *channel, int64 agent_id,
								bool need_target, Snapshot snapshot,
								RoutingChecks *checks);
extern bool routing_candidate_eligible(const RoutingChannel *channel,
									   int64 agent_id,
									   const RoutingAgentFacts *facts,
									   bool has_room, Snapshot snapshot);
extern void routing_check_owner_access(const RoutingChannel *channel,
									   int64 conversation_id, bool has_agent,
									   int64 agent_id, bool has_team,
									   int64 team_id);
extern bool routing_has_seat(int64 account_id, int64 agent_id);

#endif							/* ROUTING_ELIGIBILITY_H */
