/*
 * loads.c
 *		Who holds how much work (agent_loads), the one file that knows its
 *		columns: reading a load row (its load, room and the agent facts it
 *		carries), and the row operations that make a routing decision
 *		stick: the claim, the load adjustments, the version bump that
 *		serialises an eligibility change with the decisions that read it,
 *		and the guard that lets nothing else write the rows.  Rows are
 *		always locked in agent_id order.
 */
#include "postgres.h"
#include "fmgr.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "storage/procarray.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/snapmgr.h"

#include "index_scan.h"
#include "loads.h"
#include "plumbing.h"

/*
 * A load row's columns as the readers below take them: by primary key, or
 * a team's primary members in the order of index agent_loads_team_least_busy
 * (fewest open chats, least recent chat, smallest id).  Read directly from
 * the index, a chat decision reads each targeted team only as far as its
 * first eligible agents with room, whatever else the account holds; no plan
 * can choose a sort instead, and there is no executor start-up.  The facts
 * of the agent alone (checks 3.1, 3.2 and 3.5) come with the row, which
 * keeps them in the same transaction as the change to agents, seats or
 * availability (SQL_AGENT_FACTS), under the checks_version that change
 * moves.
 */
#define LOAD_ROW_COLUMNS \
	{"agent_id", "version", "open_chats", "last_chat_at", "open_emails", \
	"chat_capacity", "email_capacity", \
	"checks_version", "primary_team_id", "active", "has_seat", "available"}
enum
{
	LOAD_AGENT_ID, LOAD_VERSION, LOAD_OPEN_CHATS, LOAD_LAST_CHAT_AT,
	LOAD_OPEN_EMAILS, LOAD_CHAT_CAPACITY, LOAD_EMAIL_CAPACITY,
	LOAD_CHECKS_VERSION, LOAD_PRIMARY_TEAM_ID, LOAD_ACTIVE, LOAD_HAS_SEAT,
	LOAD_AVAILABLE
};

static RoutingTable load_row_table = {
	.name = "agent_loads",
	.columns = LOAD_ROW_COLUMNS
};

static RoutingTable team_loads_table = {
	.name = "agent_loads",
	.index = "agent_loads_team_least_busy",
	.columns = LOAD_ROW_COLUMNS
};

/*
 * held_by_another tells whether another transaction in progress has locked
 * or updated the scan's current row, so that a claim without waiting would
 * skip it: concurrent decisions read a pool in the same order, and trying
 * every row the others hold cost more than the rest of the decision.  The
 * tuple header is read without the buffer's content lock, so the answer is
 * a hint; a wrong one costs a failed claim or a tied agent taken instead,
 * never a wrong decision (the claim decides).
 */
static bool
held_by_another(RoutingIndexScan *scan)
{
	HeapTupleHeader header = routing_index_scan_tuple(scan)->t_data;
	TransactionId xmax = HeapTupleHeaderGetRawXmax(header);

	return !(header->t_infomask & (HEAP_XMAX_INVALID | HEAP_XMAX_IS_MULTI)) &&
		TransactionIdIsNormal(xmax) &&
		!TransactionIdIsCurrentTransactionId(xmax) &&
		TransactionIdIsInProgress(xmax);
}

/*
 * scan_int32 reads an int4 column of the scan's current row that may be
 * null (*has_value false, 0).
 */
static int32
scan_int32(RoutingIndexScan *scan, int column, bool *has_value)
{
	bool		isnull;
	Datum		value = routing_index_scan_value(scan, column, &isnull);

	*has_value = !isnull;
	return isnull ? 0 : DatumGetInt32(value);
}

/*
 * routing_scan_load_row reads the current row of a scan begun by
 * routing_team_loads_begin (or of load_row_table) into "row".
 */
void
routing_scan_load_row(RoutingIndexScan *scan, RoutingLoadRow *row)
{
	bool		no_value;
	Datum		value;

	row->agent_id = DatumGetInt64(routing_index_scan_value(scan, LOAD_AGENT_ID, NULL));
	row->version = DatumGetInt64(routing_index_scan_value(scan, LOAD_VERSION, NULL));
	row->open_chats = DatumGetInt32(routing_index_scan_value(scan, LOAD_OPEN_CHATS, NULL));
	value = routing_index_scan_value(scan, LOAD_LAST_CHAT_AT, &no_value);
	row->has_last_chat_at = !no_value;
	row->last_chat_at = no_value ? 0 : DatumGetTimestampTz(value);
	row->open_emails = DatumGetInt32(routing_index_scan_value(scan, LOAD_OPEN_EMAILS, NULL));
	row->chat_capacity = scan_int32(scan, LOAD_CHAT_CAPACITY, &row->has_chat_capacity);
	row->email_capacity = scan_int32(scan, LOAD_EMAIL_CAPACITY, &row->has_email_capacity);
	row->facts.checks_version =
		DatumGetInt64(routing_index_scan_value(scan, LOAD_CHECKS_VERSION, NULL));
	value = routing_index_scan_value(scan, LOAD_PRIMARY_TEAM_ID, &no_value);
	row->facts.has_primary_team = !no_value;
	row->facts.primary_team_id = no_value ? 0 : DatumGetInt64(value);
	row->facts.active = DatumGetBool(routing_index_scan_value(scan, LOAD_ACTIVE, NULL));
	row->facts.has_seat = DatumGetBool(routing_index_scan_value(scan, LOAD_HAS_SEAT, NULL));
	row->facts.available = DatumGetBool(routing_index_scan_value(scan, LOAD_AVAILABLE, NULL));
	row->held = held_by_another(scan);
}

