/*
 * distribute.c
 *		routing.distribute() (section 15): on the coordinator of a Citus
 *		cluster, makes every routing table a distributed table by account_id,
 *		all co-located; delegates every function that takes account_id to the
 *		node that holds the account; gives the routing sequences node-disjoint
 *		ranges on every node; and turns NOTIFY off for the database.  It asks
 *		Citus only through its SQL functions and catalogs, over SPI: routing.so
 *		never links against citus.so, and loads where Citus is absent.
 *
 *		Everything it does is read from the catalogs (the extension's tables,
 *		sequences and functions), so objects a later version adds are included,
 *		and a part already done is not done again: a second run changes nothing
 *		and says so, and a run after citus_add_node gives the new node its id
 *		ranges.
 */
#include "postgres.h"
#include "fmgr.h"

#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "utils/builtins.h"
#include "utils/guc.h"

#include "plumbing.h"

/*
 * Members of extension routing (its oid is $1) of one catalog, as
 * pg_depend rows "d".
 */
#define ROUTING_MEMBERS(catalog) \
	" pg_catalog.pg_depend d" \
	" where d.classid = '" catalog "'::pg_catalog.regclass" \
	" and d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass" \
	" and d.refobjid = $1 and d.deptype = 'e'"

/*
 * The extension's tables of accounts (those with account_id; a table of the
 * database's own, such as announcer, stays local on each node) in foreign
 * key order (a referenced table before the tables that reference it: Citus
 * distributes a table only when the tables it references are distributed),
 * each with whether Citus knows it already
 * and whether that is as hash-distributed by account_id in the colocation
 * group of the first one.  The levels stop at the number of tables, so that a
 * cycle could not loop.
 */
static const char *const tables_sql =
"with recursive routing_tables as ("
" select c.oid from pg_catalog.pg_class c," ROUTING_MEMBERS("pg_catalog.pg_class")
" and d.objid = c.oid and c.relkind in ('r', 'p')"
" and exists (select from pg_catalog.pg_attribute a where a.attrelid = c.oid"
" and a.attname = 'account_id' and not a.attisdropped)),"
" levels (oid, level) as ("
" select t.oid, 0 from routing_tables t"
" union all"
" select f.conrelid, l.level + 1 from levels l"
" join pg_catalog.pg_constraint f on f.confrelid = l.oid and f.contype = 'f'"
" and f.conrelid <> f.confrelid"
" where f.conrelid in (select t.oid from routing_tables t)"
" and l.level < (select pg_catalog.count(*) from routing_tables)),"
" ordered as ("
" select l.oid, pg_catalog.max(l.level) as level from levels l group by l.oid)"
" select o.oid::pg_catalog.regclass::pg_catalog.text,"
" p.logicalrelid is not null,"
" p.partmethod = 'h'"
" and pg_catalog.column_to_column_name(p.logicalrelid, p.partkey) = 'account_id'"
" and p.colocationid = pg_catalog.first_value(p.colocationid)"
" over (order by p.logicalrelid is null, o.level, o.oid::pg_catalog.regclass::pg_catalog.text)"
" from ordered o left join pg_catalog.pg_dist_partition p on p.logicalrelid = o.oid"
" order by o.level, 1";

/*
 * The extension's functions that take account_id, each with whether it is
 * delegated already (by that argument, forced, co-located with
 * conversations).
 */
static const char *const functions_sql =
"select p.oid::pg_catalog.regprocedure::pg_catalog.text,"
" exists (select from pg_catalog.pg_dist_object o"
" where o.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass and o.objid = p.oid"
" and o.distribution_argument_index is not null and o.force_delegation"
" and o.colocationid = (select c.colocationid from pg_catalog.pg_dist_partition c"
" where c.logicalrelid = 'routing.conversations'::pg_catalog.regclass))"
" from pg_catalog.pg_proc p," ROUTING_MEMBERS("pg_catalog.pg_proc")
" and d.objid = p.oid and 'account_id' = any (p.proargnames)"
" order by 1";

