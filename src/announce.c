/*
 * announce.c
 *		Announcing changes of owner (section 8): a NOTIFY on channel
 *		routing_assignment for each committed assignment_log row.
 *
 *		Without the clock worker, a transaction queues its own NOTIFYs, and
 *		PostgreSQL commits every transaction that carries one under a
 *		database-wide lock (PreCommit_Notify), so that notifying commits
 *		cannot share a WAL flush.  When routing is preloaded and the
 *		database is one of routing.clock_databases, its clock worker
 *		announces instead: a transaction stamps its log rows with its
 *		top-level transaction id (assignment_log.xact_id) and sets the
 *		worker's latch when it commits; the worker reads the rows committed
 *		since its position (the snapshot kept in routing.announcer) and sends
 *		their NOTIFYs in the transaction that moves the position, so that a
 *		crash neither loses nor repeats one, and a rolled-back row, never
 *		visible, is never announced.
 */
#include "postgres.h"
#include "fmgr.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/async.h"
#include "commands/dbcommands.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "port/atomics.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lwlock.h"
#include "storage/proc.h"
#include "storage/shmem.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/xid8.h"

#include "announce.h"
#include "compat.h"
#include "plumbing.h"
#include "shards.h"

/* A slot's worker while none is attached. */
#define NO_WORKER PG_UINT32_MAX

/* The clock worker of one database of routing.clock_databases. */
typedef struct AnnouncerSlot
{
	NameData	database;
	pg_atomic_uint32 procno;	/* its PGPROC's number, or NO_WORKER */
} AnnouncerSlot;

typedef struct AnnouncerSlots
{
	int			count;
	AnnouncerSlot slot[FLEXIBLE_ARRAY_MEMBER];
} AnnouncerSlots;

/* The databases named at server start, in the postmaster's memory. */
static List *slot_databases = NIL;
/* The slots in shared memory; NULL when routing is not preloaded. */
static AnnouncerSlots *slots = NULL;
/* This backend's database's slot, or one of these. */
#define SLOT_NONE (-1)
#define SLOT_UNKNOWN (-2)
static int	database_slot = SLOT_UNKNOWN;
/* Whether this transaction's commit wakes its database's worker. */
static bool wake_at_commit = false;

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

static Size
slots_size(void)
{
	return add_size(offsetof(AnnouncerSlots, slot),
					mul_size(list_length(slot_databases), sizeof(AnnouncerSlot)));
}

static void
request_slots(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(slots_size());
}

/*
 * start_slots makes the slots at server start (and again after a crash
 * restart, which re-creates shared memory), one per database, in the order
 * of routing.clock_databases, which is also the order of the workers.
 */
static void
start_slots(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	slots = ShmemInitStruct("routing announcers", slots_size(), &found);
	if (!found)
	{
		ListCell   *cell;

		slots->count = 0;
		foreach(cell, slot_databases)
		{
			AnnouncerSlot *slot = &slots->slot[slots->count++];

			namestrcpy(&slot->database, lfirst(cell));
			pg_atomic_init_u32(&slot->procno, NO_WORKER);
		}
	}
	LWLockRelease(AddinShmemInitLock);
}

/*
 * wake_worker sets the latch of the database's worker when a transaction
 * that stamped log rows commits, after its commit is visible to new
 * snapshots (XACT_EVENT_COMMIT comes after ProcArrayEndTransaction).  A
 * worker that is down reads the rows when it starts again.
 */
static void
wake_worker(XactEvent event, void *arg)
{
	if (!wake_at_commit)
		return;
	if (event == XACT_EVENT_COMMIT)
	{
		uint32		procno = pg_atomic_read_u32(&slots->slot[database_slot].procno);

		if (procno != NO_WORKER)
			SetLatch(&GetPGProcByNumber(procno)->procLatch);
	}
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT ||
		event == XACT_EVENT_PREPARE)
		wake_at_commit = false;
}

/*
 * routing_announce_preload, when routing is preloaded, gives each of
 * "databases" (routing.clock_databases) a slot in shared memory where its
 * clock worker leaves its latch, and makes every backend's commit wake it.
 */
