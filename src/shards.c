/*
 * shards.c
 *		Routing on a Citus node: the shard group a piece of work runs in.  A
 *		trigger fires on a shard (routing.conversations_102008); a delegated
 *		function runs on the node that holds its account.  Either way the
 *		work must read, lock and write that account's co-located shard of
 *		every routing table on this node, never the distributed tables'
 *		empty local shells.  The group is found in Citus's catalogs
 *		(pg_dist_shard, pg_dist_partition, pg_dist_placement,
 *		pg_dist_local_group), read through SPI so that routing.so never links
 *		against citus.so and loads where Citus is absent.
 *
 *		A shard id is never reused and a group's shard ids never change (a
 *		move keeps them, a split makes new ones), so the groups are kept for
 *		the backend's life.  Only the shard relations' OIDs change, on a move;
 *		what is kept about them is looked up again under a new
 *		routing_shards_generation().
 */
#include "postgres.h"
#include "fmgr.h"

#include "catalog/namespace.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_type.h"
#include "commands/sequence.h"
#include "executor/spi.h"
#include "storage/lockdefs.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "shards.h"

/* More than the extension has tables. */
#define MAX_GROUP_TABLES 32

struct RoutingShardGroup
{
	uint64		key;			/* the group's shard of conversations */
	int			ntables;
	NameData	tables[MAX_GROUP_TABLES];
	uint64		shard_ids[MAX_GROUP_TABLES];
};

/* A shard id of any routing table, and its group. */
typedef struct GroupEntry
{
	uint64		shard_id;
	RoutingShardGroup *group;
} GroupEntry;

static HTAB *groups_by_shard = NULL;
static const RoutingShardGroup *current_group = NULL;
static uint64 shards_generation = 1;

/* Whether routing.conversations is distributed here, per schema generation. */
static uint64 distributed_generation = 0;
static bool distributed = false;

/*
 * shard_relation_invalidated is a relcache invalidation callback: any
 * relation's invalidation may be a shard's move or drop, so the shard
 * relations' ids are looked up again.  Invalidations are rare (DDL,
 * VACUUM, ANALYZE); a lookup costs a few syscache probes.
 */
static void
shard_relation_invalidated(Datum arg, Oid relid)
{
	shards_generation++;
}

/*
 * routing_shards_init registers the invalidation callback; _PG_init calls it.
 */
void
routing_shards_init(void)
{
	CacheRegisterRelcacheCallback(shard_relation_invalidated, (Datum) 0);
}

/*
 * routing_shards_cache makes a per-backend hash table for what is kept
 * about shard groups (keys compared as bytes), for the backend's life.
 */
HTAB *
routing_shards_cache(const char *name, Size keysize, Size entrysize)
{
	HASHCTL		ctl = {0};

	ctl.keysize = keysize;
	ctl.entrysize = entrysize;
	return hash_create(name, 256, &ctl, HASH_ELEM | HASH_BLOBS);
}

/*
 * routing_shards_generation moves whenever a shard relation may have been
 * replaced.
 */
uint64
routing_shards_generation(void)
{
	return shards_generation;
}

/*
 * routing_shards_current is the group the running work is in; NULL on a
 * single server.
 */
const RoutingShardGroup *
routing_shards_current(void)
{
	return current_group;
}

/*
 * routing_shards_set_current makes "group" the one the work runs in (NULL:
 * the tables themselves).
 */
void
routing_shards_set_current(const RoutingShardGroup *group)
{
	current_group = group;
}

/*
 * routing_shards_key is a number that names the group for ever (0 for
 * none): its shard id of conversations.
 */
uint64
routing_shards_key(const RoutingShardGroup *group)
{
	return group == NULL ? 0 : group->key;
}

/*
 * load_group reads the co-located shards of "shard_id" (a shard of any
 * routing table) from Citus's catalogs and keeps them; NULL when Citus does
 * not know the shard.  The caller is connected to SPI.
 */
