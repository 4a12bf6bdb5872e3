/*
 * clock.c
 *		routing.tick(at): the timed work of section 16 due at "at", in every
 *		account of the database: offers that lapse, and conversations that
 *		waited in a queue long enough after lapses for the agents who let
 *		them lapse to take them again.  The work is found through the index
 *		offers_due in bounded batches; each piece runs in an internal
 *		subtransaction, so that one that fails is skipped with a WARNING and
 *		stays due.  A piece never waits for a lock another tick or a
 *		change of the conversation holds: it takes the queue locks with
 *		NOWAIT and the conversation row with SKIP LOCKED, and a piece it
 *		cannot lock is left due for the next tick.  Under the conversation's
 *		row lock it reads the offer again, so two ticks never do the same
 *		piece twice.
 */
#include "postgres.h"
#include "fmgr.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/timestamp.h"

#include "channel.h"
#include "decision.h"
#include "loads.h"
#include "offers.h"
#include "plumbing.h"
#include "queue.h"

/* Due pieces read per query. */
#define TICK_BATCH 100

/* The next batch of due offers after ($2, $3, $4), in the index's order. */
static RoutingPlan due_plan = {
	.sql =
	"select o.account_id, o.conversation_id, o.due_at from routing.offers o"
	" where o.due_at OPERATOR(pg_catalog.<=) $1"
	" and (o.due_at, o.account_id, o.conversation_id) OPERATOR(pg_catalog.>) ($2, $3, $4)"
	" order by o.due_at, o.account_id, o.conversation_id"
	" limit " CppAsString2(TICK_BATCH),
	.nargs = 4,
	.argtypes = {TIMESTAMPTZOID, TIMESTAMPTZOID, INT8OID, INT8OID}
};

/* A due offer and its conversation. */
static RoutingPlan offer_plan = {
	.sql =
	"select o.agent_id, o.due_at, o.lapses::pg_catalog.int8, c.channel_id,"
	" c.status OPERATOR(pg_catalog.=) 'open', c.assignee_agent_id, c.contact_id,"
	" c.priority::pg_catalog.int8"
	" from routing.offers o join routing.conversations c"
	"  on c.account_id" EQ "o.account_id and c.conversation_id" EQ "o.conversation_id"
	" where o.account_id" EQ "$1 and o.conversation_id" EQ "$2"
	" and c.account_id" EQ "$1 and c.conversation_id" EQ "$2",
	.nargs = 2,
	.argtypes = {INT8OID, INT8OID}
};

static RoutingPlan lock_conversation_plan = {
	.sql =
	"select 1 from routing.conversations c"
	" where c.account_id" EQ "$1 and c.conversation_id" EQ "$2"
	" for no key update skip locked",
	.nargs = 2,
	.argtypes = {INT8OID, INT8OID}
};

static RoutingPlan exclude_plan = {
	.sql =
	"insert into routing.offer_exclusions (account_id, conversation_id, agent_id, lapsed_at)"
	" values ($1, $2, $3, $4)"
	" on conflict (account_id, conversation_id, agent_id) do update"
	" set lapsed_at = excluded.lapsed_at",
	.nargs = 4,
	.argtypes = {INT8OID, INT8OID, INT8OID, TIMESTAMPTZOID}
};

static RoutingPlan lapsed_event_plan = {
	.sql =
	"insert into routing.events (account_id, kind, conversation_id, agent_id, at, reason)"
	" values ($1, 'offer_lapsed', $2, $3, $4, $5)",
	.nargs = 5,
	.argtypes = {INT8OID, INT8OID, INT8OID, TIMESTAMPTZOID, TEXTOID}
};

/* The next offer's deadline and the lapses before it. */
static RoutingPlan reoffer_plan = {
	.sql =
	"update routing.offers o set due_at = $3, lapses = $4"
	" where o.account_id" EQ "$1 and o.conversation_id" EQ "$2",
	.nargs = 4,
	.argtypes = {INT8OID, INT8OID, TIMESTAMPTZOID, INT4OID}
};

/* Waiting in the queue, its exclusions holding until $3. */
static RoutingPlan wait_plan = {
	.sql =
	"update routing.offers o set agent_id = null, due_at = $3, lapses = 0"
	" where o.account_id" EQ "$1 and o.conversation_id" EQ "$2",
	.nargs = 3,
	.argtypes = {INT8OID, INT8OID, TIMESTAMPTZOID}
};

/* A due piece as the batch found it. */
typedef struct DuePiece
{
	int64		account_id;
	int64		conversation_id;
	TimestampTz due_at;
} DuePiece;

/* A due offer and its conversation as offer_plan reads them. */
typedef struct DueOffer
{
	bool		offered;		/* false: waiting in the queue after lapses */
	int64		agent_id;
	TimestampTz due_at;
	int32		lapses;
	int64		channel_id;
	bool		open;
	bool		has_owner;
	int64		owner_id;
	bool		has_contact;
	int64		contact_id;
	int32		priority;
} DueOffer;

