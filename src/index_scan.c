/*
 * index_scan.c
 *		Reading routing tables straight through an index, and appending
 *		rows to them.  Reading a few rows by key this way costs no plan and
 *		no executor start-up, and the rows come in index order; the
 *		least-busy scan depends on that.  Appending costs no plan, no
 *		executor start-up and no foreign-key check query.
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
#include "executor/executor.h"
#include "executor/tuptable.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "compat.h"
#include "index_scan.h"
#include "plumbing.h"
#include "shards.h"

/*
 * relation_id is the OID of a relation of schema routing, or of its shard
 * "shard_id" (0: the relation itself).
 */
static Oid
relation_id(const char *name, uint64 shard_id)
{
	char		shard_name[NAMEDATALEN];
	Oid			relid;

	if (shard_id != 0)
	{
		routing_shard_name(name, shard_id, shard_name);
		name = shard_name;
	}
	relid = get_relname_relid(name, get_namespace_oid("routing", false));
	if (!OidIsValid(relid))
		elog(ERROR, "relation routing.%s does not exist", name);
	return relid;
}

/* A shard's ids, by table and shard. */
typedef struct ShardIdsKey
{
	RoutingTable *table;
	uint64		shard_id;
} ShardIdsKey;

typedef struct ShardIds
{
	ShardIdsKey key;
	RoutingTableIds ids;
} ShardIds;

static HTAB *shard_ids = NULL;

/*
 * current_generation is the generation that the ids of a table's own
 * relation (shard_id 0) or of a shard must have been looked up under: the
 * schema generation, or the shard generation (a move replaces a shard).
 */
static uint64
current_generation(uint64 shard_id)
{
	return shard_id == 0 ? routing_schema_generation() : routing_shards_generation();
}

/*
 * table_ids is where the ids of "table", or of its shard "shard_id", are
 * kept.
 */
static RoutingTableIds *
table_ids(RoutingTable *table, uint64 shard_id)
{
	ShardIdsKey key = {table, shard_id};
	ShardIds   *entry;
	bool		found;

	if (shard_id == 0)
		return &table->ids;
	if (shard_ids == NULL)
		shard_ids = routing_shards_cache("routing shard ids", sizeof(ShardIdsKey),
										 sizeof(ShardIds));
	entry = hash_search(shard_ids, &key, HASH_ENTER, &found);
	if (!found)
		entry->ids.generation = 0;
	return &entry->ids;
}

/*
 * resolve_ids looks up the relation, index and column numbers of "table"
 * (or its shard "shard_id") unless they are known for "heap".
 */
static void
resolve_ids(RoutingTable *table, uint64 shard_id, Relation heap, RoutingTableIds *ids)
{
	uint64		generation = current_generation(shard_id);

	if (ids->generation == generation && ids->relid == RelationGetRelid(heap))
		return;
	ids->index_relid = table->index != NULL ? relation_id(table->index, shard_id) :
		compat_primary_key_index(heap);
	for (int i = 0; i < ROUTING_TABLE_MAX_COLUMNS && table->columns[i] != NULL; i++)
	{
		ids->attnums[i] = get_attnum(RelationGetRelid(heap), table->columns[i]);
		if (ids->attnums[i] == InvalidAttrNumber &&
			(table->newest_column == NULL ||
			 strcmp(table->columns[i], table->newest_column) != 0))
			elog(ERROR, "column %s of routing.%s does not exist",
				 table->columns[i], table->name);
	}
	ids->relid = RelationGetRelid(heap);
	ids->generation = generation;
}

/*
 * open_table opens "table" (or its shard "shard_id") with "lockmode" and
 * makes sure its ids are current.  The id kept may name a relation dropped
 * since: then the name is looked up.
 */
static Relation
open_table(RoutingTable *table, uint64 shard_id, RoutingTableIds *ids, LOCKMODE lockmode)
{
	Relation	heap = ids->generation == current_generation(shard_id) ?
		try_table_open(ids->relid, lockmode) : NULL;

	if (heap == NULL || ids->generation != current_generation(shard_id))
	{
		if (heap != NULL)
			table_close(heap, lockmode);
		heap = table_open(relation_id(table->name, shard_id), lockmode);
	}
	resolve_ids(table, shard_id, heap, ids);
	return heap;
}

/*
 * routing_index_scan_begin starts a scan of "table" through its index for
 * the rows whose first nkeys bigint key columns equal "keys", under
 * "snapshot".  On a Citus node it reads the work's shard of the table.
 */
