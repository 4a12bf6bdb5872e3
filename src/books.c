/*
 * books.c
 *		The conversation books: routing a new conversation, checking and
 *		counting a new owner, moving a chat between agents' loads when its
 *		owner, status or channel changes, and logging each change of owner
 *		and having it announced.  The triggers call these as the extension
 *		owner.
 */
#include "postgres.h"
#include "fmgr.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/sequence.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/xid8.h"

#include "announce.h"
#include "books.h"
#include "channel.h"
#include "decision.h"
#include "eligibility.h"
#include "index_scan.h"
#include "loads.h"
#include "offers.h"
#include "plumbing.h"
#include "queue.h"

/*
 * set_column records a change to NEW; text values are given as C strings.
 */
static void
set_column(ConversationChanges *changes, ConversationColumn column, Datum value,
		   bool isnull)
{
	Assert(changes->ncols >= 0 && (size_t) changes->ncols < lengthof(changes->cols));
	changes->cols[changes->ncols] = column;
	changes->values[changes->ncols] = value;
	changes->nulls[changes->ncols] = isnull;
	changes->ncols++;
}

static void
set_text(ConversationChanges *changes, ConversationColumn column, const char *value)
{
	Datum		text = (Datum) 0;

	if (value != NULL)
	{
		MemoryContext work_context = MemoryContextSwitchTo(changes->memory);

		text = CStringGetTextDatum(value);
		MemoryContextSwitchTo(work_context);
	}
	set_column(changes, column, text, value == NULL);
}

static void
set_int64(ConversationChanges *changes, ConversationColumn column, bool has_value,
		  int64 value)
{
	set_column(changes, column, Int64GetDatum(value), !has_value);
}

/*
 * routing_same_owner tells whether two rows have the same owner.
 */
bool
routing_same_owner(const ConversationRow *a, const ConversationRow *b)
{
	return a->has_agent == b->has_agent && a->agent_id == b->agent_id &&
		a->has_team == b->has_team && a->team_id == b->team_id;
}

/*
 * routing_book_insert routes a new conversation, or, when the application
 * gave it an owner, checks and counts that owner like a manual assignment.
 * In a queue channel a new conversation waits behind the waiting ones of
 * its priority or above (section 13).
 */
void
routing_book_insert(const ConversationRow *row, ConversationChanges *changes)
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
		if (row->has_agent && row->open)
		{
			routing_adjust_load(row->account_id, row->agent_id, channel.is_chat, 1, at);
			counted = true;
		}
		/* "rule" means routed by this trigger; an application's owner is manual */
		if (strcmp(row->assigned_by, "manual") != 0 &&
			strcmp(row->assigned_by, "reply") != 0)
			set_text(changes, CONVERSATION_ASSIGNED_BY, "manual");
		set_column(changes, CONVERSATION_ASSIGNED_AT, TimestampTzGetDatum(at), false);
		set_text(changes, CONVERSATION_REASON, NULL);
	}
	else if (row->open)
	{
		RoutingDecision decision;

		routing_decide(row->account_id, row->channel_id, row->conversation_id,
					   row->has_contact, row->contact_id, &row->priority,
					   &decision, NULL);
		if (!decision.assigned && decision.queue)
		{
			/*
			 * It would wait: under the channel's queue lock, those waiting
			 * ahead are served first, then it is decided again, so that
			 * RETURNING shows the owner it commits with.  Whoever still
			 * waits ahead after the drain can take no agent with room
			 * (section 16: its lapsed offers may exclude the one who has
			 * room), so the decision no longer waits behind them.
			 */
			routing_drain_queues(ROUTING_SCOPE_CHANNEL, row->account_id,
								 row->channel_id, 0);
			routing_decide(row->account_id, row->channel_id, row->conversation_id,
						   row->has_contact, row->contact_id, NULL,
						   &decision, NULL);
		}
		if (decision.assigned)
		{
			owner_id = decision.agent_id;
			set_int64(changes, CONVERSATION_AGENT_ID, true, owner_id);
			set_text(changes, CONVERSATION_ASSIGNED_BY, "rule");
			set_column(changes, CONVERSATION_ASSIGNED_AT,
					   TimestampTzGetDatum(decision.decided_at), false);
			set_text(changes, CONVERSATION_REASON, decision.reason);
			counted = true;
		}
	}
	set_int64(changes, CONVERSATION_LOAD_AGENT_ID, counted, owner_id);
}

/*
 * waiting tells whether a conversation row is open with no owner: in the
 * queue, if its channel's rule queues.
 */
static bool
waiting(const ConversationRow *row)
{
	return row->open && !row->has_agent && !row->has_team;
}

/*
 * starts_waiting tells whether an update makes a conversation wait where it
 * did not: unassigned, reopened, or moved to another channel.
 */
static bool
starts_waiting(const ConversationRow *old, const ConversationRow *new)
{
	return waiting(new) && (!waiting(old) || old->channel_id != new->channel_id);
}