/*
 * routing_read_load_row reads agent_id's load row by key under "snapshot";
 * false when the agent has none.
 */
bool
routing_read_load_row(int64 account_id, int64 agent_id, Snapshot snapshot,
					  RoutingLoadRow *row)
{
	RoutingIndexScan scan;
	int64		keys[2] = {account_id, agent_id};
	bool		found;

	routing_index_scan_begin(&scan, &load_row_table, 2, keys, snapshot);
	found = routing_index_scan_next(&scan);
	if (found)
		routing_scan_load_row(&scan, row);
	routing_index_scan_end(&scan);
	return found;
}

/*
 * routing_team_loads_begin starts a scan of a team's primary members' load
 * rows in least-busy order (SQL_LOAD_ORDER), read with
 * routing_scan_load_row.
 */
void
routing_team_loads_begin(RoutingIndexScan *scan, int64 account_id, int64 team_id,
						 Snapshot snapshot)
{
	int64		keys[2] = {account_id, team_id};

	routing_index_scan_begin(scan, &team_loads_table, 2, keys, snapshot);
}

/*
 * routing_spi_facts reads an agent's facts from a row of the last SPI
 * result whose columns from first_column on (numbered from 1) are
 * ROUTING_FACTS_SQL.
 */
void
routing_spi_facts(int row, int first_column, RoutingAgentFacts *facts)
{
	facts->checks_version = routing_get_int64(row, first_column, NULL);
	facts->primary_team_id = routing_get_int64(row, first_column + 1,
											   &facts->has_primary_team);
	facts->active = routing_get_bool(row, first_column + 2);
	facts->has_seat = routing_get_bool(row, first_column + 3);
	facts->available = routing_get_bool(row, first_column + 4);
}

/* The counts and capacities of an agent_loads row: none is ever negative. */
static const char *const load_counts[] = {
	"open_chats", "open_emails", "chat_capacity", "email_capacity"
};

/*
 * routing_check_load_counts refuses an agent_loads row, written by the
 * extension, with a negative count or capacity: a bookkeeping error.  A
 * trigger does it rather than a CHECK constraint, which every statement
 * that writes the table (the claim included) would parse and plan again.
 */
void
routing_check_load_counts(HeapTuple tuple, TupleDesc desc)
{
	for (size_t i = 0; i < lengthof(load_counts); i++)
	{
		bool		isnull;
		int32		count = DatumGetInt32(routing_row_value(tuple, desc, load_counts[i],
															&isnull));

		if (!isnull && count < 0)
			ereport(ERROR,
					(errcode(ERRCODE_CHECK_VIOLATION),
					 errmsg("agent_loads row of agent %lld would have %s %d",
							(long long) DatumGetInt64(routing_row_value(tuple, desc,
																		"agent_id", NULL)),
							load_counts[i], count),
					 errdetail("Counts and capacities are never negative; this is a bookkeeping error of the routing extension.")));
	}
}

/*
 * What the current transaction did to agent_loads, undone by the end of the
 * (sub)transaction that did it, so that no error caught by the application
 * leaves it behind:
 * - load_rows_subid: the oldest live subtransaction that took an
 *   agent_loads row lock (InvalidSubTransactionId: none), which the
 *   transaction holds until it ends unless that subtransaction aborts;
 * - loads_writing: the extension itself is changing agent_loads or a
 *   team's members_version, which the guards let through.
 */
static SubTransactionId load_rows_subid = InvalidSubTransactionId;
static bool loads_writing = false;
static bool loads_callbacks_registered = false;

/*
 * loads_xact_end forgets the transaction's agent_loads state when it ends.
 */
static void
loads_xact_end(XactEvent event, void *arg)
{
	load_rows_subid = InvalidSubTransactionId;
	loads_writing = false;
}

/*
 * loads_subxact_end forgets, when a subtransaction aborts, the row locks it
 * (or a subtransaction inside it, whose ids are larger) took: the abort
 * released them.
 */
static void
loads_subxact_end(SubXactEvent event, SubTransactionId my_subid,
				  SubTransactionId parent_subid, void *arg)
{
	if (event != SUBXACT_EVENT_ABORT_SUB)
		return;
	if (load_rows_subid != InvalidSubTransactionId && load_rows_subid >= my_subid)
		load_rows_subid = InvalidSubTransactionId;
	loads_writing = false;
}

