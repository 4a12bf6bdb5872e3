/*
 * triggers.c
 *		The trigger entry points: each reads its rows into scalars and hands
 *		them to the layer that owns the work (the conversation books, the
 *		loads, eligibility, the queues), run as the extension owner.
 */
#include "postgres.h"
#include "fmgr.h"

#include "access/htup_details.h"
#include "commands/trigger.h"
#include "utils/builtins.h"
#include "utils/rel.h"

#include "books.h"
#include "channel.h"
#include "eligibility.h"
#include "loads.h"
#include "plumbing.h"
#include "queue.h"
#include "shards.h"

/* The names of the columns of ConversationColumn, in its order. */
static const char *const conversation_column_names[CONVERSATION_COLUMN_COUNT] = {
	"account_id", "conversation_id", "channel_id", "contact_id", "status",
	"assignee_agent_id", "assignee_team_id", "assigned_by", "assigned_at",
	"assigned_reason", "load_agent_id", "priority"
};

/*
 * The attribute numbers of those columns, for the table's definition of
 * routing_schema_generation() "generation".
 */
static struct
{
	Oid			relid;
	uint64		generation;
	int			attnums[CONVERSATION_COLUMN_COUNT];
}			columns;

/*
 * conversation_columns caches the attribute numbers of conversations'
 * columns for the table's current definition.
 */
static void
conversation_columns(Relation rel)
{
	uint64		generation = routing_schema_generation();

	if (columns.relid == RelationGetRelid(rel) && columns.generation == generation)
		return;
	for (int i = 0; i < CONVERSATION_COLUMN_COUNT; i++)
		columns.attnums[i] = routing_column_number(RelationGetDescr(rel),
										   conversation_column_names[i]);
	columns.relid = RelationGetRelid(rel);
	columns.generation = generation;
}

/*
 * require_not_null refuses a NULL in a key column before the row is routed,
 * with the error the NOT NULL constraint would give after this trigger.
 */
static void
require_not_null(Relation rel, HeapTuple tuple, ConversationColumn column)
{
	int			attnum = columns.attnums[column];

	if (heap_attisnull(tuple, attnum, RelationGetDescr(rel)))
		ereport(ERROR,
				(errcode(ERRCODE_NOT_NULL_VIOLATION),
				 errmsg("null value in column \"%s\" of relation \"%s\" violates not-null constraint",
						conversation_column_names[column],
						RelationGetRelationName(rel)),
				 errtablecol(rel, attnum)));
}

/*
 * with_conversation_id gives a row inserted into a Citus shard without a
 * conversation_id one (a table's own identity gives it there); anything else
 * is left to the NOT NULL check.
 */