/*
 * frees_room tells whether a change of a conversation takes it out of the
 * load that counted it (a close, a delete, a reassignment away, a move to a
 * channel of the other work type).
 */
static bool
frees_room(const ConversationRow *old, const ConversationRow *new)
{
	return old->has_load_agent &&
		(new == NULL || !new->has_load_agent ||
		 new->load_agent_id != old->load_agent_id ||
		 new->channel_id != old->channel_id);
}

/*
 * routing_book_update keeps the books when an owner, a status or a channel changes, by
 * function or by a plain UPDATE: a new owner is checked against a restricted
 * inbox and marked manual unless the statement said "reply", and the
 * conversation moves between the agents' loads of its work.  A change that
 * frees room or puts the conversation back in a queue takes the queue locks
 * first (see queue.c); the AFTER trigger drains.  A routing decision's own
 * UPDATE has been checked and counted by the decision.
 */
void
routing_book_update(const ConversationRow *old, const ConversationRow *new,
					ConversationChanges *changes)
{
	bool		owner_changed = !routing_same_owner(old, new);
	RoutingChannel channel;
	bool		old_is_chat;
	TimestampTz now = GetCurrentTimestamp();
	bool		has_desired;
	int64		desired;

	if (old->account_id != new->account_id)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("conversation %lld cannot move from account %lld to account %lld",
						(long long) old->conversation_id,
						(long long) old->account_id, (long long) new->account_id)));
	if (routing_take_routed_update(new->account_id, new->conversation_id))
		return;

	routing_load_channel(new->account_id, new->channel_id, InvalidSnapshot, &channel);
	old_is_chat = channel.is_chat;
	if (old->channel_id != new->channel_id)
	{
		RoutingChannel old_channel;

		routing_load_channel(old->account_id, old->channel_id, InvalidSnapshot,
							 &old_channel);
		old_is_chat = old_channel.is_chat;
	}
	/* Closing, unassigning or reassigning ends an offer (section 16). */
	if (channel.offers && (owner_changed || !new->open) &&
		((old->has_agent && strcmp(old->assigned_by, "rule") == 0) || waiting(old)))
		routing_offer_end(old->account_id, old->conversation_id);
	if (owner_changed && (new->has_agent || new->has_team))
	{
		/* Only what the statement itself said counts: 'reply', else manual. */
		if (strcmp(new->assigned_by, "reply") != 0 ||
			strcmp(old->assigned_by, "reply") == 0)
			set_text(changes, CONVERSATION_ASSIGNED_BY, "manual");
		if (!new->has_assigned_at ||
			(old->has_assigned_at && new->assigned_at == old->assigned_at))
			set_column(changes, CONVERSATION_ASSIGNED_AT, TimestampTzGetDatum(now), false);
		set_text(changes, CONVERSATION_REASON, NULL);
	}
	else if (owner_changed)
	{
		set_text(changes, CONVERSATION_ASSIGNED_BY, NULL);
		set_column(changes, CONVERSATION_ASSIGNED_AT, (Datum) 0, true);
		set_text(changes, CONVERSATION_REASON, NULL);
	}
	/* A new owner, or an owner moved with the conversation into another inbox. */
	if (owner_changed || old->channel_id != new->channel_id)
		routing_check_owner_access(&channel, new->conversation_id,
								   new->has_agent, new->agent_id,
								   new->has_team, new->team_id);

	has_desired = new->open && new->has_agent;
	desired = has_desired ? new->agent_id : 0;
	if (has_desired != old->has_load_agent || desired != old->load_agent_id ||
		(has_desired && old_is_chat != channel.is_chat))
	{
		/* Queue locks before any agent_loads row (queue.c). */
		if (old->has_load_agent)
			routing_lock_queues(ROUTING_SCOPE_AGENT, old->account_id,
								old->load_agent_id,
								starts_waiting(old, new) ? new->channel_id : 0);
		else if (starts_waiting(old, new))
			routing_lock_queues(ROUTING_SCOPE_CHANNEL, new->account_id,
								new->channel_id, 0);
		/* Two agents' rows are always locked in agent_id order. */
		if (old->has_load_agent && (!has_desired || old->load_agent_id <= desired))
			routing_adjust_load(old->account_id, old->load_agent_id, old_is_chat, -1, 0);
		if (has_desired)
			routing_adjust_load(new->account_id, desired, channel.is_chat, 1,
								owner_changed ? now : 0);
		if (old->has_load_agent && has_desired && old->load_agent_id > desired)
			routing_adjust_load(old->account_id, old->load_agent_id, old_is_chat, -1, 0);
	}
	else if (starts_waiting(old, new))
		routing_lock_queues(ROUTING_SCOPE_CHANNEL, new->account_id, new->channel_id, 0);
	set_int64(changes, CONVERSATION_LOAD_AGENT_ID, has_desired, desired);
}

