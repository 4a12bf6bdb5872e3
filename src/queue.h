/*
 * queue.h
 *		Assigning existing conversations by rule (queue.c): the routed
 *		UPDATE and its token, the queue locks, and the drain of section 13.
 */
#ifndef ROUTING_QUEUE_H
#define ROUTING_QUEUE_H

#include "postgres.h"

#include "decision.h"
#include "loads.h"

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
