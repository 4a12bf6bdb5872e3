/*
 * functions.c
 *		The SQL functions DBAs and applications call: manual triage (assign,
 *		assign_team, unassign, reply), availability, closing and reopening,
 *		and route_conversation.  Each checks its input, locks the conversation
 *		row and makes one UPDATE as the extension owner; the triggers keep
 *		the books.  Also drain, and pre_restore and post_restore around a
 *		restore of a dump.  (explain_route is in explain.c.)
 */
#include "postgres.h"
#include "fmgr.h"

#include "catalog/pg_type.h"
#include "commands/dbcommands.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "compat.h"
#include "loads.h"
#include "offers.h"
#include "plumbing.h"
#include "queue.h"

/* A conversation row, locked for the rest of the transaction. */
typedef struct LockedConversation
{
	int64		account_id;
	int64		conversation_id;
	bool		open;
	bool		has_agent;
	int64		agent_id;
	bool		has_team;
	int64		team_id;
	int64		channel_id;
	bool		has_contact;
	int64		contact_id;
	int32		priority;
} LockedConversation;

/*
 * arg_int64 reads a bigint argument that must not be NULL.
 */
static int64
arg_int64(FunctionCallInfo fcinfo, int argno, const char *name)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", name)));
	return PG_GETARG_INT64(argno);
}

static RoutingPlan lock_conversation_plan = {
	.sql =
	"select c.status OPERATOR(pg_catalog.=) 'open', c.assignee_agent_id,"
	" c.assignee_team_id, c.channel_id, c.contact_id, c.priority::pg_catalog.int8"
	" from routing.conversations c"
	" where c.account_id" EQ "$1 and c.conversation_id" EQ "$2"
	" for no key update",
	.nargs = 2,
	.argtypes = {INT8OID, INT8OID}
};

static RoutingPlan conversation_queue_plan = {
	.sql =
	"select c.channel_id, c.load_agent_id from routing.conversations c"
	" where c.account_id" EQ "$1 and c.conversation_id" EQ "$2",
	.nargs = 2,
	.argtypes = {INT8OID, INT8OID}
};

/*
 * lock_conversation locks a conversation row so that concurrent manual
 * actions on it happen one after the other, and reads it; an unknown id is
 * an error.  First it takes the queue locks the action may need (of the
 * conversation's channel, and of the channels the agent it counts for
 * serves), since queue locks come before conversation rows: a drain, which
 * holds them, then never meets a conversation a manual action holds.
 */
static void
lock_conversation(int64 account_id, int64 conversation_id, LockedConversation *c)
{
	Datum		values[2] = {Int64GetDatum(account_id), Int64GetDatum(conversation_id)};

	if (routing_exec(&conversation_queue_plan, values, NULL, 1) == 1)
	{
		int64		channel_id = routing_get_int64(0, 1, NULL);
		bool		counted;
		int64		load_agent_id = routing_get_int64(0, 2, &counted);

		if (counted)
			routing_lock_queues(ROUTING_SCOPE_AGENT, account_id, load_agent_id, channel_id);
		else
			routing_lock_queues(ROUTING_SCOPE_CHANNEL, account_id, channel_id, 0);
	}

	if (routing_exec(&lock_conversation_plan, values, NULL, 1) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("conversation %lld does not exist in account %lld",
						(long long) conversation_id, (long long) account_id)));
	c->account_id = account_id;
	c->conversation_id = conversation_id;
	c->open = routing_get_bool(0, 1);
	c->agent_id = routing_get_int64(0, 2, &c->has_agent);
	c->team_id = routing_get_int64(0, 3, &c->has_team);
	c->channel_id = routing_get_int64(0, 4, NULL);
	c->contact_id = routing_get_int64(0, 5, &c->has_contact);
	c->priority = (int32) routing_get_int64(0, 6, NULL);
}

/*
 * require_open refuses a manual action on a closed conversation.
 */
static void
require_open(const LockedConversation *c, const char *action)
{
	if (!c->open)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot %s conversation %lld: it is closed",
						action, (long long) c->conversation_id),
				 errhint("Reopen it first with routing.reopen_conversation().")));
}

static RoutingPlan agent_plan = {
	.sql =
	"select a.active from routing.agents a"
	" where a.account_id" EQ "$1 and a.agent_id" EQ "$2",
	.nargs = 2,
	.argtypes = {INT8OID, INT8OID}
};

