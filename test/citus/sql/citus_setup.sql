-- section 15: after routing.distribute() on the coordinator (test/citus/run
-- ran it once, after CREATE EXTENSION citus and routing on every node and
-- citus_add_node for both workers), as seen through the coordinator.
\set VERBOSITY terse

-- section 15: every table of the extension that holds accounts is
-- hash-distributed by account_id, all of them co-located (announcer, the
-- database's own, stays local on each node)
select count(*) > 0 as has_tables,
       bool_and(p.logicalrelid is not null) as all_distributed,
       bool_and(p.partmethod = 'h') as all_hash,
       bool_and(column_to_column_name(p.logicalrelid, p.partkey) = 'account_id') as all_by_account,
       count(distinct p.colocationid) as colocation_groups
from pg_depend d
join pg_class c on c.oid = d.objid and c.relkind = 'r'
left join pg_dist_partition p on p.logicalrelid = c.oid
where d.classid = 'pg_class'::regclass and d.deptype = 'e'
  and d.refobjid = (select oid from pg_extension where extname = 'routing')
  and exists (select from pg_attribute a where a.attrelid = c.oid and a.attname = 'account_id');

-- section 15: every function of the extension that takes account_id is
-- delegated by it, forced, co-located with conversations; no other is
-- (tick takes no account: it is not delegated)
select 'account_id' = any (p.proargnames) as takes_account_id,
       count(*) > 0 as has_functions,
       bool_and(o.distribution_argument_index is not null
                and p.proargnames[o.distribution_argument_index + 1] = 'account_id'
                and o.force_delegation
                and o.colocationid = (select colocationid from pg_dist_partition
                                      where logicalrelid = 'routing.conversations'::regclass))
           as delegated,
       bool_or(o.distribution_argument_index is not null) as any_delegated
from pg_depend d
join pg_proc p on p.oid = d.objid
left join pg_dist_object o on o.classid = 'pg_proc'::regclass and o.objid = p.oid
where d.classid = 'pg_proc'::regclass and d.deptype = 'e'
  and d.refobjid = (select oid from pg_extension where extname = 'routing')
group by 1 order by 1;

-- section 15: every sequence of the extension has its node's own range of
-- ids on every node, (groupid << 48) + 1 to (groupid + 1) << 48
\set node_ranges 'select format(''group %s: sequences in range: %s'', g.groupid, bool_and(s.seqmin = (g.groupid::int8 << 48) + 1 and s.seqmax = (g.groupid::int8 + 1) << 48)) from pg_depend d join pg_sequence s on s.seqrelid = d.objid, pg_dist_local_group g where d.classid = ''pg_class''::regclass and d.deptype = ''e'' and d.refobjid = (select oid from pg_extension where extname = ''routing'') group by g.groupid'
:node_ranges;
select result from run_command_on_workers(:'node_ranges') order by result;

-- section 15: NOTIFY is off for the database on every node (a new session
-- starts with routing.notify off)
show routing.notify;
select result from run_command_on_workers('show routing.notify');

-- section 15: a second run changes nothing and says so
select routing.distribute();

-- section 15: on a worker it refuses, before it changes anything
select success, result from run_command_on_workers($$
    select routing.distribute()
$$);

-- the accounts the tests use, two by two, each pair on both workers (none on
-- the coordinator, which holds no shards)
select test, count(distinct p.groupid) as workers, min(p.groupid) > 0 as on_workers
from (values ('routing', 1), ('routing', 2), ('queue', 3), ('queue', 4),
             ('triage', 13), ('triage', 14), ('one shard group', 15),
             ('one shard group', 16), ('clock', 19), ('clock', 20)) t (test, account)
join pg_dist_placement p
  on p.shardid = get_shard_id_for_distribution_column('routing.conversations', t.account)
group by test order by test;

-- section 16 on a Citus cluster: tick() does the work of the shard groups
-- placed on the node it runs on; the coordinator holds none, and says so
select routing.tick();
-- the restore functions work on every account at once, and refuse, changing
-- nothing
select routing.pre_restore();