static HeapTuple
with_conversation_id(Relation rel, HeapTuple tuple)
{
	int64		id = routing_shards_next_conversation_id(rel);
	Datum		value = Int64GetDatum(id);
	bool		isnull = false;

	if (id == 0)
		return tuple;
	return heap_modify_tuple_by_cols(tuple, RelationGetDescr(rel), 1,
									 &columns.attnums[CONVERSATION_ID], &value, &isnull);
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
 * conversation_value reads a column of a conversation tuple.
 */
static Datum
conversation_value(HeapTuple tuple, TupleDesc desc, ConversationColumn column,
				   bool *isnull)
{
	return heap_getattr(tuple, columns.attnums[column], desc, isnull);
}

/*
 * conversation_int64 reads a bigint column of a conversation tuple.
 */
static int64
conversation_int64(HeapTuple tuple, TupleDesc desc, ConversationColumn column,
				   bool *has_value)
{
	return get_int64(tuple, desc, columns.attnums[column], has_value);
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
	row->account_id = conversation_int64(tuple, desc, CONVERSATION_ACCOUNT_ID, NULL);
	row->conversation_id = conversation_int64(tuple, desc, CONVERSATION_ID, NULL);
	row->channel_id = conversation_int64(tuple, desc, CONVERSATION_CHANNEL_ID, NULL);
	row->contact_id = conversation_int64(tuple, desc, CONVERSATION_CONTACT_ID,
										 &row->has_contact);
	row->agent_id = conversation_int64(tuple, desc, CONVERSATION_AGENT_ID,
									   &row->has_agent);
	row->team_id = conversation_int64(tuple, desc, CONVERSATION_TEAM_ID,
									  &row->has_team);
	row->load_agent_id = conversation_int64(tuple, desc, CONVERSATION_LOAD_AGENT_ID,
											&row->has_load_agent);
	value = conversation_value(tuple, desc, CONVERSATION_STATUS, &isnull);
	row->open = !isnull && strcmp(TextDatumGetCString(value), "open") == 0;
	value = conversation_value(tuple, desc, CONVERSATION_ASSIGNED_BY, &isnull);
	if (!isnull)
		text_to_cstring_buffer(DatumGetTextPP(value), row->assigned_by,
							   sizeof(row->assigned_by));
	value = conversation_value(tuple, desc, CONVERSATION_ASSIGNED_AT, &isnull);
	row->has_assigned_at = !isnull;
	if (!isnull)
		row->assigned_at = DatumGetTimestampTz(value);
	value = conversation_value(tuple, desc, CONVERSATION_PRIORITY, &isnull);
	row->priority = isnull ? 0 : DatumGetInt32(value);
}

/* A conversation trigger's rows, for its work as the extension owner. */
typedef struct ConversationWork
{
	ConversationRow old;
	ConversationRow new;
	bool		has_old;
	bool		has_new;
	bool		owner_changed;
	ConversationChanges changes;
	const char *reason;
} ConversationWork;

/*
 * book_insert, book_update, book_delete and book_after run the books' work
 * for the conversation triggers.
 */
static void
book_insert(void *arg)
{
	ConversationWork *work = arg;

	routing_book_insert(&work->new, &work->changes);
}

static void
book_update(void *arg)
{
	ConversationWork *work = arg;

	routing_book_update(&work->old, &work->new, &work->changes);
}

static void
book_delete(void *arg)
{
	ConversationWork *work = arg;

	routing_book_delete(&work->old);
	routing_book_drain(&work->old, NULL);
}

static void
book_after(void *arg)
{
	ConversationWork *work = arg;

	if (work->owner_changed)
		routing_book_owner_change(&work->old, &work->new, work->reason);
	if (work->has_old)
		routing_book_drain(&work->old, &work->new);
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
	int			attnums[lengthof(work.changes.cols)];

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
		elog(ERROR, "routing_conversation_before must be a BEFORE ROW trigger");
	rel = trigdata->tg_relation;
	desc = RelationGetDescr(rel);
	conversation_columns(rel);
	result = TRIGGER_FIRED_BY_INSERT(trigdata->tg_event) ?
		trigdata->tg_trigtuple : trigdata->tg_newtuple;
	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event) &&
		heap_attisnull(result, columns.attnums[CONVERSATION_ID], desc))
		result = with_conversation_id(rel, result);
	require_not_null(rel, result, CONVERSATION_ACCOUNT_ID);
	require_not_null(rel, result, CONVERSATION_ID);
	require_not_null(rel, result, CONVERSATION_CHANNEL_ID);
	work.changes.memory = CurrentMemoryContext;
	read_conversation(result, desc, &work.new);

	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		routing_as_owner_on(rel, book_insert, &work);
	else
	{
		read_conversation(trigdata->tg_trigtuple, desc, &work.old);
		if (routing_same_owner(&work.old, &work.new) &&
			work.old.open == work.new.open &&
			work.old.account_id == work.new.account_id &&
			work.old.channel_id == work.new.channel_id &&
			work.old.has_load_agent == work.new.has_load_agent &&
			work.old.load_agent_id == work.new.load_agent_id)
			return PointerGetDatum(result);
		routing_as_owner_on(rel, book_update, &work);
	}
	if (work.changes.ncols == 0)
		return PointerGetDatum(result);
	for (int i = 0; i < work.changes.ncols; i++)
		attnums[i] = columns.attnums[work.changes.cols[i]];
	return PointerGetDatum(heap_modify_tuple_by_cols(result, desc, work.changes.ncols,
													 attnums, work.changes.values,
													 work.changes.nulls));
}

PG_FUNCTION_INFO_V1(routing_conversation_after);

/*
 * routing_conversation_after is the AFTER ROW trigger on conversations: it
 * logs and announces each change of owner once the row exists, takes a
 * deleted conversation out of its agent's load, and drains the queues when
 * room freed up or a conversation waits.
 */
