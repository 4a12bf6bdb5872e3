/*
 * triggers.c
 *		The triggers: routing on INSERT into conversations, the load books,
 *		the assignment log and NOTIFY on every change of owner, and the
 *		triggers on the other tables that keep agent_loads rows and versions
 *		in step with agents and their eligibility.
 */
#include "postgres.h"
#include "fmgr.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "commands/async.h"
#include "commands/trigger.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/rel.h"

#include "routing.h"

/* Attribute numbers of the conversation columns the triggers use. */
typedef struct ConversationColumns
{
	Oid			relid;
	uint64		generation;		/* routing_schema_generation() when read */
	int			account_id;
	int			conversation_id;
	int			channel_id;
	int			contact_id;
	int			status;
	int			agent_id;
	int			team_id;
	int			assigned_by;
	int			assigned_at;
	int			reason;
	int			load_agent_id;
} ConversationColumns;

/* A conversation row as scalars. */
typedef struct ConversationRow
{
	int64		account_id;
	int64		conversation_id;
	int64		channel_id;
	bool		has_contact;
	int64		contact_id;
	bool		open;
	bool		has_agent;
	int64		agent_id;
	bool		has_team;
	int64		team_id;
	char		assigned_by[8];	/* "" when NULL */
	bool		has_assigned_at;
	TimestampTz assigned_at;
	bool		has_load_agent;
	int64		load_agent_id;
} ConversationRow;

/*
 * Changes a BEFORE trigger makes to NEW.  They are applied after SPI is
 * finished, so their values live in "memory", the trigger's own context.
 */
typedef struct ConversationChanges
{
	MemoryContext memory;
	int			ncols;
	int			cols[6];
	Datum		values[6];
	bool		nulls[6];
} ConversationChanges;

static ConversationColumns columns;

/*
 * column_number finds a column of the trigger's table by name.
 */
static int
column_number(TupleDesc desc, const char *name)
{
	int			attnum = SPI_fnumber(desc, name);

	if (attnum <= 0)
		elog(ERROR, "column \"%s\" not found", name);
	return attnum;
}

/*
 * conversation_columns caches the attribute numbers of conversations' columns
 * for the table's current definition.
 */
static void
conversation_columns(Relation rel)
{
	TupleDesc	desc = RelationGetDescr(rel);
	uint64		generation = routing_schema_generation();

	if (columns.relid == RelationGetRelid(rel) && columns.generation == generation)
		return;
	columns.account_id = column_number(desc, "account_id");
	columns.conversation_id = column_number(desc, "conversation_id");
	columns.channel_id = column_number(desc, "channel_id");
	columns.contact_id = column_number(desc, "contact_id");
	columns.status = column_number(desc, "status");
	columns.agent_id = column_number(desc, "assignee_agent_id");
	columns.team_id = column_number(desc, "assignee_team_id");
	columns.assigned_by = column_number(desc, "assigned_by");
	columns.assigned_at = column_number(desc, "assigned_at");
	columns.reason = column_number(desc, "assigned_reason");
	columns.load_agent_id = column_number(desc, "load_agent_id");
	columns.relid = RelationGetRelid(rel);
	columns.generation = generation;
}

/*
 * require_not_null refuses a NULL in a key column before the row is routed,
 * with the error the NOT NULL constraint would give after this trigger.
 */
static void
require_not_null(Relation rel, HeapTuple tuple, int attnum)
{
	TupleDesc	desc = RelationGetDescr(rel);

	if (heap_attisnull(tuple, attnum, desc))
		ereport(ERROR,
				(errcode(ERRCODE_NOT_NULL_VIOLATION),
				 errmsg("null value in column \"%s\" of relation \"%s\" violates not-null constraint",
						NameStr(TupleDescAttr(desc, attnum - 1)->attname),
						RelationGetRelationName(rel)),
				 errtablecol(rel, attnum)));
}

/*
 * get_int64 reads a bigint column of a tuple; has_value says whether it was
 * not NULL.
 */
