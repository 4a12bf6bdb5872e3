/*
 * hours.h
 *		Working hours and idle agents (section 16, hours.c): an agent's
 *		state by their working hours and time off at an instant, and the
 *		next instant it flips.
 */
#ifndef ROUTING_HOURS_H
#define ROUTING_HOURS_H

#include "postgres.h"

#include "datatype/timestamp.h"

/* An agent's working hours as they stand at an instant. */
typedef struct RoutingHours
{
	bool		has_hours;		/* the agent has working_hours rows */
	bool		working;		/* in a span and not in time off */
	TimestampTz next;			/* the next boundary: where "working" flips */
} RoutingHours;

extern void routing_idle_restart(int64 account_id, int64 agent_id);
extern void routing_end_agent_timer(int64 account_id, int64 agent_id, const char *kind);
extern void routing_hours_at(int64 account_id, int64 agent_id, TimestampTz at,
							 RoutingHours *hours);

#endif							/* ROUTING_HOURS_H */