/*
 * On one node, the ALTER SEQUENCE commands (one text, or NULL) that give
 * every sequence of the extension that node's range of ids, as Citus gives
 * its own bigint sequences (AlterSequenceMinMax in Citus's
 * worker_data_fetch_protocol.c): from (groupid << 48) + 1 to
 * (groupid + 1) << 48 (Citus's ranges share their last value with the next
 * group's first; these do not).  A sequence already inside its range keeps
 * its place, so the coordinator's ids given before distribute() stay
 * unique; one outside (a worker's fresh sequence) restarts at the range's
 * first value.  It runs on every node with the node's own search_path:
 * every name is qualified.
 */
#define NODE_RANGES_SQL \
"select pg_catalog.string_agg(pg_catalog.format(" \
" 'alter sequence %s minvalue %s maxvalue %s start %s%s'," \
" s.seqrelid::pg_catalog.regclass, r.low, r.high, r.low," \
" case when pg_catalog.pg_sequence_last_value(s.seqrelid) between r.low and r.high" \
" then '' else ' restart ' operator(pg_catalog.||) r.low end), '; '" \
" order by s.seqrelid)" \
" from pg_catalog.pg_sequence s," \
" (select (g.groupid::pg_catalog.int8 operator(pg_catalog.<<) 48) operator(pg_catalog.+) 1 as low," \
" (g.groupid::pg_catalog.int8 operator(pg_catalog.+) 1) operator(pg_catalog.<<) 48 as high" \
" from pg_catalog.pg_dist_local_group g) r," \
" pg_catalog.pg_depend d" \
" where d.classid operator(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass" \
" and d.refclassid operator(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass" \
" and d.refobjid operator(pg_catalog.=) (select e.oid from pg_catalog.pg_extension e" \
" where e.extname operator(pg_catalog.=) 'routing')" \
" and d.deptype operator(pg_catalog.=) 'e' and d.objid operator(pg_catalog.=) s.seqrelid" \
" and (s.seqmin operator(pg_catalog.<>) r.low or s.seqmax operator(pg_catalog.<>) r.high)"

/* Whether routing.notify is off by default in this database. */
static const char *const notify_off_sql =
"select exists (select from pg_catalog.pg_db_role_setting s"
" join pg_catalog.pg_database b on b.oid = s.setdatabase"
" where b.datname = pg_catalog.current_database() and s.setrole = 0"
" and 'routing.notify=off' = any (s.setconfig))::pg_catalog.text";

/* One run: the routing tables, and what it did, for its closing NOTICE. */
typedef struct DistributeRun
{
	Oid			extension_oid;
	int			ntables;
	char	  **tables;			/* in foreign key order */
	bool	   *distributed;	/* whether Citus knew each before the run */
	int			tables_distributed;
	int			functions;
	int			nodes_given_ranges;
	bool		notify_turned_off;
} DistributeRun;

/*
 * query runs one statement whose parameters are $1, the extension's oid,
 * then "ntexts" texts, and returns the number of rows it produced.
 */
static int
query(DistributeRun *run, const char *sql, int ntexts, const char *const *texts)
{
	Oid			types[4] = {OIDOID, TEXTOID, TEXTOID, TEXTOID};
	Datum		values[4];
	int			rc;

	Assert(ntexts < (int) lengthof(types));
	values[0] = ObjectIdGetDatum(run->extension_oid);
	for (int i = 0; i < ntexts; i++)
		values[i + 1] = CStringGetTextDatum(texts[i]);
	rc = SPI_execute_with_args(sql, ntexts + 1, types, values, NULL, false, 0);
	if (rc < 0)
		elog(ERROR, "SPI_execute_with_args failed for \"%s\": %s",
			 sql, SPI_result_code_string(rc));
	return (int) SPI_processed;
}

/*
 * text_value is a text column of the last result, copied (NULL stays NULL).
 */