static int64
get_int64(HeapTuple tuple, TupleDesc desc, int attnum, bool *has_value)
{
	bool		isnull;
	Datum		value = heap_getattr(tuple, attnum, desc, &isnull);

	if (has_value)
		*has_value = !isnull;
	return isnull ? 0 : DatumGetInt64(value);
}

/*
 * read_conversation turns a conversation tuple into scalars.
 */
static void
read_conversation(HeapTuple tuple, TupleDesc desc, ConversationRow *row)
{
	bool		isnull;
	Datum		value;

	memset(row, 0, sizeof(*row));
	row->account_id = get_int64(tuple, desc, columns.account_id, NULL);
	row->conversation_id = get_int64(tuple, desc, columns.conversation_id, NULL);
	row->channel_id = get_int64(tuple, desc, columns.channel_id, NULL);
	row->contact_id = get_int64(tuple, desc, columns.contact_id, &row->has_contact);
	row->agent_id = get_int64(tuple, desc, columns.agent_id, &row->has_agent);
	row->team_id = get_int64(tuple, desc, columns.team_id, &row->has_team);
	row->load_agent_id = get_int64(tuple, desc, columns.load_agent_id,
								   &row->has_load_agent);
	value = heap_getattr(tuple, columns.status, desc, &isnull);
	row->open = !isnull && strcmp(TextDatumGetCString(value), "open") == 0;
	value = heap_getattr(tuple, columns.assigned_by, desc, &isnull);
	if (!isnull)
		text_to_cstring_buffer(DatumGetTextPP(value), row->assigned_by,
							   sizeof(row->assigned_by));
	value = heap_getattr(tuple, columns.assigned_at, desc, &isnull);
	row->has_assigned_at = !isnull;
	if (!isnull)
		row->assigned_at = DatumGetTimestampTz(value);
}

/*
 * set_column records a change to NEW; text values are given as C strings.
 */
static void
set_column(ConversationChanges *changes, int attnum, Datum value, bool isnull)
{
	Assert(changes->ncols >= 0 && (size_t) changes->ncols < lengthof(changes->cols));
	changes->cols[changes->ncols] = attnum;
	changes->values[changes->ncols] = value;
	changes->nulls[changes->ncols] = isnull;
	changes->ncols++;
}

static void
set_text(ConversationChanges *changes, int attnum, const char *value)
{
	Datum		text = (Datum) 0;

	if (value != NULL)
	{
		MemoryContext work_context = MemoryContextSwitchTo(changes->memory);

		text = CStringGetTextDatum(value);
		MemoryContextSwitchTo(work_context);
	}
	set_column(changes, attnum, text, value == NULL);
}

static void
set_int64(ConversationChanges *changes, int attnum, bool has_value, int64 value)
{
	set_column(changes, attnum, Int64GetDatum(value), !has_value);
}

/*
 * same_owner tells whether two rows have the same owner.
 */
static bool
same_owner(const ConversationRow *a, const ConversationRow *b)
{
	return a->has_agent == b->has_agent && a->agent_id == b->agent_id &&
		a->has_team == b->has_team && a->team_id == b->team_id;
}

/*
 * before_insert routes a new conversation, or, when the application gave it
 * an owner, checks and counts that owner like a manual assignment.
 */
