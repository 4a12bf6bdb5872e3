/*
 * routing.c
 *		Module set-up and the SPI plumbing every other file uses: kept plans,
 *		running as the extension owner, and the channel lookup.
 */
#include "postgres.h"
#include "fmgr.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "executor/tuptable.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "compat.h"
#include "routing.h"

PG_MODULE_MAGIC;

bool		routing_notify_enabled = true;

void		_PG_init(void);

/*
 * The relations whose definition a per-backend cache depends on, and a
 * counter that moves whenever one of them is invalidated: altered, dropped
 * (with the extension or alone), truncated or vacuumed.  A cache filled
 * under one value of the counter is never used under another, so nothing it
 * holds outlives the relations it describes, not even when a DROP and CREATE
 * EXTENSION reuse ids and sequence values.
 */
static const char *const watched_relation_names[] = {
	"agents", "seats", "availability", "teams", "team_members", "inboxes",
	"inbox_access", "channels", "rules", "rule_targets", "contacts",
	"conversations", "agent_loads"
};
static Oid	watched_relids[lengthof(watched_relation_names)];
static bool watched_relids_known = false;
static uint64 schema_generation = 1;

/*
 * relation_invalidated is the relcache invalidation callback: an
 * invalidation of a watched relation, or of every relation (InvalidOid),
 * moves the generation and forgets the relation ids, which may be gone.
 * While the ids are being looked up, any invalidation moves it.
 */
static void
relation_invalidated(Datum arg, Oid relid)
{
	bool		watched = !OidIsValid(relid) || !watched_relids_known;

	for (size_t i = 0; !watched && watched_relids_known &&
		 i < lengthof(watched_relids); i++)
		watched = watched_relids[i] == relid;
	if (watched)
	{
		schema_generation++;
		watched_relids_known = false;
	}
}

/*
 * routing_schema_generation is the current generation of the routing
 * relations' definitions (see watched_relation_names).
 */
uint64
routing_schema_generation(void)
{
	/* A lookup can take invalidations: look up again until none came. */
	while (!watched_relids_known)
	{
		uint64		before = schema_generation;
		Oid			namespace_oid = get_namespace_oid("routing", false);

		for (size_t i = 0; i < lengthof(watched_relids); i++)
			watched_relids[i] = get_relname_relid(watched_relation_names[i],
												  namespace_oid);
		watched_relids_known = schema_generation == before;
	}
	return schema_generation;
}

/*
 * _PG_init defines the routing.notify setting: a sharded deployment cannot
 * NOTIFY from a two-phase commit, so it turns the announcements off and
 * reads assignment_log instead.
 */
void
_PG_init(void)
{
	DefineCustomBoolVariable("routing.notify",
							 "Sends a NOTIFY on channel routing_assignment for each change of owner.",
							 NULL,
							 &routing_notify_enabled,
							 true,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);
	MarkGUCPrefixReserved("routing");
	CacheRegisterRelcacheCallback(relation_invalidated, (Datum) 0);
}

/*
 * routing_owner returns the owner of schema routing, which CREATE EXTENSION
 * made: the extension owner.  It is looked up each time through the syscache
 * so that an ALTER ... OWNER is seen at once.
 */
static Oid
routing_owner(void)
{
	Oid			namespace_oid = get_namespace_oid("routing", false);
	HeapTuple	tuple;
	Oid			owner;

	tuple = SearchSysCache1(NAMESPACEOID, ObjectIdGetDatum(namespace_oid));
	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for schema %u", namespace_oid);
	owner = ((Form_pg_namespace) GETSTRUCT(tuple))->nspowner;
	ReleaseSysCache(tuple);
	return owner;
}

/*
 * routing_as_owner runs "work" connected to SPI as the extension owner, as
 * ri_triggers.c runs foreign key checks, so that the routing tables are read
 * with the owner's rights whatever the caller was granted (and row level
 * security, if a DBA enables it, does not hide rows from routing).
 *
 * An error in "work" gives the caller back its user and security context and
 * memory context before it leaves, so that a caller who catches it (an
 * EXCEPTION block, a savepoint) never goes on as the owner.  The SPI
 * connection belongs to the caller's subtransaction, whose abort closes it
 * (AtEOSubXact_SPI): finishing it here could close a connection that a
 * trigger fired inside "work" opened instead.
 */
void
routing_as_owner(RoutingOwnerWork work, void *arg)
{
	Oid			owner = routing_owner();
	Oid			saved_userid;
	int			saved_sec_context;
	MemoryContext caller_context = CurrentMemoryContext;

	GetUserIdAndSecContext(&saved_userid, &saved_sec_context);
	SetUserIdAndSecContext(owner, saved_sec_context |
						   SECURITY_LOCAL_USERID_CHANGE | SECURITY_NOFORCE_RLS);
	PG_TRY();
	{
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		work(arg);
		if (SPI_finish() != SPI_OK_FINISH)
			elog(ERROR, "SPI_finish failed");
	}
	PG_CATCH();
	{
		SetUserIdAndSecContext(saved_userid, saved_sec_context);
		MemoryContextSwitchTo(caller_context);
		PG_RE_THROW();
	}
	PG_END_TRY();
	SetUserIdAndSecContext(saved_userid, saved_sec_context);
}