/*
 * register_loads_callbacks installs the two callbacks above, once per
 * backend.
 */
static void
register_loads_callbacks(void)
{
	if (loads_callbacks_registered)
		return;
	RegisterXactCallback(loads_xact_end, NULL);
	RegisterSubXactCallback(loads_subxact_end, NULL);
	loads_callbacks_registered = true;
}

/*
 * note_load_row_held remembers that the current subtransaction holds an
 * agent_loads row lock.
 */
static void
note_load_row_held(void)
{
	SubTransactionId current = GetCurrentSubTransactionId();

	register_loads_callbacks();
	if (load_rows_subid == InvalidSubTransactionId || current < load_rows_subid)
		load_rows_subid = current;
}

/*
 * routing_holds_load_rows tells whether the current transaction holds an
 * agent_loads row lock (it routed, counted or reassigned before).
 */
bool
routing_holds_load_rows(void)
{
	return load_rows_subid != InvalidSubTransactionId;
}

/*
 * routing_loads_writing tells whether the statement changing agent_loads or
 * members_version is one of the extension's own, which the guards let
 * through.
 */
bool
routing_loads_writing(void)
{
	return loads_writing;
}

/*
 * exec_loads runs a kept plan that changes agent_loads or members_version,
 * marked as the extension's own change for the guard triggers; an error
 * leaves the mark to the (sub)transaction abort, which clears it.
 */
static int
exec_loads(RoutingPlan *plan, Datum *values, const char *nulls, long count)
{
	int			processed;

	register_loads_callbacks();
	loads_writing = true;
	processed = routing_exec(plan, values, nulls, count);
	loads_writing = false;
	return processed;
}

/*
 * The claims.  A routing decision reads agent_loads rows under a snapshot;
 * the claim makes it stick by locking the chosen agent's row only if its
 * version is still the one that was read.  Every change to the row, and every
 * change elsewhere that can make the agent ineligible, moves the version
 * while holding the same row lock, so a claim that succeeds holds the lock
 * on a row whose load and eligibility are exactly what the decision saw, and
 * nothing can change them before the inserting transaction ends.
 */
/* The columns of agent_loads a claim reads and writes. */
typedef enum ClaimColumn
{
	CLAIM_VERSION,
	CLAIM_OPEN_CHATS,
	CLAIM_LAST_CHAT_AT,
	CLAIM_OPEN_EMAILS,
	CLAIM_LAST_EMAIL_AT
} ClaimColumn;

static RoutingTable claim_row_table = {
	.name = "agent_loads",
	.columns = {"version", "open_chats", "last_chat_at", "open_emails", "last_email_at"}
};

/*
 * count_one_more writes the claim into the row the scan has locked: the
 * load of the work type (is_chat: chat, else email) counts one more, given
 * at "now", and the version moves.  Only that type's columns change, so
 * that an email's claim leaves the indexed chat columns as they were and
 * the update is HOT.  The row is written directly, as a catalog row is: no
 * statement to plan and start, and no guard trigger, which lets only the
 * extension's own writes through.
 */
static void
count_one_more(RoutingIndexScan *scan, bool is_chat, TimestampTz now)
{
	int			columns[3] = {CLAIM_VERSION,
		is_chat ? CLAIM_OPEN_CHATS : CLAIM_OPEN_EMAILS,
	is_chat ? CLAIM_LAST_CHAT_AT : CLAIM_LAST_EMAIL_AT};
	Datum		values[3] = {
		Int64GetDatum(DatumGetInt64(routing_index_scan_value(scan, CLAIM_VERSION, NULL)) + 1),
		Int32GetDatum(DatumGetInt32(routing_index_scan_value(scan, columns[1], NULL)) + 1),
	TimestampTzGetDatum(now)};

	routing_index_scan_update(scan, lengthof(columns), columns, values);
}

/*
 * claim_waiting waits for the transaction that holds agent_id's load row,
 * then claims it if its newest version still has "version", in a
 * subtransaction kept if it claimed and rolled back if not: the lock is
 * taken before the version is checked again, and a failed claim must not
 * keep it (a decision that then waited on another row while holding it
 * could deadlock).  As PL/pgSQL's exception blocks do, no error leaves the
 * subtransaction open.
 */
static bool
claim_waiting(int64 account_id, int64 agent_id, int64 version, bool is_chat,
			  TimestampTz now)
{
	MemoryContext caller_context = CurrentMemoryContext;
	ResourceOwner caller_owner = CurrentResourceOwner;
	volatile bool claimed = false;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(caller_context);
	PG_TRY();
	{
		RoutingIndexScan scan;
		int64		keys[2] = {account_id, agent_id};
		Snapshot	snapshot = routing_take_snapshot();

		routing_index_scan_begin(&scan, &claim_row_table, 2, keys, snapshot);
		if (routing_index_scan_next(&scan) && routing_index_scan_lock_newest(&scan) &&
			DatumGetInt64(routing_index_scan_value(&scan, CLAIM_VERSION, NULL)) == version)
		{
			count_one_more(&scan, is_chat, now);
			claimed = true;
		}
		routing_index_scan_end(&scan);
		UnregisterSnapshot(snapshot);
	}
	PG_CATCH();
	{
		ErrorData  *error;

		MemoryContextSwitchTo(caller_context);
		error = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(caller_context);
		CurrentResourceOwner = caller_owner;
		ReThrowError(error);
	}
	PG_END_TRY();
	if (claimed)
		ReleaseCurrentSubTransaction();
	else
		RollbackAndReleaseCurrentSubTransaction();
	MemoryContextSwitchTo(caller_context);
	CurrentResourceOwner = caller_owner;
	return claimed;
}