void
routing_announce_preload(List *databases)
{
	MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);
	ListCell   *cell;

	foreach(cell, databases)
		slot_databases = lappend(slot_databases, pstrdup(lfirst(cell)));
	MemoryContextSwitchTo(old);
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = request_slots;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = start_slots;
	RegisterXactCallback(wake_worker, NULL);
}

/*
 * has_position says whether the database's extension keeps the worker's
 * position (1.10 or later), once per schema generation: until ALTER
 * EXTENSION routing UPDATE, transactions announce their own changes.
 */
static bool
has_position(void)
{
	static uint64 generation = 0;
	static bool position = false;

	if (generation != routing_schema_generation())
	{
		Oid			namespace_oid = get_namespace_oid("routing", true);

		position = OidIsValid(namespace_oid) &&
			OidIsValid(get_relname_relid("announcer", namespace_oid));
		generation = routing_schema_generation();
	}
	return position;
}

/*
 * routing_announcer says who announces the current transaction's changes of
 * owner: nobody if routing.notify is off or on a shard; the clock worker if
 * the database has one (and the position it keeps); else the transaction.
 * The database's slot is looked up once per backend: the list is fixed at
 * server start, and a database is not renamed while connected to.
 */
RoutingAnnouncer
routing_announcer(void)
{
	if (!routing_announcing())
		return ROUTING_ANNOUNCER_NONE;
	if (slots == NULL || !has_position())
		return ROUTING_ANNOUNCER_SELF;
	if (database_slot == SLOT_UNKNOWN)
	{
		char	   *name = get_database_name(MyDatabaseId);

		database_slot = SLOT_NONE;
		for (int i = 0; i < slots->count && database_slot == SLOT_NONE; i++)
			if (strcmp(NameStr(slots->slot[i].database), name) == 0)
				database_slot = i;
	}
	return database_slot >= 0 ? ROUTING_ANNOUNCER_WORKER : ROUTING_ANNOUNCER_SELF;
}

/*
 * payload is the NOTIFY's payload: JSON with the row's log_id, which also
 * keeps PostgreSQL from folding two equal changes of one transaction into
 * one notification.
 */
static char *
payload(const RoutingAnnouncement *announcement)
{
	StringInfoData text;

	initStringInfo(&text);
	appendStringInfo(&text,
					 "{\"account_id\": %lld, \"conversation_id\": %lld, \"log_id\": %lld, \"agent_id\": ",
					 (long long) announcement->account_id,
					 (long long) announcement->conversation_id,
					 (long long) announcement->log_id);
	if (announcement->has_agent)
		appendStringInfo(&text, "%lld", (long long) announcement->agent_id);
	else
		appendStringInfoString(&text, "null");
	appendStringInfoString(&text, ", \"team_id\": ");
	if (announcement->has_team)
		appendStringInfo(&text, "%lld", (long long) announcement->team_id);
	else
		appendStringInfoString(&text, "null");
	appendStringInfoString(&text, ", \"assigned_by\": ");
	if (announcement->assigned_by != NULL)
		appendStringInfo(&text, "\"%s\"}", announcement->assigned_by);
	else
		appendStringInfoString(&text, "null}");
	return text.data;
}

/*
 * routing_announce announces a logged change of owner: by NOTIFY, which
 * PostgreSQL delivers only if the transaction commits, or, when the worker
 * announces, by waking it at commit (the row carries the transaction id).
 */
void
routing_announce(RoutingAnnouncer announcer, const RoutingAnnouncement *announcement)
{
	if (announcer == ROUTING_ANNOUNCER_SELF)
		Async_Notify("routing_assignment", payload(announcement));
	else if (announcer == ROUTING_ANNOUNCER_WORKER)
		wake_at_commit = true;
}

/*
 * detach leaves the worker's slot when it exits, so that commits stop
 * setting a latch that another process may own next.
 */
static void
detach(int code, Datum slot)
{
	pg_atomic_write_u32(&slots->slot[DatumGetInt32(slot)].procno, NO_WORKER);
}

/*
 * routing_announce_attach makes the calling clock worker the one that
 * commits in database number "slot" of routing.clock_databases wake.
 */
void
routing_announce_attach(int slot)
{
	Assert(slots != NULL && slot < slots->count);
	pg_atomic_write_u32(&slots->slot[slot].procno, compat_my_proc_number());
	on_shmem_exit(detach, Int32GetDatum(slot));
}

