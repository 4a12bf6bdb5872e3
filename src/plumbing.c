/*
 * plumbing.c
 *		Module set-up and what every layer above uses: running as the
 *		extension owner, kept SPI plans, snapshots, and the generations that
 *		tell per-backend caches when the routing relations or the versions'
 *		sequence changed.
 */
#include "postgres.h"
#include "fmgr.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_namespace.h"
#include "miscadmin.h"
#include "optimizer/planner.h"
#include "utils/lsyscache.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/snapmgr.h"
#include "utils/hsearch.h"
#include "utils/syscache.h"

#include "plumbing.h"
#include "shards.h"

PG_MODULE_MAGIC;

static bool routing_notify_enabled = true;

static planner_hook_type prev_planner_hook = NULL;

/*
 * The relations whose definition a per-backend cache depends on, and two
 * counters.  The schema generation moves whenever one of them is
 * invalidated (altered, dropped with the extension or alone, truncated,
 * vacuumed or analyzed): what is kept about the relations themselves
 * (their ids, column numbers) is looked up again under a new one.  The
 * versions generation moves only when a value of checks_version or
 * members_version could come back meaning something else: when their
 * sequence is invalidated (dropped, reset) or another one, when a table
 * holding them is rewritten or replaced (a TRUNCATE before a restore, which
 * sets the sequence back), and on a reset of every relation.  The verdict
 * and pool caches, keyed on those versions, stay valid through everything
 * else, autovacuum included.
 */
static const char *const watched_relation_names[] = {
	/* first the versions' sequence, then the tables holding versions */
	"agent_checks_seq", "agent_loads", "teams",
	"agents", "seats", "availability", "team_members", "inboxes",
	"inbox_access", "channels", "rules", "rule_targets", "conversations",
	/* appended to directly; its newest column tells who announces */
	"assignment_log"
};
#define VERSION_HOLDERS 3
static Oid	watched_relids[lengthof(watched_relation_names)];
static bool watched_relids_known = false;
static uint64 schema_generation = 1;
/* The versions generation, and the relations and files it counts for. */
static uint64 versions_generation = 1;
static Oid	versions_relids[VERSION_HOLDERS];
static Oid	versions_files[VERSION_HOLDERS];

/*
 * relation_invalidated is the relcache invalidation callback: an
 * invalidation of a watched relation, or of every relation (InvalidOid),
 * moves the schema generation and forgets the relation ids, which may be
 * gone; while they are being looked up, any invalidation does.  One of the
 * versions' sequence, or of every relation, moves the versions generation.
 */
static void
relation_invalidated(Datum arg, Oid relid)
{
	bool		watched = !OidIsValid(relid) || !watched_relids_known;

	for (size_t i = 0; !watched && i < lengthof(watched_relids); i++)
		watched = watched_relids[i] == relid;
	if (!OidIsValid(relid) || relid == versions_relids[0])
		versions_generation++;
	if (watched)
	{
		schema_generation++;
		watched_relids_known = false;
	}
}

/*
 * relation_file is the file number of a relation (InvalidOid if none).
 */
static Oid
relation_file(Oid relid)
{
	HeapTuple	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Oid			file = InvalidOid;

	if (HeapTupleIsValid(tuple))
	{
		file = ((Form_pg_class) GETSTRUCT(tuple))->relfilenode;
		ReleaseSysCache(tuple);
	}
	return file;
}

/*
 * look_up_watched_relations makes the watched relations' ids known, and
 * moves the versions generation if a relation holding versions is another
 * one or has another file.  A lookup can take invalidations: look up again
 * until none came.
 */
static void
look_up_watched_relations(void)
{
	Oid			files[VERSION_HOLDERS];

	while (!watched_relids_known)
	{
		uint64		before = schema_generation;
		Oid			namespace_oid = get_namespace_oid("routing", false);

		for (size_t i = 0; i < lengthof(watched_relids); i++)
			watched_relids[i] = get_relname_relid(watched_relation_names[i],
												  namespace_oid);
		for (int i = 0; i < VERSION_HOLDERS; i++)
			files[i] = relation_file(watched_relids[i]);
		watched_relids_known = schema_generation == before;
		if (watched_relids_known &&
			(memcmp(versions_relids, watched_relids, sizeof(versions_relids)) != 0 ||
			 memcmp(versions_files, files, sizeof(versions_files)) != 0))
		{
			memcpy(versions_relids, watched_relids, sizeof(versions_relids));
			memcpy(versions_files, files, sizeof(versions_files));
			versions_generation++;
		}
	}
}