Datum
routing_conversation_after(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TupleDesc	desc;
	HeapTuple	new_tuple;
	ConversationWork work = {0};
	bool		no_reason;
	Datum		reason;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
		elog(ERROR, "routing_conversation_after must be an AFTER ROW trigger");
	desc = RelationGetDescr(trigdata->tg_relation);
	conversation_columns(trigdata->tg_relation);

	if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
	{
		read_conversation(trigdata->tg_trigtuple, desc, &work.old);
		if (work.old.has_load_agent)
			routing_as_owner_on(trigdata->tg_relation, book_delete, &work);
		return PointerGetDatum(NULL);
	}

	work.has_new = true;
	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
	{
		new_tuple = trigdata->tg_trigtuple;
		read_conversation(new_tuple, desc, &work.new);
		work.owner_changed = work.new.has_agent || work.new.has_team;
	}
	else
	{
		new_tuple = trigdata->tg_newtuple;
		work.has_old = true;
		read_conversation(trigdata->tg_trigtuple, desc, &work.old);
		read_conversation(new_tuple, desc, &work.new);
		work.owner_changed = !routing_same_owner(&work.old, &work.new);
		if (!work.owner_changed && work.old.open == work.new.open &&
			work.old.channel_id == work.new.channel_id &&
			work.old.has_load_agent == work.new.has_load_agent &&
			work.old.load_agent_id == work.new.load_agent_id)
			return PointerGetDatum(NULL);
	}
	if (!work.owner_changed && !work.has_old)
		return PointerGetDatum(NULL);
	reason = conversation_value(new_tuple, desc, CONVERSATION_REASON, &no_reason);
	work.reason = no_reason ? NULL : TextDatumGetCString(reason);
	routing_as_owner_on(trigdata->tg_relation, book_after, &work);
	return PointerGetDatum(NULL);
}

/* One agent, for the triggers' work as the extension owner. */
typedef struct AgentWork
{
	int64		account_id;
	int64		agent_id;
	const char *action;			/* an agent_loads change: insert into, update, ... */
	bool		is_delete;
	bool		answer;
} AgentWork;

/*
 * read_agent fills account_id and agent_id from a row of a table that has
 * both.
 */
static void
read_agent(HeapTuple tuple, TupleDesc desc, AgentWork *work)
{
	work->account_id = get_int64(tuple, desc, routing_column_number(desc, "account_id"), NULL);
	work->agent_id = get_int64(tuple, desc, routing_column_number(desc, "agent_id"), NULL);
}

static void
create_load_row(void *arg)
{
	AgentWork  *work = arg;

	routing_create_load_row(work->account_id, work->agent_id);
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
	AgentWork	work = {0};

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "routing_agent_created must be called as a trigger");
	read_agent(trigdata->tg_trigtuple, RelationGetDescr(trigdata->tg_relation), &work);
	routing_as_owner_on(trigdata->tg_relation, create_load_row, &work);
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
	routing_as_owner_on(((TriggerData *) fcinfo->context)->tg_relation, zero_loads, NULL);
	return PointerGetDatum(NULL);
}

/*
 * target_of_row reads whom a row of an eligibility table speaks of: the
 * trigger's argument says whether it names an agent ("agent", or "member"
 * for a team membership), an agent or a team, the whole account, or (a
 * contact) the account's queues only.
 */
static void
target_of_row(const char *kind, HeapTuple tuple, TupleDesc desc,
			  RoutingTarget *target)
{
	bool		has_agent;

	target->account_id = get_int64(tuple, desc, routing_column_number(desc, "account_id"), NULL);
	target->scope = ROUTING_SCOPE_ACCOUNT;
	target->id = 0;
	if (strcmp(kind, "account") == 0 || strcmp(kind, "contact") == 0)
		return;
	target->id = get_int64(tuple, desc, routing_column_number(desc, "agent_id"), &has_agent);
	target->scope = ROUTING_SCOPE_AGENT;
	if (!has_agent && strcmp(kind, "agent_or_team") == 0)
	{
		target->scope = ROUTING_SCOPE_TEAM;
		target->id = get_int64(tuple, desc, routing_column_number(desc, "team_id"), NULL);
	}
}

