/*
 * queue.c
 *		Assigning existing conversations by rule: route_conversation and the
 *		queue of section 13.  A channel whose enabled rule says "queue" has
 *		a queue lock, its rule row.  Whoever adds a waiting conversation or
 *		frees room an agent of the channel's pool can use takes it before
 *		any agent_loads row, in channel_id order, and drains the channel in
 *		the same transaction: of two such transactions the second sees what
 *		the first committed, so a waiting conversation is never left behind
 *		by an agent with room, and never assigned twice.
 */
#include "postgres.h"
#include "fmgr.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "utils/builtins.h"

#include "decision.h"
#include "loads.h"
#include "queue.h"

/*
 * The conversation whose UPDATE gives it the owner a routing decision
 * chose.  That UPDATE says assigned_by 'rule' and names the agent whose
 * load the claim already counted; no other UPDATE may, so that a plain
 * UPDATE can neither skip the restricted-inbox check nor write the books by
 * hand.  The announcement holds only in the subtransaction that made it: if
 * an error comes between it and the UPDATE, whoever catches the error goes
 * on in another subtransaction, where no UPDATE can take it.
 */
static struct
{
	TransactionId xid;
	SubTransactionId subid;
	int64		account_id;
	int64		conversation_id;
}			routed_update;

/*
 * expect_routed_update announces the routed UPDATE of a conversation to the
 * trigger.
 */
static void
expect_routed_update(int64 account_id, int64 conversation_id)
{
	routed_update.xid = GetTopTransactionId();
	routed_update.subid = GetCurrentSubTransactionId();
	routed_update.account_id = account_id;
	routed_update.conversation_id = conversation_id;
}

/*
 * routing_take_routed_update tells whether an UPDATE of this conversation is
 * the announced one, and forgets the announcement.
 */
bool
routing_take_routed_update(int64 account_id, int64 conversation_id)
{
	bool		announced = TransactionIdIsValid(routed_update.xid) &&
		TransactionIdEquals(routed_update.xid, GetTopTransactionIdIfAny()) &&
		routed_update.subid == GetCurrentSubTransactionId() &&
		routed_update.account_id == account_id &&
		routed_update.conversation_id == conversation_id;

	routed_update.xid = InvalidTransactionId;
	return announced;
}

static RoutingPlan routed_owner_plan = {
	.sql =
	"update routing.conversations c"
	" set assignee_agent_id = $3, assignee_team_id = null, assigned_by = 'rule',"
	"  assigned_at = $4, assigned_reason = $5, load_agent_id = $3"
	" where c.account_id" EQ "$1 and c.conversation_id" EQ "$2",
	.nargs = 5,
	.argtypes = {INT8OID, INT8OID, INT8OID, TIMESTAMPTZOID, TEXTOID}
};

/*
 * routing_give_by_rule writes a routing decision into its conversation,
 * whose load the decision's claim has counted (and whose former owner's, if
 * any, the caller has taken out).
 */
void
routing_give_by_rule(int64 account_id, int64 conversation_id, const RoutingDecision *decision)
{
	Datum		values[5] = {Int64GetDatum(account_id), Int64GetDatum(conversation_id),
		Int64GetDatum(decision->agent_id), TimestampTzGetDatum(decision->decided_at),
	CStringGetTextDatum(decision->reason)};

	expect_routed_update(account_id, conversation_id);
	routing_exec(&routed_owner_plan, values, NULL, 0);
}

static RoutingPlan give_back_plan = {
	.sql =
	"update routing.conversations c"
	" set assignee_agent_id = null, assignee_team_id = null, assigned_by = null,"
	"  assigned_at = null, assigned_reason = $3, load_agent_id = null"
	" where c.account_id" EQ "$1 and c.conversation_id" EQ "$2",
	.nargs = 3,
	.argtypes = {INT8OID, INT8OID, TEXTOID}
};

/*
 * routing_give_back takes a conversation from the agent a rule gave it to,
 * for "reason" (section 16: the offer lapsed), after the caller took it out
 * of their load: it waits in its queue, or in Unassigned.  The AFTER
 * trigger logs it and drains the queues the room serves.
 */
