/*
 * index_scan.h
 *		Reading routing tables straight through an index (index_scan.c): no
 *		plan and no executor start-up, rows in index order; and appending
 *		rows the same way.  A RoutingTable
 *		names the table, its index and the columns read; their ids and
 *		attribute numbers are looked up once per schema generation (a
 *		Citus shard's, once per shard generation).
 */
#ifndef ROUTING_INDEX_SCAN_H
#define ROUTING_INDEX_SCAN_H

#include "postgres.h"

#include "access/attnum.h"
#include "utils/relcache.h"
#include "utils/snapshot.h"

#define ROUTING_TABLE_MAX_COLUMNS 12

/* What is looked up about a table's relation, or a shard's, for scans. */
typedef struct RoutingTableIds
{
	uint64		generation;
	Oid			relid;
	Oid			index_relid;
	AttrNumber	attnums[ROUTING_TABLE_MAX_COLUMNS];
} RoutingTableIds;

/*
 * A routing table read by index scans: declared static by its reader with
 * name, index (NULL: the primary key) and columns; "ids" is filled on first
 * use and again after the schema generation moves.  A Citus shard's ids are
 * kept apart, per shard.  With "newest_column", that column may be missing
 * (a schema not updated yet to the version that added it, between a new
 * build's install and ALTER EXTENSION UPDATE): appending NULL to it is then
 * appending nothing.
 */
typedef struct RoutingTable
{
	const char *name;
	const char *index;
	const char *columns[ROUTING_TABLE_MAX_COLUMNS];
	const char *newest_column;
	RoutingTableIds ids;
} RoutingTable;

/* A scan in progress. */
typedef struct RoutingIndexScan
{
	RoutingTable *table;
	RoutingTableIds *ids;
	Relation	heap;
	Relation	index;
	struct IndexScanDescData *scan;
	struct TupleTableSlot *slot;
} RoutingIndexScan;

extern void routing_index_scan_begin(RoutingIndexScan *scan, RoutingTable *table,
									 int nkeys, const int64 *keys,
									 Snapshot snapshot);
extern bool routing_index_scan_next(RoutingIndexScan *scan);
extern Datum routing_index_scan_value(RoutingIndexScan *scan, int column,
									  bool *isnull);
extern char *routing_index_scan_text(RoutingIndexScan *scan, int column);
extern bool routing_index_scan_lock(RoutingIndexScan *scan);
extern bool routing_index_scan_lock_newest(RoutingIndexScan *scan);
extern void routing_index_scan_update(RoutingIndexScan *scan, int ncolumns,
									  const int *columns, const Datum *values);
extern struct HeapTupleData *routing_index_scan_tuple(RoutingIndexScan *scan);
extern void routing_index_scan_end(RoutingIndexScan *scan);
extern void routing_table_append(RoutingTable *table, const Datum *values,
								 const bool *nulls);

#endif							/* ROUTING_INDEX_SCAN_H */