/*
 * membership_of_row reads a team_members row.
 */
static RoutingMembership
membership_of_row(HeapTuple tuple, TupleDesc desc)
{
	RoutingMembership membership;
	bool		isnull;
	char	   *role = TextDatumGetCString(heap_getattr(tuple, routing_column_number(desc, "role"),
														desc, &isnull));

	membership.is_primary = strcmp(role, "primary") == 0;
	membership.account_id = get_int64(tuple, desc, routing_column_number(desc, "account_id"), NULL);
	membership.team_id = get_int64(tuple, desc, routing_column_number(desc, "team_id"), NULL);
	membership.agent_id = get_int64(tuple, desc, routing_column_number(desc, "agent_id"), NULL);
	return membership;
}

/*
 * bump_for_trigger is routing_eligibility_changed's work as the owner: it
 * reads whom the changed rows speak of and hands the change to
 * routing_change_eligibility.
 */
static void
bump_for_trigger(void *arg)
{
	TriggerData *trigdata = arg;
	const char *kind = trigdata->tg_trigger->tgargs[0];
	TupleDesc	desc = RelationGetDescr(trigdata->tg_relation);
	RoutingEligibilityChange change = {0};

	if (TRIGGER_FIRED_BY_TRUNCATE(trigdata->tg_event))
	{
		routing_truncate_eligibility(strcmp(kind, "member") == 0);
		return;
	}
	target_of_row(kind, trigdata->tg_trigtuple, desc, &change.old);
	if (strcmp(kind, "contact") == 0)
	{
		routing_change_contact(change.old.account_id);
		return;
	}
	change.new = change.old;
	change.is_update = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event);
	if (change.is_update)
		target_of_row(kind, trigdata->tg_newtuple, desc, &change.new);
	change.agent_facts = strcmp(kind, "agent") == 0 || strcmp(kind, "member") == 0;
	change.is_membership = strcmp(kind, "member") == 0;
	if (change.is_membership)
	{
		change.old_membership = membership_of_row(trigdata->tg_trigtuple, desc);
		if (change.is_update)
			change.new_membership = membership_of_row(trigdata->tg_newtuple, desc);
	}
	routing_change_eligibility(&change);
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
	routing_as_owner_on(trigdata->tg_relation, bump_for_trigger, trigdata);
	return PointerGetDatum(NULL);
}

static void
read_seat(void *arg)
{
	AgentWork  *work = arg;

	work->answer = routing_has_seat(work->account_id, work->agent_id);
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
	AgentWork	work = {0};

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "routing_rule_check must be called as a trigger");
	tuple = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ?
		trigdata->tg_newtuple : trigdata->tg_trigtuple;
	desc = RelationGetDescr(trigdata->tg_relation);
	work.agent_id = get_int64(tuple, desc, routing_column_number(desc, "default_agent_id"),
							  &has_default);
	if (!has_default)
		return PointerGetDatum(tuple);
	work.account_id = get_int64(tuple, desc, routing_column_number(desc, "account_id"), NULL);
	routing_as_owner_on(trigdata->tg_relation, read_seat, &work);
	if (!work.answer)
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("default agent %lld of the rule of channel %lld holds no paid seat",
						(long long) work.agent_id,
						(long long) get_int64(tuple, desc, routing_column_number(desc, "channel_id"), NULL)),
				 errdetail("A default agent must hold a sales or service seat in account %lld.",
						   (long long) work.account_id)));
	return PointerGetDatum(tuple);
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
	char	   *old_kind;
	char	   *new_kind;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
		elog(ERROR, "routing_channel_check must be an UPDATE trigger");
	desc = RelationGetDescr(trigdata->tg_relation);
	kind_column = routing_column_number(desc, "kind");
	old_kind = TextDatumGetCString(heap_getattr(trigdata->tg_trigtuple, kind_column,
												desc, &isnull));
	new_kind = TextDatumGetCString(heap_getattr(trigdata->tg_newtuple, kind_column,
												desc, &isnull));
	if (routing_kind_is_chat(old_kind) != routing_kind_is_chat(new_kind))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("channel %lld cannot change kind from %s to %s",
						(long long) get_int64(trigdata->tg_trigtuple, desc,
											  routing_column_number(desc, "channel_id"), NULL),
						old_kind, new_kind),
				 errdetail("Chat, bot and messenger conversations count in agents' loads; other kinds do not."),
				 errhint("Create a new channel instead.")));
	return PointerGetDatum(trigdata->tg_newtuple);
}