/*
 * routing_schema_generation is the current generation of the routing
 * relations' definitions (see watched_relation_names).
 */
uint64
routing_schema_generation(void)
{
	look_up_watched_relations();
	return schema_generation;
}

/*
 * routing_versions_generation is the current generation of the values of
 * checks_version and members_version: two equal values read under one
 * generation were given for the same change.
 */
uint64
routing_versions_generation(void)
{
	look_up_watched_relations();
	return versions_generation;
}

/*
 * reads_routing_table tells whether a query's range table names a table of
 * schema routing.
 */
static bool
reads_routing_table(Query *parse)
{
	Oid			namespace_oid = get_namespace_oid("routing", true);
	ListCell   *cell;

	if (!OidIsValid(namespace_oid))
		return false;
	foreach(cell, parse->rtable)
	{
		RangeTblEntry *rte = lfirst_node(RangeTblEntry, cell);

		if (rte->rtekind == RTE_RELATION &&
			get_rel_namespace(rte->relid) == namespace_oid)
			return true;
	}
	return false;
}

/*
 * routing_planner plans the statements the extension runs, and the foreign
 * key checks and actions on the routing tables, without sequential scans
 * wherever an index serves: such a plan is made once per backend and kept
 * until the tables' statistics change, and one made while a table was
 * small (after VACUUM ANALYZE of empty tables, say) would otherwise scan
 * the whole table on every use as it grows.  Both kinds run as the table
 * owner with SECURITY_NOFORCE_RLS (routing_as_owner, ri_triggers.c), which
 * no statement of an application's runs with, so an application's own
 * queries of the routing tables are planned as PostgreSQL would.
 */
