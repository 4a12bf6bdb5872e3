/*
 * offers.c
 *		Offers (section 16) as rows of routing.offers: a conversation that a
 *		rule with accept_within assigns is offered to its agent until a
 *		deadline, indexed by it so that routing.tick() (clock.c) finds the
 *		due ones with an index probe.  Every offers row is written while its
 *		conversation's row is locked (by the routing decision's trigger, by
 *		a manual change, by accept or by the tick), so nobody ever waits on
 *		an offers row.
 */
#include "postgres.h"
#include "fmgr.h"

#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "index_scan.h"
#include "offers.h"
#include "plumbing.h"

/*
 * routing_offer_deadline is "from" plus "within": when an offer made at
 * "from" lapses.
 */
TimestampTz
routing_offer_deadline(TimestampTz from, const Interval *within)
{
	return DatumGetTimestampTz(DirectFunctionCall2(timestamptz_pl_interval,
												   TimestampTzGetDatum(from),
												   IntervalPGetDatum(within)));
}

/* A conversation's first offer. */
static RoutingPlan start_plan = {
	.sql =
	"insert into routing.offers (account_id, conversation_id, agent_id, due_at)"
	" values ($1, $2, $3, $4)",
	.nargs = 4,
	.argtypes = {INT8OID, INT8OID, INT8OID, TIMESTAMPTZOID}
};

/*
 * Its next offer after a lapse (which keeps the count of lapses), or its
 * first out of the queue (which starts the count again).
 */
static RoutingPlan restart_plan = {
	.sql =
	"update routing.offers o set agent_id = $3, due_at = $4,"
	" lapses = case when o.agent_id is null then 0 else o.lapses end"
	" where o.account_id" EQ "$1 and o.conversation_id" EQ "$2",
	.nargs = 4,
	.argtypes = {INT8OID, INT8OID, INT8OID, TIMESTAMPTZOID}
};

/*
 * routing_offer_start records that a rule gave a conversation to agent_id
 * as an offer lapsing at due_at; "offered" says whether the conversation
 * has an offers row already (routing_offer_exists).
 */
void
routing_offer_start(int64 account_id, int64 conversation_id, int64 agent_id,
					TimestampTz due_at, bool offered)
{
	Datum		values[4] = {Int64GetDatum(account_id), Int64GetDatum(conversation_id),
	Int64GetDatum(agent_id), TimestampTzGetDatum(due_at)};

	routing_exec(offered ? &restart_plan : &start_plan, values, NULL, 0);
}

/* A conversation's offers row, read straight from the primary key. */
static RoutingTable offers_table = {
	.name = "offers",
	.columns = {"agent_id"}
};

/*
 * routing_offer_exists tells whether a conversation has an offers row (an
 * offer, or a wait in the queue after lapses) under "snapshot": only then
 * can it have exclusions.  The caller holds the conversation's row lock,
 * or the conversation is being inserted.  An index probe without a plan:
 * every decision on a channel with offers makes it.
 */
bool
routing_offer_exists(int64 account_id, int64 conversation_id, Snapshot snapshot)
{
	RoutingIndexScan scan;
	int64		keys[2] = {account_id, conversation_id};
	bool		found;

	routing_index_scan_begin(&scan, &offers_table, 2, keys, snapshot);
	found = routing_index_scan_next(&scan);
	routing_index_scan_end(&scan);
	return found;
}

/* A conversation's exclusions, read straight from the primary key. */
static RoutingTable exclusions_table = {
	.name = "offer_exclusions",
	.columns = {"agent_id"}
};

/*
 * routing_offer_exclusions returns the agents whose offers of a
 * conversation lapsed (palloc'd, *count of them; NULL when none), read
 * under "snapshot": a routing decision passes them over.
 */
int64 *
routing_offer_exclusions(int64 account_id, int64 conversation_id, Snapshot snapshot,
						 int *count)
{
	RoutingIndexScan scan;
	int64		keys[2] = {account_id, conversation_id};
	int64	   *ids = NULL;
	int			n = 0;

	routing_index_scan_begin(&scan, &exclusions_table, 2, keys, snapshot);
	while (routing_index_scan_next(&scan))
	{
		ids = n == 0 ? palloc(sizeof(int64)) : repalloc(ids, sizeof(int64) * (n + 1));
		ids[n++] = DatumGetInt64(routing_index_scan_value(&scan, 0, NULL));
	}
	routing_index_scan_end(&scan);
	*count = n;
	return ids;
}

static RoutingPlan end_plan = {
	.sql =
	"delete from routing.offers o"
	" where o.account_id" EQ "$1 and o.conversation_id" EQ "$2",
	.nargs = 2,
	.argtypes = {INT8OID, INT8OID}
};

/*
 * routing_offer_end ends a conversation's offer, or its wait after lapses,
 * with its exclusions: it was closed, given to someone by hand, or
 * unassigned.
 */
void
routing_offer_end(int64 account_id, int64 conversation_id)
{
	Datum		values[2] = {Int64GetDatum(account_id), Int64GetDatum(conversation_id)};

	routing_exec(&end_plan, values, NULL, 0);
}

static RoutingPlan accept_plan = {
	.sql =
	"delete from routing.offers o"
	" where o.account_id" EQ "$1 and o.conversation_id" EQ "$2"
	" and o.agent_id" EQ "$3",
	.nargs = 3,
	.argtypes = {INT8OID, INT8OID, INT8OID}
};

/* Accepting an offer of a channel ends the agent's lapses in a row there. */
static RoutingPlan reset_streak_plan = {
	.sql =
	"delete from routing.lapse_streaks s"
	" where s.account_id" EQ "$1 and s.agent_id" EQ "$3"
	" and s.channel_id" EQ "(select c.channel_id from routing.conversations c"
	"  where c.account_id" EQ "$1 and c.conversation_id" EQ "$2)",
	.nargs = 3,
	.argtypes = {INT8OID, INT8OID, INT8OID}
};

/*
 * routing_offer_accept accepts the offer of a conversation to agent_id, its
 * owner, if there is one, which ends the agent's lapses in a row on the
 * channel; tells whether there was one.  The caller holds the
 * conversation's row lock.
 */
bool
routing_offer_accept(int64 account_id, int64 conversation_id, int64 agent_id)
{
	Datum		values[3] = {Int64GetDatum(account_id), Int64GetDatum(conversation_id),
	Int64GetDatum(agent_id)};

	if (routing_exec(&accept_plan, values, NULL, 0) != 1)
		return false;
	routing_exec(&reset_streak_plan, values, NULL, 0);
	return true;
}
