/*
 * clock.c
 *		routing.tick(at): the timed work of section 16 due at "at", in every
 *		account of the database (on a Citus node, in each shard group placed
 *		there): offers that lapse, conversations that
 *		waited in a queue long enough after lapses for the agents who let
 *		them lapse to take them again, the conversations of owners who
 *		stayed away, the boundaries of working hours and idle agents.  The
 *		work is found through the indexes offers_due and agent_timers_due in
 *		bounded batches; each piece runs in an internal subtransaction, so
 *		that one that fails is skipped with a WARNING and stays due.  A
 *		piece never waits for a lock another tick or a change holds: it
 *		takes the agent's availability row and the conversation row with
 *		SKIP LOCKED and the queue locks with NOWAIT, waits at most 50 ms for
 *		a load row, and a piece it cannot lock is left due for the next
 *		tick.  Under those locks it reads its timer again, so two ticks
 *		never do the same piece twice.
 */
#include "postgres.h"
#include "fmgr.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/timestamp.h"

#include "channel.h"
#include "clock.h"
#include "decision.h"
#include "hours.h"
#include "loads.h"
#include "offers.h"
#include "plumbing.h"
#include "queue.h"

/* Due pieces read per query. */
#define TICK_BATCH 100
/* The longest a piece waits for a lock (ms) before it is left due. */
#define TICK_LOCK_TIMEOUT 50

/* The next batch of due offers after ($2, $3, $4), in the index's order. */
static RoutingPlan due_offers_plan = {
	.sql =
	"select o.account_id, o.conversation_id, o.due_at from routing.offers o"
	" where o.due_at OPERATOR(pg_catalog.<=) $1"
	" and (o.due_at, o.account_id, o.conversation_id) OPERATOR(pg_catalog.>) ($2, $3, $4)"
	" order by o.due_at, o.account_id, o.conversation_id"
	" limit " CppAsString2(TICK_BATCH),
	.nargs = 4,
	.argtypes = {TIMESTAMPTZOID, TIMESTAMPTZOID, INT8OID, INT8OID}
};