/*
 * ready says whether the worker announces in its database: when the
 * extension keeps an announcer's position (1.10 or later) and the routing
 * tables are not distributed (a Citus cluster announces nothing: its
 * applications read assignment_log).  Citus's catalogs are read through
 * SPI, which must be connected.
 */
static bool
ready(void)
{
	return has_position() && !routing_shards_distributed(routing_schema_generation());
}

/* The position, and the snapshot it moves to. */
static RoutingPlan position_plan = {
	.sql = "select a.position, pg_catalog.pg_current_snapshot() from routing.announcer a"
	" where a.only_row",
	.nargs = 0
};

/*
 * The rows committed after the position and before the new snapshot: by
 * transaction id, those the position saw as not yet started, below the new
 * snapshot's end (a row's xact_id from another cluster, which only an
 * unfinished restore leaves, is never announced over and over), and those
 * it saw running; under the same snapshot as position_plan, only committed
 * rows are read.  Two disjoint index scans, not one OR: planned while the
 * log was empty, the OR became a scan of the whole index on every batch.
 * In log order, which is commit order for the changes of one
 * conversation: each waits for the other's row lock.
 */
#define COMMITTED_COLUMNS \
	"select l.log_id, l.account_id, l.conversation_id, l.to_agent_id, l.to_team_id," \
	" l.assigned_by from routing.assignment_log l"
static RoutingPlan committed_plan = {
	.sql =
	COMMITTED_COLUMNS
	" where l.xact_id OPERATOR(pg_catalog.>=) pg_catalog.pg_snapshot_xmax($1)"
	" and l.xact_id OPERATOR(pg_catalog.<) pg_catalog.pg_snapshot_xmax($2)"
	" union all "
	COMMITTED_COLUMNS
	" where l.xact_id" EQ "any (array(select pg_catalog.pg_snapshot_xip($1)))"
	" order by 1",
	.nargs = 2,
	.argtypes = {PG_SNAPSHOTOID, PG_SNAPSHOTOID}
};

static RoutingPlan move_plan = {
	.sql =
	"update routing.announcer set position = $1,"
	" announced = announced OPERATOR(pg_catalog.+) $2, at = pg_catalog.now()"
	" where only_row",
	.nargs = 2,
	.argtypes = {PG_SNAPSHOTOID, INT8OID}
};

/*
 * routing_announce_committed, in the worker's REPEATABLE READ transaction,
 * queues a NOTIFY for each row committed since the position and moves the
 * position, both delivered by the transaction's commit (nothing where the
 * worker does not announce, see ready).  The position stays when nothing
 * was new, so an idle database costs no write.  An error is the caller's
 * to end the transaction for.
 */
void
routing_announce_committed(void)
{
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (ready())
	{
		Datum		snapshots[2];
		int			nrows;

		if (routing_exec(&position_plan, NULL, NULL, 0) != 1)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("routing.announcer of database \"%s\" does not have one row",
							get_database_name(MyDatabaseId)),
					 errdetail("The clock worker keeps its position in that row.")));
		for (int i = 0; i < 2; i++)
		{
			bool		isnull;

			snapshots[i] = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
										 i + 1, &isnull);
		}
		nrows = routing_exec(&committed_plan, snapshots, NULL, 0);
		for (int i = 0; i < nrows; i++)
		{
			RoutingAnnouncement announcement;

			announcement.log_id = routing_get_int64(i, 1, NULL);
			announcement.account_id = routing_get_int64(i, 2, NULL);
			announcement.conversation_id = routing_get_int64(i, 3, NULL);
			announcement.agent_id = routing_get_int64(i, 4, &announcement.has_agent);
			announcement.team_id = routing_get_int64(i, 5, &announcement.has_team);
			/* NULL when the column is */
			announcement.assigned_by = SPI_getvalue(SPI_tuptable->vals[i],
													SPI_tuptable->tupdesc, 6);
			Async_Notify("routing_assignment", payload(&announcement));
		}
		if (nrows > 0)
		{
			Datum		values[2] = {snapshots[1], Int64GetDatum(nrows)};

			routing_exec(&move_plan, values, NULL, 0);
		}
	}
	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed");
}
