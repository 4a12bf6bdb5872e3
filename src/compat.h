/*
 * compat.h
 *		The PostgreSQL server API calls whose signatures differ between the
 *		major versions the extension builds against (15 to 18), so that no
 *		other file needs a version test.
 */
#ifndef ROUTING_COMPAT_H
#define ROUTING_COMPAT_H

#include "access/genam.h"
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
/* 16 added onlySummarizing (for updates; an insert enters every index). */
#define compat_insert_index_tuples(result, slot, estate) \
	ExecInsertIndexTuples((result), (slot), (estate), false, false, NULL, NIL, false)
#else
#define compat_insert_index_tuples(result, slot, estate) \
	ExecInsertIndexTuples((result), (slot), (estate), false, false, NULL, NIL)
#endif

#if PG_VERSION_NUM >= 170000
/* 17 gave each backend a ProcNumber in place of its PGPROC's pgprocno. */
#define compat_my_proc_number() ((uint32) MyProcNumber)
#else
#define compat_my_proc_number() ((uint32) MyProc->pgprocno)
#endif

#endif							/* ROUTING_COMPAT_H */