/* The next batch of due agent timers after ($2, $3, $4, $5), likewise. */
static RoutingPlan due_agent_timers_plan = {
	.sql =
	"select t.account_id, t.agent_id, t.due_at, t.kind from routing.agent_timers t"
	" where t.due_at OPERATOR(pg_catalog.<=) $1"
	" and (t.due_at, t.account_id, t.agent_id, t.kind) OPERATOR(pg_catalog.>) ($2, $3, $4, $5)"
	" order by t.due_at, t.account_id, t.agent_id, t.kind"
	" limit " CppAsString2(TICK_BATCH),
	.nargs = 5,
	.argtypes = {TIMESTAMPTZOID, TIMESTAMPTZOID, INT8OID, INT8OID, TEXTOID}
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

/* An event of the clock: $2 one of events' kinds. */
static RoutingPlan event_plan = {
	.sql =
	"insert into routing.events (account_id, event_id, kind, conversation_id, agent_id, at,"
	" reason) overriding system value"
	" values ($1, " ROUTING_NEXT_ID("events_event_id_seq") ", $2, $3, $4, $5, $6)",
	.nargs = 6,
	.argtypes = {INT8OID, TEXTOID, INT8OID, INT8OID, TIMESTAMPTZOID, TEXTOID}
};

/* One more offer of channel $2 that agent $3 let lapse in a row. */
static RoutingPlan streak_plan = {
	.sql =
	"insert into routing.lapse_streaks as s (account_id, channel_id, agent_id, lapses)"
	" values ($1, $2, $3, 1)"
	" on conflict (account_id, channel_id, agent_id) do update"
	" set lapses = s.lapses OPERATOR(pg_catalog.+) 1"
	" returning s.lapses::pg_catalog.int8",
	.nargs = 3,
	.argtypes = {INT8OID, INT8OID, INT8OID}
};

static RoutingPlan end_streak_plan = {
	.sql =
	"delete from routing.lapse_streaks s"
	" where s.account_id" EQ "$1 and s.channel_id" EQ "$2 and s.agent_id" EQ "$3",
	.nargs = 3,
	.argtypes = {INT8OID, INT8OID, INT8OID}
};

/* An agent's availability row, locked as every change of it locks it. */
static RoutingPlan availability_plan = {
	.sql =
	"select v.status OPERATOR(pg_catalog.=) 'available' from routing.availability v"
	" where v.account_id" EQ "$1 and v.agent_id" EQ "$2",
	.nargs = 2,
	.argtypes = {INT8OID, INT8OID}
};

static RoutingPlan lock_availability_plan = {
	.sql =
	"select v.status OPERATOR(pg_catalog.=) 'available' from routing.availability v"
	" where v.account_id" EQ "$1 and v.agent_id" EQ "$2"
	" for no key update skip locked",
	.nargs = 2,
	.argtypes = {INT8OID, INT8OID}
};

static RoutingPlan set_status_plan = {
	.sql =
	"insert into routing.availability as v (account_id, agent_id, status, changed_at)"
	" values ($1, $2, $3, $4)"
	" on conflict (account_id, agent_id) do update"
	" set status = excluded.status, changed_at = excluded.changed_at",
	.nargs = 4,
	.argtypes = {INT8OID, INT8OID, TEXTOID, TIMESTAMPTZOID}
};

static RoutingPlan agent_timer_plan = {
	.sql =
	"select t.started_at, t.due_at from routing.agent_timers t"
	" where t.account_id" EQ "$1 and t.agent_id" EQ "$2 and t.kind" EQ "$3",
	.nargs = 3,
	.argtypes = {INT8OID, INT8OID, TEXTOID}
};

static RoutingPlan move_agent_timer_plan = {
	.sql =
	"update routing.agent_timers t set due_at = $4"
	" where t.account_id" EQ "$1 and t.agent_id" EQ "$2 and t.kind" EQ "$3",
	.nargs = 4,
	.argtypes = {INT8OID, INT8OID, TEXTOID, TIMESTAMPTZOID}
};

/*
 * The open conversations of agent $2 whose rules reroute them once their
 * owner has been away $3 ("reroute"), or the shortest grace of those whose
 * grace is longer ("next grace").
 */
#define OWNED_REROUTED \
	" from routing.conversations c join routing.rules r" \
	"  on r.account_id" EQ "c.account_id and r.channel_id" EQ "c.channel_id" \
	" where c.account_id" EQ "$1 and c.assignee_agent_id" EQ "$2" \
	" and c.status" EQ "'open' and r.account_id" EQ "$1 and r.enabled" \
	" and r.only_available and r.when_owner_away" EQ "'reroute'"

static RoutingPlan rerouted_plan = {
	.sql =
	"select c.conversation_id, c.channel_id" OWNED_REROUTED
	" and r.away_grace OPERATOR(pg_catalog.<=) $3 order by c.conversation_id",
	.nargs = 3,
	.argtypes = {INT8OID, INT8OID, INTERVALOID}
};

static RoutingPlan next_grace_plan = {
	.sql =
	"select pg_catalog.min(r.away_grace)" OWNED_REROUTED
	" and r.away_grace OPERATOR(pg_catalog.>) $3",
	.nargs = 3,
	.argtypes = {INT8OID, INT8OID, INTERVALOID}
};

/* An open conversation of agent $3, locked by the caller. */
static RoutingPlan owned_plan = {
	.sql =
	"select c.contact_id, c.priority::pg_catalog.int8 from routing.conversations c"
	" where c.account_id" EQ "$1 and c.conversation_id" EQ "$2"
	" and c.assignee_agent_id" EQ "$3 and c.status" EQ "'open'",
	.nargs = 3,
	.argtypes = {INT8OID, INT8OID, INT8OID}
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

/* What a batch finds due: an offer (by conversation), or an agent's timer. */
typedef enum PieceKind
{
	PIECE_OFFER,
	PIECE_AGENT_TIMER
} PieceKind;

/* A due piece as the batch found it. */
typedef struct DuePiece
{
	int64		account_id;
	int64		id;				/* the conversation, or the agent */
	TimestampTz due_at;
	char		timer[16];		/* an agent timer's kind */
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
	Datum		values[2] = {Int64GetDatum(piece->account_id), Int64GetDatum(piece->id)};

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
 * record_event writes an events row of the clock, dated "at".
 */
static void
record_event(int64 account_id, const char *kind, int64 conversation_id,
			 int64 agent_id, TimestampTz at, const char *reason)
{
	Datum		values[6] = {Int64GetDatum(account_id), CStringGetTextDatum(kind),
		Int64GetDatum(conversation_id), Int64GetDatum(agent_id),
	TimestampTzGetDatum(at), CStringGetTextDatum(reason)};
	char		nulls[6] = {' ', ' ', conversation_id ? ' ' : 'n', ' ', ' ', ' '};

	routing_exec(&event_plan, values, nulls, 0);
}

/*
 * set_status sets an agent available or away, dated "at", as
 * set_availability does; the triggers do the rest (section 13's drain, the
 * owner's grace, the idle timer).  The caller holds the agent's queue
 * locks and availability row, if any.
 */
static void
set_status(int64 account_id, int64 agent_id, const char *status, TimestampTz at)
{
	Datum		values[4] = {Int64GetDatum(account_id), Int64GetDatum(agent_id),
	CStringGetTextDatum(status), TimestampTzGetDatum(at)};

	routing_exec(&set_status_plan, values, NULL, 0);
}

/*
 * lock_agent takes an agent's availability row without waiting, as every
 * agent timer is done under it; false when another transaction holds it.
 * An agent with no row is away (*available false).
 */
static bool
lock_agent(int64 account_id, int64 agent_id, bool *available)
{
	Datum		values[2] = {Int64GetDatum(account_id), Int64GetDatum(agent_id)};

	*available = false;
	if (routing_exec(&availability_plan, values, NULL, 1) != 1)
		return true;
	if (routing_exec(&lock_availability_plan, values, NULL, 1) != 1)
		return false;
	*available = routing_get_bool(0, 1);
	return true;
}

/*
 * read_timer reads an agent's timer of a kind ("values": account, agent,
 * kind) into *started_at; false when it is gone or not due at "at".
 */
static bool
read_timer(Datum *values, TimestampTz at, TimestampTz *started_at)
{
	if (routing_exec(&agent_timer_plan, values, NULL, 1) != 1 ||
		(TimestampTz) routing_get_int64(0, 2, NULL) > at)
		return false;
	*started_at = (TimestampTz) routing_get_int64(0, 1, NULL);
	return true;
}

/*
 * try_reroute takes a conversation from the agent who holds it, whose load
 * drops (the caller holds the conversation's row lock and the queue locks
 * the agent's room serves), and, when "decide", routes it again by its
 * rule; a new owner is logged with "reason".  Returns whether it has one;
 * if not, the caller gives it back (routing_give_back) after its own
 * bookkeeping.
 */
static bool
try_reroute(int64 account_id, int64 conversation_id, const RoutingChannel *channel,
			int64 from_agent_id, bool has_contact, int64 contact_id, int32 priority,
			bool decide, const char *reason)
{
	RoutingDecision decision = {0};

	/* The agent's row first: the decision then takes a free candidate. */
	routing_adjust_load(account_id, from_agent_id, channel->is_chat, -1, 0);
	if (!decide)
		return false;
	routing_decide(account_id, channel->channel_id, conversation_id, has_contact,
				   contact_id, &priority, &decision, NULL);
	if (!decision.assigned)
		return false;
	strlcpy(decision.reason, reason, sizeof(decision.reason));
	routing_give_by_rule(account_id, conversation_id, &decision);
	return true;
}

/*
 * count_lapse counts a lapsed offer of the channel in the agent's lapses in
 * a row, and sets them away, dated "at", when they reach the rule's
 * away_after_lapses (an events row set_away says why); the count starts
 * again.  The availability row is taken without waiting, as the clock
 * takes every lock.
 */
static void
count_lapse(int64 account_id, const RoutingChannel *channel, int64 conversation_id,
			int64 agent_id, TimestampTz at)
{
	Datum		values[3] = {Int64GetDatum(account_id), Int64GetDatum(channel->channel_id),
	Int64GetDatum(agent_id)};
	bool		available;

	if (channel->away_after_lapses == 0)
		return;
	routing_exec(&streak_plan, values, NULL, 1);
	if (routing_get_int64(0, 1, NULL) < channel->away_after_lapses)
		return;
	routing_exec(&end_streak_plan, values, NULL, 0);
	if (!lock_agent(account_id, agent_id, &available))
		ereport(ERROR,
				(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
				 errmsg("availability of agent %lld in account %lld is being changed",
						(long long) agent_id, (long long) account_id)));
	if (!available)
		return;
	set_status(account_id, agent_id, "away", at);
	record_event(account_id, "set_away", conversation_id, agent_id, at,
				 psprintf("let %d offers of channel %lld lapse in a row",
						  channel->away_after_lapses, (long long) channel->channel_id));
}

/*
 * lapse lets the offer of a conversation to its owner lapse at "at": the
 * agent is excluded from it, their load drops, an offer_lapsed event names
 * them, and the conversation is routed again by its rule (a new offer,
 * due accept_within after "at"), logged with reason "offer lapsed".  After
 * max_offers lapses, or with no other eligible agent with room, it goes
 * where the rule puts what nobody can take: its queue, where the agents
 * who let it lapse may take it again accept_within after "at", or
 * Unassigned, with no exclusions.  The lapse counts for away_after_lapses.
 * A rule whose accept_within was turned off since the offer makes no more
 * offers, and keeps no exclusions: the conversation goes where the rule
 * puts what nobody can take at once.
 */
static void
lapse(TimestampTz at, const DuePiece *piece, const DueOffer *offer)
{
	int64		account_id = piece->account_id;
	int64		conversation_id = piece->id;
	RoutingChannel channel;
	int32		lapses = offer->lapses + 1;
	Datum		values[4];

	routing_load_channel(account_id, offer->channel_id, InvalidSnapshot, &channel);
	values[0] = Int64GetDatum(account_id);
	values[1] = Int64GetDatum(conversation_id);
	values[2] = Int64GetDatum(offer->agent_id);
	values[3] = TimestampTzGetDatum(at);
	routing_exec(&exclude_plan, values, NULL, 0);
	record_event(account_id, "offer_lapsed", conversation_id, offer->agent_id, at,
				 channel.offers ?
				 psprintf("not accepted within %s",
						  DatumGetCString(DirectFunctionCall1(interval_out,
															  IntervalPGetDatum(&channel.accept_within)))) :
				 "not accepted in time");
	if (try_reroute(account_id, conversation_id, &channel, offer->agent_id,
					offer->has_contact, offer->contact_id, offer->priority,
					channel.rule_enabled && channel.offers && lapses < channel.max_offers,
					"offer lapsed"))
	{
		if (channel.offers)
		{
			values[2] = TimestampTzGetDatum(routing_offer_deadline(at, &channel.accept_within));
			values[3] = Int32GetDatum(lapses);
			routing_exec(&reoffer_plan, values, NULL, 0);
		}
		else
			routing_offer_end(account_id, conversation_id);
	}
	else
	{
		if (channel.rule_enabled && channel.queue && channel.offers)
		{
			values[2] = TimestampTzGetDatum(routing_offer_deadline(at, &channel.accept_within));
			routing_exec(&wait_plan, values, NULL, 0);
		}
		else
			routing_offer_end(account_id, conversation_id);
		routing_give_back(account_id, conversation_id, "offer lapsed");
	}
	count_lapse(account_id, &channel, conversation_id, offer->agent_id, at);
}

/*
 * do_offer does a due offer, if it is still due under its conversation's
 * row lock, and tells how many pieces it did (0 or 1).  The locks come in
 * the order every change of a conversation takes them (queue locks, the
 * conversation, load rows), but without waiting: a piece someone else
 * holds is left due.  An offer whose conversation was closed or given away
 * meanwhile is removed.
 */
static int
do_offer(TimestampTz at, const DuePiece *piece)
{
	Datum		values[2] = {Int64GetDatum(piece->account_id), Int64GetDatum(piece->id)};
	DueOffer	seen;
	DueOffer	offer;

	if (!read_offer(piece, &seen))
		return 0;
	if (seen.offered)
		routing_try_lock_queues(ROUTING_SCOPE_AGENT, piece->account_id, seen.agent_id,
								seen.channel_id);
	else
		routing_try_lock_queues(ROUTING_SCOPE_CHANNEL, piece->account_id,
								seen.channel_id, 0);
	if (routing_exec(&lock_conversation_plan, values, NULL, 1) != 1)
		return 0;
	if (!read_offer(piece, &offer) || offer.due_at > at ||
		offer.offered != seen.offered || offer.agent_id != seen.agent_id ||
		offer.channel_id != seen.channel_id)
		return 0;
	if (!offer.open || (offer.offered &&
						!(offer.has_owner && offer.owner_id == offer.agent_id)))
	{
		routing_offer_end(piece->account_id, piece->id);
		return 0;
	}
	if (offer.offered)
		lapse(at, piece, &offer);
	else
	{
		/* Its wait is over: every agent may take it again. */
		routing_offer_end(piece->account_id, piece->id);
		routing_drain_queues(ROUTING_SCOPE_CHANNEL, piece->account_id,
							 offer.channel_id, 0);
	}
	return 1;
}

/*
 * leave_owner does an agent's due owner_away timer: the agent has been
 * away since the timer started, and each of their open conversations whose
 * rule reroutes after a grace that has passed is routed again by its rule,
 * never back to them (they are away), logged with reason "owner away";
 * with nobody else eligible it goes where when_nobody says.  The timer then
 * waits for the next longer grace, or ends.  Returns how many
 * conversations moved.  Under the agent's availability row lock (taken
 * without waiting), so that a change of availability waits for it or it
 * sees the change; an agent available again has no more timer.
 */
static int
leave_owner(TimestampTz at, const DuePiece *piece)
{
	Datum		values[4] = {Int64GetDatum(piece->account_id), Int64GetDatum(piece->id),
	CStringGetTextDatum("owner_away"), (Datum) 0};
	TimestampTz since;
	Interval   *away_for;
	int64	   *conversations;
	int64	   *channels;
	int			n;
	int			moved = 0;
	bool		left = false;
	bool		available;
	bool		no_next;
	Datum		next;

	if (!lock_agent(piece->account_id, piece->id, &available) ||
		!read_timer(values, at, &since))
		return 0;
	if (available)
	{
		routing_end_agent_timer(piece->account_id, piece->id, "owner_away");
		return 0;
	}
	away_for = DatumGetIntervalP(DirectFunctionCall2(timestamp_mi, TimestampTzGetDatum(at),
													 TimestampTzGetDatum(since)));
	values[2] = IntervalPGetDatum(away_for);
	n = routing_exec(&rerouted_plan, values, NULL, 0);
	conversations = palloc(sizeof(int64) * Max(n, 1));
	channels = palloc(sizeof(int64) * Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		conversations[i] = routing_get_int64(i, 1, NULL);
		channels[i] = routing_get_int64(i, 2, NULL);
	}
	for (int i = 0; i < n; i++)
	{
		Datum		conversation[3] = {values[0], Int64GetDatum(conversations[i]), values[1]};
		RoutingChannel channel;
		bool		has_contact;
		int64		contact_id;
		int32		priority;

		routing_try_lock_queues(ROUTING_SCOPE_AGENT, piece->account_id, piece->id,
								channels[i]);
		if (routing_exec(&lock_conversation_plan, conversation, NULL, 1) != 1)
		{
			left = true;
			continue;
		}
		if (routing_exec(&owned_plan, conversation, NULL, 1) != 1)
			continue;
		contact_id = routing_get_int64(0, 1, &has_contact);
		priority = (int32) routing_get_int64(0, 2, NULL);
		routing_load_channel(piece->account_id, channels[i], InvalidSnapshot, &channel);
		if (!try_reroute(piece->account_id, conversations[i], &channel, piece->id,
						 has_contact, contact_id, priority, true, "owner away"))
		{
			routing_offer_end(piece->account_id, conversations[i]);
			routing_give_back(piece->account_id, conversations[i], "owner away");
		}
		else if (!channel.offers)
			routing_offer_end(piece->account_id, conversations[i]);
		moved++;
	}
	if (left)
		return moved;
	routing_exec(&next_grace_plan, values, NULL, 1);
	next = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &no_next);
	values[2] = CStringGetTextDatum("owner_away");
	if (no_next)
	{
		routing_end_agent_timer(piece->account_id, piece->id, "owner_away");
		return moved;
	}
	values[3] = TimestampTzGetDatum(routing_offer_deadline(since, DatumGetIntervalP(next)));
	routing_exec(&move_agent_timer_plan, values, NULL, 0);
	return moved;
}

/*
 * apply_hours does an agent's due hours timer: at a boundary of their
 * working hours the tick sets them to the state at "at" (available inside
 * a span, away outside or in time off), dated "at", with an events row
 * hours_start or hours_end, unless they are in it already (a manual
 * set_availability holds until the boundary, and a late tick applies the
 * state at "at" once); the timer moves to the next boundary.
 */
static int
apply_hours(TimestampTz at, const DuePiece *piece)
{
	Datum		values[4] = {Int64GetDatum(piece->account_id), Int64GetDatum(piece->id),
	CStringGetTextDatum("hours"), (Datum) 0};
	TimestampTz scheduled_at;
	bool		available;
	RoutingHours hours;

	if (!lock_agent(piece->account_id, piece->id, &available) ||
		!read_timer(values, at, &scheduled_at))
		return 0;
	routing_hours_at(piece->account_id, piece->id, at, &hours);
	if (!hours.has_hours)
	{
		routing_end_agent_timer(piece->account_id, piece->id, "hours");
		return 0;
	}
	if (hours.working != available)
	{
		routing_try_lock_queues(ROUTING_SCOPE_AGENT, piece->account_id, piece->id, 0);
		set_status(piece->account_id, piece->id, hours.working ? "available" : "away", at);
		record_event(piece->account_id, hours.working ? "hours_start" : "hours_end", 0,
					 piece->id, at, hours.working ? "working hours start" :
					 "working hours end, or time off");
	}
	values[3] = TimestampTzGetDatum(hours.next);
	routing_exec(&move_agent_timer_plan, values, NULL, 0);
	return 1;
}

/*
 * become_idle does an agent's due idle timer: an available agent with no
 * presence (heartbeat, or becoming available) for idle_after is set away,
 * dated "at", with an events row idle; the availability trigger then ends
 * the timer.  An agent away already has no more timer.
 */
static int
become_idle(TimestampTz at, const DuePiece *piece)
{
	Datum		values[3] = {Int64GetDatum(piece->account_id), Int64GetDatum(piece->id),
	CStringGetTextDatum("idle")};
	TimestampTz present_at;
	bool		available;

	if (!lock_agent(piece->account_id, piece->id, &available) ||
		!read_timer(values, at, &present_at))
		return 0;
	if (!available)
	{
		routing_end_agent_timer(piece->account_id, piece->id, "idle");
		return 0;
	}
	routing_try_lock_queues(ROUTING_SCOPE_AGENT, piece->account_id, piece->id, 0);
	set_status(piece->account_id, piece->id, "away", at);
	record_event(piece->account_id, "idle", 0, piece->id, at,
				 psprintf("no heartbeat since %s", timestamptz_to_str(present_at)));
	return 1;
}

/* A tick asked for, and how many pieces it did. */
typedef struct TickCall
{
	TimestampTz at;
	bool		one_batch;		/* stop after the first batch that did work */
	int64		done;
	bool		more;			/* one_batch stopped where more may be due */
	MemoryContext piece_context;
} TickCall;

/*
 * do_piece does one due piece of either kind; how many pieces it did.
 */
static int
do_piece(TimestampTz at, PieceKind kind, const DuePiece *piece)
{
	if (kind == PIECE_OFFER)
		return do_offer(at, piece);
	if (strcmp(piece->timer, "owner_away") == 0)
		return leave_owner(at, piece);
	if (strcmp(piece->timer, "hours") == 0)
		return apply_hours(at, piece);
	if (strcmp(piece->timer, "idle") == 0)
		return become_idle(at, piece);
	elog(ERROR, "unknown agent timer \"%s\"", piece->timer);
	return 0;					/* not reached */
}

/*
 * run_piece runs do_piece in an internal subtransaction, as PL/pgSQL's
 * exec_stmt_block runs a block with an EXCEPTION clause: an error rolls
 * back what the piece did, and the tick goes on with the next one after a
 * WARNING (none for a lock held elsewhere: the piece is simply left due).
 * A cancel or a statement timeout ends the tick.
 *
 * The piece waits at most TICK_LOCK_TIMEOUT for any lock (lock_timeout,
 * set for the piece as a function's SET clause is): a routing decision or
 * a load adjustment inside it may have to wait for an agent_loads row, and
 * a tick holds the rows of its earlier pieces, so that a longer wait could
 * close a cycle with a change of one of them (two ticks, or a tick and a
 * close, each waiting for a row the other holds).  Given up, the piece is
 * rolled back, its locks go, and the next tick does it.
 */
static void
run_piece(TickCall *call, PieceKind kind, const DuePiece *piece)
{
	MemoryContext tick_context = CurrentMemoryContext;
	ResourceOwner tick_owner = CurrentResourceOwner;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(call->piece_context);
	PG_TRY();
	{
		int			guc_level = NewGUCNestLevel();

		if (LockTimeout == 0 || LockTimeout > TICK_LOCK_TIMEOUT)
			(void) set_config_option("lock_timeout", CppAsString2(TICK_LOCK_TIMEOUT),
									 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
									 true, 0, false);
		call->done += do_piece(call->at, kind, piece);
		AtEOXact_GUC(true, guc_level);
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
					 errmsg("routing.tick skipped the timed work of %s %lld in account %lld: %s",
							kind == PIECE_OFFER ? "conversation" : "agent",
							(long long) piece->id, (long long) piece->account_id,
							edata->message),
					 errdetail("It stays due; the next tick tries it again.")));
		FreeErrorData(edata);
	}
	PG_END_TRY();
	MemoryContextReset(call->piece_context);
}