static void
before_insert(const ConversationRow *row, ConversationChanges *changes)
{
	bool		counted = false;
	int64		owner_id = row->agent_id;

	if (row->has_agent || row->has_team)
	{
		RoutingChannel channel;
		TimestampTz at = row->has_assigned_at ? row->assigned_at : GetCurrentTimestamp();

		routing_load_channel(row->account_id, row->channel_id, InvalidSnapshot,
							 &channel);
		routing_check_owner_access(&channel, row->conversation_id,
								   row->has_agent, row->agent_id,
								   row->has_team, row->team_id);
		if (row->has_agent && row->open && channel.is_chat)
		{
			routing_adjust_load(row->account_id, row->agent_id, 1, at);
			counted = true;
		}
		/* "rule" means routed by this trigger; an application's owner is manual */
		if (strcmp(row->assigned_by, "manual") != 0 &&
			strcmp(row->assigned_by, "reply") != 0)
			set_text(changes, columns.assigned_by, "manual");
		set_column(changes, columns.assigned_at, TimestampTzGetDatum(at), false);
		set_text(changes, columns.reason, NULL);
	}
	else if (row->open)
	{
		RoutingDecision decision;

		routing_decide(row->account_id, row->channel_id, row->conversation_id,
					   row->has_contact, row->contact_id, &decision);
		if (decision.assigned)
		{
			owner_id = decision.agent_id;
			set_int64(changes, columns.agent_id, true, owner_id);
			set_text(changes, columns.assigned_by, "rule");
			set_column(changes, columns.assigned_at,
					   TimestampTzGetDatum(decision.decided_at), false);
			set_text(changes, columns.reason, decision.reason);
			counted = decision.counted;
		}
	}
	set_int64(changes, columns.load_agent_id, counted, owner_id);
}

/*
 * The conversation that route_conversation() is about to give an owner.  Its
 * UPDATE says assigned_by 'rule' and names the agent whose load the claim
 * already counted; no other UPDATE may, so that a plain UPDATE can neither
 * skip the restricted-inbox check nor write the books by hand.  The
 * announcement holds only in the subtransaction that made it: if an error
 * comes between it and the UPDATE, whoever catches the error goes on in
 * another subtransaction, where no UPDATE can take it.
 */
static struct
{
	TransactionId xid;
	SubTransactionId subid;
	int64		account_id;
	int64		conversation_id;
}			routed_update;

/*
 * routing_expect_routed_update announces route_conversation()'s UPDATE of a
 * conversation to the trigger.
 */
void
routing_expect_routed_update(int64 account_id, int64 conversation_id)
{
	routed_update.xid = GetTopTransactionId();
	routed_update.subid = GetCurrentSubTransactionId();
	routed_update.account_id = account_id;
	routed_update.conversation_id = conversation_id;
}

/*
 * take_routed_update tells whether this UPDATE is the announced one, and
 * forgets the announcement.
 */
static bool
take_routed_update(const ConversationRow *row)
{
	bool		announced = TransactionIdIsValid(routed_update.xid) &&
		TransactionIdEquals(routed_update.xid, GetTopTransactionIdIfAny()) &&
		routed_update.subid == GetCurrentSubTransactionId() &&
		routed_update.account_id == row->account_id &&
		routed_update.conversation_id == row->conversation_id;

	routed_update.xid = InvalidTransactionId;
	return announced;
}

/*
 * before_update keeps the books when an owner, a status or a channel changes, by
 * function or by a plain UPDATE: a new owner is checked against a restricted
 * inbox and marked manual unless the statement said "reply", and the chat
 * moves between the agents' loads.  route_conversation()'s own UPDATE has
 * been checked and counted by the routing decision.
 */
static void
before_update(const ConversationRow *old, const ConversationRow *new,
			  ConversationChanges *changes)
{
	bool		owner_changed = !same_owner(old, new);
	RoutingChannel channel;
	TimestampTz now = GetCurrentTimestamp();
	bool		has_desired;
	int64		desired;

	if (old->account_id != new->account_id)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("conversation %lld cannot move from account %lld to account %lld",
						(long long) old->conversation_id,
						(long long) old->account_id, (long long) new->account_id)));
	if (take_routed_update(new))
		return;

	routing_load_channel(new->account_id, new->channel_id, InvalidSnapshot, &channel);
	if (owner_changed && (new->has_agent || new->has_team))
	{
		/* Only what the statement itself said counts: 'reply', else manual. */
		if (strcmp(new->assigned_by, "reply") != 0 ||
			strcmp(old->assigned_by, "reply") == 0)
			set_text(changes, columns.assigned_by, "manual");
		if (!new->has_assigned_at ||
			(old->has_assigned_at && new->assigned_at == old->assigned_at))
			set_column(changes, columns.assigned_at, TimestampTzGetDatum(now), false);
		set_text(changes, columns.reason, NULL);
	}
	else if (owner_changed)
	{
		set_text(changes, columns.assigned_by, NULL);
		set_column(changes, columns.assigned_at, (Datum) 0, true);
		set_text(changes, columns.reason, NULL);
	}
	/* A new owner, or an owner moved with the conversation into another inbox. */
	if (owner_changed || old->channel_id != new->channel_id)
		routing_check_owner_access(&channel, new->conversation_id,
								   new->has_agent, new->agent_id,
								   new->has_team, new->team_id);

	has_desired = new->open && channel.is_chat && new->has_agent;
	desired = has_desired ? new->agent_id : 0;
	if (has_desired != old->has_load_agent || desired != old->load_agent_id)
	{
		/* Two agents' rows are always locked in agent_id order. */
		if (old->has_load_agent && (!has_desired || old->load_agent_id < desired))
			routing_adjust_load(old->account_id, old->load_agent_id, -1, 0);
		if (has_desired)
			routing_adjust_load(new->account_id, desired, 1,
								owner_changed ? now : 0);
		if (old->has_load_agent && has_desired && old->load_agent_id > desired)
			routing_adjust_load(old->account_id, old->load_agent_id, -1, 0);
	}
	set_int64(changes, columns.load_agent_id, has_desired, desired);
}

