-- routing 1.9 -> 1.10
\echo Use "ALTER EXTENSION routing UPDATE TO '1.10'" to load this file. \quit

-- On a Citus cluster (issue 24).  The coordinator's ALTER EXTENSION routing
-- UPDATE runs this script on the coordinator, then Citus runs it on every
-- worker, in the same transaction.  Each node changes its own copy of every
-- routing table, and each worker its own shards of them (the block at the
-- end): Citus must not carry a statement on a distributed table to the
-- workers itself, as it would with the whole script as the statement's text
-- ("cannot insert multiple commands into a prepared statement").  The
-- setting's value before is kept for the end.  Without Citus, nothing.
do $$
begin
    if pg_catalog.current_setting('citus.enable_ddl_propagation', true) is not null then
        perform pg_catalog.set_config('routing_upgrade.citus_ddl_propagation',
                                      pg_catalog.current_setting('citus.enable_ddl_propagation'), true);
        set local citus.enable_ddl_propagation = off;
    end if;
end
$$;

-- issue 25: announcements in batches by the clock worker
-- With routing preloaded and the database in routing.clock_databases, a
-- transaction stamps its log rows with its transaction id instead of
-- sending NOTIFY itself, and the clock worker announces the committed rows
-- from its position, kept here; elsewhere xact_id stays NULL and the
-- partial index holds nothing.  The position is the database's own: the
-- one table without account_id, neither dumped nor distributed.
alter table routing.assignment_log add column xact_id pg_catalog.xid8;
create index assignment_log_to_announce on routing.assignment_log (xact_id)
    where xact_id is not null;
create table routing.announcer (
    only_row boolean primary key default true check (only_row),
    position pg_catalog.pg_snapshot not null,
    announced bigint not null default 0,
    at timestamptz
);
-- The position starts at this transaction's snapshot, with this transaction
-- counted as running: rows it writes after the update are announced too.
insert into routing.announcer (position)
select (least(pg_catalog.pg_snapshot_xmin(n.s), n.x)::pg_catalog.text || ':'
        || pg_catalog.pg_snapshot_xmax(n.s)::pg_catalog.text || ':'
        || pg_catalog.array_to_string(array(
               select pg_catalog.pg_snapshot_xip(n.s)
               union
               select n.x where n.x operator(pg_catalog.<) pg_catalog.pg_snapshot_xmax(n.s)
               order by 1), ','))::pg_catalog.pg_snapshot
from (select pg_catalog.pg_current_snapshot() as s, pg_catalog.pg_current_xact_id() as x) n;
comment on column routing.assignment_log.xact_id is 'The transaction that wrote the row, when the clock worker announces it; NULL otherwise';
comment on table routing.announcer is 'The clock worker''s announcement position: the snapshot of its last batch (one row)';

-- On a Citus cluster (issue 24): this worker's shards of the routing tables
-- changed above, changed the same way (each worker runs this for its own
-- placements; the coordinator holds none).  A shard is the table's name and
-- _<shardid>, and so is each of its indexes.  Then Citus's DDL propagation is
-- back to what it was before the script (off when Citus itself runs the
-- script on a worker, or on a node it adds).  Without Citus, nothing.
do $$
declare
    shard_id bigint;
begin
    if pg_catalog.current_setting('citus.enable_ddl_propagation', true) is null then
        return;
    end if;
    perform pg_catalog.set_config('citus.enable_ddl_propagation',
                                  pg_catalog.current_setting('routing_upgrade.citus_ddl_propagation'), true);
    if pg_catalog.to_regclass('pg_catalog.pg_dist_placement') is null then
        return;
    end if;
    for shard_id in
        select s.shardid from pg_catalog.pg_dist_shard s
        join pg_catalog.pg_dist_placement p on p.shardid operator(pg_catalog.=) s.shardid
        join pg_catalog.pg_dist_local_group g on g.groupid operator(pg_catalog.=) p.groupid
        where s.logicalrelid operator(pg_catalog.=) 'routing.assignment_log'::pg_catalog.regclass
        order by s.shardid
    loop
        execute pg_catalog.format('alter table routing.%I add column xact_id pg_catalog.xid8',
                                  'assignment_log_' || shard_id);
        execute pg_catalog.format('create index %I on routing.%I (xact_id) where xact_id is not null',
                                  'assignment_log_to_announce_' || shard_id,
                                  'assignment_log_' || shard_id);
    end loop;
end
$$;
