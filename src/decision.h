/*
 * decision.h
 *		The routing decision of section 4 (decision.c): the rule of a
 *		channel applied to an open, unassigned conversation, made to stick
 *		with a claim; or, traced, the same decision made without claiming,
 *		for explain_route.
 */
#ifndef ROUTING_DECISION_H
#define ROUTING_DECISION_H

#include "postgres.h"

#include "utils/timestamp.h"

#include "channel.h"
#include "eligibility.h"

/* The outcome of a routing decision. */
typedef struct RoutingDecision
{
	bool		assigned;
	int64		agent_id;
	bool		counted;		/* the claim added the chat to the agent's load */
	TimestampTz decided_at;
	char		reason[128];
} RoutingDecision;

/* A candidate the traced decision looked at, and in which role. */
typedef struct RoutingTraceCandidate
{
	RoutingChecks checks;
	const char *role;			/* target, contact_owner or default_agent */
} RoutingTraceCandidate;

/*
 * A traced decision: the channel and rule it read, the method, every
 * candidate with its checks, and the pick (-1: none, or a random one not
 * drawn).  The caller provides room for max_candidates candidates.
 */
typedef struct RoutingTrace
{
	RoutingChannel channel;
	const char *method;			/* none, contact_owner, least_busy, random */
	RoutingTraceCandidate *candidates;
	int			max_candidates;
	int			ncandidates;
	int			neligible;
	int			pick;
	char		reason[256];
} RoutingTrace;

extern void routing_decide(int64 account_id, int64 channel_id,
						   int64 conversation_id, bool has_contact,
						   int64 contact_id, RoutingDecision *decision,
						   RoutingTrace *trace);

#endif							/* ROUTING_DECISION_H */