/* A conversation trigger's work as the extension owner. */
typedef struct ConversationWork
{
	ConversationRow old;
	ConversationRow new;
	ConversationChanges changes;
	HeapTuple	new_tuple;
	TupleDesc	desc;
} ConversationWork;

/*
 * route_inserted, book_updated, unbook_deleted and log_changed are the
 * conversation triggers' work, run by routing_as_owner().
 */
static void
route_inserted(void *arg)
{
	ConversationWork *work = arg;

	before_insert(&work->new, &work->changes);
}

static void
book_updated(void *arg)
{
	ConversationWork *work = arg;

	before_update(&work->old, &work->new, &work->changes);
}

PG_FUNCTION_INFO_V1(routing_conversation_before);

/*
 * routing_conversation_before is the BEFORE INSERT OR UPDATE trigger on
 * conversations: it routes new rows and keeps the books of owner and status
 * changes before the row is written, so the row and the counters commit
 * together or not at all.
 */
Datum
routing_conversation_before(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	Relation	rel;
	TupleDesc	desc;
	HeapTuple	result;
	ConversationWork work = {0};

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
		elog(ERROR, "routing_conversation_before must be a BEFORE ROW trigger");
	rel = trigdata->tg_relation;
	desc = RelationGetDescr(rel);
	conversation_columns(rel);
	result = TRIGGER_FIRED_BY_INSERT(trigdata->tg_event) ?
		trigdata->tg_trigtuple : trigdata->tg_newtuple;
	require_not_null(rel, result, columns.account_id);
	require_not_null(rel, result, columns.conversation_id);
	require_not_null(rel, result, columns.channel_id);
	work.changes.memory = CurrentMemoryContext;
	read_conversation(result, desc, &work.new);

	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		routing_as_owner(route_inserted, &work);
	else
	{
		read_conversation(trigdata->tg_trigtuple, desc, &work.old);
		if (same_owner(&work.old, &work.new) && work.old.open == work.new.open &&
			work.old.account_id == work.new.account_id &&
			work.old.channel_id == work.new.channel_id &&
			work.old.has_load_agent == work.new.has_load_agent &&
			work.old.load_agent_id == work.new.load_agent_id)
			return PointerGetDatum(result);
		routing_as_owner(book_updated, &work);
	}
	if (work.changes.ncols > 0)
		result = heap_modify_tuple_by_cols(result, desc, work.changes.ncols,
										   work.changes.cols, work.changes.values,
										   work.changes.nulls);
	return PointerGetDatum(result);
}

static RoutingPlan log_plan = {
	.sql =
	"insert into routing.assignment_log (account_id, conversation_id,"
	" from_agent_id, from_team_id, to_agent_id, to_team_id, assigned_by, reason, at)"
	" values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
	.nargs = 9,
	.argtypes = {INT8OID, INT8OID, INT8OID, INT8OID, INT8OID, INT8OID, TEXTOID, TEXTOID,
	TIMESTAMPTZOID}
};

