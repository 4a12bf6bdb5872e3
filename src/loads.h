/*
 * loads.h
 *		The books (agent_loads) and the row operations on them (loads.c):
 *		the claim that makes a decision stick, load adjustments, version
 *		bumps, and the guard that refuses any other change.
 */
#ifndef ROUTING_LOADS_H
#define ROUTING_LOADS_H

#include "postgres.h"

#include "utils/timestamp.h"

/* Whose load rows an eligibility change locks. */
typedef enum RoutingScope
{
	ROUTING_SCOPE_AGENT,
	ROUTING_SCOPE_TEAM,
	ROUTING_SCOPE_ACCOUNT,
	ROUTING_SCOPE_ALL,			/* every account: a TRUNCATE */
	ROUTING_SCOPE_CHANNEL		/* a channel's queue (queue.c) */
} RoutingScope;

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
extern bool routing_books_writing(void);
extern void routing_guard_books_row(const char *action, bool is_delete,
									int64 account_id, int64 agent_id);
extern void routing_guard_books_truncate(void);
extern bool routing_has_agents(void);
extern void routing_check_books(int64 account_id);

#endif							/* ROUTING_LOADS_H */