void
routing_give_back(int64 account_id, int64 conversation_id, const char *reason)
{
	Datum		values[3] = {Int64GetDatum(account_id), Int64GetDatum(conversation_id),
	CStringGetTextDatum(reason)};

	expect_routed_update(account_id, conversation_id);
	routing_exec(&give_back_plan, values, NULL, 0);
}

/*
 * The queue channels of an account that room of agent $2 can serve (a
 * contact owner rule can route to any agent), channel $3, or all ($4),
 * locked in channel_id order; with NOWAIT, or waiting.
 */
#define LOCK_QUEUES_SQL \
	"select r.channel_id from routing.rules r" \
	" where r.account_id" EQ "$1 and r.enabled and r.when_nobody" EQ "'queue'" \
	" and ($4 or r.channel_id" EQ "$3" \
	"  or ($2 is not null and (r.assign_to" EQ "'contact_owner'" \
	"   or exists (select 1 from routing.rule_targets t where t.account_id" EQ "$1" \
	"    and t.channel_id" EQ "r.channel_id and t.agent_id" EQ "$2)" \
	"   or exists (select 1 from routing.rule_targets t" \
	"    join routing.team_members m on m.account_id" EQ "t.account_id" \
	"     and m.team_id" EQ "t.team_id" \
	"    where t.account_id" EQ "$1 and t.channel_id" EQ "r.channel_id" \
	"     and t.team_id is not null and m.agent_id" EQ "$2 and m.role" EQ "'primary'))))" \
	" order by r.channel_id for no key update of r"

static RoutingPlan lock_queues_plan = {
	.sql = LOCK_QUEUES_SQL,
	.nargs = 4,
	.argtypes = {INT8OID, INT8OID, INT8OID, BOOLOID}
};

static RoutingPlan try_lock_queues_plan = {
	.sql = LOCK_QUEUES_SQL " nowait",
	.nargs = 4,
	.argtypes = {INT8OID, INT8OID, INT8OID, BOOLOID}
};

/*
 * lock_queues locks the queue channels of a scope and returns their ids in
 * channel_id order (palloc'd; *count of them): those that room of an agent
 * (ROUTING_SCOPE_AGENT, id an agent) can serve, one channel
 * (ROUTING_SCOPE_CHANNEL, id a channel), or all of the account's (the other
 * scopes); and also_channel_id, if not 0.  Every queue lock is taken before
 * any agent_loads row, and all of a change's at once, in order.  With
 * nowait, a lock another transaction holds is an error (55P03).
 */
static int64 *
lock_queues(RoutingScope scope, int64 account_id, int64 id, int64 also_channel_id,
			bool nowait, int *count)
{
	Datum		values[4] = {Int64GetDatum(account_id), Int64GetDatum(id),
		Int64GetDatum(scope == ROUTING_SCOPE_CHANNEL ? id : also_channel_id),
	BoolGetDatum(scope != ROUTING_SCOPE_AGENT && scope != ROUTING_SCOPE_CHANNEL)};
	char		nulls[4] = {' ', scope == ROUTING_SCOPE_AGENT ? ' ' : 'n',
		scope == ROUTING_SCOPE_CHANNEL || also_channel_id != 0 ? ' ' : 'n', ' '};
	int			n = routing_exec(nowait ? &try_lock_queues_plan : &lock_queues_plan,
									 values, nulls, 0);
	int64	   *channels = palloc(sizeof(int64) * Max(n, 1));

	for (int i = 0; i < n; i++)
		channels[i] = routing_get_int64(i, 1, NULL);
	*count = n;
	return channels;
}

/* Every queue channel of every account, for a change of rules rows. */
static RoutingPlan lock_all_queues_plan = {
	.sql =
	"select 1 from routing.rules r"
	" where r.enabled and r.when_nobody" EQ "'queue'"
	" order by r.account_id, r.channel_id for no key update of r",
	.nargs = 0
};

/*
 * routing_lock_all_queues takes every queue lock, in order, before an
 * UPDATE or DELETE of rules locks rows that are queue locks themselves (in
 * the order it finds them) and its row triggers take the account's others:
 * taken in that order they could deadlock with a drain.  A statement on
 * rules can span accounts, and so does this.
 */