/*
 * log_owner_change writes the assignment_log row of a change of owner and
 * queues its NOTIFY, which PostgreSQL delivers only if the transaction
 * commits.
 */
static void
log_owner_change(const ConversationRow *old, const ConversationRow *new,
				 HeapTuple new_tuple, TupleDesc desc)
{
	Datum		values[9];
	char		nulls[9];
	bool		reason_null;
	Datum		reason = heap_getattr(new_tuple, columns.reason, desc, &reason_null);

	memset(nulls, ' ', sizeof(nulls));
	values[0] = Int64GetDatum(new->account_id);
	values[1] = Int64GetDatum(new->conversation_id);
	values[2] = Int64GetDatum(old->agent_id);
	nulls[2] = old->has_agent ? ' ' : 'n';
	values[3] = Int64GetDatum(old->team_id);
	nulls[3] = old->has_team ? ' ' : 'n';
	values[4] = Int64GetDatum(new->agent_id);
	nulls[4] = new->has_agent ? ' ' : 'n';
	values[5] = Int64GetDatum(new->team_id);
	nulls[5] = new->has_team ? ' ' : 'n';
	values[6] = new->assigned_by[0] ? CStringGetTextDatum(new->assigned_by) : (Datum) 0;
	nulls[6] = new->assigned_by[0] ? ' ' : 'n';
	values[7] = reason;
	nulls[7] = reason_null ? 'n' : ' ';
	values[8] = TimestampTzGetDatum(new->has_assigned_at ? new->assigned_at
									: GetCurrentTimestamp());
	routing_exec(&log_plan, values, nulls, 0);

	if (routing_notify_enabled)
	{
		StringInfoData payload;

		initStringInfo(&payload);
		appendStringInfo(&payload,
						 "{\"account_id\": %lld, \"conversation_id\": %lld, \"agent_id\": ",
						 (long long) new->account_id, (long long) new->conversation_id);
		if (new->has_agent)
			appendStringInfo(&payload, "%lld", (long long) new->agent_id);
		else
			appendStringInfoString(&payload, "null");
		appendStringInfoString(&payload, ", \"team_id\": ");
		if (new->has_team)
			appendStringInfo(&payload, "%lld", (long long) new->team_id);
		else
			appendStringInfoString(&payload, "null");
		appendStringInfoString(&payload, ", \"assigned_by\": ");
		if (new->assigned_by[0])
			appendStringInfo(&payload, "\"%s\"}", new->assigned_by);
		else
			appendStringInfoString(&payload, "null}");
		Async_Notify("routing_assignment", payload.data);
	}
}

static void
unbook_deleted(void *arg)
{
	ConversationWork *work = arg;

	routing_adjust_load(work->old.account_id, work->old.load_agent_id, -1, 0);
}

static void
log_changed(void *arg)
{
	ConversationWork *work = arg;

	log_owner_change(&work->old, &work->new, work->new_tuple, work->desc);
}

PG_FUNCTION_INFO_V1(routing_conversation_after);

/*
 * routing_conversation_after is the AFTER ROW trigger on conversations: it
 * logs and announces each change of owner once the row exists, and takes a
 * deleted conversation out of its agent's load.
 */
Datum
routing_conversation_after(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	ConversationWork work = {0};

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
		elog(ERROR, "routing_conversation_after must be an AFTER ROW trigger");
	work.desc = RelationGetDescr(trigdata->tg_relation);
	conversation_columns(trigdata->tg_relation);

	if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
	{
		read_conversation(trigdata->tg_trigtuple, work.desc, &work.old);
		if (work.old.has_load_agent)
			routing_as_owner(unbook_deleted, &work);
		return PointerGetDatum(NULL);
	}

	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
	{
		work.new_tuple = trigdata->tg_trigtuple;
		read_conversation(work.new_tuple, work.desc, &work.new);
		if (!work.new.has_agent && !work.new.has_team)
			return PointerGetDatum(NULL);
	}
	else
	{
		work.new_tuple = trigdata->tg_newtuple;
		read_conversation(trigdata->tg_trigtuple, work.desc, &work.old);
		read_conversation(work.new_tuple, work.desc, &work.new);
		if (same_owner(&work.old, &work.new))
			return PointerGetDatum(NULL);
	}
	routing_as_owner(log_changed, &work);
	return PointerGetDatum(NULL);
}