static RoutingPlan team_plan = {
	.sql =
	"select true from routing.teams t"
	" where t.account_id" EQ "$1 and t.team_id" EQ "$2",
	.nargs = 2,
	.argtypes = {INT8OID, INT8OID}
};

/*
 * require_row refuses an agent or team id unknown in the account and returns
 * the boolean its plan reads (an agent's "active").
 */
static bool
require_row(RoutingPlan *plan, const char *what, int64 account_id, int64 id)
{
	Datum		values[2] = {Int64GetDatum(account_id), Int64GetDatum(id)};

	if (routing_exec(plan, values, NULL, 1) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("%s %lld does not exist in account %lld",
						what, (long long) id, (long long) account_id)));
	return routing_get_bool(0, 1);
}

/*
 * require_agent refuses an agent id unknown in the account, or inactive: a
 * deactivated user takes no new work, by rule or by hand.
 */
static void
require_agent(int64 account_id, int64 agent_id)
{
	if (!require_row(&agent_plan, "agent", account_id, agent_id))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("agent %lld of account %lld is inactive",
						(long long) agent_id, (long long) account_id)));
}

static RoutingPlan set_owner_plan = {
	.sql =
	"update routing.conversations c"
	" set assignee_agent_id = $3, assignee_team_id = $4, assigned_by = $5,"
	"  assigned_at = $6, assigned_reason = null"
	" where c.account_id" EQ "$1 and c.conversation_id" EQ "$2",
	.nargs = 6,
	.argtypes = {INT8OID, INT8OID, INT8OID, INT8OID, TEXTOID, TIMESTAMPTZOID}
};

/*
 * set_owner gives a conversation a new owner (an agent, a team or nobody)
 * by hand; the trigger checks and counts it.
 */
static void
set_owner(const LockedConversation *c, int64 agent_id, int64 team_id,
		  const char *assigned_by, TimestampTz at)
{
	Datum		values[6];
	char		nulls[6];

	memset(nulls, ' ', sizeof(nulls));
	values[0] = Int64GetDatum(c->account_id);
	values[1] = Int64GetDatum(c->conversation_id);
	values[2] = Int64GetDatum(agent_id);
	nulls[2] = agent_id ? ' ' : 'n';
	values[3] = Int64GetDatum(team_id);
	nulls[3] = team_id ? ' ' : 'n';
	values[4] = assigned_by ? CStringGetTextDatum(assigned_by) : (Datum) 0;
	nulls[4] = assigned_by ? ' ' : 'n';
	values[5] = TimestampTzGetDatum(at);
	nulls[5] = assigned_by ? ' ' : 'n';
	routing_exec(&set_owner_plan, values, nulls, 0);
}

static RoutingPlan set_status_plan = {
	.sql =
	"update routing.conversations c set status = $3"
	" where c.account_id" EQ "$1 and c.conversation_id" EQ "$2",
	.nargs = 3,
	.argtypes = {INT8OID, INT8OID, TEXTOID}
};

/*
 * The arguments of a manual action and, after it, the conversation as it
 * was locked (or as route_conversation left it): what routing_as_owner_for()
 * passes to the work functions below.
 */
typedef struct ManualCall
{
	int64		conversation_id;
	int64		account_id;
	int64		owner_id;		/* an agent or a team id, by the action */
	const char *status;
	LockedConversation c;
} ManualCall;

/*
 * change_status is set_status's work as the owner.
 */
static void
change_status(void *arg)
{
	ManualCall *call = arg;

	lock_conversation(call->account_id, call->conversation_id, &call->c);
	if (call->c.open != (strcmp(call->status, "open") == 0))
	{
		Datum		values[3] = {Int64GetDatum(call->account_id),
			Int64GetDatum(call->conversation_id),
		CStringGetTextDatum(call->status)};

		routing_exec(&set_status_plan, values, NULL, 0);
	}
}

/*
 * set_status closes or reopens a conversation unless it already is so.
 */
static void
set_status(FunctionCallInfo fcinfo, const char *status)
{
	ManualCall	call = {0};

	call.conversation_id = arg_int64(fcinfo, 0, "conversation_id");
	call.account_id = arg_int64(fcinfo, 1, "account_id");
	call.status = status;
	routing_as_owner_for(call.account_id, change_status, &call);
}