static char *
text_value(int row, int col)
{
	return SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col);
}

/*
 * refuse_on_worker refuses to run anywhere but on the coordinator (group
 * 0): a worker holds shards, and the cluster's metadata is the
 * coordinator's to change.
 */
static void
refuse_on_worker(DistributeRun *run)
{
	int64		groupid;

	if (query(run, "select g.groupid::pg_catalog.int8 from pg_catalog.pg_dist_local_group g",
			  0, NULL) != 1)
		elog(ERROR, "pg_dist_local_group must hold one row");
	groupid = routing_get_int64(0, 1, NULL);
	if (groupid != 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("routing.distribute() must run on the Citus coordinator"),
				 errdetail("This node is a worker of a Citus cluster (group " INT64_FORMAT ").",
						   groupid),
				 errhint("Connect to the coordinator and run it there.")));
}

/*
 * refuse_tables_with_rows refuses when a routing table still to be
 * distributed holds rows: Citus would copy them into the shards through the
 * routing triggers, which would route them and count their load again.
 */
static void
refuse_tables_with_rows(DistributeRun *run)
{
	for (int i = 0; i < run->ntables; i++)
	{
		if (!run->distributed[i] &&
			query(run, psprintf("select from %s limit 1", run->tables[i]), 0, NULL) > 0)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("routing.distribute() needs the routing tables empty"),
					 errdetail("Table %s holds rows; Citus would copy them into the shards through the routing triggers, which would route them again.",
							   run->tables[i]),
					 errhint("Run routing.distribute() right after CREATE EXTENSION routing on every node, then load the data through the coordinator.")));
	}
}

/*
 * check_tables reads the routing tables in foreign key order and refuses,
 * before anything changes, a routing table that Citus knows in another way
 * (a reference table, say: routing needs all of them in one shard group per
 * account) or one still to be distributed that holds rows.
 */
static void
check_tables(DistributeRun *run)
{
	run->ntables = query(run, tables_sql, 0, NULL);
	run->tables = palloc(sizeof(char *) * run->ntables);
	run->distributed = palloc(sizeof(bool) * run->ntables);
	for (int i = 0; i < run->ntables; i++)
	{
		run->tables[i] = text_value(i, 1);
		run->distributed[i] = routing_get_bool(i, 2);
		if (run->distributed[i] && !routing_get_bool(i, 3))
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("table %s is not distributed as routing needs", run->tables[i]),
					 errdetail("Every routing table must be hash-distributed by account_id, co-located with the other routing tables.")));
	}
	refuse_tables_with_rows(run);
}

/*
 * distribute_tables makes every routing table not yet distributed a
 * distributed table by account_id, in foreign key order, co-located with
 * the routing tables distributed already, or, on a first run, with the
 * first (which goes into Citus's default colocation group for bigint keys,
 * beside the application's own tables distributed by account).
 */
static void
distribute_tables(DistributeRun *run)
{
	const char *colocate_with = NULL;

	for (int i = 0; i < run->ntables && colocate_with == NULL; i++)
		if (run->distributed[i])
			colocate_with = run->tables[i];
	for (int i = 0; i < run->ntables; i++)
	{
		if (run->distributed[i])
			continue;
		query(run,
			  "select pg_catalog.create_distributed_table($2::pg_catalog.regclass,"
			  " 'account_id', colocate_with := $3)",
			  2, (const char *const[]) {run->tables[i], colocate_with ? colocate_with : "default"});
		if (colocate_with == NULL)
			colocate_with = run->tables[i];
		run->tables_distributed++;
	}
}

/*
 * delegate_functions registers every function of the extension that takes
 * account_id as a distributed function, delegated by that argument to the
 * node of the account's shard group; forced, so that a call inside a
 * transaction block is delegated too.
 */
