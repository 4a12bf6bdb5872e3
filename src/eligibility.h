/*
 * eligibility.h
 *		Who may own a conversation (eligibility.c): the eligibility checks of
 *		section 3, read in SQL and judged in one place, the per-backend
 *		verdict cache, and inbox access for manual owners (section 2).
 */
#ifndef ROUTING_ELIGIBILITY_H
#define ROUTING_ELIGIBILITY_H

#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/timestamp.h"

#include "channel.h"
#include "plumbing.h"

/*
 * Each check as SQL for the candidate row aliased "l" (its column
 * agent_id).  inbox_access and rule_targets have only partial indexes
 * (agent_id, team_id "is not null"): each branch says which it reads.
 * Parameters: $1 account_id, $2 channel_id, $3 inbox_id, $4 inbox is
 * restricted, $5 only_available, $6 an agent id or a limit, $7 the
 * channel's work is chat (else email).
 */
#define SQL_ACTIVE \
	"exists (select 1 from routing.agents a where a.account_id" EQ "$1" \
	" and a.agent_id" EQ "l.agent_id and a.active)"
#define SQL_SEAT \
	"exists (select 1 from routing.seats s where s.account_id" EQ "$1" \
	" and s.agent_id" EQ "l.agent_id)"
#define SQL_ACCESS \
	"(not $4" \
	" or exists (select 1 from routing.inbox_access x where x.account_id" EQ "$1" \
	"  and x.inbox_id" EQ "$3 and x.agent_id" EQ "l.agent_id)" \
	" or exists (select 1 from routing.team_members m" \
	"  join routing.inbox_access x on x.account_id" EQ "m.account_id" \
	"   and x.team_id" EQ "m.team_id" \
	"  where m.account_id" EQ "$1 and m.agent_id" EQ "l.agent_id" \
	"   and x.inbox_id" EQ "$3 and x.team_id is not null))"
#define SQL_TARGET \
	"(exists (select 1 from routing.rule_targets t where t.account_id" EQ "$1" \
	"  and t.channel_id" EQ "$2 and t.agent_id" EQ "l.agent_id)" \
	" or exists (select 1 from routing.team_members m" \
	"  join routing.rule_targets t on t.account_id" EQ "m.account_id" \
	"   and t.team_id" EQ "m.team_id" \
	"  where m.account_id" EQ "$1 and m.agent_id" EQ "l.agent_id" \
	"   and m.role" EQ "'primary' and t.channel_id" EQ "$2 and t.team_id is not null))"
/* Room for the channel's work on "l"; is_chat names the parameter saying chat. */
#define SQL_ROOM(is_chat) \
	"(case when " is_chat " then l.chat_capacity is null" \
	"  or l.open_chats OPERATOR(pg_catalog.<) l.chat_capacity" \
	" else l.email_capacity is null" \
	"  or l.open_emails OPERATOR(pg_catalog.<) l.email_capacity end)"
#define SQL_AVAILABLE \
	"exists (select 1 from routing.availability v where v.account_id" EQ "$1" \
	" and v.agent_id" EQ "l.agent_id and v.status" EQ "'available')"

/*
 * The checks of sections 3 (3.1 to 3.5) and 12 (room), the one list that
 * knows them: an id, the name explain_route shows, and the SQL above.
 * Which rules waive a check is judged in C (check_waived in
 * eligibility.c).  Adding a check is a line here and a trigger that moves
 * the agents' checks_version when the table it reads changes.  Room
 * depends on the load, which moves only "version": it is never taken from
 * the verdict cache, but from the load row the decision read.
 */
#define ROUTING_CHECKS(X) \
	X(CHECK_ACTIVE, "active", SQL_ACTIVE) \
	X(CHECK_SEAT, "paid_seat", SQL_SEAT) \
	X(CHECK_ACCESS, "inbox_access", SQL_ACCESS) \
	X(CHECK_TARGET, "target", SQL_TARGET) \
	X(CHECK_AVAILABLE, "available", SQL_AVAILABLE) \
	X(CHECK_CAPACITY, "capacity", SQL_ROOM("$7"))

typedef enum RoutingCheck
{
#define CHECK_ID(id, name, sql) id,
	ROUTING_CHECKS(CHECK_ID)
#undef CHECK_ID
	ROUTING_CHECK_COUNT
} RoutingCheck;

#define CHECK_COLUMN(id, name, sql) ", " sql

/*
 * The load row's versions and load, then each check as its own column, read
 * in one snapshot: what routing_read_checks() reads.  (last_chat_at is read
 * as bigint: a timestamptz is an int64.)
 */
#define SQL_CHECK_COLUMNS \
	"l.version, l.checks_version, l.open_chats::pg_catalog.int8," \
	" l.last_chat_at, l.open_emails::pg_catalog.int8" ROUTING_CHECKS(CHECK_COLUMN)
#define SQL_CHECK_COLUMN_COUNT (5 + ROUTING_CHECK_COUNT)
/* Least busy first: the order of index agent_loads_team_least_busy. */
#define SQL_LOAD_ORDER " order by l.open_chats, l.last_chat_at nulls first, l.agent_id"
/* The arguments of every query that uses the fragments above. */
#define ELIGIBILITY_NARGS 7
#define ELIGIBILITY_ARGTYPES INT8OID, INT8OID, INT8OID, BOOLOID, BOOLOID, INT8OID, BOOLOID

/* One agent's eligibility checks on a channel (sections 3 and 12). */
typedef struct RoutingChecks
{
	int64		agent_id;
	bool		exists;
	int64		version;		/* of the agent's load row */
	int64		checks_version; /* ditto: what the checks were read under */
	int64		open_chats;		/* ditto: the agent's loads */
	bool		has_last_chat_at;
	TimestampTz last_chat_at;
	int64		open_emails;
	bool		passed[ROUTING_CHECK_COUNT];
	bool		eligible;
	bool		eligible_but_away;	/* only availability stands in the way */
} RoutingChecks;

extern const char *const routing_check_names[ROUTING_CHECK_COUNT];

extern void routing_eligibility_args(const RoutingChannel *channel, int64 extra,
									 Datum *values);
extern void routing_read_checks(const RoutingChannel *channel, bool need_target,
								int row, int first_col, RoutingChecks *checks);
extern void routing_agent_check(const RoutingChannel *channel, int64 agent_id,
								bool need_target, Snapshot snapshot,
								RoutingChecks *checks);
extern bool routing_candidate_eligible(const RoutingChannel *channel,
									   int64 agent_id, int64 checks_version,
									   bool has_room, Snapshot snapshot);
extern void routing_check_owner_access(const RoutingChannel *channel,
									   int64 conversation_id, bool has_agent,
									   int64 agent_id, bool has_team,
									   int64 team_id);
extern bool routing_has_seat(int64 account_id, int64 agent_id);

#endif							/* ROUTING_ELIGIBILITY_H */