/* An agent's new load row, as routing_as_owner() work. */
typedef struct NewAgent
{
	int64		account_id;
	int64		agent_id;
} NewAgent;

static void
create_load_row(void *arg)
{
	NewAgent   *agent = arg;

	routing_create_load_row(agent->account_id, agent->agent_id);
}

PG_FUNCTION_INFO_V1(routing_agent_created);

/*
 * routing_agent_created gives a new agent the agent_loads row that routing
 * reads and locks.
 */
Datum
routing_agent_created(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TupleDesc	desc;
	NewAgent	agent;

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "routing_agent_created must be called as a trigger");
	desc = RelationGetDescr(trigdata->tg_relation);
	agent.account_id = get_int64(trigdata->tg_trigtuple, desc,
								 column_number(desc, "account_id"), NULL);
	agent.agent_id = get_int64(trigdata->tg_trigtuple, desc,
							   column_number(desc, "agent_id"), NULL);
	routing_as_owner(create_load_row, &agent);
	return PointerGetDatum(NULL);
}

static void
zero_loads(void *arg)
{
	routing_zero_loads();
}

PG_FUNCTION_INFO_V1(routing_conversations_truncated);

/*
 * routing_conversations_truncated is the AFTER TRUNCATE trigger on
 * conversations: no conversation is left, so no agent has an open chat.  A
 * TRUNCATE spans every account, and so does this update.
 */
Datum
routing_conversations_truncated(PG_FUNCTION_ARGS)
{
	if (!CALLED_AS_TRIGGER(fcinfo) ||
		!TRIGGER_FIRED_BY_TRUNCATE(((TriggerData *) fcinfo->context)->tg_event))
		elog(ERROR, "routing_conversations_truncated must be a TRUNCATE trigger");
	routing_as_owner(zero_loads, NULL);
	return PointerGetDatum(NULL);
}

/*
 * bump_for_row moves the load row versions of whoever a row of an
 * eligibility table speaks of.
 */
static void
bump_for_row(const char *scope, HeapTuple tuple, TupleDesc desc)
{
	int64		account_id = get_int64(tuple, desc, column_number(desc, "account_id"), NULL);
	bool		has_agent;
	int64		agent_id;

	if (strcmp(scope, "account") == 0)
	{
		routing_bump_versions(ROUTING_SCOPE_ACCOUNT, account_id, 0);
		return;
	}
	agent_id = get_int64(tuple, desc, column_number(desc, "agent_id"), &has_agent);
	if (has_agent)
		routing_bump_versions(ROUTING_SCOPE_AGENT, account_id, agent_id);
	else if (strcmp(scope, "agent_or_team") == 0)
		routing_bump_versions(ROUTING_SCOPE_TEAM, account_id,
							  get_int64(tuple, desc, column_number(desc, "team_id"), NULL));
}

/*
 * bump_for_trigger is routing_eligibility_changed's work: it moves the
 * versions of whoever the changed rows speak of, or of every agent after a
 * TRUNCATE.
 */
static void
bump_for_trigger(void *arg)
{
	TriggerData *trigdata = arg;
	const char *scope = trigdata->tg_trigger->tgargs[0];
	TupleDesc	desc = RelationGetDescr(trigdata->tg_relation);

	if (TRIGGER_FIRED_BY_TRUNCATE(trigdata->tg_event))
		routing_bump_versions(ROUTING_SCOPE_ALL, 0, 0);
	else
	{
		bump_for_row(scope, trigdata->tg_trigtuple, desc);
		if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
			bump_for_row(scope, trigdata->tg_newtuple, desc);
	}
}

