/*
 * trace.h
 *		A traced routing decision (trace.c), for explain_route: the
 *		candidates it looked at with their checks, its method, pick and
 *		reason.  Every function does nothing without a trace (NULL), so that
 *		an untraced decision calls them as they are.
 */
#ifndef ROUTING_TRACE_H
#define ROUTING_TRACE_H

#include "postgres.h"

#include "channel.h"
#include "eligibility.h"

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
	const char *method;			/* none, contact_owner, least_busy, random,
								 * round_robin */
	RoutingTraceCandidate *candidates;
	int			max_candidates;
	int			ncandidates;
	int			neligible;
	int			pick;
	char		reason[256];
} RoutingTrace;

extern void routing_trace_start(RoutingTrace *trace);
extern void routing_trace_candidate(RoutingTrace *trace, const RoutingChecks *checks,
									const char *role);
extern void routing_trace_pick(RoutingTrace *trace, int64 agent_id);
extern void routing_trace_reason(RoutingTrace *trace, const char *format,...) pg_attribute_printf(2, 3);
extern void routing_trace_add_reason(RoutingTrace *trace, const char *format,...) pg_attribute_printf(2, 3);
extern void routing_trace_end(RoutingTrace *trace, const RoutingChannel *channel);

#endif							/* ROUTING_TRACE_H */