/* The owner a manual (re)assignment gives. */
typedef enum ManualOwner
{
	MANUAL_AGENT,
	MANUAL_TEAM,
	MANUAL_NOBODY
} ManualOwner;

/*
 * give_to_agent, give_to_team and give_to_nobody carry out assign,
 * assign_team and unassign as the owner.  Giving a conversation the owner it
 * already has changes nothing.
 */
static void
give_to_agent(void *arg)
{
	ManualCall *call = arg;

	lock_conversation(call->account_id, call->conversation_id, &call->c);
	require_open(&call->c, "assign");
	require_agent(call->account_id, call->owner_id);
	if (!(call->c.has_agent && call->c.agent_id == call->owner_id))
		set_owner(&call->c, call->owner_id, 0, "manual", GetCurrentTimestamp());
}

static void
give_to_team(void *arg)
{
	ManualCall *call = arg;

	lock_conversation(call->account_id, call->conversation_id, &call->c);
	require_open(&call->c, "assign");
	require_row(&team_plan, "team", call->account_id, call->owner_id);
	if (!(call->c.has_team && call->c.team_id == call->owner_id))
		set_owner(&call->c, 0, call->owner_id, "manual", GetCurrentTimestamp());
}

static void
give_to_nobody(void *arg)
{
	ManualCall *call = arg;

	lock_conversation(call->account_id, call->conversation_id, &call->c);
	require_open(&call->c, "unassign");
	if (call->c.has_agent || call->c.has_team)
		set_owner(&call->c, 0, 0, NULL, 0);
}

/*
 * change_owner reads the arguments (conversation_id, [agent_id | team_id,]
 * account_id) of assign, assign_team or unassign and runs its work.
 */
static void
change_owner(FunctionCallInfo fcinfo, ManualOwner owner)
{
	ManualCall	call = {0};

	call.conversation_id = arg_int64(fcinfo, 0, "conversation_id");
	if (owner != MANUAL_NOBODY)
		call.owner_id = arg_int64(fcinfo, 1, owner == MANUAL_AGENT ? "agent_id" : "team_id");
	call.account_id = arg_int64(fcinfo, owner == MANUAL_NOBODY ? 1 : 2, "account_id");
	routing_as_owner_for(call.account_id,
						 owner == MANUAL_AGENT ? give_to_agent :
						 owner == MANUAL_TEAM ? give_to_team : give_to_nobody,
						 &call);
}

PG_FUNCTION_INFO_V1(routing_assign);

/*
 * routing_assign is routing.assign(conversation_id, agent_id): manual
 * (re)assignment to an agent, which clears any team owner.  No seat or
 * availability is needed; a restricted inbox still needs access.
 */
Datum
routing_assign(PG_FUNCTION_ARGS)
{
	change_owner(fcinfo, MANUAL_AGENT);
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(routing_assign_team);

/*
 * routing_assign_team is routing.assign_team(conversation_id, team_id):
 * manual (re)assignment to a team, which clears any agent owner.
 */
Datum
routing_assign_team(PG_FUNCTION_ARGS)
{
	change_owner(fcinfo, MANUAL_TEAM);
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(routing_unassign);

/*
 * routing_unassign is routing.unassign(conversation_id): back to the
 * Unassigned view.
 */
Datum
routing_unassign(PG_FUNCTION_ARGS)
{
	change_owner(fcinfo, MANUAL_NOBODY);
	PG_RETURN_VOID();
}

/*
 * take_by_reply is routing_reply's work as the owner.
 */
static void
take_by_reply(void *arg)
{
	ManualCall *call = arg;

	lock_conversation(call->account_id, call->conversation_id, &call->c);
	require_open(&call->c, "reply to");
	require_agent(call->account_id, call->owner_id);
	if (!call->c.has_agent && !call->c.has_team)
	{
		set_owner(&call->c, call->owner_id, 0, "reply", GetCurrentTimestamp());
		call->c.has_agent = true;
		call->c.agent_id = call->owner_id;
	}
	else if (call->c.has_agent && call->c.agent_id == call->owner_id)
		routing_offer_accept(call->account_id, call->conversation_id, call->owner_id);
}

PG_FUNCTION_INFO_V1(routing_reply);

/*
 * routing_reply is routing.reply(conversation_id, agent_id): a reply takes an
 * unassigned conversation for the agent who sent it and leaves an owned one
 * alone; the owner's reply accepts an offer (section 16).  Returns the
 * owning agent (NULL when a team owns it).
 */
Datum
routing_reply(PG_FUNCTION_ARGS)
{
	ManualCall	call = {0};

	call.conversation_id = arg_int64(fcinfo, 0, "conversation_id");
	call.owner_id = arg_int64(fcinfo, 1, "agent_id");
	call.account_id = arg_int64(fcinfo, 2, "account_id");
	routing_as_owner_for(call.account_id, take_by_reply, &call);
	if (!call.c.has_agent)
		PG_RETURN_NULL();
	PG_RETURN_INT64(call.c.agent_id);
}

/*
 * accept_offer is routing_accept's work as the owner.  It locks the
 * conversation like every manual action, so that an accept and the lapse
 * of the same offer (which the tick makes under the same lock) happen one
 * after the other.
 */
static void
accept_offer(void *arg)
{
	ManualCall *call = arg;

	lock_conversation(call->account_id, call->conversation_id, &call->c);
	require_row(&agent_plan, "agent", call->account_id, call->owner_id);
	if (call->c.has_agent && call->c.agent_id == call->owner_id)
	{
		routing_offer_accept(call->account_id, call->conversation_id, call->owner_id);
		return;
	}
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("conversation %lld is not offered to agent %lld in account %lld",
					(long long) call->conversation_id, (long long) call->owner_id,
					(long long) call->account_id),
			 errdetail("The offer lapsed, or the conversation belongs to someone else.")));
}