static void
guard_load_row(void *arg)
{
	AgentWork  *work = arg;

	routing_guard_load_row(work->action, work->is_delete, work->account_id,
							work->agent_id);
}

PG_FUNCTION_INFO_V1(routing_loads_guard);

/*
 * routing_loads_guard is the BEFORE ROW trigger on agent_loads: only the
 * extension's own statements may change a row (see
 * routing_guard_load_row), and never to a negative count or capacity.
 */
Datum
routing_loads_guard(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	AgentWork	work = {0};

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
		elog(ERROR, "routing_loads_guard must be a BEFORE ROW trigger");
	if (routing_loads_writing())
	{
		HeapTuple	row = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ?
			trigdata->tg_newtuple : trigdata->tg_trigtuple;

		if (!TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
			routing_check_load_counts(row, RelationGetDescr(trigdata->tg_relation));
		return PointerGetDatum(row);
	}
	read_agent(trigdata->tg_trigtuple, RelationGetDescr(trigdata->tg_relation), &work);
	work.is_delete = TRIGGER_FIRED_BY_DELETE(trigdata->tg_event);
	work.action = TRIGGER_FIRED_BY_INSERT(trigdata->tg_event) ? "insert into" :
		TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ? "update" : "delete from";
	routing_as_owner_on(trigdata->tg_relation, guard_load_row, &work);
	return PointerGetDatum(trigdata->tg_trigtuple);
}

static void
guard_loads_truncate(void *arg)
{
	routing_guard_loads_truncate();
}

PG_FUNCTION_INFO_V1(routing_loads_truncated);

/*
 * routing_loads_truncated is the AFTER TRUNCATE trigger on agent_loads: the
 * load rows may be emptied only with the agents they count.
 */
Datum
routing_loads_truncated(PG_FUNCTION_ARGS)
{
	if (!CALLED_AS_TRIGGER(fcinfo) ||
		!TRIGGER_FIRED_BY_TRUNCATE(((TriggerData *) fcinfo->context)->tg_event))
		elog(ERROR, "routing_loads_truncated must be a TRUNCATE trigger");
	routing_as_owner_on(((TriggerData *) fcinfo->context)->tg_relation, guard_loads_truncate, NULL);
	return PointerGetDatum(NULL);
}

/*
 * routing_books_guard and routing_books_truncated are the symbols that
 * routing--1.1--1.2.sql creates agent_loads' guard functions with, which a
 * fresh install and an update from 1.0 or 1.1 run before
 * routing--1.8--1.9.sql points the functions at routing_loads_guard and
 * routing_loads_truncated: PostgreSQL looks a C function's symbol up when
 * the function is created.  Each is the guard under its other name.
 */
PG_FUNCTION_INFO_V1(routing_books_guard);

Datum
routing_books_guard(PG_FUNCTION_ARGS)
{
	return routing_loads_guard(fcinfo);
}

PG_FUNCTION_INFO_V1(routing_books_truncated);

Datum
routing_books_truncated(PG_FUNCTION_ARGS)
{
	return routing_loads_truncated(fcinfo);
}

PG_FUNCTION_INFO_V1(routing_members_version_guard);

/*
 * routing_members_version_guard is the BEFORE INSERT OR UPDATE OF
 * members_version trigger on teams: only the extension sets a team's
 * members_version (a new team starts at 0).  Backends remember pools by
 * it (src/pools.c), so a value set by hand could bring back one that stood
 * for other primary members, and random routing would then give work to
 * agents who left the team.
 */
Datum
routing_members_version_guard(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TupleDesc	desc;
	int			attnum;
	HeapTuple	row;
	int64		version;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) ||
		TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
		elog(ERROR, "routing_members_version_guard must be a BEFORE INSERT OR UPDATE ROW trigger");
	row = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ?
		trigdata->tg_newtuple : trigdata->tg_trigtuple;
	if (routing_loads_writing())
		return PointerGetDatum(row);
	desc = RelationGetDescr(trigdata->tg_relation);
	attnum = routing_column_number(desc, "members_version");
	version = get_int64(row, desc, attnum, NULL);
	if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ?
		version == get_int64(trigdata->tg_trigtuple, desc, attnum, NULL) :
		version == 0)
		return PointerGetDatum(row);
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("cannot set members_version of team %lld of account %lld directly",
					(long long) get_int64(row, desc, routing_column_number(desc, "team_id"), NULL),
					(long long) get_int64(row, desc, routing_column_number(desc, "account_id"), NULL)),
			 errdetail("The routing extension moves members_version to a value never used before whenever the team's primary members change; a value set by hand could stand for other members."),
			 TRIGGER_FIRED_BY_INSERT(trigdata->tg_event) ?
			 errhint("%s", ROUTING_RESTORE_HINT) :
			 errhint("Change routing.team_members instead.")));
	return PointerGetDatum(NULL);	/* not reached */
}