/*
 * routing_claim locks agent_id's load row if its version is still "version",
 * adds the conversation to the agent's load of its work type (is_chat: chat,
 * else email) and moves that type's last assignment time to "now".  The
 * decision read the agent's room under that version, so the room is still
 * there (section 12).  It first tries without waiting: the exact version
 * read is locked, following no update chain, so a row that moved or that
 * another transaction holds is never locked and needs no subtransaction.
 * Then, with "wait", when another transaction held the row, it waits for
 * that transaction (claim_waiting).  A failed claim keeps no lock.
 * Returns whether the claim succeeded.
 */
bool
routing_claim(int64 account_id, int64 agent_id, int64 version,
			  bool is_chat, bool wait, TimestampTz now)
{
	RoutingIndexScan scan;
	int64		keys[2] = {account_id, agent_id};
	Snapshot	snapshot = routing_take_snapshot();
	bool		claimed = false;
	bool		held = false;

	routing_index_scan_begin(&scan, &claim_row_table, 2, keys, snapshot);
	if (routing_index_scan_next(&scan) &&
		DatumGetInt64(routing_index_scan_value(&scan, CLAIM_VERSION, NULL)) == version)
	{
		claimed = routing_index_scan_lock(&scan);
		if (claimed)
			count_one_more(&scan, is_chat, now);
		held = !claimed;
	}
	routing_index_scan_end(&scan);
	UnregisterSnapshot(snapshot);
	if (held && wait)
		claimed = claim_waiting(account_id, agent_id, version, is_chat, now);
	if (claimed)
		note_load_row_held();
	return claimed;
}

static RoutingPlan adjust_load_plan = {
	.sql =
	"update routing.agent_loads l"
	" set open_chats = l.open_chats OPERATOR(pg_catalog.+) (case when $5 then $3 else 0 end),"
	"  last_chat_at = case when $5 then coalesce($4, l.last_chat_at) else l.last_chat_at end,"
	"  open_emails = l.open_emails OPERATOR(pg_catalog.+) (case when $5 then 0 else $3 end),"
	"  last_email_at = case when $5 then l.last_email_at else coalesce($4, l.last_email_at) end,"
	"  version = l.version OPERATOR(pg_catalog.+) 1"
	" where l.account_id" EQ "$1 and l.agent_id" EQ "$2",
	.nargs = 5,
	.argtypes = {INT8OID, INT8OID, INT4OID, TIMESTAMPTZOID, BOOLOID}
};

/*
 * routing_adjust_load adds delta to an agent's open conversations of a work
 * type (is_chat: chat, else email), waiting for the row like any update;
 * given_at, when not 0, is a conversation given to the agent and becomes
 * their last assignment time of that type.  An agent unknown in the account
 * has no row to add to: the foreign key check at the end of the statement
 * reports it.
 */
void
routing_adjust_load(int64 account_id, int64 agent_id, bool is_chat, int delta,
					TimestampTz given_at)
{
	Datum		values[5] = {Int64GetDatum(account_id), Int64GetDatum(agent_id),
		Int32GetDatum(delta), TimestampTzGetDatum(given_at),
	BoolGetDatum(is_chat)};
	char		nulls[5] = {' ', ' ', ' ', given_at == 0 ? 'n' : ' ', ' '};

	if (exec_loads(&adjust_load_plan, values, nulls, 0) == 1)
		note_load_row_held();
}

static RoutingPlan set_capacity_plan = {
	.sql =
	"update routing.agent_loads l"
	" set chat_capacity = case when $3 then $4 else l.chat_capacity end,"
	"  email_capacity = case when $3 then l.email_capacity else $4 end,"
	"  version = l.version OPERATOR(pg_catalog.+) 1"
	" where l.account_id" EQ "$1 and l.agent_id" EQ "$2",
	.nargs = 4,
	.argtypes = {INT8OID, INT8OID, BOOLOID, INT4OID}
};

/*
 * routing_set_capacity copies an agent's capacity of a work type (has_max
 * false: unlimited) to their load row, where a decision reads it with the
 * load and a claim's version check covers both.
 */