/*
 * kept_plan prepares a plan on its first use in the backend and keeps it.
 * Every statement is schema-qualified and uses OPERATOR(pg_catalog.=), so
 * the caller's search_path is never consulted, not even when the plan is
 * first prepared.  Plans are generic: left to choose, the plan cache kept
 * re-planning the candidate query for every insert into a small account
 * (half of the backend's time with a pool of 10).
 */
static SPIPlanPtr
kept_plan(RoutingPlan *plan)
{
	if (plan->plan == NULL)
	{
		SPIPlanPtr	prepared = SPI_prepare_cursor(plan->sql, plan->nargs,
												  plan->argtypes,
												  CURSOR_OPT_GENERIC_PLAN);

		if (prepared == NULL)
			elog(ERROR, "SPI_prepare failed for \"%s\": %s",
				 plan->sql, SPI_result_code_string(SPI_result));
		if (SPI_keepplan(prepared) != 0)
			elog(ERROR, "SPI_keepplan failed");
		plan->plan = prepared;
	}
	return plan->plan;
}

/*
 * routing_exec_snapshot runs a kept plan, reading under "snapshot" (with
 * InvalidSnapshot, a new one, as for any query), and returns the number of
 * rows it produced or touched.
 */
int
routing_exec_snapshot(RoutingPlan *plan, Datum *values, const char *nulls,
					  long count, Snapshot snapshot)
{
	int			rc = SPI_execute_snapshot(kept_plan(plan), values, nulls,
										  snapshot, InvalidSnapshot, false,
										  true, count);

	if (rc < 0)
		elog(ERROR, "SPI_execute_snapshot failed for \"%s\": %s",
			 plan->sql, SPI_result_code_string(rc));
	return (int) SPI_processed;
}

/*
 * routing_exec runs a kept plan under a new snapshot.
 */
int
routing_exec(RoutingPlan *plan, Datum *values, const char *nulls, long count)
{
	return routing_exec_snapshot(plan, values, nulls, count, InvalidSnapshot);
}

/*
 * routing_take_snapshot takes and registers a snapshot that also sees the
 * transaction's own earlier changes, as SPI takes one for each query; the
 * caller unregisters it.
 */
Snapshot
routing_take_snapshot(void)
{
	Snapshot	snapshot;

	CommandCounterIncrement();
	PushActiveSnapshot(GetTransactionSnapshot());
	UpdateActiveSnapshotCommandId();
	snapshot = RegisterSnapshot(GetActiveSnapshot());
	PopActiveSnapshot();
	return snapshot;
}

/*
 * routing_get_int64 reads a bigint column of the last result; has_value, if
 * given, says whether it was not NULL.
 */
int64
routing_get_int64(int row, int col, bool *has_value)
{
	bool		null;
	Datum		value = SPI_getbinval(SPI_tuptable->vals[row],
									  SPI_tuptable->tupdesc, col, &null);

	if (has_value)
		*has_value = !null;
	return null ? 0 : DatumGetInt64(value);
}

/*
 * routing_get_bool reads a boolean column of the last result; NULL is false.
 */
bool
routing_get_bool(int row, int col)
{
	bool		null;
	Datum		value = SPI_getbinval(SPI_tuptable->vals[row],
									  SPI_tuptable->tupdesc, col, &null);

	return !null && DatumGetBool(value);
}

/*
 * routing_relation_id is the OID of a relation of schema routing (looked up
 * on each use: the extension can be dropped and created again).
 */
static Oid
routing_relation_id(const char *name)
{
	Oid			relid = get_relname_relid(name, get_namespace_oid("routing", false));

	if (!OidIsValid(relid))
		elog(ERROR, "relation routing.%s does not exist", name);
	return relid;
}

/*
 * routing_index_scan_begin starts a scan of routing table "table" through
 * its index "index" (NULL: its primary key) for the rows whose first
 * nkeys bigint key columns equal "keys", under "snapshot".  Reading a few
 * rows by key this way costs no plan and no executor start-up, and the
 * rows come in index order.
 */
void
routing_index_scan_begin(RoutingIndexScan *scan, const char *table,
						 const char *index, int nkeys, const int64 *keys,
						 Snapshot snapshot)
{
	ScanKeyData scan_keys[2];

	Assert(nkeys >= 0 && (size_t) nkeys <= lengthof(scan_keys));
	scan->table = table_open(routing_relation_id(table), AccessShareLock);
	scan->index = index_open(index != NULL ? routing_relation_id(index) :
							 compat_primary_key_index(scan->table),
							 AccessShareLock);
	for (int i = 0; i < nkeys; i++)
		ScanKeyInit(&scan_keys[i], i + 1, BTEqualStrategyNumber, F_INT8EQ,
					Int64GetDatum(keys[i]));
	scan->scan = compat_index_beginscan(scan->table, scan->index, snapshot, nkeys);
	index_rescan(scan->scan, scan_keys, nkeys, NULL, 0);
	scan->slot = table_slot_create(scan->table, NULL);
}