PG_FUNCTION_INFO_V1(routing_accept);

/*
 * routing_accept is routing.accept(conversation_id, agent_id) (section 16):
 * the agent accepts the conversation offered to them, which then no longer
 * lapses.  Their own conversation that is no offer (accepted already, or
 * assigned by hand) is left as it is; anyone else's, or one whose offer to
 * them lapsed, is refused with 55000.
 */
Datum
routing_accept(PG_FUNCTION_ARGS)
{
	ManualCall	call = {0};

	call.conversation_id = arg_int64(fcinfo, 0, "conversation_id");
	call.owner_id = arg_int64(fcinfo, 1, "agent_id");
	call.account_id = arg_int64(fcinfo, 2, "account_id");
	routing_as_owner_for(call.account_id, accept_offer, &call);
	PG_RETURN_VOID();
}

static RoutingPlan set_availability_plan = {
	.sql =
	"insert into routing.availability as v (account_id, agent_id, status, changed_at)"
	" values ($1, $2, $3, $4)"
	" on conflict (account_id, agent_id) do update"
	" set status = excluded.status, changed_at = excluded.changed_at",
	.nargs = 4,
	.argtypes = {INT8OID, INT8OID, TEXTOID, TIMESTAMPTZOID}
};

/*
 * store_availability is routing_set_availability's work as the owner.
 */
static void
store_availability(void *arg)
{
	ManualCall *call = arg;
	Datum		values[4];

	require_row(&agent_plan, "agent", call->account_id, call->owner_id);
	values[0] = Int64GetDatum(call->account_id);
	values[1] = Int64GetDatum(call->owner_id);
	values[2] = CStringGetTextDatum(call->status);
	values[3] = TimestampTzGetDatum(GetCurrentTimestamp());
	routing_exec(&set_availability_plan, values, NULL, 0);
}

PG_FUNCTION_INFO_V1(routing_set_availability);

/*
 * routing_set_availability is routing.set_availability(agent_id, status):
 * upserts the agent's availability.  Their open conversations stay theirs.
 */
Datum
routing_set_availability(PG_FUNCTION_ARGS)
{
	ManualCall	call = {0};

	call.owner_id = arg_int64(fcinfo, 0, "agent_id");
	call.account_id = arg_int64(fcinfo, 2, "account_id");
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("status must not be null")));
	call.status = text_to_cstring(PG_GETARG_TEXT_PP(1));
	if (strcmp(call.status, "available") != 0 && strcmp(call.status, "away") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("availability status \"%s\" is not valid", call.status),
				 errhint("Use 'available' or 'away'.")));
	routing_as_owner_for(call.account_id, store_availability, &call);
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(routing_close_conversation);

/*
 * routing_close_conversation is routing.close_conversation(conversation_id);
 * closing a closed conversation changes nothing.
 */