PG_FUNCTION_INFO_V1(routing_eligibility_changed);

/*
 * routing_eligibility_changed is the AFTER trigger on every table that
 * decides eligibility.  Taking the affected agents' load rows makes a
 * concurrent routing decision either see this change (its claim fails on the
 * moved version and it decides again) or finish first (this change waits for
 * its commit): never an assignment that both committed changes together
 * forbid.  Inserts, which only add eligibility, move checks_version too, so
 * that no backend keeps a cached "not eligible"; a TRUNCATE (a statement
 * trigger) moves every agent's versions.
 */
Datum
routing_eligibility_changed(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo) || trigdata->tg_trigger->tgnargs != 1)
		elog(ERROR, "routing_eligibility_changed must be a trigger with one argument");
	routing_as_owner(bump_for_trigger, trigdata);
	return PointerGetDatum(NULL);
}

static RoutingPlan seat_plan = {
	.sql =
	"select 1 from routing.seats s"
	" where s.account_id" EQ "$1 and s.agent_id" EQ "$2",
	.nargs = 2,
	.argtypes = {INT8OID, INT8OID}
};

/* Whether an agent holds a seat, as routing_as_owner() work. */
typedef struct SeatQuestion
{
	int64		account_id;
	int64		agent_id;
	bool		has_seat;
} SeatQuestion;

static void
read_seat(void *arg)
{
	SeatQuestion *question = arg;
	Datum		values[2] = {Int64GetDatum(question->account_id),
	Int64GetDatum(question->agent_id)};

	question->has_seat = routing_exec(&seat_plan, values, NULL, 1) == 1;
}

PG_FUNCTION_INFO_V1(routing_rule_check);

/*
 * routing_rule_check refuses a rule whose default agent holds no paid seat
 * (section 4b): such an agent could never be routed to.
 */
Datum
routing_rule_check(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	HeapTuple	tuple;
	TupleDesc	desc;
	bool		has_default;
	SeatQuestion question;

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "routing_rule_check must be called as a trigger");
	tuple = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ?
		trigdata->tg_newtuple : trigdata->tg_trigtuple;
	desc = RelationGetDescr(trigdata->tg_relation);
	question.agent_id = get_int64(tuple, desc, column_number(desc, "default_agent_id"),
								  &has_default);
	if (!has_default)
		return PointerGetDatum(tuple);
	question.account_id = get_int64(tuple, desc, column_number(desc, "account_id"), NULL);
	routing_as_owner(read_seat, &question);
	if (!question.has_seat)
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("default agent %lld of the rule of channel %lld holds no paid seat",
						(long long) question.agent_id,
						(long long) get_int64(tuple, desc, column_number(desc, "channel_id"), NULL)),
				 errdetail("A default agent must hold a sales or service seat in account %lld.",
						   (long long) question.account_id)));
	return PointerGetDatum(tuple);
}

/*
 * is_chat_kind tells whether a channel kind counts as chat load.
 */
static bool
is_chat_kind(Datum kind)
{
	char	   *name = TextDatumGetCString(kind);

	return strcmp(name, "chat") == 0 || strcmp(name, "bot") == 0 ||
		strcmp(name, "messenger") == 0;
}

PG_FUNCTION_INFO_V1(routing_channel_check);

/*
 * routing_channel_check refuses to move a channel between the chat kinds and
 * the others: its open conversations would then count, or stop counting, in
 * agents' loads without any of them changing.
 */
Datum
routing_channel_check(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TupleDesc	desc;
	int			kind_column;
	bool		isnull;
	Datum		old_kind;
	Datum		new_kind;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
		elog(ERROR, "routing_channel_check must be an UPDATE trigger");
	desc = RelationGetDescr(trigdata->tg_relation);
	kind_column = column_number(desc, "kind");
	old_kind = heap_getattr(trigdata->tg_trigtuple, kind_column, desc, &isnull);
	new_kind = heap_getattr(trigdata->tg_newtuple, kind_column, desc, &isnull);
	if (is_chat_kind(old_kind) != is_chat_kind(new_kind))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("channel %lld cannot change kind from %s to %s",
						(long long) get_int64(trigdata->tg_trigtuple, desc,
											  column_number(desc, "channel_id"), NULL),
						TextDatumGetCString(old_kind), TextDatumGetCString(new_kind)),
				 errdetail("Chat, bot and messenger conversations count in agents' loads; other kinds do not."),
				 errhint("Create a new channel instead.")));
	return PointerGetDatum(trigdata->tg_newtuple);
}