/*
 * routing_index_scan_next reads the scan's next row; false when none is left.
 */
bool
routing_index_scan_next(RoutingIndexScan *scan)
{
	return index_getnext_slot(scan->scan, ForwardScanDirection, scan->slot);
}

/*
 * routing_index_scan_column is the attribute number of a column of the
 * scanned table.
 */
AttrNumber
routing_index_scan_column(RoutingIndexScan *scan, const char *name)
{
	AttrNumber	attnum = get_attnum(RelationGetRelid(scan->table), name);

	if (attnum == InvalidAttrNumber)
		elog(ERROR, "column %s of routing.%s does not exist", name,
			 RelationGetRelationName(scan->table));
	return attnum;
}

/*
 * routing_index_scan_value reads a column of the current row; isnull, if
 * not given, says it cannot be NULL.
 */
Datum
routing_index_scan_value(RoutingIndexScan *scan, AttrNumber attnum, bool *isnull)
{
	bool		null;
	Datum		value = slot_getattr(scan->slot, attnum, &null);

	if (isnull != NULL)
		*isnull = null;
	else if (null)
		elog(ERROR, "null in not-null column %d of routing.%s", attnum,
			 RelationGetRelationName(scan->table));
	return value;
}

/*
 * routing_index_scan_end ends the scan; the relation locks stay to the end
 * of the transaction, as a query's do.
 */
void
routing_index_scan_end(RoutingIndexScan *scan)
{
	ExecDropSingleTupleTableSlot(scan->slot);
	index_endscan(scan->scan);
	index_close(scan->index, NoLock);
	table_close(scan->table, NoLock);
}

/*
 * column_value reads a column of a scan's current row by name; isnull as
 * for routing_index_scan_value.
 */
static Datum
column_value(RoutingIndexScan *scan, const char *name, bool *isnull)
{
	return routing_index_scan_value(scan, routing_index_scan_column(scan, name),
									isnull);
}

/*
 * column_text reads a not-null text column of a scan's current row.
 */
static char *
column_text(RoutingIndexScan *scan, const char *name)
{
	return TextDatumGetCString(column_value(scan, name, NULL));
}

/*
 * routing_load_channel reads a channel, its inbox and its rule by primary
 * key, under "snapshot" (InvalidSnapshot: a new one).  The foreign key on
 * conversations guarantees the channel exists for any stored row.
 */
void
routing_load_channel(int64 account_id, int64 channel_id, Snapshot snapshot,
					 RoutingChannel *channel)
{
	Snapshot	own_snapshot = NULL;
	RoutingIndexScan scan;
	int64		keys[2] = {account_id, channel_id};
	char	   *text;

	if (snapshot == InvalidSnapshot)
		snapshot = own_snapshot = routing_take_snapshot();
	memset(channel, 0, sizeof(*channel));
	channel->account_id = account_id;
	channel->channel_id = channel_id;

	routing_index_scan_begin(&scan, "channels", NULL, 2, keys, snapshot);
	if (!routing_index_scan_next(&scan))
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("channel %lld does not exist in account %lld",
						(long long) channel_id, (long long) account_id)));
	text = column_text(&scan, "kind");
	strlcpy(channel->kind, text, sizeof(channel->kind));
	channel->is_chat = strcmp(text, "chat") == 0 || strcmp(text, "bot") == 0 ||
		strcmp(text, "messenger") == 0;
	channel->inbox_id = DatumGetInt64(column_value(&scan, "inbox_id", NULL));
	routing_index_scan_end(&scan);

	keys[1] = channel->inbox_id;
	routing_index_scan_begin(&scan, "inboxes", NULL, 2, keys, snapshot);
	if (!routing_index_scan_next(&scan))
		elog(ERROR, "inbox %lld of channel %lld does not exist",
			 (long long) channel->inbox_id, (long long) channel_id);
	channel->restricted = strcmp(column_text(&scan, "access"), "restricted") == 0;
	routing_index_scan_end(&scan);

	keys[1] = channel_id;
	routing_index_scan_begin(&scan, "rules", NULL, 2, keys, snapshot);
	if (routing_index_scan_next(&scan))
	{
		bool		no_default_agent;
		Datum		default_agent_id = column_value(&scan, "default_agent_id",
													&no_default_agent);

		channel->rule_enabled = DatumGetBool(column_value(&scan, "enabled", NULL));
		channel->contact_owner = strcmp(column_text(&scan, "assign_to"),
										"contact_owner") == 0;
		channel->only_available = DatumGetBool(column_value(&scan, "only_available",
															NULL));
		channel->has_default_agent = !no_default_agent;
		if (channel->has_default_agent)
			channel->default_agent_id = DatumGetInt64(default_agent_id);
	}
	routing_index_scan_end(&scan);
	if (own_snapshot != NULL)
		UnregisterSnapshot(own_snapshot);
}