static RoutingShardGroup *
load_group(uint64 shard_id)
{
	Oid			argtypes[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum((int64) shard_id)};
	RoutingShardGroup *group;
	bool		found;
	int			rc;

	if (groups_by_shard == NULL)
		groups_by_shard = routing_shards_cache("routing shard groups",
											   sizeof(uint64), sizeof(GroupEntry));
	else
	{
		GroupEntry *entry = hash_search(groups_by_shard, &shard_id, HASH_FIND, NULL);

		if (entry != NULL)
			return entry->group;
	}
	if (!OidIsValid(get_relname_relid("pg_dist_shard", PG_CATALOG_NAMESPACE)))
		return NULL;
	rc = SPI_execute_with_args(
							   "select c.relname::pg_catalog.text, s.shardid"
							   " from pg_catalog.pg_dist_shard me"
							   " join pg_catalog.pg_dist_partition mp on mp.logicalrelid OPERATOR(pg_catalog.=) me.logicalrelid"
							   " join pg_catalog.pg_dist_partition p on p.colocationid OPERATOR(pg_catalog.=) mp.colocationid"
							   " join pg_catalog.pg_dist_shard s on s.logicalrelid OPERATOR(pg_catalog.=) p.logicalrelid"
							   "  and s.shardminvalue OPERATOR(pg_catalog.=) me.shardminvalue"
							   " join pg_catalog.pg_class c on c.oid OPERATOR(pg_catalog.=) s.logicalrelid"
							   " join pg_catalog.pg_namespace n on n.oid OPERATOR(pg_catalog.=) c.relnamespace"
							   " where me.shardid OPERATOR(pg_catalog.=) $1"
							   "  and n.nspname OPERATOR(pg_catalog.=) 'routing'",
							   1, argtypes, values, NULL, true, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "reading the shard group of shard " UINT64_FORMAT " failed: %s",
			 shard_id, SPI_result_code_string(rc));
	if (SPI_processed == 0)
		return NULL;
	if (SPI_processed > MAX_GROUP_TABLES)
		elog(ERROR, "shard " UINT64_FORMAT " has %d co-located routing shards, more than %d",
			 shard_id, (int) SPI_processed, MAX_GROUP_TABLES);

	group = MemoryContextAllocZero(TopMemoryContext, sizeof(RoutingShardGroup));
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		char	   *name = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
		Datum		id = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2,
									   &isnull);

		namestrcpy(&group->tables[i], name);
		group->shard_ids[i] = (uint64) DatumGetInt64(id);
		if (strcmp(name, "conversations") == 0)
			group->key = group->shard_ids[i];
	}
	group->ntables = (int) SPI_processed;
	if (group->key == 0)
		elog(ERROR, "shard " UINT64_FORMAT " has no co-located shard of routing.conversations",
			 shard_id);
	for (int i = 0; i < group->ntables; i++)
	{
		GroupEntry *entry = hash_search(groups_by_shard, &group->shard_ids[i],
										HASH_ENTER, &found);

		entry->group = group;
	}
	return group;
}

/*
 * shard_id_of_name is the shard id that ends a shard's name
 * (conversations_102008), or 0 when the name has none: then it is a table's
 * own name.
 */
static uint64
shard_id_of_name(const char *name)
{
	const char *separator = strrchr(name, '_');
	const char *digit;

	if (separator == NULL || separator[1] == '\0')
		return 0;
	for (digit = separator + 1; *digit != '\0'; digit++)
		if (*digit < '0' || *digit > '9')
			return 0;
	return strtou64(separator + 1, NULL, 10);
}

/*
 * routing_shards_next_conversation_id is a new conversation_id for a row
 * inserted into a shard of conversations without one (a shard has no
 * identity default, a distributed table's is taken on the coordinator),
 * from the sequence of the conversations table of this node, whose range is
 * this node's alone; "rel" is that shard, or the table itself: then 0,
 * and the table's own identity gives the id.
 */
int64
routing_shards_next_conversation_id(Relation rel)
{
	Oid			sequence;

	if (shard_id_of_name(RelationGetRelationName(rel)) == 0)
		return 0;
	sequence = get_relname_relid("conversations_conversation_id_seq",
								 RelationGetNamespace(rel));
	if (!OidIsValid(sequence))
		elog(ERROR, "sequence routing.conversations_conversation_id_seq does not exist");
	return nextval_internal(sequence, false);
}

/*
 * routing_shards_of_relation is the group of a trigger's relation: NULL for
 * a routing table itself, the shard's group for a shard.  The caller is
 * connected to SPI.
 */
const RoutingShardGroup *
routing_shards_of_relation(Relation rel)
{
	uint64		shard_id = shard_id_of_name(RelationGetRelationName(rel));
	const RoutingShardGroup *group;

	if (shard_id == 0)
		return NULL;
	group = load_group(shard_id);
	if (group == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("relation \"%s\" is not a known shard of a routing table",
						RelationGetRelationName(rel)),
				 errdetail("Routing's triggers fire only on its tables and on their Citus shards.")));
	return group;
}

