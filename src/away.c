/*
 * away.c
 *		Owners who leave (section 16): when an agent becomes away, by hand,
 *		by the clock or by plain SQL on routing.availability, the trigger
 *		here starts their owner_away timer, due when the shortest grace of
 *		the account's rules that reroute has passed, and ends their idle
 *		timer (which becoming available starts again: hours.c); back to
 *		available before it is due, the timer goes and nothing moves.  The
 *		tick (clock.c) moves the conversations.  The trigger writes the
 *		timers under the availability row's lock, which the tick takes too.
 */
#include "postgres.h"
#include "fmgr.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "utils/builtins.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "hours.h"
#include "plumbing.h"

/*
 * The owner_away timer of an agent who became away at $3: due at the
 * shortest grace of the account's enabled rules that reroute (only those
 * that route to available agents: the others give work to away agents
 * anyway).  A second away does not restart it.
 */
static RoutingPlan start_plan = {
	.sql =
	"insert into routing.agent_timers (account_id, agent_id, kind, started_at, due_at)"
	" select $1, $2, 'owner_away', $3, $3 OPERATOR(pg_catalog.+) pg_catalog.min(r.away_grace)"
	" from routing.rules r"
	" where r.account_id" EQ "$1 and r.enabled and r.only_available"
	" and r.when_owner_away" EQ "'reroute'"
	" having pg_catalog.min(r.away_grace) is not null"
	" on conflict (account_id, agent_id, kind) do nothing",
	.nargs = 3,
	.argtypes = {INT8OID, INT8OID, TIMESTAMPTZOID}
};

/* An availability change, for its work as the owner. */
typedef struct AvailabilityChange
{
	int64		account_id;
	int64		agent_id;
	bool		became_away;
	TimestampTz changed_at;
} AvailabilityChange;

/*
 * change_timers is routing_availability_changed's work as the owner: away,
 * the grace starts and idleness no longer matters; available, the grace
 * ends and the agent is present (section 16).
 */
static void
change_timers(void *arg)
{
	AvailabilityChange *change = arg;
	Datum		values[3] = {Int64GetDatum(change->account_id),
		Int64GetDatum(change->agent_id),
	TimestampTzGetDatum(change->changed_at)};

	if (change->became_away)
	{
		routing_exec(&start_plan, values, NULL, 0);
		routing_end_agent_timer(change->account_id, change->agent_id, "idle");
	}
	else
	{
		routing_end_agent_timer(change->account_id, change->agent_id, "owner_away");
		routing_idle_restart(change->account_id, change->agent_id);
	}
}

/*
 * is_available tells whether an availability row says available.
 */
static bool
is_available(HeapTuple tuple, TupleDesc desc)
{
	return strcmp(TextDatumGetCString(routing_row_value(tuple, desc, "status", NULL)),
				  "available") == 0;
}

PG_FUNCTION_INFO_V1(routing_availability_changed);

/*
 * routing_availability_changed is the AFTER INSERT OR UPDATE trigger on
 * availability: an agent who was available and is now away starts their
 * owner_away timer, dated by the row's changed_at, and loses their idle
 * timer; one who becomes available loses the first and starts the second
 * (becoming available counts as presence).  An agent with no row was never
 * available, so an inserted "away" starts nothing.
 */
Datum
routing_availability_changed(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TupleDesc	desc;
	HeapTuple	new_row;
	bool		was_available;
	bool		now_available;
	AvailabilityChange change;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) ||
		TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
		elog(ERROR, "routing_availability_changed must be an AFTER INSERT OR UPDATE ROW trigger");
	desc = RelationGetDescr(trigdata->tg_relation);
	new_row = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ?
		trigdata->tg_newtuple : trigdata->tg_trigtuple;
	was_available = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) &&
		is_available(trigdata->tg_trigtuple, desc);
	now_available = is_available(new_row, desc);
	if (was_available == now_available ||
		(!TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) && !now_available))
		return PointerGetDatum(NULL);
	change.account_id = DatumGetInt64(routing_row_value(new_row, desc, "account_id", NULL));
	change.agent_id = DatumGetInt64(routing_row_value(new_row, desc, "agent_id", NULL));
	change.became_away = !now_available;
	change.changed_at = DatumGetTimestampTz(routing_row_value(new_row, desc, "changed_at", NULL));
	routing_as_owner_on(trigdata->tg_relation, change_timers, &change);
	return PointerGetDatum(NULL);
}