void
routing_lock_all_queues(void)
{
	routing_exec(&lock_all_queues_plan, NULL, NULL, 0);
}

/*
 * routing_lock_queues takes the queue locks that a change which frees room
 * or makes a conversation wait needs before it touches any agent_loads row
 * (see lock_queues for the scopes).
 */
void
routing_lock_queues(RoutingScope scope, int64 account_id, int64 id,
					int64 also_channel_id)
{
	int			count;

	pfree(lock_queues(scope, account_id, id, also_channel_id, false, &count));
}

/*
 * routing_try_lock_queues takes the same locks as routing_lock_queues
 * without waiting: one held by another transaction is an error (55P03).
 * The clock (clock.c) never waits for a queue lock, so that it never
 * waits for another tick, nor for a change that holds the queue lock and
 * waits for the conversation the tick holds.
 */
void
routing_try_lock_queues(RoutingScope scope, int64 account_id, int64 id,
						int64 also_channel_id)
{
	int			count;

	pfree(lock_queues(scope, account_id, id, also_channel_id, true, &count));
}

/* The first waiting conversation of a channel, and the next after one. */
#define WAITING_COLUMNS \
	"select c.conversation_id, c.contact_id, c.priority, c.created_at" \
	" from routing.conversations c" \
	" where c.account_id" EQ "$1 and c.channel_id" EQ "$2" \
	" and c.status" EQ "'open' and c.assignee_agent_id is null" \
	" and c.assignee_team_id is null"
#define WAITING_ORDER \
	" order by c.priority desc, c.created_at, c.conversation_id limit 1" \
	" for no key update of c skip locked"

static RoutingPlan first_waiting_plan = {
	.sql = WAITING_COLUMNS WAITING_ORDER,
	.nargs = 2,
	.argtypes = {INT8OID, INT8OID}
};

static RoutingPlan next_waiting_plan = {
	.sql = WAITING_COLUMNS
	" and (c.priority OPERATOR(pg_catalog.<) $3 or (c.priority" EQ "$3"
	"  and (c.created_at, c.conversation_id) OPERATOR(pg_catalog.>) ($4, $5)))"
	WAITING_ORDER,
	.nargs = 5,
	.argtypes = {INT8OID, INT8OID, INT4OID, TIMESTAMPTZOID, INT8OID}
};

/* The head of one channel's queue during a drain. */
typedef struct QueueHead
{
	int64		channel_id;
	bool		live;			/* someone may still take from this channel */
	bool		has_head;
	int64		conversation_id;
	bool		has_contact;
	int64		contact_id;
	int32		priority;
	TimestampTz created_at;
	bool		passed;			/* the head was passed over: read after it */
} QueueHead;

/*
 * read_head reads the channel's next waiting conversation: the first, or
 * the first after the one passed over.
 */
static void
read_head(int64 account_id, QueueHead *head)
{
	Datum		values[5] = {Int64GetDatum(account_id), Int64GetDatum(head->channel_id),
		Int32GetDatum(head->priority), TimestampTzGetDatum(head->created_at),
	Int64GetDatum(head->conversation_id)};

	head->has_head = routing_exec(head->passed ? &next_waiting_plan : &first_waiting_plan,
								  values, NULL, 1) == 1;
	if (!head->has_head)
		return;
	head->conversation_id = routing_get_int64(0, 1, NULL);
	head->contact_id = routing_get_int64(0, 2, &head->has_contact);
	head->priority = (int32) routing_get_int64(0, 3, NULL);
	head->created_at = (TimestampTz) routing_get_int64(0, 4, NULL);
}

/*
 * ahead tells whether head a comes before head b in queue order: higher
 * priority, then older, then the smaller id.
 */
static bool
ahead(const QueueHead *a, const QueueHead *b)
{
	if (a->priority != b->priority)
		return a->priority > b->priority;
	if (a->created_at != b->created_at)
		return a->created_at < b->created_at;
	return a->conversation_id < b->conversation_id;
}

/*
 * drain_locked assigns the waiting conversations of locked queue channels,
 * in queue order across them (the head that comes first of all the
 * channels' heads), while an eligible agent has room; returns how many.
 * It reads only each channel's head, whatever the queues' lengths.  A
 * conversation another transaction holds (someone is taking or closing it)
 * is left to that transaction.  Under a users-and-teams rule a channel's
 * waiting conversations share one pool, so a head that finds nobody ends
 * that channel; under a contact owner rule each has its own owner, and the
 * channel goes on after it.
 */
