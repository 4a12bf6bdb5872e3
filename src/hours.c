/*
 * hours.c
 *		Working hours and idle agents (section 16).  An agent with
 *		working_hours rows is working inside a span (weekday, starts, ends
 *		in their time_zone; a span whose end is before its start ends the
 *		next day) and outside their time_off; a boundary is an instant
 *		where that flips.  The next boundary is the agent's hours timer,
 *		rewritten whenever the schedule changes, so that a change takes
 *		effect at the next boundary; the tick (clock.c) applies the state
 *		at each.  routing.heartbeat() records that an agent is present: the
 *		idle timer, due idle_after after the latest presence.
 */
#include "postgres.h"
#include "fmgr.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "hours.h"
#include "plumbing.h"

/* How far ahead the next boundary is looked for; none: look again then. */
#define HOURS_LOOKAHEAD_DAYS 8

/*
 * An agent's schedule at $3: whether they have working hours, whether
 * they are working at $3, and the first instant after $3 where that
 * flips.  The spans of the local days around $3 become instants through
 * the agent's time zone as AT TIME ZONE does (a local time that a
 * daylight-saving change skips starts after the gap); adjacent spans make
 * no boundary, since only instants where the state differs count.
 */
static RoutingPlan hours_plan = {
	.sql =
	"with agent as (select a.time_zone from routing.agents a"
	"  where a.account_id" EQ "$1 and a.agent_id" EQ "$2),"
	" days as (select (pg_catalog.timezone(agent.time_zone, $3)::pg_catalog.date"
	"   OPERATOR(pg_catalog.+) g.n) as day, agent.time_zone"
	"  from agent, pg_catalog.generate_series(-1, " CppAsString2(HOURS_LOOKAHEAD_DAYS) ") g(n)),"
	" spans as (select pg_catalog.tstzrange("
	"   pg_catalog.timezone(d.time_zone, d.day OPERATOR(pg_catalog.+) w.starts),"
	"   pg_catalog.timezone(d.time_zone, d.day OPERATOR(pg_catalog.+) w.ends"
	"    OPERATOR(pg_catalog.+) case when w.ends OPERATOR(pg_catalog.<) w.starts"
	"     then interval '1 day' else interval '0' end)) as span"
	"  from days d join routing.working_hours w on w.account_id" EQ "$1"
	"   and w.agent_id" EQ "$2"
	"   and w.weekday" EQ "pg_catalog.date_part('dow', d.day)::pg_catalog.int4),"
	" offs as (select pg_catalog.tstzrange(o.starts_at, o.ends_at) as span"
	"  from routing.time_off o where o.account_id" EQ "$1 and o.agent_id" EQ "$2"
	"   and o.ends_at OPERATOR(pg_catalog.>) $3),"
	" points as (select pg_catalog.lower(s.span) as p from spans s"
	"  union select pg_catalog.upper(s.span) from spans s"
	"  union select pg_catalog.lower(o.span) from offs o"
	"  union select pg_catalog.upper(o.span) from offs o),"
	" states as (select q.p,"
	"   exists (select 1 from spans s where s.span OPERATOR(pg_catalog.@>) q.p)"
	"   and not exists (select 1 from offs o where o.span OPERATOR(pg_catalog.@>) q.p)"
	"    as working"
	"  from (select p.p from points p where p.p OPERATOR(pg_catalog.>) $3"
	"   union all select $3) q),"
	" now as (select s.working from states s where s.p" EQ "$3)"
	" select exists (select 1 from routing.working_hours w"
	"   where w.account_id" EQ "$1 and w.agent_id" EQ "$2),"
	"  (select now.working from now),"
	"  (select pg_catalog.min(s.p) from states s, now"
	"   where s.p OPERATOR(pg_catalog.>) $3 and s.working OPERATOR(pg_catalog.<>) now.working)",
	.nargs = 3,
	.argtypes = {INT8OID, INT8OID, TIMESTAMPTZOID}
};

/*
 * routing_hours_at reads an agent's working hours as they stand at "at":
 * whether they have any, whether they are working, and the next boundary
 * (none in the days looked at: "at" plus that many days, to look again).
 */
void
routing_hours_at(int64 account_id, int64 agent_id, TimestampTz at, RoutingHours *hours)
{
	Datum		values[3] = {Int64GetDatum(account_id), Int64GetDatum(agent_id),
	TimestampTzGetDatum(at)};
	bool		has_next;

	routing_exec(&hours_plan, values, NULL, 1);
	hours->has_hours = routing_get_bool(0, 1);
	hours->working = routing_get_bool(0, 2);
	hours->next = (TimestampTz) routing_get_int64(0, 3, &has_next);
	if (!has_next)
		hours->next = at + (TimestampTz) HOURS_LOOKAHEAD_DAYS * USECS_PER_DAY;
}

