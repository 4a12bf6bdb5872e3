/*
 * compat.h
 *		The PostgreSQL server API calls whose signatures differ between the
 *		major versions the extension builds against (15 to 18), so that no
 *		other file needs a version test.
 */
#ifndef ROUTING_COMPAT_H
#define ROUTING_COMPAT_H

#include "access/genam.h"
#include "access/heapam.h"
#include "utils/acl.h"
#include "utils/relcache.h"

#if PG_VERSION_NUM >= 180000
/* 18 added instrumentation to index scans and deferrable_ok to the lookup. */
#define compat_index_beginscan(table, index, snapshot, nkeys) \
	index_beginscan((table), (index), (snapshot), NULL, (nkeys), 0)
#define compat_primary_key_index(table) RelationGetPrimaryKeyIndex((table), false)
#else
#define compat_index_beginscan(table, index, snapshot, nkeys) \
	index_beginscan((table), (index), (snapshot), (nkeys), 0)
#define compat_primary_key_index(table) RelationGetPrimaryKeyIndex(table)
#endif

#if PG_VERSION_NUM >= 160000
/* 16 made the owner checks one function for every catalog. */
#include "catalog/pg_database.h"
#define compat_database_ownercheck(database, role) \
	object_ownercheck(DatabaseRelationId, (database), (role))
#else
#define compat_database_ownercheck(database, role) \
	pg_database_ownercheck((database), (role))
#endif

#if PG_VERSION_NUM >= 160000
/* 16 added onlySummarizing. */
#define compat_insert_index_tuples(result, slot, estate, update, only_summarizing) \
	ExecInsertIndexTuples((result), (slot), (estate), (update), false, NULL, NIL, \
						  (only_summarizing))
#else
#define compat_insert_index_tuples(result, slot, estate, update, only_summarizing) \
	ExecInsertIndexTuples((result), (slot), (estate), (update), false, NULL, NIL)
#endif

/*
 * compat_simple_heap_update updates a heap tuple the caller has locked and
 * says which indexes need entries for the new version: "all" (not HOT), or
 * with only_summarizing, those that summarize (16: HOT may still need them).
 */
#if PG_VERSION_NUM >= 160000
static inline bool
compat_simple_heap_update(Relation heap, ItemPointer otid, HeapTuple tuple,
						  bool *only_summarizing)
{
	TU_UpdateIndexes update_indexes;

	simple_heap_update(heap, otid, tuple, &update_indexes);
	*only_summarizing = update_indexes == TU_Summarizing;
	return update_indexes != TU_None;
}
#else
static inline bool
compat_simple_heap_update(Relation heap, ItemPointer otid, HeapTuple tuple,
						  bool *only_summarizing)
{
	simple_heap_update(heap, otid, tuple);
	*only_summarizing = false;
	return !HeapTupleIsHeapOnly(tuple);
}
#endif

#if PG_VERSION_NUM >= 170000
/* 17 gave each backend a ProcNumber in place of its PGPROC's pgprocno. */
#define compat_my_proc_number() ((uint32) MyProcNumber)
#else
#define compat_my_proc_number() ((uint32) MyProc->pgprocno)
#endif

#endif							/* ROUTING_COMPAT_H */