/*
 * read_capacity turns a capacities row into scalars.
 */
static void
read_capacity(HeapTuple tuple, TupleDesc desc, RoutingCapacityRow *row)
{
	bool		isnull;

	row->account_id = get_int64(tuple, desc, routing_column_number(desc, "account_id"), NULL);
	row->agent_id = get_int64(tuple, desc, routing_column_number(desc, "agent_id"), NULL);
	row->is_chat = strcmp(TextDatumGetCString(heap_getattr(tuple, routing_column_number(desc, "work"),
														   desc, &isnull)),
						  "chat") == 0;
	row->max_open = DatumGetInt32(heap_getattr(tuple, routing_column_number(desc, "max_open"),
											   desc, &isnull));
}

/*
 * copy_capacities is routing_capacity_changed's work as the owner: it
 * reads the changed capacities rows and hands them to
 * routing_change_capacity.
 */
static void
copy_capacities(void *arg)
{
	TriggerData *trigdata = arg;
	TupleDesc	desc = RelationGetDescr(trigdata->tg_relation);
	RoutingCapacityRow old = {0};
	RoutingCapacityRow new = {0};

	if (TRIGGER_FIRED_BY_TRUNCATE(trigdata->tg_event))
	{
		routing_clear_capacities();
		return;
	}
	if (!TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		read_capacity(trigdata->tg_trigtuple, desc, &old);
	if (!TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
		read_capacity(TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ?
					  trigdata->tg_newtuple : trigdata->tg_trigtuple, desc, &new);
	routing_change_capacity(TRIGGER_FIRED_BY_INSERT(trigdata->tg_event) ? NULL : &old,
							TRIGGER_FIRED_BY_DELETE(trigdata->tg_event) ? NULL : &new);
}

PG_FUNCTION_INFO_V1(routing_capacity_changed);

/*
 * routing_capacity_changed is the AFTER trigger on capacities (section 12):
 * each agent's capacities live on their load row too, where a decision
 * reads them with the load and the claim's version check covers both.  A
 * TRUNCATE makes every agent unlimited; it drains nothing (it spans
 * accounts): run routing.drain() after it.
 */
Datum
routing_capacity_changed(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(trigdata->tg_event))
		elog(ERROR, "routing_capacity_changed must be an AFTER trigger");
	routing_as_owner_on(trigdata->tg_relation, copy_capacities, trigdata);
	return PointerGetDatum(NULL);
}

static void
lock_all_queues(void *arg)
{
	routing_lock_all_queues();
}

PG_FUNCTION_INFO_V1(routing_queues_locked);

/*
 * routing_queues_locked is the BEFORE UPDATE OR DELETE statement trigger on
 * rules: it takes every queue lock in order before the statement locks any
 * rule row (see routing_lock_all_queues).
 */
Datum
routing_queues_locked(PG_FUNCTION_ARGS)
{
	if (!CALLED_AS_TRIGGER(fcinfo) ||
		TRIGGER_FIRED_FOR_ROW(((TriggerData *) fcinfo->context)->tg_event))
		elog(ERROR, "routing_queues_locked must be a statement trigger");
	routing_as_owner_on(((TriggerData *) fcinfo->context)->tg_relation, lock_all_queues, NULL);
	return PointerGetDatum(NULL);
}