static RoutingPlan set_hours_timer_plan = {
	.sql =
	"insert into routing.agent_timers as t (account_id, agent_id, kind, started_at, due_at)"
	" values ($1, $2, 'hours', $3, $4)"
	" on conflict (account_id, agent_id, kind) do update"
	" set started_at = excluded.started_at, due_at = excluded.due_at",
	.nargs = 4,
	.argtypes = {INT8OID, INT8OID, TIMESTAMPTZOID, TIMESTAMPTZOID}
};

static RoutingPlan end_agent_timer_plan = {
	.sql =
	"delete from routing.agent_timers t"
	" where t.account_id" EQ "$1 and t.agent_id" EQ "$2 and t.kind" EQ "$3",
	.nargs = 3,
	.argtypes = {INT8OID, INT8OID, TEXTOID}
};

/*
 * routing_end_agent_timer takes away an agent's timer of "kind" (owner_away,
 * hours or idle), if they have one.
 */
void
routing_end_agent_timer(int64 account_id, int64 agent_id, const char *kind)
{
	Datum		values[3] = {Int64GetDatum(account_id), Int64GetDatum(agent_id),
	CStringGetTextDatum(kind)};

	routing_exec(&end_agent_timer_plan, values, NULL, 0);
}

/*
 * An available agent's idle timer: due idle_after after their latest
 * presence, the later of their last heartbeat (a timer's start) and
 * becoming available (the availability row's changed_at).
 */
static RoutingPlan idle_plan = {
	.sql =
	"insert into routing.agent_timers as t (account_id, agent_id, kind, started_at, due_at)"
	" select $1, $2, 'idle', v.changed_at, v.changed_at OPERATOR(pg_catalog.+) a.idle_after"
	" from routing.availability v, routing.agents a"
	" where v.account_id" EQ "$1 and v.agent_id" EQ "$2 and v.status" EQ "'available'"
	" and a.account_id" EQ "$1 and a.agent_id" EQ "$2 and a.idle_after is not null"
	" on conflict (account_id, agent_id, kind) do update"
	" set started_at = greatest(t.started_at, excluded.started_at),"
	"  due_at = greatest(t.started_at, excluded.started_at)"
	"   OPERATOR(pg_catalog.+) (excluded.due_at OPERATOR(pg_catalog.-) excluded.started_at)",
	.nargs = 2,
	.argtypes = {INT8OID, INT8OID}
};

/*
 * routing_idle_restart gives an available agent with idle_after their idle
 * timer, counting from their latest presence.
 */
void
routing_idle_restart(int64 account_id, int64 agent_id)
{
	Datum		values[2] = {Int64GetDatum(account_id), Int64GetDatum(agent_id)};

	routing_exec(&idle_plan, values, NULL, 0);
}

/* A schedule change, for its work as the owner. */
typedef struct ScheduleChange
{
	int64		account_id;
	int64		agent_id;
	bool		hours;			/* working hours, time off or time zone */
	bool		idle_after_changed;
} ScheduleChange;

/*
 * reschedule is routing_schedule_changed's work as the owner: the hours
 * timer goes to the next boundary after now by the new schedule (none
 * without working hours), the idle timer to the new idle_after.
 */
static void
reschedule(void *arg)
{
	ScheduleChange *change = arg;
	Datum		values[4] = {Int64GetDatum(change->account_id),
	Int64GetDatum(change->agent_id)};

	if (change->hours)
	{
		TimestampTz now = GetCurrentTimestamp();
		RoutingHours hours;

		routing_hours_at(change->account_id, change->agent_id, now, &hours);
		values[2] = TimestampTzGetDatum(now);
		values[3] = TimestampTzGetDatum(hours.next);
		if (hours.has_hours)
			routing_exec(&set_hours_timer_plan, values, NULL, 0);
		else
			routing_end_agent_timer(change->account_id, change->agent_id, "hours");
	}
	if (change->idle_after_changed)
	{
		routing_end_agent_timer(change->account_id, change->agent_id, "idle");
		routing_idle_restart(change->account_id, change->agent_id);
	}
}

/*
 * changed tells whether a column differs between the old and new rows of
 * an UPDATE.
 */
static bool
changed(TriggerData *trigdata, const char *name)
{
	TupleDesc	desc = RelationGetDescr(trigdata->tg_relation);
	bool		old_null;
	bool		new_null;
	Datum		old = routing_row_value(trigdata->tg_trigtuple, desc, name, &old_null);
	Datum		new = routing_row_value(trigdata->tg_newtuple, desc, name, &new_null);
	Form_pg_attribute attr = TupleDescAttr(desc, routing_column_number(desc, name) - 1);

	return old_null != new_null ||
		(!old_null && !datumIsEqual(old, new, attr->attbyval, attr->attlen));
}