/*
 * read_offer reads a conversation's offer and the conversation; false when
 * it has none.
 */
static bool
read_offer(const DuePiece *piece, DueOffer *offer)
{
	Datum		values[2] = {Int64GetDatum(piece->account_id),
	Int64GetDatum(piece->conversation_id)};

	if (routing_exec(&offer_plan, values, NULL, 1) != 1)
		return false;
	offer->agent_id = routing_get_int64(0, 1, &offer->offered);
	offer->due_at = (TimestampTz) routing_get_int64(0, 2, NULL);
	offer->lapses = (int32) routing_get_int64(0, 3, NULL);
	offer->channel_id = routing_get_int64(0, 4, NULL);
	offer->open = routing_get_bool(0, 5);
	offer->owner_id = routing_get_int64(0, 6, &offer->has_owner);
	offer->contact_id = routing_get_int64(0, 7, &offer->has_contact);
	offer->priority = (int32) routing_get_int64(0, 8, NULL);
	return true;
}

/*
 * lapse lets the offer of a conversation to its owner lapse at "at": the
 * agent is excluded from it, their load drops, an offer_lapsed event names
 * them, and the conversation is routed again by its rule (a new offer,
 * due accept_within after "at"), logged with reason "offer lapsed".  After
 * max_offers lapses, or with no other eligible agent with room, it goes
 * where the rule puts what nobody can take: its queue, where the agents
 * who let it lapse may take it again accept_within after "at", or
 * Unassigned, with no exclusions.
 */
static void
lapse(TimestampTz at, const DuePiece *piece, const DueOffer *offer)
{
	int64		account_id = piece->account_id;
	int64		conversation_id = piece->conversation_id;
	RoutingChannel channel;
	RoutingDecision decision = {0};
	int32		lapses = offer->lapses + 1;
	Datum		values[5];

	routing_load_channel(account_id, offer->channel_id, InvalidSnapshot, &channel);
	values[0] = Int64GetDatum(account_id);
	values[1] = Int64GetDatum(conversation_id);
	values[2] = Int64GetDatum(offer->agent_id);
	values[3] = TimestampTzGetDatum(at);
	routing_exec(&exclude_plan, values, NULL, 0);
	values[4] = CStringGetTextDatum(channel.offers ?
									psprintf("not accepted within %s",
											 DatumGetCString(DirectFunctionCall1(interval_out,
																				 IntervalPGetDatum(&channel.accept_within)))) :
									"not accepted in time");
	routing_exec(&lapsed_event_plan, values, NULL, 0);

	/* The agent's row first: the decision then takes a free candidate. */
	routing_adjust_load(account_id, offer->agent_id, channel.is_chat, -1, 0);
	if (channel.rule_enabled && lapses < channel.max_offers)
		routing_decide(account_id, offer->channel_id, conversation_id,
					   offer->has_contact, offer->contact_id, &offer->priority,
					   &decision, NULL);
	if (decision.assigned)
	{
		snprintf(decision.reason, sizeof(decision.reason), "offer lapsed");
		routing_give_by_rule(account_id, conversation_id, &decision);
		if (channel.offers)
		{
			values[2] = TimestampTzGetDatum(routing_offer_deadline(at, &channel.accept_within));
			values[3] = Int32GetDatum(lapses);
			routing_exec(&reoffer_plan, values, NULL, 0);
		}
		else
			routing_offer_end(account_id, conversation_id);
		return;
	}
	if (channel.rule_enabled && channel.queue && channel.offers)
	{
		values[2] = TimestampTzGetDatum(routing_offer_deadline(at, &channel.accept_within));
		routing_exec(&wait_plan, values, NULL, 0);
	}
	else
		routing_offer_end(account_id, conversation_id);
	routing_give_back(account_id, conversation_id, "offer lapsed");
}

/*
 * do_piece does one due piece, if it is still due under its conversation's
 * row lock, and tells whether it did.  The locks come in the order every
 * change of a conversation takes them (queue locks, the conversation, load
 * rows), but without waiting: a piece someone else holds is left due.  An
 * offer whose conversation was closed or given away meanwhile is removed.
 */