static int64
drain_locked(int64 account_id, const int64 *channels, int count)
{
	QueueHead  *heads = palloc0(sizeof(QueueHead) * Max(count, 1));
	int64		assigned = 0;

	for (int i = 0; i < count; i++)
	{
		heads[i].channel_id = channels[i];
		heads[i].live = true;
		read_head(account_id, &heads[i]);
	}
	for (;;)
	{
		QueueHead  *first = NULL;
		RoutingDecision decision;

		for (int i = 0; i < count; i++)
			if (heads[i].live && heads[i].has_head &&
				(first == NULL || ahead(&heads[i], first)))
				first = &heads[i];
		if (first == NULL)
			break;
		routing_decide(account_id, first->channel_id, first->conversation_id,
					   first->has_contact, first->contact_id, NULL, &decision, NULL);
		if (decision.assigned)
		{
			routing_give_by_rule(account_id, first->conversation_id, &decision);
			assigned++;
		}
		else if (decision.own_pool)
			first->passed = true;
		else
		{
			first->live = false;
			continue;
		}
		read_head(account_id, first);
	}
	pfree(heads);
	return assigned;
}

/*
 * routing_drain_queues assigns what it can in the queue channels of a scope
 * (see lock_queues) after the change that freed room or made a
 * conversation wait, which took the same locks before; returns how many it
 * assigned.
 */
int64
routing_drain_queues(RoutingScope scope, int64 account_id, int64 id,
					 int64 also_channel_id)
{
	int			count;
	int64	   *channels = lock_queues(scope, account_id, id, also_channel_id, false,
										   &count);
	int64		assigned = drain_locked(account_id, channels, count);

	pfree(channels);
	return assigned;
}

static RoutingPlan owner_plan = {
	.sql =
	"select c.assignee_agent_id from routing.conversations c"
	" where c.account_id" EQ "$1 and c.conversation_id" EQ "$2",
	.nargs = 2,
	.argtypes = {INT8OID, INT8OID}
};

/*
 * routing_route_existing routes an open, unassigned conversation by its
 * channel's rule (route_conversation, section 7) and tells whether it has
 * an agent now (*agent_id).  In a queue channel where others wait ahead of
 * it, or where nobody has room, it drains the channel instead, so that the
 * conversation is assigned in its turn (section 13).
 */
bool
routing_route_existing(int64 account_id, int64 conversation_id, int64 channel_id,
					   bool has_contact, int64 contact_id, int32 priority,
					   int64 *agent_id)
{
	RoutingDecision decision;
	Datum		values[2] = {Int64GetDatum(account_id), Int64GetDatum(conversation_id)};
	bool		has_agent;

	routing_decide(account_id, channel_id, conversation_id, has_contact,
				   contact_id, &priority, &decision, NULL);
	if (decision.assigned)
	{
		routing_give_by_rule(account_id, conversation_id, &decision);
		*agent_id = decision.agent_id;
		return true;
	}
	if (!decision.queue)
		return false;
	routing_drain_queues(ROUTING_SCOPE_CHANNEL, account_id, channel_id, 0);
	if (routing_exec(&owner_plan, values, NULL, 1) != 1)
		return false;
	*agent_id = routing_get_int64(0, 1, &has_agent);
	return has_agent;
}

/*
 * bump_primary_teams moves the members_version of the teams whose primary
 * members a membership change changed: the old row's team and the new
 * row's, where the role is primary, each once, in (account, team) order.
 * An UPDATE that leaves the membership as it was changes no team.
 */