/*
 * walk does the due pieces of one kind in the order of their index, a batch
 * at a time, each batch after the last piece of the one before, so that
 * pieces left due are not read again by this tick.  With one_batch it stops
 * after a full batch that did some work, saying more may be due.
 */
static void
walk(TickCall *call, PieceKind kind)
{
	DuePiece	batch[TICK_BATCH];
	Datum		values[5] = {TimestampTzGetDatum(call->at), TimestampTzGetDatum(DT_NOBEGIN),
		Int64GetDatum(PG_INT64_MIN), Int64GetDatum(PG_INT64_MIN),
	CStringGetTextDatum("")};
	int			n;
	int64		done_before;

	do
	{
		done_before = call->done;
		n = routing_exec(kind == PIECE_OFFER ? &due_offers_plan : &due_agent_timers_plan,
						 values, NULL, 0);
		for (int i = 0; i < n; i++)
		{
			batch[i].account_id = routing_get_int64(i, 1, NULL);
			batch[i].id = routing_get_int64(i, 2, NULL);
			batch[i].due_at = (TimestampTz) routing_get_int64(i, 3, NULL);
			if (kind == PIECE_AGENT_TIMER)
				strlcpy(batch[i].timer, SPI_getvalue(SPI_tuptable->vals[i],
													 SPI_tuptable->tupdesc, 4),
						sizeof(batch[i].timer));
		}
		for (int i = 0; i < n; i++)
		{
			CHECK_FOR_INTERRUPTS();
			run_piece(call, kind, &batch[i]);
		}
		if (n > 0)
		{
			values[1] = TimestampTzGetDatum(batch[n - 1].due_at);
			values[2] = Int64GetDatum(batch[n - 1].account_id);
			values[3] = Int64GetDatum(batch[n - 1].id);
			values[4] = CStringGetTextDatum(batch[n - 1].timer);
		}
		call->more = n == TICK_BATCH && call->done > done_before;
	} while (n == TICK_BATCH && !(call->one_batch && call->more));
}