Datum
routing_close_conversation(PG_FUNCTION_ARGS)
{
	set_status(fcinfo, "closed");
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(routing_reopen_conversation);

/*
 * routing_reopen_conversation is routing.reopen_conversation(conversation_id):
 * the owner stays, whatever their availability, and the chat counts in their
 * load again.
 */
Datum
routing_reopen_conversation(PG_FUNCTION_ARGS)
{
	set_status(fcinfo, "open");
	PG_RETURN_VOID();
}

/*
 * route_locked is routing_route_conversation's work as the owner.
 */
static void
route_locked(void *arg)
{
	ManualCall *call = arg;
	LockedConversation *c = &call->c;

	lock_conversation(call->account_id, call->conversation_id, c);
	if (!c->open || c->has_agent || c->has_team)
		return;
	c->has_agent = routing_route_existing(c->account_id, c->conversation_id,
										  c->channel_id, c->has_contact,
										  c->contact_id, c->priority, &c->agent_id);
}

PG_FUNCTION_INFO_V1(routing_route_conversation);

/*
 * routing_route_conversation is routing.route_conversation(conversation_id):
 * routes an open, unassigned conversation by its channel's rule (section 7),
 * in its turn if the channel queues (section 13).  An owned or closed
 * conversation is left as it is.  Returns the owning agent, or NULL.
 */
Datum
routing_route_conversation(PG_FUNCTION_ARGS)
{
	ManualCall	call = {0};

	call.conversation_id = arg_int64(fcinfo, 0, "conversation_id");
	call.account_id = arg_int64(fcinfo, 1, "account_id");
	routing_as_owner_for(call.account_id, route_locked, &call);
	if (!call.c.has_agent)
		PG_RETURN_NULL();
	PG_RETURN_INT64(call.c.agent_id);
}

/* A drain asked for, and how many it assigned. */
typedef struct DrainCall
{
	int64		account_id;
	int64		assigned;
} DrainCall;

/*
 * resync_and_drain reads an account's capacities and eligibility afresh
 * onto its load rows, under its queue locks, and assigns its waiting
 * conversations that can be assigned now; returns how many.
 */
static int64
resync_and_drain(int64 account_id)
{
	routing_lock_queues(ROUTING_SCOPE_ACCOUNT, account_id, 0, 0);
	routing_resync_account(account_id);
	return routing_drain_queues(ROUTING_SCOPE_ACCOUNT, account_id, 0, 0);
}

/*
 * drain_account is routing_drain's work as the owner.
 */
static void
drain_account(void *arg)
{
	DrainCall  *call = arg;

	call->assigned = resync_and_drain(call->account_id);
}

PG_FUNCTION_INFO_V1(routing_drain);

/*
 * routing_drain is routing.drain(): assigns the account's waiting
 * conversations that can be assigned now, in queue order, for a DBA after a
 * bulk change made with triggers off (section 13): it first reads the
 * account's capacities and eligibility afresh.  Returns how many.
 */
Datum
routing_drain(PG_FUNCTION_ARGS)
{
	DrainCall	call = {0};

	call.account_id = arg_int64(fcinfo, 0, "account_id");
	routing_as_owner_for(call.account_id, drain_account, &call);
	PG_RETURN_INT64(call.assigned);
}

/*
 * require_database_owner refuses a restore step to anyone but the owner of
 * the database (or a member of the owning role, or a superuser): between
 * the two steps the routing tables take rows that nothing checks.
 */
static void
require_database_owner(const char *function)
{
	if (!compat_database_ownercheck(MyDatabaseId, GetUserId()))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("must be owner of database %s to run %s",
						get_database_name(MyDatabaseId), function),
				 errdetail("Between routing.pre_restore() and routing.post_restore() the routing tables' triggers and foreign keys check nothing.")));
}

/* The tables of schema routing, schema-qualified and quoted. */
static RoutingPlan routing_tables_plan = {
	.sql =
	"select pg_catalog.format('%I.%I', n.nspname, c.relname)"
	" from pg_catalog.pg_class c join pg_catalog.pg_namespace n"
	"  on n.oid" EQ "c.relnamespace"
	" where n.nspname" EQ "'routing' and c.relkind" EQ "'r'"
	" order by c.relname",
	.nargs = 0
};