static RoutingPlan agent_exists_plan = {
	.sql =
	"select 1 from routing.agents a"
	" where a.account_id" EQ "$1 and a.agent_id" EQ "$2",
	.nargs = 2,
	.argtypes = {INT8OID, INT8OID}
};

/* Whether an agent still exists, as routing_as_owner() work. */
typedef struct AgentQuestion
{
	int64		account_id;
	int64		agent_id;
	bool		exists;
} AgentQuestion;

static void
read_agent_exists(void *arg)
{
	AgentQuestion *question = arg;
	Datum		values[2] = {Int64GetDatum(question->account_id),
	Int64GetDatum(question->agent_id)};

	question->exists = routing_exec(&agent_exists_plan, values, NULL, 1) == 1;
}

/*
 * refuse_books_change is the error for a change to agent_loads that the
 * extension did not make.
 */
static void
refuse_books_change(const char *action)
{
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("cannot %s routing.agent_loads directly", action),
			 errdetail("The routing extension keeps agent_loads equal to the conversations it counts; a change by hand would make every later decision wrong."),
			 errhint("Change conversations, agents or their eligibility instead; the extension updates agent_loads itself.")));
}

PG_FUNCTION_INFO_V1(routing_books_guard);

/*
 * routing_books_guard is the BEFORE ROW trigger on agent_loads: only the
 * extension's own statements may change a row (section 6 holds only if
 * nobody else writes the books), whoever runs them, the owner included.  A
 * row may also go with its agent (the foreign key's ON DELETE CASCADE).
 */
Datum
routing_books_guard(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TupleDesc	desc;
	AgentQuestion question;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
		elog(ERROR, "routing_books_guard must be a BEFORE ROW trigger");
	if (routing_books_writing())
		return PointerGetDatum(TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ?
							   trigdata->tg_newtuple : trigdata->tg_trigtuple);
	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		refuse_books_change("insert into");
	if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
		refuse_books_change("update");
	desc = RelationGetDescr(trigdata->tg_relation);
	question.account_id = get_int64(trigdata->tg_trigtuple, desc,
									column_number(desc, "account_id"), NULL);
	question.agent_id = get_int64(trigdata->tg_trigtuple, desc,
								  column_number(desc, "agent_id"), NULL);
	routing_as_owner(read_agent_exists, &question);
	if (question.exists)
		refuse_books_change("delete from");
	return PointerGetDatum(trigdata->tg_trigtuple);
}

static RoutingPlan any_agent_plan = {
	.sql = "select 1 from routing.agents a limit 1",
	.nargs = 0
};

static void
read_any_agent(void *arg)
{
	bool	   *any = arg;

	*any = routing_exec(&any_agent_plan, NULL, NULL, 1) == 1;
}

PG_FUNCTION_INFO_V1(routing_books_truncated);

/*
 * routing_books_truncated is the AFTER TRUNCATE trigger on agent_loads: the
 * books may be emptied only with the agents they count (TRUNCATE
 * routing.agents CASCADE), never alone.  A TRUNCATE spans every account,
 * and so does this check.
 */
Datum
routing_books_truncated(PG_FUNCTION_ARGS)
{
	bool		any_agent;

	if (!CALLED_AS_TRIGGER(fcinfo) ||
		!TRIGGER_FIRED_BY_TRUNCATE(((TriggerData *) fcinfo->context)->tg_event))
		elog(ERROR, "routing_books_truncated must be a TRUNCATE trigger");
	routing_as_owner(read_any_agent, &any_agent);
	if (any_agent)
		refuse_books_change("truncate");
	return PointerGetDatum(NULL);
}