/*
 * tick_work is routing_tick's work as the owner, on the tables or in one
 * shard group of a Citus node (called once per group): the due offers, then
 * the due agent timers.  With one_batch, once a group's batch did work, the
 * groups after it wait for the next call.
 */
static void
tick_work(void *arg)
{
	TickCall   *call = arg;

	if (call->one_batch && call->more)
		return;
	call->piece_context = AllocSetContextCreate(CurrentMemoryContext, "routing tick piece",
												ALLOCSET_DEFAULT_SIZES);
	walk(call, PIECE_OFFER);
	if (!(call->one_batch && call->more))
		walk(call, PIECE_AGENT_TIMER);
	MemoryContextDelete(call->piece_context);
}

/*
 * routing_tick_at does the timed work due at "at" and returns how many
 * pieces it did: routing.tick() and the clock's worker (worker.c).  On a
 * Citus node, the work of the shard groups placed there, each in turn as a
 * trigger on its shards works (routing_as_owner_each): every node ticks its
 * own accounts, in its own transaction, with no two-phase commit.  With
 * one_batch it stops after the first batch that did work and sets *more
 * when more may be due: the worker commits each batch, so that a
 * transaction never holds more than a batch of pieces' subtransactions and
 * row versions: a claim's lock is carried over to the row's new version
 * (KEY SHARE), the next piece's claim of the row in another subtransaction
 * makes a MultiXact of both, and readers of the row's versions look up its
 * members, so each later piece of one transaction costs more.
 */
int64
routing_tick_at(TimestampTz at, bool one_batch, bool *more)
{
	TickCall	call = {.at = at, .one_batch = one_batch};

	routing_as_owner_each("routing.tick()", tick_work, &call);
	if (more != NULL)
		*more = call.one_batch && call.more;
	return call.done;
}

PG_FUNCTION_INFO_V1(routing_tick);

/*
 * routing_tick is routing.tick(at) (section 16): the timed work due at
 * "at" in this database, every account (on a Citus node, every account
 * whose shards are there); returns how many pieces it did.
 * "at" need not increase from one call to the next; the work is dated
 * "at" (deadlines and graces it starts, events, availability.changed_at).
 */
Datum
routing_tick(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("at must not be null")));
	PG_RETURN_INT64(routing_tick_at(PG_GETARG_TIMESTAMPTZ(0), false, NULL));
}