static PlannedStmt *
routing_planner(Query *parse, const char *query_string, int cursorOptions,
				ParamListInfo boundParams)
{
	Oid			userid;
	int			sec_context;
	volatile int nest_level = -1;
	PlannedStmt *result;

	GetUserIdAndSecContext(&userid, &sec_context);
	if ((sec_context & SECURITY_NOFORCE_RLS) != 0 && reads_routing_table(parse))
	{
		nest_level = NewGUCNestLevel();
		(void) set_config_option("enable_seqscan", "off", PGC_USERSET,
								 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
		/* A scan left sequential costs it disable_cost: far past JIT's thresholds. */
		(void) set_config_option("jit", "off", PGC_USERSET,
								 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	}
	PG_TRY();
	{
		result = prev_planner_hook ?
			prev_planner_hook(parse, query_string, cursorOptions, boundParams) :
			standard_planner(parse, query_string, cursorOptions, boundParams);
	}
	PG_CATCH();
	{
		if (nest_level >= 0)
			AtEOXact_GUC(false, nest_level);
		PG_RE_THROW();
	}
	PG_END_TRY();
	if (nest_level >= 0)
		AtEOXact_GUC(true, nest_level);
	return result;
}

/*
 * routing_plumbing_init defines the routing.notify setting (a sharded
 * deployment cannot NOTIFY from a two-phase commit, so it turns the
 * announcements off and reads assignment_log instead), watches the routing
 * relations and their shards, and plans the extension's statements and the
 * routing tables' foreign key checks by key (routing_planner); the module's
 * _PG_init (worker.c) calls it first.
 */
void
routing_plumbing_init(void)
{
	DefineCustomBoolVariable("routing.notify",
							 "Sends a NOTIFY on channel routing_assignment for each change of owner.",
							 NULL,
							 &routing_notify_enabled,
							 true,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);
	CacheRegisterRelcacheCallback(relation_invalidated, (Datum) 0);
	routing_shards_init();
	prev_planner_hook = planner_hook;
	planner_hook = routing_planner;
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

/* Where as_owner's work runs. */
typedef enum OwnerScope
{
	OWNER_RELATION,				/* a trigger's relation's shard group */
	OWNER_ACCOUNT,				/* an account's shard group */
	OWNER_LOCAL,				/* the tables themselves; refused on Citus */
	OWNER_EACH_GROUP			/* each shard group on this node in turn */
} OwnerScope;

/*
 * run_in_groups runs "work" once in each shard group placed on this node
 * (routing_shards_local, which holds them against a move meanwhile): the
 * work of every account that is this node's to do.  A node that holds none
 * (the coordinator) has nothing to do, and says so to whoever called it by
 * hand: the work runs on the workers.
 */
static void
run_in_groups(const char *what, RoutingOwnerWork work, void *arg)
{
	const RoutingShardGroup **groups;
	int			ngroups = routing_shards_local(&groups);

	if (ngroups == 0)
		ereport(NOTICE,
				(errmsg("%s found no shard of the routing tables on this node", what),
				 errdetail("On a Citus cluster it does the work of the accounts whose shards are on the node it runs on."),
				 errhint("Run it on every worker, from the coordinator with run_command_on_workers().")));
	for (int i = 0; i < ngroups; i++)
	{
		routing_shards_set_current(groups[i]);
		work(arg);
	}
}

/*
 * as_owner runs "work" connected to SPI as the extension owner, as
 * ri_triggers.c runs foreign key checks, so that the routing tables are read
 * with the owner's rights whatever the caller was granted (and row level
 * security, if a DBA enables it, does not hide rows from routing).  On a
 * Citus node the work runs in the shard group that "relation" (a trigger's)
 * belongs to, or that holds "account_id", or in each group of the node in
 * turn ("scope"); on a single server, on the tables themselves.  A trigger
 * fired on a distributed table itself (a TRUNCATE's statement trigger on the
 * coordinator) does nothing: the same trigger on each shard does the work
 * for the shard's accounts.  Work of "what" (a function's name) for every
 * account on the tables themselves is refused on Citus, where it would
 * find only a distributed table's empty local relation.
 *
 * An error in "work" gives the caller back its user and security context,
 * memory context and shard group before it leaves, so that a caller who
 * catches it (an EXCEPTION block, a savepoint) never goes on as the owner.
 * The SPI connection belongs to the caller's subtransaction, whose abort
 * closes it (AtEOSubXact_SPI): finishing it here could close a connection
 * that a trigger fired inside "work" opened instead.
 */
static void
as_owner(OwnerScope scope, Relation relation, int64 account_id, const char *what,
		 RoutingOwnerWork work, void *arg)
{
	Oid			owner = routing_owner();
	Oid			saved_userid;
	int			saved_sec_context;
	MemoryContext caller_context = CurrentMemoryContext;
	const RoutingShardGroup *caller_group = routing_shards_current();

	GetUserIdAndSecContext(&saved_userid, &saved_sec_context);
	SetUserIdAndSecContext(owner, saved_sec_context |
						   SECURITY_LOCAL_USERID_CHANGE | SECURITY_NOFORCE_RLS);
	PG_TRY();
	{
		bool		distributed;

		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		distributed = routing_shards_distributed(routing_schema_generation());
		if (scope == OWNER_LOCAL && distributed)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("%s does not run on a Citus cluster", what),
					 errdetail("It works on every account at once, and the routing tables are distributed.")));
		if (scope == OWNER_EACH_GROUP && distributed)
			run_in_groups(what, work, arg);
		else
		{
			const RoutingShardGroup *group = NULL;

			if (scope == OWNER_RELATION)
				group = routing_shards_of_relation(relation);
			else if (scope == OWNER_ACCOUNT)
				group = routing_shards_of_account(account_id, routing_schema_generation());
			routing_shards_set_current(group);
			/* A distributed table's own relation holds no rows: its shards work. */
			if (group != NULL || scope != OWNER_RELATION || !distributed)
				work(arg);
		}
		if (SPI_finish() != SPI_OK_FINISH)
			elog(ERROR, "SPI_finish failed");
	}
	PG_CATCH();
	{
		routing_shards_set_current(caller_group);
		SetUserIdAndSecContext(saved_userid, saved_sec_context);
		MemoryContextSwitchTo(caller_context);
		PG_RE_THROW();
	}
	PG_END_TRY();
	routing_shards_set_current(caller_group);
	SetUserIdAndSecContext(saved_userid, saved_sec_context);
}

/*
 * routing_as_owner_on runs a trigger's "work" as the extension owner (see
 * as_owner), on the trigger's relation's shard group if it is a shard.
 */
void
routing_as_owner_on(Relation relation, RoutingOwnerWork work, void *arg)
{
	as_owner(OWNER_RELATION, relation, 0, NULL, work, arg);
}

/*
 * routing_as_owner_for runs a function's "work" for "account_id" as the
 * extension owner (see as_owner), on the account's shard group if the
 * tables are distributed.
 */
void
routing_as_owner_for(int64 account_id, RoutingOwnerWork work, void *arg)
{
	as_owner(OWNER_ACCOUNT, NULL, account_id, NULL, work, arg);
}

/*
 * routing_as_owner_local runs "work" for every account as the extension
 * owner (see as_owner), on the tables themselves; "what" (a function's
 * name) is refused where they are distributed.
 */
void
routing_as_owner_local(const char *what, RoutingOwnerWork work, void *arg)
{
	as_owner(OWNER_LOCAL, NULL, 0, what, work, arg);
}

/*
 * routing_as_owner_each runs "what"'s "work" for every account of this node
 * as the extension owner (see as_owner): on a single server once, on the
 * tables; on a Citus node once in each shard group placed there, as a
 * trigger on one of its shards works, so that each node does its own
 * accounts' work and none waits for another.
 */
void
routing_as_owner_each(const char *what, RoutingOwnerWork work, void *arg)
{
	as_owner(OWNER_EACH_GROUP, NULL, 0, what, work, arg);
}

/*
 * routing_announcing says whether changes of owner are announced by NOTIFY:
 * when routing.notify is on, and never from a shard, whose transaction may
 * commit in two phases, which NOTIFY forbids.
 */
bool
routing_announcing(void)
{
	return routing_notify_enabled && routing_shards_current() == NULL;
}

/* A plan kept for one shard group, by its plan and the group's key. */
typedef struct ShardPlanKey
{
	RoutingPlan *plan;
	uint64		group;
} ShardPlanKey;

typedef struct ShardPlan
{
	ShardPlanKey key;
	SPIPlanPtr	plan;
} ShardPlan;

static HTAB *shard_plans = NULL;

/*
 * prepare_kept prepares "sql" as a generic plan and keeps it.  Every
 * statement is schema-qualified and uses OPERATOR(pg_catalog.=), so the
 * caller's search_path is never consulted, not even when the plan is first
 * prepared.  Plans are generic: left to choose, the plan cache kept
 * re-planning the candidate query for every insert into a small account
 * (half of the backend's time with a pool of 10).
 */
static SPIPlanPtr
prepare_kept(const RoutingPlan *plan, const char *sql)
{
	SPIPlanPtr	prepared = SPI_prepare_cursor(sql, plan->nargs, (Oid *) plan->argtypes,
											  CURSOR_OPT_GENERIC_PLAN);

	if (prepared == NULL)
		elog(ERROR, "SPI_prepare failed for \"%s\": %s",
			 sql, SPI_result_code_string(SPI_result));
	if (SPI_keepplan(prepared) != 0)
		elog(ERROR, "SPI_keepplan failed");
	return prepared;
}

/*
 * kept_plan is the plan of "plan" for the tables the work runs on: prepared
 * on its first use in the backend and kept; on a Citus node, one per shard
 * group, naming the group's shards.  A group's key never comes back for
 * other shards, and a plan naming a moved shard is planned again by the
 * plan cache, which resolves the name anew.
 */
static SPIPlanPtr
kept_plan(RoutingPlan *plan)
{
	ShardPlanKey key = {plan, routing_shards_key(routing_shards_current())};
	ShardPlan  *entry;
	bool		found;

	if (key.group == 0)
	{
		if (plan->plan == NULL)
			plan->plan = prepare_kept(plan, plan->sql);
		return plan->plan;
	}
	if (shard_plans == NULL)
		shard_plans = routing_shards_cache("routing shard plans",
										   sizeof(ShardPlanKey), sizeof(ShardPlan));
	entry = hash_search(shard_plans, &key, HASH_FIND, NULL);
	if (entry == NULL)
	{
		SPIPlanPtr	prepared = prepare_kept(plan, routing_shards_sql(plan->sql));

		entry = hash_search(shard_plans, &key, HASH_ENTER, &found);
		entry->plan = prepared;
	}
	return entry->plan;
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
 * routing_column_number is the attribute number of a trigger's row's column
 * "name"; a column that is missing is an error.
 */
int
routing_column_number(TupleDesc desc, const char *name)
{
	int			attnum = SPI_fnumber(desc, name);

	if (attnum <= 0)
		elog(ERROR, "column \"%s\" not found", name);
	return attnum;
}

/*
 * routing_row_value reads column "name" of a trigger's row; isnull, if
 * given, says whether it was NULL.
 */
Datum
routing_row_value(HeapTuple tuple, TupleDesc desc, const char *name, bool *isnull)
{
	bool		null;

	return heap_getattr(tuple, routing_column_number(desc, name), desc,
						isnull != NULL ? isnull : &null);
}
