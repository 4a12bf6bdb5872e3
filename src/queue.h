/*
 * queue.h
 *		Assigning existing conversations by rule (queue.c): the routed
 *		UPDATE and its token, the queue locks, the drain of section 13, and
 *		the changes of eligibility and capacity that take them, in lock
 *		order.
 */
#ifndef ROUTING_QUEUE_H
#define ROUTING_QUEUE_H

#include "postgres.h"

#include "decision.h"
#include "loads.h"

/* Whose eligibility a row of an eligibility table speaks of. */
typedef struct RoutingTarget
{
	RoutingScope scope;
	int64		account_id;
	int64		id;
} RoutingTarget;

/* A team_members row as far as a team's primary members go. */
typedef struct RoutingMembership
{
	bool		is_primary;
	int64		account_id;
	int64		team_id;
	int64		agent_id;
} RoutingMembership;

/*
 * A change to a table that decides eligibility, as its trigger read it:
 * whom the old row and the new row (an update's; else the old one's again)
 * speak of, whether the table holds facts the agent's load row carries
 * (agents, seats, availability, memberships), and a membership's rows.
 */
typedef struct RoutingEligibilityChange
{
	RoutingTarget old;
	RoutingTarget new;
	bool		is_update;
	bool		agent_facts;
	bool		is_membership;
	RoutingMembership old_membership;
	RoutingMembership new_membership;	/* an update's */
} RoutingEligibilityChange;

/* A capacities row as scalars. */
typedef struct RoutingCapacityRow
{
	int64		account_id;
	int64		agent_id;
	bool		is_chat;
	int32		max_open;
} RoutingCapacityRow;

extern void routing_change_eligibility(const RoutingEligibilityChange *change);
extern void routing_truncate_eligibility(bool memberships);
extern void routing_change_contact(int64 account_id);
extern void routing_change_capacity(const RoutingCapacityRow *old,
									const RoutingCapacityRow *new);
extern bool routing_take_routed_update(int64 account_id, int64 conversation_id);
extern bool routing_route_existing(int64 account_id, int64 conversation_id,
								   int64 channel_id, bool has_contact,
								   int64 contact_id, int32 priority,
								   int64 *agent_id);
extern void routing_give_by_rule(int64 account_id, int64 conversation_id,
								 const RoutingDecision *decision);
extern void routing_give_back(int64 account_id, int64 conversation_id,
							  const char *reason);
extern void routing_lock_all_queues(void);
extern void routing_try_lock_queues(RoutingScope scope, int64 account_id, int64 id,
									int64 also_channel_id);
extern void routing_lock_queues(RoutingScope scope, int64 account_id, int64 id,
								int64 also_channel_id);
extern int64 routing_drain_queues(RoutingScope scope, int64 account_id, int64 id,
								  int64 also_channel_id);

#endif							/* ROUTING_QUEUE_H */