/*
 * routing_book_drain assigns waiting conversations after a conversation was
 * changed or deleted (new NULL): the agent whose load it left has room, and
 * a conversation that starts waiting may be assigned now (section 13).  The
 * queue locks were taken before the loads changed.  (An insert is served
 * in its BEFORE trigger.)
 */
void
routing_book_drain(const ConversationRow *old, const ConversationRow *new)
{
	if (frees_room(old, new))
		routing_drain_queues(ROUTING_SCOPE_AGENT, old->account_id, old->load_agent_id,
							 new != NULL && starts_waiting(old, new) ?
							 new->channel_id : 0);
	else if (new != NULL && starts_waiting(old, new))
		routing_drain_queues(ROUTING_SCOPE_CHANNEL, new->account_id, new->channel_id, 0);
}

/* assignment_log, appended to directly (routing_table_append). */
static RoutingTable log_table = {
	.name = "assignment_log",
	.columns = {"account_id", "log_id", "conversation_id", "from_agent_id", "from_team_id",
	"to_agent_id", "to_team_id", "assigned_by", "reason", "at", "xact_id"},
	.newest_column = "xact_id"
};

/*
 * next_log_id takes the next log_id from the node's sequence (a Citus
 * node's has its own range), looked up once per schema generation.
 */
static int64
next_log_id(void)
{
	static uint64 generation = 0;
	static Oid	sequence = InvalidOid;

	if (generation != routing_schema_generation())
	{
		sequence = get_relname_relid("assignment_log_log_id_seq",
									 get_namespace_oid("routing", false));
		if (!OidIsValid(sequence))
			elog(ERROR, "sequence routing.assignment_log_log_id_seq does not exist");
		generation = routing_schema_generation();
	}
	return nextval_internal(sequence, false);
}

/*
 * routing_book_owner_change writes the assignment_log row of a change of
 * owner ("reason": why the rule chose the owner, or NULL) and announces it
 * (announce.c); a row the clock worker announces carries the transaction's
 * id.  The row is appended directly, without the INSERT statement's
 * executor start-up and its foreign key's check query: the conversation it
 * references is the row this transaction is inserting or has just updated,
 * which no other transaction can delete before this one ends; its
 * assigned_by passed the same CHECK in that row.
 */
void
routing_book_owner_change(const ConversationRow *old, const ConversationRow *new,
						  const char *reason)
{
	RoutingAnnouncer announcer = routing_announcer();
	RoutingAnnouncement announcement = {
		.account_id = new->account_id,
		.conversation_id = new->conversation_id,
		.log_id = next_log_id(),
		.has_agent = new->has_agent,
		.agent_id = new->agent_id,
		.has_team = new->has_team,
		.team_id = new->team_id,
		.assigned_by = new->assigned_by[0] ? new->assigned_by : NULL
	};
	Datum		values[11];
	bool		nulls[11] = {0};

	values[0] = Int64GetDatum(new->account_id);
	values[1] = Int64GetDatum(announcement.log_id);
	values[2] = Int64GetDatum(new->conversation_id);
	values[3] = Int64GetDatum(old->agent_id);
	nulls[3] = !old->has_agent;
	values[4] = Int64GetDatum(old->team_id);
	nulls[4] = !old->has_team;
	values[5] = Int64GetDatum(new->agent_id);
	nulls[5] = !new->has_agent;
	values[6] = Int64GetDatum(new->team_id);
	nulls[6] = !new->has_team;
	values[7] = new->assigned_by[0] ? CStringGetTextDatum(new->assigned_by) : (Datum) 0;
	nulls[7] = !new->assigned_by[0];
	values[8] = reason != NULL ? CStringGetTextDatum(reason) : (Datum) 0;
	nulls[8] = reason == NULL;
	values[9] = TimestampTzGetDatum(new->has_assigned_at ? new->assigned_at
									: GetCurrentTimestamp());
	values[10] = announcer == ROUTING_ANNOUNCER_WORKER ?
		FullTransactionIdGetDatum(GetTopFullTransactionId()) : (Datum) 0;
	nulls[10] = announcer != ROUTING_ANNOUNCER_WORKER;
	routing_table_append(&log_table, values, nulls);
	routing_announce(announcer, &announcement);
}

/*
 * routing_book_delete takes a deleted conversation out of its agent's load,
 * after the queue locks that the room it frees needs.
 */
void
routing_book_delete(const ConversationRow *old)
{
	RoutingChannel channel;

	if (!old->has_load_agent)
		return;
	routing_load_channel(old->account_id, old->channel_id, InvalidSnapshot, &channel);
	routing_lock_queues(ROUTING_SCOPE_AGENT, old->account_id, old->load_agent_id, 0);
	routing_adjust_load(old->account_id, old->load_agent_id, channel.is_chat, -1, 0);
}