/*
 * reschedule_row reschedules the agent a row of working_hours, time_off or
 * agents names.
 */
static void
reschedule_row(TriggerData *trigdata, HeapTuple tuple, bool hours, bool idle)
{
	TupleDesc	desc = RelationGetDescr(trigdata->tg_relation);
	ScheduleChange change = {0};
	bool		isnull;

	change.account_id = DatumGetInt64(routing_row_value(tuple, desc, "account_id", &isnull));
	change.agent_id = DatumGetInt64(routing_row_value(tuple, desc, "agent_id", &isnull));
	change.hours = hours;
	change.idle_after_changed = idle;
	routing_as_owner_on(trigdata->tg_relation, reschedule, &change);
}

PG_FUNCTION_INFO_V1(routing_schedule_changed);

/*
 * routing_schedule_changed is the AFTER ROW trigger on working_hours and
 * time_off, and on agents' time_zone and idle_after: it moves the agent's
 * hours timer to the next boundary of the new schedule (the change takes
 * effect there), and their idle timer to the new idle_after.  A row moved
 * to another agent reschedules both agents.
 */
Datum
routing_schedule_changed(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	bool		on_agents;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
		elog(ERROR, "routing_schedule_changed must be an AFTER ROW trigger");
	on_agents = strcmp(RelationGetRelationName(trigdata->tg_relation), "agents") == 0;
	if (on_agents)
	{
		bool		hours = changed(trigdata, "time_zone");
		bool		idle = changed(trigdata, "idle_after");

		if (hours || idle)
			reschedule_row(trigdata, trigdata->tg_newtuple, hours, idle);
		return PointerGetDatum(NULL);
	}
	reschedule_row(trigdata, trigdata->tg_trigtuple, true, false);
	if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
		reschedule_row(trigdata, trigdata->tg_newtuple, true, false);
	return PointerGetDatum(NULL);
}

static RoutingPlan agent_plan = {
	.sql =
	"select a.idle_after from routing.agents a"
	" where a.account_id" EQ "$1 and a.agent_id" EQ "$2",
	.nargs = 2,
	.argtypes = {INT8OID, INT8OID}
};

/* Present at $3: idle $4 later, if available. */
static RoutingPlan heartbeat_plan = {
	.sql =
	"insert into routing.agent_timers as t (account_id, agent_id, kind, started_at, due_at)"
	" select $1, $2, 'idle', $3, $3 OPERATOR(pg_catalog.+) $4"
	" from routing.availability v where v.account_id" EQ "$1 and v.agent_id" EQ "$2"
	" and v.status" EQ "'available'"
	" on conflict (account_id, agent_id, kind) do update"
	" set started_at = excluded.started_at, due_at = excluded.due_at",
	.nargs = 4,
	.argtypes = {INT8OID, INT8OID, TIMESTAMPTZOID, INTERVALOID}
};

/* A heartbeat asked for. */
typedef struct HeartbeatCall
{
	int64		account_id;
	int64		agent_id;
} HeartbeatCall;

/*
 * beat is routing_heartbeat's work as the owner.
 */
static void
beat(void *arg)
{
	HeartbeatCall *call = arg;
	Datum		values[4] = {Int64GetDatum(call->account_id), Int64GetDatum(call->agent_id),
	TimestampTzGetDatum(GetCurrentTimestamp()), (Datum) 0};
	bool		isnull;

	if (routing_exec(&agent_plan, values, NULL, 1) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("agent %lld does not exist in account %lld",
						(long long) call->agent_id, (long long) call->account_id)));
	values[3] = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	if (!isnull)
		routing_exec(&heartbeat_plan, values, NULL, 0);
}

PG_FUNCTION_INFO_V1(routing_heartbeat);

/*
 * routing_heartbeat is routing.heartbeat(agent_id) (section 16): the agent
 * is present now.  An available agent with idle_after set becomes idle
 * idle_after after their last heartbeat; a heartbeat alone does not make
 * an away agent available.
 */
Datum
routing_heartbeat(PG_FUNCTION_ARGS)
{
	HeartbeatCall call;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", PG_ARGISNULL(0) ? "agent_id" : "account_id")));
	call.agent_id = PG_GETARG_INT64(0);
	call.account_id = PG_GETARG_INT64(1);
	routing_as_owner_for(call.account_id, beat, &call);
	PG_RETURN_VOID();
}