void
routing_index_scan_begin(RoutingIndexScan *scan, RoutingTable *table,
						 int nkeys, const int64 *keys, Snapshot snapshot)
{
	ScanKeyData scan_keys[3];
	uint64		shard_id = routing_shard_id(table->name);
	RoutingTableIds *ids = table_ids(table, shard_id);

	Assert(nkeys >= 0 && (size_t) nkeys <= lengthof(scan_keys));
	scan->table = table;
	scan->ids = ids;
	scan->heap = open_table(table, shard_id, ids, AccessShareLock);
	scan->index = index_open(ids->index_relid, AccessShareLock);
	for (int i = 0; i < nkeys; i++)
		ScanKeyInit(&scan_keys[i], i + 1, BTEqualStrategyNumber, F_INT8EQ,
					Int64GetDatum(keys[i]));
	scan->scan = compat_index_beginscan(scan->heap, scan->index, snapshot, nkeys);
	index_rescan(scan->scan, scan_keys, nkeys, NULL, 0);
	scan->slot = table_slot_create(scan->heap, NULL);
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
 * routing_index_scan_value reads column number "column" (its place in the
 * table's columns) of the current row; isnull, if not given, says it cannot
 * be NULL.
 */
Datum
routing_index_scan_value(RoutingIndexScan *scan, int column, bool *isnull)
{
	bool		null;
	Datum		value;

	Assert(column >= 0 && column < ROUTING_TABLE_MAX_COLUMNS);
	value = slot_getattr(scan->slot, scan->ids->attnums[column], &null);
	if (isnull != NULL)
		*isnull = null;
	else if (null)
		elog(ERROR, "null in not-null column %s of routing.%s",
			 scan->table->columns[column], scan->table->name);
	return value;
}

/*
 * routing_index_scan_text reads a not-null text column of the current row.
 */
char *
routing_index_scan_text(RoutingIndexScan *scan, int column)
{
	return TextDatumGetCString(routing_index_scan_value(scan, column, NULL));
}

/*
 * routing_index_scan_tuple is the current row's heap tuple, for its header.
 */
HeapTuple
routing_index_scan_tuple(RoutingIndexScan *scan)
{
	return ExecFetchSlotHeapTuple(scan->slot, false, NULL);
}

/*
 * routing_index_scan_lock locks the current row (the version read, never a
 * newer one) for no-key update, without waiting; false, holding no lock,
 * when another transaction holds or has changed or deleted it.
 */
bool
routing_index_scan_lock(RoutingIndexScan *scan)
{
	TM_FailureData failure;

	return table_tuple_lock(scan->heap, &scan->slot->tts_tid,
							scan->scan->xs_snapshot, scan->slot,
							GetCurrentCommandId(true), LockTupleNoKeyExclusive,
							LockWaitSkip, 0, &failure) == TM_Ok;
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
	table_close(scan->heap, NoLock);
}

/*
 * routing_table_append adds a row to "table" (or the work's shard of it),
 * "values" and "nulls" in the order of the table's columns (a column it
 * does not name is NULL), as an INSERT's executor would: entered in every
 * index (uniqueness checked, a partial index's predicate evaluated),
 * WAL-logged for replicas and logical decoding.  It checks no constraint
 * and runs no trigger (building the CHECK expressions alone cost a third of
 * an append): only for rows whose constraints and foreign keys the caller
 * guarantees, in a table that has no other trigger.  An error leaves what
 * it opened to the transaction's abort, as the executor does.
 */
void
routing_table_append(RoutingTable *table, const Datum *values, const bool *nulls)
{
	uint64		shard_id = routing_shard_id(table->name);
	RoutingTableIds *ids = table_ids(table, shard_id);
	Relation	heap = open_table(table, shard_id, ids, RowExclusiveLock);
	EState	   *estate = CreateExecutorState();
	ResultRelInfo *result = makeNode(ResultRelInfo);
	TupleTableSlot *slot = table_slot_create(heap, &estate->es_tupleTable);

	InitResultRelInfo(result, heap, 0, NULL, 0);
	ExecOpenIndices(result, false);
	ExecClearTuple(slot);
	memset(slot->tts_isnull, true, sizeof(bool) * RelationGetDescr(heap)->natts);
	for (int i = 0; i < ROUTING_TABLE_MAX_COLUMNS && table->columns[i] != NULL; i++)
	{
		if (ids->attnums[i] == InvalidAttrNumber)
		{
			if (!nulls[i])
				ereport(ERROR,
						(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
						 errmsg("column %s of routing.%s does not exist",
								table->columns[i], table->name),
						 errhint("Run ALTER EXTENSION routing UPDATE.")));
			continue;
		}
		slot->tts_values[ids->attnums[i] - 1] = values[i];
		slot->tts_isnull[ids->attnums[i] - 1] = nulls[i];
	}
	ExecStoreVirtualTuple(slot);
	table_tuple_insert(heap, slot, GetCurrentCommandId(true), 0, NULL);
	(void) compat_insert_index_tuples(result, slot, estate);
	ExecCloseIndices(result);
	ExecResetTupleTable(estate->es_tupleTable, false);
	FreeExecutorState(estate);
	table_close(heap, NoLock);
}