void
routing_set_capacity(int64 account_id, int64 agent_id, bool is_chat,
					 bool has_max, int32 max_open)
{
	Datum		values[4] = {Int64GetDatum(account_id), Int64GetDatum(agent_id),
	BoolGetDatum(is_chat), Int32GetDatum(max_open)};
	char		nulls[4] = {' ', ' ', ' ', has_max ? ' ' : 'n'};

	exec_loads(&set_capacity_plan, values, nulls, 0);
}

static RoutingPlan clear_capacities_plan = {
	.sql =
	"update routing.agent_loads l set chat_capacity = null, email_capacity = null,"
	" version = l.version OPERATOR(pg_catalog.+) 1"
	" where l.chat_capacity is not null or l.email_capacity is not null",
	.nargs = 0
};

/*
 * routing_clear_capacities makes every agent of every account unlimited,
 * after a TRUNCATE of capacities (which spans accounts).
 */
void
routing_clear_capacities(void)
{
	exec_loads(&clear_capacities_plan, NULL, NULL, 0);
}

static RoutingPlan next_checks_version_plan = {
	.sql = "select " ROUTING_NEXT_ID("agent_checks_seq"),
	.nargs = 0
};

/*
 * new_checks_version is a value of agent_checks_seq never used before, for a
 * checks_version or a members_version.
 */
static int64
new_checks_version(void)
{
	if (routing_exec(&next_checks_version_plan, NULL, NULL, 1) != 1)
		elog(ERROR, "nextval returned no row");
	return routing_get_int64(0, 1, NULL);
}

/*
 * What the load row keeps of its agent's other tables, set from them: the
 * primary team (which leads the least-busy index) and checks 3.1, 3.2 and
 * 3.5, so that a first look at an agent reads them with the load row
 * instead of probing three more tables.  Each is a scalar subquery, never
 * an EXISTS: for an EXISTS over many load rows the planner may choose a
 * hashed subplan that reads the whole table, every account's rows (it does
 * on PostgreSQL 18, where enable_seqscan no longer weighs in that choice).
 */
#define SQL_AGENT_FACTS \
	" primary_team_id = (select m.team_id from routing.team_members m" \
	"  where m.account_id" EQ "l.account_id and m.agent_id" EQ "l.agent_id" \
	"  and m.role" EQ "'primary')," \
	" active = coalesce((select a.active from routing.agents a" \
	"  where a.account_id" EQ "l.account_id and a.agent_id" EQ "l.agent_id), false)," \
	" has_seat = coalesce((select true from routing.seats s" \
	"  where s.account_id" EQ "l.account_id and s.agent_id" EQ "l.agent_id limit 1), false)," \
	" available = coalesce((select true from routing.availability v" \
	"  where v.account_id" EQ "l.account_id and v.agent_id" EQ "l.agent_id" \
	"  and v.status" EQ "'available'), false)"

static RoutingPlan resync_account_plan = {
	.sql =
	"update routing.agent_loads l"
	" set chat_capacity = (select c.max_open from routing.capacities c"
	"   where c.account_id" EQ "$1 and c.agent_id" EQ "l.agent_id and c.work" EQ "'chat'),"
	"  email_capacity = (select c.max_open from routing.capacities c"
	"   where c.account_id" EQ "$1 and c.agent_id" EQ "l.agent_id and c.work" EQ "'email'),"
	SQL_AGENT_FACTS
	" where l.account_id" EQ "$1",
	.nargs = 1,
	.argtypes = {INT8OID}
};

/*
 * routing_resync_account copies every capacity and agent fact of the
 * account to its load rows again and moves every agent's versions, so that
 * a change made with triggers off (a bulk load under
 * session_replication_role = replica) is what routing reads next, cached
 * verdicts included.  The copy is a second statement, as in
 * routing_sync_agent: its snapshot is taken once the bump holds every row,
 * so a change that held one before is in it.  Open counts are not
 * recounted: changes to conversations made with triggers off are the
 * DBA's to keep in step.
 */
void
routing_resync_account(int64 account_id)
{
	Datum		values[1] = {Int64GetDatum(account_id)};

	routing_bump_versions(ROUTING_SCOPE_ACCOUNT, account_id, 0);
	exec_loads(&resync_account_plan, values, NULL, 0);
	routing_bump_team_members(ROUTING_SCOPE_ACCOUNT, account_id, 0);
}

static RoutingPlan sync_agent_plan = {
	.sql =
	"update routing.agent_loads l set" SQL_AGENT_FACTS
	" where l.account_id" EQ "$1 and l.agent_id" EQ "$2",
	.nargs = 2,
	.argtypes = {INT8OID, INT8OID}
};

/*
 * routing_sync_agent copies an agent's facts (SQL_AGENT_FACTS) to their load
 * row after a change to them, under the row lock that the change's
 * routing_bump_versions took: this statement's snapshot, taken after that
 * lock, sees every change committed by whoever held the row before, so the
 * last of two concurrent changes writes what both together left.
 */
void
routing_sync_agent(int64 account_id, int64 agent_id)
{
	Datum		values[2] = {Int64GetDatum(account_id), Int64GetDatum(agent_id)};

	exec_loads(&sync_agent_plan, values, NULL, 0);
}

