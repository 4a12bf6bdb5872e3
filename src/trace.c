/*
 * trace.c
 *		A traced routing decision, for explain_route: the candidates the
 *		decision looked at with their checks, its pick, and the reason for
 *		the outcome in words.  Each function does nothing without a trace.
 */
#include "postgres.h"

#include "channel.h"
#include "eligibility.h"
#include "trace.h"

/*
 * routing_trace_start empties the trace before a decision.
 */
void
routing_trace_start(RoutingTrace *trace)
{
	if (trace == NULL)
		return;
	trace->ncandidates = 0;
	trace->pick = -1;
	trace->reason[0] = '\0';
}

/*
 * routing_trace_candidate records a candidate in the trace, in a role
 * (target, contact_owner or default_agent), if there is room.
 */
void
routing_trace_candidate(RoutingTrace *trace, const RoutingChecks *checks,
						const char *role)
{
	RoutingTraceCandidate *candidate;

	if (trace == NULL || trace->ncandidates >= trace->max_candidates)
		return;
	candidate = &trace->candidates[trace->ncandidates++];
	candidate->checks = *checks;
	candidate->role = role;
}

/*
 * routing_trace_pick makes the traced candidate of agent_id the pick.
 */
void
routing_trace_pick(RoutingTrace *trace, int64 agent_id)
{
	if (trace == NULL)
		return;
	for (int i = 0; i < trace->ncandidates; i++)
		if (trace->candidates[i].checks.agent_id == agent_id)
			trace->pick = i;
}

/*
 * routing_trace_reason sets the reason of the traced outcome.
 */
void
routing_trace_reason(RoutingTrace *trace, const char *format,...)
{
	va_list		args;

	if (trace == NULL)
		return;
	va_start(args, format);
	vsnprintf(trace->reason, sizeof(trace->reason), format, args);
	va_end(args);
}

/*
 * routing_trace_add_reason appends to the reason of the traced outcome.
 */
void
routing_trace_add_reason(RoutingTrace *trace, const char *format,...)
{
	va_list		args;
	size_t		used;

	if (trace == NULL)
		return;
	used = strlen(trace->reason);
	va_start(args, format);
	vsnprintf(trace->reason + used, sizeof(trace->reason) - used, format, args);
	va_end(args);
}

/*
 * routing_trace_end completes a traced decision on the channel it read:
 * its method, the number of eligible candidates, and the reasons the
 * methods leave to it.
 */
void
routing_trace_end(RoutingTrace *trace, const RoutingChannel *channel)
{
	if (trace == NULL)
		return;
	trace->channel = *channel;
	trace->method = !channel->rule_enabled ? "none" :
		channel->contact_owner ? "contact_owner" :
		channel->distribution == DISTRIBUTION_ROUND_ROBIN ? "round_robin" :
		channel->distribution == DISTRIBUTION_LEAST_BUSY ? "least_busy" : "random";
	trace->neligible = 0;
	for (int i = 0; i < trace->ncandidates; i++)
		if (trace->candidates[i].checks.eligible)
			trace->neligible++;
	if (!channel->rule_enabled)
		routing_trace_reason(trace, "the channel has no enabled rule: the conversation stays unassigned");
	else if (channel->contact_owner)
		return;
	else if (trace->neligible == 0)
		routing_trace_reason(trace, "no eligible agent%s: the conversation %s",
							 channel->queue ? " with room" : "",
							 channel->queue ? "waits in the queue" : "stays unassigned");
	else if (channel->distribution == DISTRIBUTION_RANDOM)
		routing_trace_reason(trace, "a uniformly random pick among the %d eligible agents",
							 trace->neligible);
}
