/*
 * plumbing.h
 *		The lowest layer (plumbing.c): running as the extension owner, kept
 *		SPI plans, snapshots, and the generation of the routing relations'
 *		definitions that per-backend caches are keyed on.
 */
#ifndef ROUTING_PLUMBING_H
#define ROUTING_PLUMBING_H

#include "postgres.h"

#include "executor/spi.h"
#include "utils/relcache.h"
#include "utils/snapshot.h"

/*
 * SQL fragments.  Every name is schema-qualified and every operator spelled
 * OPERATOR(pg_catalog.x), so a caller's search_path cannot change what runs.
 */
#define EQ " OPERATOR(pg_catalog.=) "

/*
 * The next value of a sequence of schema routing.  Statements name the ids
 * they write: a Citus shard has no defaults taken from sequences, and the
 * sequences have node-disjoint ranges on a cluster.
 */
#define ROUTING_NEXT_ID(sequence) \
	"pg_catalog.nextval('routing." sequence "'::pg_catalog.regclass)"

/*
 * The hint of the guards' refusals of a row that only a restore inserts: the
 * first error of a dump restored with the triggers on.
 */
#define ROUTING_RESTORE_HINT \
	"To restore a dump, run select routing.pre_restore() as the database owner before it and select routing.post_restore() after it."

/* Number of parameters of the widest kept plan. */
#define ROUTING_MAX_ARGS 10

/* A kept plan: prepared on first use in a backend, then reused. */
typedef struct RoutingPlan
{
	const char *sql;
	int			nargs;
	Oid			argtypes[ROUTING_MAX_ARGS];
	SPIPlanPtr	plan;
} RoutingPlan;

/* Work done as the extension owner (routing_as_owner). */
typedef void (*RoutingOwnerWork) (void *arg);

extern void routing_plumbing_init(void);
extern void routing_as_owner_on(Relation relation, RoutingOwnerWork work, void *arg);
extern void routing_as_owner_for(int64 account_id, RoutingOwnerWork work, void *arg);
extern void routing_as_owner_local(const char *what, RoutingOwnerWork work, void *arg);
extern void routing_as_owner_each(const char *what, RoutingOwnerWork work, void *arg);
extern bool routing_announcing(void);
extern uint64 routing_schema_generation(void);
extern uint64 routing_versions_generation(void);
extern int	routing_exec(RoutingPlan *plan, Datum *values, const char *nulls,
						 long count);
extern int	routing_exec_snapshot(RoutingPlan *plan, Datum *values,
								  const char *nulls, long count,
								  Snapshot snapshot);
extern Snapshot routing_take_snapshot(void);
extern int64 routing_get_int64(int row, int col, bool *has_value);
extern bool routing_get_bool(int row, int col);
extern int	routing_column_number(TupleDesc desc, const char *name);
extern Datum routing_row_value(HeapTuple tuple, TupleDesc desc, const char *name,
							   bool *isnull);

#endif							/* ROUTING_PLUMBING_H */