static RoutingPlan sync_all_agents_plan = {
	.sql = "update routing.agent_loads l set" SQL_AGENT_FACTS,
	.nargs = 0
};

/*
 * routing_sync_all_agents copies every agent's facts to their load row, in
 * every account, after a TRUNCATE (which spans accounts) has moved every
 * agent's versions.
 */
void
routing_sync_all_agents(void)
{
	exec_loads(&sync_all_agents_plan, NULL, NULL, 0);
}

/* One team ($2 a team id) or every team of the account ($2 NULL). */
static RoutingPlan bump_team_members_plan = {
	.sql =
	"update routing.teams t set members_version = $3"
	" where t.account_id" EQ "$1 and ($2 is null or t.team_id" EQ "$2)",
	.nargs = 3,
	.argtypes = {INT8OID, INT8OID, INT8OID}
};

/* Every team of every account, for a TRUNCATE (which spans accounts). */
static RoutingPlan bump_all_team_members_plan = {
	.sql = "update routing.teams t set members_version = $1",
	.nargs = 1,
	.argtypes = {INT8OID}
};

/*
 * routing_bump_team_members moves the members_version of a team whose
 * primary members changed (scope ROUTING_SCOPE_TEAM), of every team of the
 * account or of every account, so that every backend's pool cache reads
 * those teams' pools again.
 */
void
routing_bump_team_members(RoutingScope scope, int64 account_id, int64 team_id)
{
	Datum		values[3] = {Int64GetDatum(account_id), Int64GetDatum(team_id),
	Int64GetDatum(new_checks_version())};
	char		nulls[3] = {' ', scope == ROUTING_SCOPE_TEAM ? ' ' : 'n', ' '};

	Assert(scope == ROUTING_SCOPE_TEAM || scope == ROUTING_SCOPE_ACCOUNT ||
		   scope == ROUTING_SCOPE_ALL);
	if (scope == ROUTING_SCOPE_ALL)
		exec_loads(&bump_all_team_members_plan, &values[2], NULL, 0);
	else
		exec_loads(&bump_team_members_plan, values, nulls, 0);
}

static RoutingPlan note_turn_plan = {
	.sql =
	"insert into routing.rule_turns as t (account_id, channel_id, agent_id, given,"
	" last_given_at) values ($1, $2, $3, 1, $4)"
	" on conflict (account_id, channel_id, agent_id) do update"
	" set given = t.given OPERATOR(pg_catalog.+) 1, last_given_at = $4",
	.nargs = 4,
	.argtypes = {INT8OID, INT8OID, INT8OID, TIMESTAMPTZOID}
};

/*
 * routing_note_turn records that a channel's round-robin rule gave the agent
 * a conversation at "now" (section 14).  The caller holds the agent's load
 * row, so turns of one agent change one transaction at a time.
 */
void
routing_note_turn(int64 account_id, int64 channel_id, int64 agent_id,
				  TimestampTz now)
{
	Datum		values[4] = {Int64GetDatum(account_id), Int64GetDatum(channel_id),
	Int64GetDatum(agent_id), TimestampTzGetDatum(now)};

	routing_exec(&note_turn_plan, values, NULL, 0);
}

static RoutingPlan create_load_row_plan = {
	.sql =
	"insert into routing.agent_loads (account_id, agent_id, checks_version)"
	" values ($1, $2, " ROUTING_NEXT_ID("agent_checks_seq") ")",
	.nargs = 2,
	.argtypes = {INT8OID, INT8OID}
};

/*
 * routing_create_load_row gives a new agent the agent_loads row that
 * routing reads and locks, with the agent's facts: a statement that
 * inserted a seat or availability before the agent (foreign keys are
 * checked at its end) found no row to copy them to.
 */
void
routing_create_load_row(int64 account_id, int64 agent_id)
{
	Datum		values[2] = {Int64GetDatum(account_id), Int64GetDatum(agent_id)};

	exec_loads(&create_load_row_plan, values, NULL, 0);
	routing_sync_agent(account_id, agent_id);
}

static RoutingPlan zero_loads_plan = {
	.sql =
	"update routing.agent_loads l set open_chats = 0, open_emails = 0,"
	" version = l.version OPERATOR(pg_catalog.+) 1"
	" where l.open_chats OPERATOR(pg_catalog.<>) 0"
	" or l.open_emails OPERATOR(pg_catalog.<>) 0",
	.nargs = 0
};

/*
 * routing_zero_loads empties every agent's open chat and email counts, in
 * every account, after a TRUNCATE of conversations (which spans accounts).
 */
void
routing_zero_loads(void)
{
	exec_loads(&zero_loads_plan, NULL, NULL, 0);
}


static RoutingPlan bump_agent_plan = {
	.sql =
	"update routing.agent_loads l set version = l.version OPERATOR(pg_catalog.+) 1,"
	" checks_version = $3"
	" where l.account_id" EQ "$1 and l.agent_id" EQ "$2",
	.nargs = 3,
	.argtypes = {INT8OID, INT8OID, INT8OID}
};

