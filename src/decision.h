/*
 * decision.h
 *		The routing decision of sections 4, 12 and 14 (decision.c): the rule
 *		of a channel applied to an open, unassigned conversation, made to
 *		stick with a claim that counts it in the agent's load; or, traced
 *		(trace.h), the same decision made without claiming, for
 *		explain_route.
 */
#ifndef ROUTING_DECISION_H
#define ROUTING_DECISION_H

#include "postgres.h"

#include "utils/timestamp.h"

#include "channel.h"
#include "eligibility.h"
#include "trace.h"

/* The outcome of a routing decision. */
typedef struct RoutingDecision
{
	bool		assigned;
	int64		agent_id;
	TimestampTz decided_at;
	char		reason[128];
	bool		queue;			/* the channel's rule queues what finds nobody */
	bool		own_pool;		/* this conversation has candidates of its own
								 * (contact owner; agents its lapsed offers
								 * exclude) */
} RoutingDecision;

extern void routing_decide(int64 account_id, int64 channel_id,
						   int64 conversation_id, bool has_contact,
						   int64 contact_id, const int32 *priority,
						   RoutingDecision *decision, RoutingTrace *trace);

#endif							/* ROUTING_DECISION_H */