static void
delegate_functions(DistributeRun *run)
{
	int			nfunctions = query(run, functions_sql, 0, NULL);
	char	  **names = palloc(sizeof(char *) * nfunctions);
	bool	   *delegated = palloc(sizeof(bool) * nfunctions);

	for (int i = 0; i < nfunctions; i++)
	{
		names[i] = text_value(i, 1);
		delegated[i] = routing_get_bool(i, 2);
	}
	for (int i = 0; i < nfunctions; i++)
	{
		if (delegated[i])
			continue;
		query(run,
			  "select pg_catalog.create_distributed_function("
			  "$2::pg_catalog.regprocedure, 'account_id',"
			  " colocate_with := 'routing.conversations', force_delegation := true)",
			  1, (const char *const[]) {names[i]});
		run->functions++;
	}
}

/* A worker, as run_command_on_workers reports it. */
typedef struct Worker
{
	char	   *host;
	char	   *port;
	char	   *result;
} Worker;

/*
 * on_workers runs a command on every worker known to the coordinator, over
 * Citus's own connections to them, each in its own transaction
 * (run_command_on_workers), and returns the workers with each one's result.
 */
static Worker *
on_workers(DistributeRun *run, const char *command, int *nworkers)
{
	Worker	   *workers;

	*nworkers = query(run,
					  "select w.nodename, w.nodeport::pg_catalog.text, w.result, w.success"
					  " from pg_catalog.run_command_on_workers($2) w"
					  " order by w.nodename, w.nodeport",
					  1, (const char *const[]) {command});
	workers = palloc(sizeof(Worker) * Max(*nworkers, 1));
	for (int i = 0; i < *nworkers; i++)
	{
		workers[i].host = text_value(i, 1);
		workers[i].port = text_value(i, 2);
		workers[i].result = text_value(i, 3);
		if (!routing_get_bool(i, 4))
			ereport(ERROR,
					(errcode(ERRCODE_CONNECTION_FAILURE),
					 errmsg("routing.distribute() failed on worker %s:%s",
							workers[i].host, workers[i].port),
					 errdetail("%s", workers[i].result ? workers[i].result : "")));
	}
	return workers;
}

/*
 * on_worker runs a command on one worker, in its own transaction
 * (master_run_on_worker).
 */
static void
on_worker(DistributeRun *run, Worker *worker, const char *command)
{
	query(run,
		  "select m.success, m.result from pg_catalog.master_run_on_worker("
		  "array[$2], array[$3::pg_catalog.int4], array[$4], false) m",
		  3, (const char *const[]) {worker->host, worker->port, command});
	if (!routing_get_bool(0, 1))
		ereport(ERROR,
				(errcode(ERRCODE_CONNECTION_FAILURE),
				 errmsg("routing.distribute() failed on worker %s:%s",
						worker->host, worker->port),
				 errdetail("%s", text_value(0, 2))));
}

/*
 * set_id_ranges gives the routing sequences their node's range of ids on
 * the coordinator and on every worker (NODE_RANGES_SQL).  Each node's ALTER
 * SEQUENCE is its own, so Citus must not carry it to the other nodes, nor
 * refuse it as the change of a distributed sequence (which the identity
 * sequences of distributed tables are, on a node added after
 * distribution): citus.enable_ddl_propagation is off for it.  A worker's
 * ranges are set in the worker's own transaction: once set they stay, as
 * a second run would set them anyway.  A worker added later gets them from
 * the next run.
 */
static void
set_id_ranges(DistributeRun *run)
{
	int			nworkers;
	Worker	   *workers;

	query(run, NODE_RANGES_SQL, 0, NULL);
	if (text_value(0, 1) != NULL)
	{
		char	   *commands = text_value(0, 1);
		int			save_nestlevel = NewGUCNestLevel();

		(void) set_config_option("citus.enable_ddl_propagation", "off",
								 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
								 true, 0, false);
		if (SPI_execute(commands, false, 0) < 0)
			elog(ERROR, "SPI_execute failed for \"%s\"", commands);
		AtEOXact_GUC(true, save_nestlevel);
		run->nodes_given_ranges++;
	}
	workers = on_workers(run, NODE_RANGES_SQL, &nworkers);
	for (int i = 0; i < nworkers; i++)
	{
		if (workers[i].result == NULL || workers[i].result[0] == '\0')
			continue;
		on_worker(run, &workers[i],
				  psprintf("set local citus.enable_ddl_propagation = off; %s",
						   workers[i].result));
		run->nodes_given_ranges++;
	}
}

