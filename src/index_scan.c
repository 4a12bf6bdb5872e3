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
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "executor/executor.h"
#include "storage/lmgr.h"
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
 * routing_index_scan_lock_newest locks the current row for no-key update,
 * waiting for a transaction that holds it, as an UPDATE does: under READ
 * COMMITTED the newest version of the row, which becomes the row read;
 * under REPEATABLE READ and SERIALIZABLE the version read, and a row
 * changed since the transaction's snapshot is a serialization failure.
 * False when the row was deleted (READ COMMITTED).
 */
bool
routing_index_scan_lock_newest(RoutingIndexScan *scan)
{
	TM_FailureData failure;
	TM_Result	result = table_tuple_lock(scan->heap, &scan->slot->tts_tid,
										  scan->scan->xs_snapshot, scan->slot,
										  GetCurrentCommandId(true),
										  LockTupleNoKeyExclusive, LockWaitBlock,
										  IsolationUsesXactSnapshot() ? 0 :
										  TUPLE_LOCK_FLAG_FIND_LAST_VERSION,
										  &failure);

	if ((result == TM_Updated || result == TM_Deleted) && IsolationUsesXactSnapshot())
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("could not serialize access due to concurrent %s",
						result == TM_Updated ? "update" : "delete")));
	if (result != TM_Ok && result != TM_Deleted)
		elog(ERROR, "unexpected result %d locking a row of routing.%s",
			 (int) result, scan->table->name);
	return result == TM_Ok;
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
 * enter_in_indexes makes the index entries of "tuple", just inserted into
 * "heap" or updated in place of a row ("update"; "only_summarizing": in
 * the summarizing indexes alone), as the executor does: uniqueness checked,
 * a partial index's predicate evaluated.  An error leaves what it opened to
 * the transaction's abort, as the executor does.
 */
static void
enter_in_indexes(Relation heap, HeapTuple tuple, bool update, bool only_summarizing)
{
	EState	   *estate = CreateExecutorState();
	ResultRelInfo *result = makeNode(ResultRelInfo);
	TupleTableSlot *slot = ExecInitExtraTupleSlot(estate, RelationGetDescr(heap),
												  &TTSOpsHeapTuple);

	InitResultRelInfo(result, heap, 0, NULL, 0);
	ExecOpenIndices(result, false);
	ExecStoreHeapTuple(tuple, slot, false);
	(void) compat_insert_index_tuples(result, slot, estate, update, only_summarizing);
	ExecCloseIndices(result);
	ExecResetTupleTable(estate->es_tupleTable, false);
	FreeExecutorState(estate);
}

/*
 * routing_table_append adds a row to "table" (or the work's shard of it),
 * "values" and "nulls" in the order of the table's columns (a column it
 * does not name is NULL), as an INSERT's executor would: entered in every
 * index, WAL-logged for replicas and logical decoding.  It checks no
 * constraint and runs no trigger (building the CHECK expressions alone
 * cost a third of an append): only for rows whose constraints and foreign
 * keys the caller guarantees, in a table that has no other trigger.
 */
void
routing_table_append(RoutingTable *table, const Datum *values, const bool *nulls)
{
	uint64		shard_id = routing_shard_id(table->name);
	RoutingTableIds *ids = table_ids(table, shard_id);
	Relation	heap = open_table(table, shard_id, ids, RowExclusiveLock);
	int			natts = RelationGetDescr(heap)->natts;
	Datum	   *row_values = palloc0(sizeof(Datum) * natts);
	bool	   *row_nulls = palloc(sizeof(bool) * natts);
	HeapTuple	tuple;

	memset(row_nulls, true, sizeof(bool) * natts);
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
		row_values[ids->attnums[i] - 1] = values[i];
		row_nulls[ids->attnums[i] - 1] = nulls[i];
	}
	tuple = heap_form_tuple(RelationGetDescr(heap), row_values, row_nulls);
	simple_heap_insert(heap, tuple);
	enter_in_indexes(heap, tuple, false, false);
	heap_freetuple(tuple);
	pfree(row_values);
	pfree(row_nulls);
	table_close(heap, NoLock);
}

/*
 * routing_index_scan_update replaces the current row, which this
 * transaction has locked (routing_index_scan_lock or _lock_newest), with
 * the same row but "values" in the columns listed by their places in the
 * table's columns, as an UPDATE's executor would: HOT when no indexed
 * column changed, else with new index entries; no trigger runs and no
 * constraint is checked (the caller's values keep them).
 */
void
routing_index_scan_update(RoutingIndexScan *scan, int ncolumns, const int *columns,
						  const Datum *values)
{
	TupleDesc	desc = RelationGetDescr(scan->heap);
	Datum	   *row_values = palloc(sizeof(Datum) * desc->natts);
	bool	   *row_nulls = palloc(sizeof(bool) * desc->natts);
	HeapTuple	tuple;
	bool		only_summarizing;

	heap_deform_tuple(ExecFetchSlotHeapTuple(scan->slot, false, NULL), desc,
					  row_values, row_nulls);
	for (int i = 0; i < ncolumns; i++)
	{
		row_values[scan->ids->attnums[columns[i]] - 1] = values[i];
		row_nulls[scan->ids->attnums[columns[i]] - 1] = false;
	}
	tuple = heap_form_tuple(desc, row_values, row_nulls);
	/* The scan read under AccessShareLock; an update holds RowExclusiveLock. */
	LockRelationOid(RelationGetRelid(scan->heap), RowExclusiveLock);
	if (compat_simple_heap_update(scan->heap, &scan->slot->tts_tid, tuple, &only_summarizing))
		enter_in_indexes(scan->heap, tuple, true, only_summarizing);
	heap_freetuple(tuple);
	pfree(row_values);
	pfree(row_nulls);
}