/*
 * require_superuser_owner refuses a restore step, run as the extension
 * owner, when that owner (the owner of schema routing) is not a superuser:
 * only a superuser may turn a foreign key's triggers off and on.
 */
static void
require_superuser_owner(void)
{
	if (!superuser())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("the owner of schema routing is not a superuser"),
				 errdetail("The restore steps turn the foreign keys of the routing tables off and on as their owner, which only a superuser may do."),
				 errhint("Restore as a superuser with session_replication_role = replica, then run select routing.post_restore().")));
}

/*
 * switch_triggers enables or disables every trigger of every routing table,
 * the foreign keys' included, as pg_restore --disable-triggers does around
 * each table: in a restore the dumped rows hold the loads, the log and the
 * owners already, and pg_restore -j loads the tables in any order (pg_dump
 * records no order between an extension's tables).  Run as the extension
 * owner: a foreign key's triggers are switched by a superuser only.
 */
static void
switch_triggers(bool enable)
{
	int			ntables = routing_exec(&routing_tables_plan, NULL, NULL, 0);
	char	  **tables = palloc(sizeof(char *) * Max(ntables, 1));

	for (int i = 0; i < ntables; i++)
		tables[i] = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
	for (int i = 0; i < ntables; i++)
	{
		char	   *sql = psprintf("alter table %s %s trigger all", tables[i],
								   enable ? "enable" : "disable");

		if (SPI_execute(sql, false, 0) != SPI_OK_UTILITY)
			elog(ERROR, "SPI_execute failed for \"%s\"", sql);
	}
}

/*
 * Each foreign key of a routing table: its name, its table, and a query
 * that finds a row it does not let in (all its columns set, no row
 * referenced: MATCH SIMPLE).
 */
static RoutingPlan foreign_keys_plan = {
	.sql =
	"select con.conname::pg_catalog.text, pg_catalog.format('%I.%I', n.nspname, r.relname),"
	" pg_catalog.format('select from only %I.%I c where %s and not exists"
	"  (select from only %I.%I p where %s) limit 1', n.nspname, r.relname,"
	"  (select pg_catalog.string_agg(pg_catalog.format('c.%I is not null', a.attname), ' and ')"
	"   from pg_catalog.unnest(con.conkey) k (attnum) join pg_catalog.pg_attribute a"
	"    on a.attrelid" EQ "con.conrelid and a.attnum" EQ "k.attnum),"
	"  fn.nspname, f.relname,"
	"  (select pg_catalog.string_agg(pg_catalog.format("
	"     'p.%I OPERATOR(pg_catalog.=) c.%I', pa.attname, ca.attname), ' and ')"
	"   from rows from (pg_catalog.unnest(con.conkey), pg_catalog.unnest(con.confkey))"
	"    k (referencing, referenced)"
	"   join pg_catalog.pg_attribute ca on ca.attrelid" EQ "con.conrelid"
	"    and ca.attnum" EQ "k.referencing"
	"   join pg_catalog.pg_attribute pa on pa.attrelid" EQ "con.confrelid"
	"    and pa.attnum" EQ "k.referenced))"
	" from pg_catalog.pg_constraint con"
	" join pg_catalog.pg_class r on r.oid" EQ "con.conrelid"
	" join pg_catalog.pg_namespace n on n.oid" EQ "r.relnamespace"
	" join pg_catalog.pg_class f on f.oid" EQ "con.confrelid"
	" join pg_catalog.pg_namespace fn on fn.oid" EQ "f.relnamespace"
	" where con.contype" EQ "'f' and n.nspname" EQ "'routing'"
	" order by r.relname, con.conname",
	.nargs = 0
};

/*
 * check_foreign_keys refuses restored rows that a foreign key of a routing
 * table does not let in: the keys checked nothing while their triggers
 * were off.  Each check is a query made for its key and run once, as
 * ALTER TABLE ... ADD FOREIGN KEY checks existing rows.
 */