/*
 * routing_shards_distributed says whether the routing tables are Citus
 * tables here (routing.conversations is); it is read again under each
 * schema generation (Citus invalidates the table's relcache entry when its
 * metadata changes).  The caller is connected to SPI.
 */
bool
routing_shards_distributed(uint64 schema_generation)
{
	if (distributed_generation != schema_generation)
	{
		distributed = false;
		if (OidIsValid(get_relname_relid("pg_dist_partition", PG_CATALOG_NAMESPACE)))
		{
			int			rc = SPI_execute("select 1 from pg_catalog.pg_dist_partition p"
										 " where p.logicalrelid OPERATOR(pg_catalog.=)"
										 " 'routing.conversations'::pg_catalog.regclass",
										 true, 1);

			if (rc != SPI_OK_SELECT)
				elog(ERROR, "reading pg_dist_partition failed: %s",
					 SPI_result_code_string(rc));
			distributed = SPI_processed > 0;
		}
		distributed_generation = schema_generation;
	}
	return distributed;
}

/*
 * routing_shards_of_account is the group that holds "account_id" when the
 * routing tables are distributed (NULL on a single server).  The account's
 * shards must be on this node: a function call runs there when Citus
 * delegates it; one that was not delegated is refused.  The caller is
 * connected to SPI.
 */
const RoutingShardGroup *
routing_shards_of_account(int64 account_id, uint64 schema_generation)
{
	Oid			argtypes[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(account_id)};
	bool		isnull;
	uint64		shard_id;
	bool		local;
	const RoutingShardGroup *group;
	int			rc;

	if (!routing_shards_distributed(schema_generation))
		return NULL;
	rc = SPI_execute_with_args("select s.shardid, exists (select from pg_catalog.pg_dist_placement p"
							   "  join pg_catalog.pg_dist_local_group g"
							   "   on g.groupid OPERATOR(pg_catalog.=) p.groupid"
							   "  where p.shardid OPERATOR(pg_catalog.=) s.shardid)"
							   " from (select pg_catalog.get_shard_id_for_distribution_column("
							   "  'routing.conversations'::pg_catalog.regclass, $1) as shardid) s",
							   1, argtypes, values, NULL, true, 1);
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "finding the shard of account " INT64_FORMAT " failed: %s",
			 account_id, SPI_result_code_string(rc));
	shard_id = (uint64) DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
													SPI_tuptable->tupdesc, 1, &isnull));
	local = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0],
									   SPI_tuptable->tupdesc, 2, &isnull));
	if (!local)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("account " INT64_FORMAT " is not on this node", account_id),
				 errdetail("On a Citus cluster a routing function runs on the node that holds its account."),
				 errhint("Call it on its own in a statement (SELECT routing.f(..., account_id => n)), not from a query over a table or a PL/pgSQL expression, so that Citus delegates it.")));
	group = load_group(shard_id);
	if (group == NULL)
		elog(ERROR, "shard " UINT64_FORMAT " of account " INT64_FORMAT " is not known",
			 shard_id, account_id);
	return group;
}

/* The shards of conversations placed on this node, of those in $1 if given. */
#define LOCAL_GROUPS_SQL(among) \
	"select s.shardid from pg_catalog.pg_dist_shard s" \
	" where s.logicalrelid OPERATOR(pg_catalog.=) 'routing.conversations'::pg_catalog.regclass" \
	among \
	" and exists (select from pg_catalog.pg_dist_placement p" \
	"  join pg_catalog.pg_dist_local_group g on g.groupid OPERATOR(pg_catalog.=) p.groupid" \
	"  where p.shardid OPERATOR(pg_catalog.=) s.shardid)" \
	" order by s.shardid"

/*
 * local_shard_ids runs LOCAL_GROUPS_SQL (with "among", $1) and returns the
 * shard ids it found, palloc'd, their number in *n.
 */
static int64 *
local_shard_ids(const char *sql, Datum among, int *n)
{
	Oid			argtypes[1] = {INT8ARRAYOID};
	Datum		values[1] = {among};
	int64	   *ids;
	int			rc = SPI_execute_with_args(sql, among == (Datum) 0 ? 0 : 1, argtypes, values,
										   NULL, true, 0);

	if (rc != SPI_OK_SELECT)
		elog(ERROR, "reading the shards of routing.conversations on this node failed: %s",
			 SPI_result_code_string(rc));
	*n = (int) SPI_processed;
	ids = palloc(sizeof(int64) * Max(*n, 1));
	for (int i = 0; i < *n; i++)
	{
		bool		isnull;

		ids[i] = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[i],
											 SPI_tuptable->tupdesc, 1, &isnull));
	}
	return ids;
}

