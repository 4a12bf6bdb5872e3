/*
 * loads.h
 *		Who holds how much work (agent_loads), the one place that knows its
 *		columns (loads.c): reading a load row, room and load order, the
 *		agent facts it carries, the claim that makes a decision stick, load
 *		adjustments, version bumps, and the guard that refuses any other
 *		change.
 */
#ifndef ROUTING_LOADS_H
#define ROUTING_LOADS_H

#include "postgres.h"

#include "access/htup.h"
#include "access/tupdesc.h"
#include "utils/snapshot.h"
#include "utils/timestamp.h"

#include "index_scan.h"

/* Room for the channel's work on load row "l"; is_chat names the parameter saying chat. */
#define SQL_ROOM(is_chat) \
	"(case when " is_chat " then l.chat_capacity is null" \
	"  or l.open_chats OPERATOR(pg_catalog.<) l.chat_capacity" \
	" else l.email_capacity is null" \
	"  or l.open_emails OPERATOR(pg_catalog.<) l.email_capacity end)"

/*
 * routing_has_room is SQL_ROOM in C: room for one more conversation with
 * "open" of the channel's work type open, under a capacity (has_capacity)
 * or none.
 */
static inline bool
routing_has_room(int64 open, bool has_capacity, int32 capacity)
{
	return !has_capacity || open < capacity;
}

/* Least busy first: the order of index agent_loads_team_least_busy. */
#define SQL_LOAD_ORDER " order by l.open_chats, l.last_chat_at nulls first, l.agent_id"
/* Least busy by email: fewest open emails, least recent email, smallest id. */
#define SQL_EMAIL_LOAD_ORDER " order by l.open_emails, l.last_email_at nulls first, l.agent_id"

/*
 * What an agent's load row says of the agent alone (checks 3.1, 3.2 and
 * 3.5) and of its primary team, with the checks_version it carries: what a
 * decision reads with each candidate's load, so that judging the candidate
 * reads no row again.
 */
typedef struct RoutingAgentFacts
{
	int64		checks_version;
	bool		has_primary_team;
	int64		primary_team_id;
	bool		active;
	bool		has_seat;
	bool		available;
} RoutingAgentFacts;

/* The load row's columns that hold them, in the order routing_spi_facts takes. */
#define ROUTING_FACTS_SQL \
	"l.checks_version, l.primary_team_id, l.active, l.has_seat, l.available"

/* An agent's load row as read. */
typedef struct RoutingLoadRow
{
	int64		agent_id;
	int64		version;
	int32		open_chats;
	bool		has_last_chat_at;
	TimestampTz last_chat_at;
	int32		open_emails;
	bool		has_chat_capacity;
	int32		chat_capacity;
	bool		has_email_capacity;
	int32		email_capacity;
	RoutingAgentFacts facts;
	bool		held;			/* by another transaction, when read (a hint) */
} RoutingLoadRow;

/* The row's open conversations of a work type (is_chat: chat, else email). */
static inline int32
routing_load_open(const RoutingLoadRow *row, bool is_chat)
{
	return is_chat ? row->open_chats : row->open_emails;
}

/* Whether the row has room for one more conversation of a work type. */
static inline bool
routing_load_has_room(const RoutingLoadRow *row, bool is_chat)
{
	return is_chat ?
		routing_has_room(row->open_chats, row->has_chat_capacity, row->chat_capacity) :
		routing_has_room(row->open_emails, row->has_email_capacity, row->email_capacity);
}

/* Whose load rows an eligibility change locks. */
typedef enum RoutingScope
{
	ROUTING_SCOPE_AGENT,
	ROUTING_SCOPE_TEAM,
	ROUTING_SCOPE_ACCOUNT,
	ROUTING_SCOPE_ALL,			/* every account: a TRUNCATE */
	ROUTING_SCOPE_CHANNEL		/* a channel's queue (queue.c) */
} RoutingScope;

extern bool routing_read_load_row(int64 account_id, int64 agent_id,
								  Snapshot snapshot, RoutingLoadRow *row);
extern void routing_team_loads_begin(RoutingIndexScan *scan, int64 account_id,
									 int64 team_id, Snapshot snapshot);
extern void routing_scan_load_row(RoutingIndexScan *scan, RoutingLoadRow *row);
extern void routing_spi_facts(int row, int first_column, RoutingAgentFacts *facts);
extern void routing_check_load_counts(HeapTuple tuple, TupleDesc desc);
extern bool routing_holds_load_rows(void);
extern bool routing_claim(int64 account_id, int64 agent_id, int64 version,
						  bool is_chat, bool wait, TimestampTz now);
extern void routing_adjust_load(int64 account_id, int64 agent_id, bool is_chat,
								int delta, TimestampTz given_at);
extern void routing_set_capacity(int64 account_id, int64 agent_id, bool is_chat,
								 bool has_max, int32 max_open);
extern void routing_clear_capacities(void);
extern void routing_resync_account(int64 account_id);
extern void routing_sync_agent(int64 account_id, int64 agent_id);
extern void routing_sync_all_agents(void);
extern void routing_bump_team_members(RoutingScope scope, int64 account_id,
									  int64 team_id);
extern void routing_note_turn(int64 account_id, int64 channel_id,
							  int64 agent_id, TimestampTz now);
extern void routing_bump_versions(RoutingScope scope, int64 account_id,
								  int64 id);
extern void routing_create_load_row(int64 account_id, int64 agent_id);
extern void routing_zero_loads(void);
extern bool routing_loads_writing(void);
extern void routing_guard_load_row(const char *action, bool is_delete,
								   int64 account_id, int64 agent_id);
extern void routing_guard_loads_truncate(void);
extern bool routing_has_agents(void);
extern void routing_check_loads(int64 account_id);

#endif							/* ROUTING_LOADS_H */