static void
check_foreign_keys(void)
{
	int			nkeys = routing_exec(&foreign_keys_plan, NULL, NULL, 0);
	char	  **keys = palloc(sizeof(char *) * Max(nkeys, 1) * 3);

	for (int i = 0; i < nkeys * 3; i++)
		keys[i] = SPI_getvalue(SPI_tuptable->vals[i / 3], SPI_tuptable->tupdesc, i % 3 + 1);
	for (int i = 0; i < nkeys; i++)
	{
		if (SPI_execute(keys[i * 3 + 2], true, 1) != SPI_OK_SELECT)
			elog(ERROR, "SPI_execute failed for \"%s\"", keys[i * 3 + 2]);
		if (SPI_processed > 0)
			ereport(ERROR,
					(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
					 errmsg("restored rows of %s violate foreign key constraint \"%s\"",
							keys[i * 3 + 1], keys[i * 3]),
					 errdetail("The foreign keys of the routing tables checked nothing since routing.pre_restore()."),
					 errhint("Restore every routing table from one dump.")));
	}
}

/*
 * start_restore is routing_pre_restore's work as the owner.
 */
static void
start_restore(void *arg)
{
	require_superuser_owner();
	if (routing_has_agents())
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the routing tables of database %s are not empty",
						get_database_name(MyDatabaseId)),
				 errdetail("A dump is restored into empty routing tables; routing.pre_restore() turns routing off until routing.post_restore()."),
				 errhint("Restore into a new database, after CREATE EXTENSION routing.")));
	switch_triggers(false);
}

PG_FUNCTION_INFO_V1(routing_pre_restore);

/*
 * routing_pre_restore is routing.pre_restore(), for the database owner
 * before restoring a dump into empty routing tables (as TimescaleDB's
 * timescaledb_pre_restore()): it turns off every trigger of the routing
 * tables, as pg_restore --disable-triggers or session_replication_role =
 * replica would, which a superuser alone may use.  The dumped rows hold the
 * loads, the log and the owners already: routing them again would count
 * and log them twice.
 */
Datum
routing_pre_restore(PG_FUNCTION_ARGS)
{
	require_database_owner("routing.pre_restore()");
	routing_as_owner_local("routing.pre_restore()", start_restore, NULL);
	PG_RETURN_VOID();
}

/* How many conversations the end of a restore assigned. */
typedef struct RestoreCall
{
	int64		assigned;
} RestoreCall;

/* Every account that has an agent: a restore spans accounts. */
static RoutingPlan restored_accounts_plan = {
	.sql = "select a.account_id from routing.agents a group by a.account_id order by a.account_id",
	.nargs = 0
};

/*
 * The restored log rows' transaction ids are another cluster's (or an
 * earlier life's): a clock worker here would take them for its own and
 * announce history.
 */
static RoutingPlan restored_log_plan = {
	.sql = "update routing.assignment_log set xact_id = null where xact_id is not null",
	.nargs = 0
};

/*
 * end_restore is routing_post_restore's work as the owner: it turns the
 * triggers back on, checks the foreign keys and the load rows of every
 * account, forgets the restored log rows' transaction ids, then copies each
 * account's facts to its load rows, moves its versions and drains its
 * queues (resync_and_drain), as routing.drain() does.
 */
static void
end_restore(void *arg)
{
	RestoreCall *call = arg;
	int			naccounts;
	int64	   *accounts;

	require_superuser_owner();
	switch_triggers(true);
	check_foreign_keys();
	naccounts = routing_exec(&restored_accounts_plan, NULL, NULL, 0);
	accounts = palloc(sizeof(int64) * Max(naccounts, 1));
	for (int i = 0; i < naccounts; i++)
		accounts[i] = routing_get_int64(i, 1, NULL);
	for (int i = 0; i < naccounts; i++)
		routing_check_loads(accounts[i]);
	routing_exec(&restored_log_plan, NULL, NULL, 0);
	for (int i = 0; i < naccounts; i++)
		call->assigned += resync_and_drain(accounts[i]);
}

PG_FUNCTION_INFO_V1(routing_post_restore);

/*
 * routing_post_restore is routing.post_restore(), for the database owner
 * after restoring a dump: it turns the routing tables' triggers back on,
 * checks what they did not (the foreign keys, and that agent_loads counts the
 * conversations), and makes each account route from what was restored,
 * draining what can be assigned now.  Returns how many conversations it
 * assigned.  Anything wrong is an error that leaves the triggers off.
 */
Datum
routing_post_restore(PG_FUNCTION_ARGS)
{
	RestoreCall call = {0};

	require_database_owner("routing.post_restore()");
	routing_as_owner_local("routing.post_restore()", end_restore, &call);
	PG_RETURN_INT64(call.assigned);
}