/*
 * A team's members ($2 a team id) or the whole account ($2 NULL), locked in
 * agent_id order, as every multi-row locker locks.
 */
static RoutingPlan bump_many_plan = {
	.sql =
	"with locked as materialized (select l.agent_id from routing.agent_loads l"
	"  where l.account_id" EQ "$1 and ($2 is null"
	"   or l.agent_id" EQ "any (select m.agent_id from routing.team_members m"
	"    where m.account_id" EQ "$1 and m.team_id" EQ "$2))"
	"  order by l.agent_id for no key update)"
	" update routing.agent_loads l set version = l.version OPERATOR(pg_catalog.+) 1,"
	" checks_version = $3"
	" from locked where l.account_id" EQ "$1 and l.agent_id" EQ "locked.agent_id",
	.nargs = 3,
	.argtypes = {INT8OID, INT8OID, INT8OID}
};

/* Every agent of every account, for a TRUNCATE (which spans accounts). */
static RoutingPlan bump_all_plan = {
	.sql =
	"with locked as materialized (select l.account_id, l.agent_id"
	"  from routing.agent_loads l order by l.account_id, l.agent_id"
	"  for no key update)"
	" update routing.agent_loads l set version = l.version OPERATOR(pg_catalog.+) 1,"
	" checks_version = $3"
	" from locked where l.account_id" EQ "locked.account_id"
	" and l.agent_id" EQ "locked.agent_id",
	.nargs = 3,
	.argtypes = {INT8OID, INT8OID, INT8OID}
};

/*
 * routing_bump_versions moves the versions of the load rows of one agent, of
 * a team's members, of every agent of the account or of every account, holding their locks to
 * the end of the transaction: a routing decision that read the old state
 * then fails its claim and decides again, and one that claimed first makes
 * this change wait for it.  checks_version takes a new sequence value, which
 * drops every backend's cached checks of these agents.
 */
void
routing_bump_versions(RoutingScope scope, int64 account_id, int64 id)
{
	Datum		values[3] = {Int64GetDatum(account_id), Int64GetDatum(id),
	Int64GetDatum(new_checks_version())};
	char		nulls[3] = {' ', scope == ROUTING_SCOPE_ACCOUNT ? 'n' : ' ', ' '};

	exec_loads(scope == ROUTING_SCOPE_AGENT ? &bump_agent_plan :
			   scope == ROUTING_SCOPE_ALL ? &bump_all_plan : &bump_many_plan,
			   values, nulls, 0);
}

static RoutingPlan agent_exists_plan = {
	.sql =
	"select 1 from routing.agents a"
	" where a.account_id" EQ "$1 and a.agent_id" EQ "$2",
	.nargs = 2,
	.argtypes = {INT8OID, INT8OID}
};

/* Any agent in any account: for a TRUNCATE, which spans accounts. */
static RoutingPlan any_agent_plan = {
	.sql = "select 1 from routing.agents a limit 1",
	.nargs = 0
};

/*
 * refuse_loads_change is the error for a change to agent_loads that the
 * extension did not make.  Only a restore inserts load rows (the first
 * error of a dump restored with the triggers on): its hint says how to
 * restore.
 */
static void
refuse_loads_change(const char *action)
{
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("cannot %s routing.agent_loads directly", action),
			 errdetail("The routing extension keeps agent_loads equal to the conversations it counts; a change by hand would make every later decision wrong."),
			 strcmp(action, "insert into") == 0 ?
			 errhint("%s", ROUTING_RESTORE_HINT) :
			 errhint("Change conversations, agents or their eligibility instead; the extension updates agent_loads itself.")));
}

/*
 * routing_guard_load_row refuses a change to an agent_loads row that is not
 * the extension's own (routing_loads_writing() is false; "action" names it:
 * insert into, update, delete from), whoever makes it, the owner included:
 * section 6 holds only if nobody else writes agent_loads.  A row may go
 * with its agent (the foreign key's ON DELETE CASCADE).
 */
void
routing_guard_load_row(const char *action, bool is_delete, int64 account_id,
					   int64 agent_id)
{
	Datum		values[2] = {Int64GetDatum(account_id), Int64GetDatum(agent_id)};

	if (!is_delete || routing_exec(&agent_exists_plan, values, NULL, 1) == 1)
		refuse_loads_change(action);
}

/*
 * routing_guard_loads_truncate refuses a TRUNCATE of agent_loads that left
 * agents behind: load rows go only with the agents they count (TRUNCATE
 * routing.agents CASCADE).
 */
void
routing_guard_loads_truncate(void)
{
	if (routing_has_agents())
		refuse_loads_change("truncate");
}

/*
 * routing_has_agents tells whether any account has an agent.
 */
bool
routing_has_agents(void)
{
	return routing_exec(&any_agent_plan, NULL, NULL, 1) == 1;
}