/*
 * routing_shards_local lists the shard groups placed on this node, for work
 * that is every account's (routing.tick), and returns how many; the caller
 * runs in each in turn.  Each group's shards are locked for the rest of the
 * transaction as Citus's executor locks a shard it writes (its metadata
 * lock, ShareLock): a shard move or split waits for the work, and the work
 * waits for one under way, since it writes to the shards directly, not
 * through Citus.  The placements are read again once locked, so that a group
 * a move took away meanwhile is left out, never written to in its old,
 * doomed placement.  The caller is connected to SPI.
 */
int
routing_shards_local(const RoutingShardGroup ***groups)
{
	int			n;
	int64	   *ids = local_shard_ids(LOCAL_GROUPS_SQL(""), (Datum) 0, &n);
	Datum	   *elements;
	Oid			argtypes[2] = {INT4OID, INT8ARRAYOID};
	Datum		values[2];
	int			rc;

	*groups = NULL;
	if (n == 0)
		return 0;
	elements = palloc(sizeof(Datum) * n);
	for (int i = 0; i < n; i++)
		elements[i] = Int64GetDatum(ids[i]);
	values[0] = Int32GetDatum(ShareLock);
	values[1] = PointerGetDatum(construct_array(elements, n, INT8OID, sizeof(int64),
												FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	rc = SPI_execute_with_args("select pg_catalog.lock_shard_metadata($1, $2)",
							   2, argtypes, values, NULL, false, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "locking the shards of routing.conversations on this node failed: %s",
			 SPI_result_code_string(rc));
	ids = local_shard_ids(LOCAL_GROUPS_SQL(" and s.shardid OPERATOR(pg_catalog.=) any ($1)"),
						  values[1], &n);
	*groups = palloc(sizeof(RoutingShardGroup *) * Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		(*groups)[i] = load_group((uint64) ids[i]);
		if ((*groups)[i] == NULL)
			elog(ERROR, "shard " INT64_FORMAT " of routing.conversations is not known", ids[i]);
	}
	return n;
}

/*
 * routing_shard_id is the current group's shard id of routing table "table";
 * 0 when the work runs on the tables themselves.
 */
uint64
routing_shard_id(const char *table)
{
	if (current_group == NULL)
		return 0;
	for (int i = 0; i < current_group->ntables; i++)
		if (strcmp(NameStr(current_group->tables[i]), table) == 0)
			return current_group->shard_ids[i];
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("routing.%s is not distributed with routing.conversations", table),
			 errhint("Run routing.distribute() on the coordinator.")));
	return 0;					/* not reached */
}

/*
 * routing_shard_name writes into "out" (NAMEDATALEN bytes) the name Citus
 * gives the shard "shard_id" of a relation or index called "name".  Citus
 * shortens names that would not fit with a hash; routing's names all fit.
 */
void
routing_shard_name(const char *name, uint64 shard_id, char *out)
{
	if (snprintf(out, NAMEDATALEN, "%s_" UINT64_FORMAT, name, shard_id) >= NAMEDATALEN)
		elog(ERROR, "the shard name of routing.%s is too long", name);
}

/*
 * routing_shards_sql is "sql" with every routing table it names replaced by
 * the current group's shard: "routing.agent_loads" becomes
 * "routing.agent_loads_102040".  Other names of schema routing (sequences)
 * stay.  The statements are the extension's own, so a name is always
 * "routing." followed by a lower-case identifier.
 */
char *
routing_shards_sql(const char *sql)
{
	StringInfoData out;
	const char *rest = sql;
	const char *found;

	initStringInfo(&out);
	while ((found = strstr(rest, "routing.")) != NULL)
	{
		const char *name = found + strlen("routing.");
		const char *end = name;
		char		table[NAMEDATALEN];

		while ((*end >= 'a' && *end <= 'z') || (*end >= '0' && *end <= '9') || *end == '_')
			end++;
		appendBinaryStringInfo(&out, rest, end - rest);
		if (end - name < NAMEDATALEN)
		{
			memcpy(table, name, end - name);
			table[end - name] = '\0';
			for (int i = 0; i < current_group->ntables; i++)
				if (strcmp(NameStr(current_group->tables[i]), table) == 0)
					appendStringInfo(&out, "_" UINT64_FORMAT, current_group->shard_ids[i]);
		}
		rest = end;
	}
	appendStringInfoString(&out, rest);
	return out.data;
}