static bool
do_piece(TimestampTz at, const DuePiece *piece)
{
	Datum		values[2] = {Int64GetDatum(piece->account_id),
	Int64GetDatum(piece->conversation_id)};
	DueOffer	seen;
	DueOffer	offer;

	if (!read_offer(piece, &seen))
		return false;
	if (seen.offered)
		routing_try_lock_queues(ROUTING_SCOPE_AGENT, piece->account_id, seen.agent_id,
								seen.channel_id);
	else
		routing_try_lock_queues(ROUTING_SCOPE_CHANNEL, piece->account_id,
								seen.channel_id, 0);
	if (routing_exec(&lock_conversation_plan, values, NULL, 1) != 1)
		return false;
	if (!read_offer(piece, &offer) || offer.due_at > at ||
		offer.offered != seen.offered || offer.agent_id != seen.agent_id ||
		offer.channel_id != seen.channel_id)
		return false;
	if (!offer.open || (offer.offered &&
						!(offer.has_owner && offer.owner_id == offer.agent_id)))
	{
		routing_offer_end(piece->account_id, piece->conversation_id);
		return false;
	}
	if (offer.offered)
		lapse(at, piece, &offer);
	else
	{
		/* Its wait is over: every agent may take it again. */
		routing_offer_end(piece->account_id, piece->conversation_id);
		routing_drain_queues(ROUTING_SCOPE_CHANNEL, piece->account_id,
							 offer.channel_id, 0);
	}
	return true;
}

/* A tick asked for, and how many pieces it did. */
typedef struct TickCall
{
	TimestampTz at;
	int64		done;
	MemoryContext piece_context;
} TickCall;

/*
 * run_piece runs do_piece in an internal subtransaction, as PL/pgSQL's
 * exec_stmt_block runs a block with an EXCEPTION clause: an error rolls
 * back what the piece did, and the tick goes on with the next one after a
 * WARNING (none for a queue lock held elsewhere: the piece is simply left
 * due).  A cancel or a statement timeout ends the tick.
 */
static void
run_piece(TickCall *call, const DuePiece *piece)
{
	MemoryContext tick_context = CurrentMemoryContext;
	ResourceOwner tick_owner = CurrentResourceOwner;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(call->piece_context);
	PG_TRY();
	{
		if (do_piece(call->at, piece))
			call->done++;
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(tick_context);
		CurrentResourceOwner = tick_owner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(tick_context);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(tick_context);
		CurrentResourceOwner = tick_owner;
		if (edata->sqlerrcode == ERRCODE_QUERY_CANCELED)
			ReThrowError(edata);
		if (edata->sqlerrcode != ERRCODE_LOCK_NOT_AVAILABLE)
			ereport(WARNING,
					(errcode(edata->sqlerrcode),
					 errmsg("routing.tick skipped the timed work of conversation %lld in account %lld: %s",
							(long long) piece->conversation_id,
							(long long) piece->account_id, edata->message),
					 errdetail("It stays due; the next tick tries it again.")));
		FreeErrorData(edata);
	}
	PG_END_TRY();
	MemoryContextReset(call->piece_context);
}

/*
 * tick_work is routing_tick's work as the owner: it walks the due offers in
 * the order of offers_due, a batch at a time, each batch after the last
 * piece of the one before, so that pieces left due are not read again.
 */
static void
tick_work(void *arg)
{
	TickCall   *call = arg;
	DuePiece	batch[TICK_BATCH];
	Datum		values[4] = {TimestampTzGetDatum(call->at), TimestampTzGetDatum(DT_NOBEGIN),
	Int64GetDatum(PG_INT64_MIN), Int64GetDatum(PG_INT64_MIN)};
	int			n;

	call->piece_context = AllocSetContextCreate(CurrentMemoryContext, "routing tick piece",
												ALLOCSET_DEFAULT_SIZES);
	do
	{
		n = routing_exec(&due_plan, values, NULL, 0);
		for (int i = 0; i < n; i++)
		{
			batch[i].account_id = routing_get_int64(i, 1, NULL);
			batch[i].conversation_id = routing_get_int64(i, 2, NULL);
			batch[i].due_at = (TimestampTz) routing_get_int64(i, 3, NULL);
		}
		for (int i = 0; i < n; i++)
		{
			CHECK_FOR_INTERRUPTS();
			run_piece(call, &batch[i]);
		}
		if (n > 0)
		{
			values[1] = TimestampTzGetDatum(batch[n - 1].due_at);
			values[2] = Int64GetDatum(batch[n - 1].account_id);
			values[3] = Int64GetDatum(batch[n - 1].conversation_id);
		}
	} while (n == TICK_BATCH);
	MemoryContextDelete(call->piece_context);
}

/*
 * tick_at does the timed work due at "at" and returns how many
 * pieces it did.
 */
static int64
tick_at(TimestampTz at)
{
	TickCall	call = {.at = at};

	routing_as_owner(tick_work, &call);
	return call.done;
}

PG_FUNCTION_INFO_V1(routing_tick);

/*
 * routing_tick is routing.tick(at) (section 16): the timed work due at
 * "at" in this database, every account; returns how many pieces it did.
 * "at" need not increase from one call to the next; the work is dated
 * "at" (deadlines it starts, events).
 */
Datum
routing_tick(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("at must not be null")));
	PG_RETURN_INT64(tick_at(PG_GETARG_TIMESTAMPTZ(0)));
}