/* An agent of the account ($1) without a load row. */
static RoutingPlan agent_without_load_row_plan = {
	.sql =
	"select a.agent_id from routing.agents a"
	" where a.account_id" EQ "$1 and not exists (select from routing.agent_loads l"
	"  where l.account_id" EQ "$1 and l.agent_id" EQ "a.agent_id)"
	" order by a.agent_id limit 1",
	.nargs = 1,
	.argtypes = {INT8OID}
};

/*
 * A conversation of the account whose load_agent_id is not what agent_loads
 * counts: its agent owner while it is open, else none.
 */
static RoutingPlan miscounted_conversation_plan = {
	.sql =
	"select c.conversation_id from routing.conversations c"
	" where c.account_id" EQ "$1 and (c.load_agent_id is not null)"
	"  OPERATOR(pg_catalog.<>) (c.status" EQ "'open' and c.assignee_agent_id is not null)"
	"  or c.load_agent_id OPERATOR(pg_catalog.<>) c.assignee_agent_id"
	" order by c.conversation_id limit 1",
	.nargs = 1,
	.argtypes = {INT8OID}
};

/* A load row of the account whose counts are not the conversations it counts. */
static RoutingPlan wrong_loads_plan = {
	.sql =
	"select l.agent_id, l.open_chats::pg_catalog.int8, l.open_emails::pg_catalog.int8,"
	"  coalesce(c.chats, 0), coalesce(c.emails, 0)"
	" from routing.agent_loads l left join"
	"  (select c.load_agent_id as agent_id,"
	"    count(*) filter (where ch.kind OPERATOR(pg_catalog.=) any ('{chat,bot,messenger}'::pg_catalog.text[])) as chats,"
	"    count(*) filter (where ch.kind OPERATOR(pg_catalog.<>) all ('{chat,bot,messenger}'::pg_catalog.text[])) as emails"
	"   from routing.conversations c join routing.channels ch"
	"    on ch.account_id" EQ "c.account_id and ch.channel_id" EQ "c.channel_id"
	"   where c.account_id" EQ "$1 and ch.account_id" EQ "$1 and c.load_agent_id is not null"
	"   group by c.load_agent_id) c on c.agent_id" EQ "l.agent_id"
	" where l.account_id" EQ "$1"
	"  and (l.open_chats OPERATOR(pg_catalog.<>) coalesce(c.chats, 0)"
	"   or l.open_emails OPERATOR(pg_catalog.<>) coalesce(c.emails, 0))"
	" order by l.agent_id limit 1",
	.nargs = 1,
	.argtypes = {INT8OID}
};

/*
 * routing_check_loads refuses the load rows of an account that do not
 * count its conversations: after a restore (routing.post_restore()), where
 * the dumped load rows were written as they came, an agent without a load row, a
 * conversation counted for someone other than its open owner, or a count
 * that is not the number of conversations counted would make routing give
 * the wrong work.
 */
void
routing_check_loads(int64 account_id)
{
	Datum		values[1] = {Int64GetDatum(account_id)};

	if (routing_exec(&agent_without_load_row_plan, values, NULL, 1) == 1)
		ereport(ERROR,
				(errcode(ERRCODE_INTEGRITY_CONSTRAINT_VIOLATION),
				 errmsg("agent %lld of account %lld has no row in routing.agent_loads",
						(long long) routing_get_int64(0, 1, NULL), (long long) account_id),
				 errdetail("Every agent has a load row, which routing reads and locks."),
				 errhint("Restore agent_loads from the same dump as agents.")));
	if (routing_exec(&miscounted_conversation_plan, values, NULL, 1) == 1)
		ereport(ERROR,
				(errcode(ERRCODE_INTEGRITY_CONSTRAINT_VIOLATION),
				 errmsg("conversation %lld of account %lld is not counted in the load of its owner",
						(long long) routing_get_int64(0, 1, NULL), (long long) account_id),
				 errdetail("An open conversation owned by an agent counts in that agent's load (load_agent_id), and no other does."),
				 errhint("Restore every routing table from one dump, into a database where routing.pre_restore() was run first.")));
	if (routing_exec(&wrong_loads_plan, values, NULL, 1) == 1)
		ereport(ERROR,
				(errcode(ERRCODE_INTEGRITY_CONSTRAINT_VIOLATION),
				 errmsg("routing.agent_loads counts %lld open chats and %lld open emails for agent %lld of account %lld; its conversations are %lld and %lld",
						(long long) routing_get_int64(0, 2, NULL),
						(long long) routing_get_int64(0, 3, NULL),
						(long long) routing_get_int64(0, 1, NULL),
						(long long) account_id,
						(long long) routing_get_int64(0, 4, NULL),
						(long long) routing_get_int64(0, 5, NULL)),
				 errdetail("Routing reads an agent's load from agent_loads; a count that is not the agent's open conversations gives the wrong work."),
				 errhint("Restore every routing table from one dump, into a database where routing.pre_restore() was run first.")));
}