/*
 * turn_notify_off makes routing.notify off by default in this database on
 * every node, where the caller may (the database's owner): a two-phase
 * commit cannot carry a NOTIFY, and on a worker it would reach only that
 * worker's listeners.  Citus carries the coordinator's ALTER DATABASE to
 * every worker in this transaction, and copies the setting to a node added
 * later.  Sessions already connected keep the value they started with.
 */
static void
turn_notify_off(DistributeRun *run)
{
	char	   *alter;

	query(run,
		  "select pg_catalog.quote_ident(b.datname),"
		  " pg_catalog.pg_has_role(b.datdba, 'MEMBER')"
		  " from pg_catalog.pg_database b where b.datname = pg_catalog.current_database()",
		  0, NULL);
	alter = psprintf("alter database %s set routing.notify = off", text_value(0, 1));
	if (!routing_get_bool(0, 2))
	{
		ereport(WARNING,
				(errmsg("routing.notify is left on: only the owner of the database may turn it off for the database"),
				 errhint("Have the owner run %s on the coordinator; without it, a transaction that changes owners in two accounts fails at COMMIT.",
						 alter)));
		return;
	}
	query(run, notify_off_sql, 0, NULL);
	if (strcmp(text_value(0, 1), "true") != 0)
	{
		if (SPI_execute(alter, false, 0) < 0)
			elog(ERROR, "SPI_execute failed for \"%s\"", alter);
		run->notify_turned_off = true;
	}
}

/*
 * distribute is the work of routing.distribute().  Every refusal comes
 * before the first change.
 */
static void
distribute(DistributeRun *run)
{
	refuse_on_worker(run);
	check_tables(run);
	set_id_ranges(run);
	distribute_tables(run);
	delegate_functions(run);
	turn_notify_off(run);
	if (run->tables_distributed + run->functions + run->nodes_given_ranges == 0 &&
		!run->notify_turned_off)
		ereport(NOTICE,
				(errmsg("routing is already distributed: nothing to do"),
				 errdetail("Every routing table is distributed by account_id, every function that takes account_id is delegated, every node's sequences have their id range and routing.notify is off.")));
}

PG_FUNCTION_INFO_V1(routing_distribute);

/*
 * routing_distribute is routing.distribute() (section 15), for a DBA: it
 * is not granted to PUBLIC, and it acts with the caller's rights, which
 * Citus checks (only the tables' owner may distribute them, only the
 * database's owner turn NOTIFY off for it).  Citus's enable_unsafe_triggers
 * is on for the call only (routing's triggers are what route on the
 * shards), and search_path is pinned to pg_catalog, so that the caller's
 * cannot change what the catalog queries mean.  Without Citus it refuses
 * before anything: routing.so loads where Citus is absent and never calls
 * into it.
 */
Datum
routing_distribute(PG_FUNCTION_ARGS)
{
	DistributeRun run = {0};
	int			save_nestlevel;

	if (!OidIsValid(get_extension_oid("citus", true)))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("routing.distribute() needs the citus extension"),
				 errdetail("Extension citus is not installed in this database."),
				 errhint("Run it on the coordinator of a Citus cluster, after CREATE EXTENSION citus and CREATE EXTENSION routing on every node.")));
	run.extension_oid = get_extension_oid("routing", false);
	save_nestlevel = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp",
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
							 true, 0, false);
	(void) set_config_option("citus.enable_unsafe_triggers", "on",
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
							 true, 0, false);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	distribute(&run);
	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed");
	AtEOXact_GUC(true, save_nestlevel);
	PG_RETURN_VOID();
}