static void
bump_primary_teams(const RoutingEligibilityChange *change)
{
	RoutingMembership rows[2];
	int			nrows = 1;

	rows[0] = change->old_membership;
	if (change->is_update)
	{
		RoutingMembership new = change->new_membership;
		bool		same_team = new.account_id == rows[0].account_id &&
			new.team_id == rows[0].team_id;

		if (same_team && new.agent_id == rows[0].agent_id &&
			new.is_primary == rows[0].is_primary)
			return;
		if (same_team)
			rows[0].is_primary = rows[0].is_primary || new.is_primary;
		else if (new.account_id < rows[0].account_id ||
				 (new.account_id == rows[0].account_id && new.team_id < rows[0].team_id))
		{
			rows[nrows++] = rows[0];
			rows[0] = new;
		}
		else
			rows[nrows++] = new;
	}
	for (int i = 0; i < nrows; i++)
		if (rows[i].is_primary)
			routing_bump_team_members(ROUTING_SCOPE_TEAM, rows[i].account_id,
									  rows[i].team_id);
}

/*
 * routing_change_eligibility moves the versions of whoever a changed row
 * of an eligibility table speaks of, between the queue locks and the
 * drain of section 13 (an agent may have become eligible); a change to an
 * agent's own rows (agents, seats, availability, memberships) is copied to
 * their load row under the lock the bump took.  An UPDATE that moves a row
 * between agents locks and drains the account's queues.  A team's row
 * comes before any queue or load row: see "Lock order" in doc/design.md.
 */
void
routing_change_eligibility(const RoutingEligibilityChange *change)
{
	RoutingTarget queues = change->new;

	if (change->old.scope != change->new.scope || change->old.id != change->new.id)
		queues.scope = ROUTING_SCOPE_ACCOUNT;
	if (change->is_membership)
		bump_primary_teams(change);
	routing_lock_queues(queues.scope, queues.account_id, queues.id, 0);
	routing_bump_versions(change->old.scope, change->old.account_id, change->old.id);
	if (change->is_update)
		routing_bump_versions(change->new.scope, change->new.account_id, change->new.id);
	if (change->agent_facts)
	{
		/* Under the load rows the bump holds. */
		routing_sync_agent(change->old.account_id, change->old.id);
		if (change->new.id != change->old.id ||
			change->new.account_id != change->old.account_id)
			routing_sync_agent(change->new.account_id, change->new.id);
	}
	routing_drain_queues(queues.scope, queues.account_id, queues.id, 0);
}

/*
 * routing_truncate_eligibility moves every agent's versions after a
 * TRUNCATE of an eligibility table (of memberships: every team's
 * members_version too) and copies every agent's facts to their load row.
 */
void
routing_truncate_eligibility(bool memberships)
{
	routing_bump_versions(ROUTING_SCOPE_ALL, 0, 0);
	routing_sync_all_agents();
	if (memberships)
		routing_bump_team_members(ROUTING_SCOPE_ALL, 0, 0);
}

/*
 * routing_change_contact locks and drains the account's queues after a
 * change to a contact, whose owner or tracking decides contact owner rules
 * only.
 */
void
routing_change_contact(int64 account_id)
{
	routing_lock_queues(ROUTING_SCOPE_ACCOUNT, account_id, 0, 0);
	routing_drain_queues(ROUTING_SCOPE_ACCOUNT, account_id, 0, 0);
}

/*
 * routing_change_capacity copies a changed capacity (old NULL: inserted;
 * new NULL: deleted) to the agent's load row, between the queue locks and
 * the drain, since more room may let waiting conversations in (section
 * 13).  A row moved to another agent locks and drains the account's queues.
 */
void
routing_change_capacity(const RoutingCapacityRow *old, const RoutingCapacityRow *new)
{
	const RoutingCapacityRow *any = new != NULL ? new : old;
	RoutingScope scope = ROUTING_SCOPE_AGENT;

	if (old != NULL && new != NULL && (old->agent_id != new->agent_id ||
									   old->account_id != new->account_id))
		scope = ROUTING_SCOPE_ACCOUNT;
	routing_lock_queues(scope, any->account_id, any->agent_id, 0);
	if (old != NULL && !(new != NULL && old->agent_id == new->agent_id &&
						 old->account_id == new->account_id &&
						 old->is_chat == new->is_chat))
		routing_set_capacity(old->account_id, old->agent_id, old->is_chat, false, 0);
	if (new != NULL)
		routing_set_capacity(new->account_id, new->agent_id, new->is_chat, true,
							 new->max_open);
	routing_drain_queues(scope, any->account_id, any->agent_id, 0);
}
