-- routing 1.9 -> 1.10
\echo Use "ALTER EXTENSION routing UPDATE TO '1.10'" to load this file. \quit

-- issue 25: announcements in batches by the clock worker
-- With routing preloaded and the database in routing.clock_databases, a
-- transaction stamps its log rows with its transaction id instead of
-- sending NOTIFY itself, and the clock worker announces the committed rows
-- from its position, kept here; elsewhere xact_id stays NULL and the
-- partial index holds nothing.
alter table routing.assignment_log add column xact_id pg_catalog.xid8;
create index assignment_log_to_announce on routing.assignment_log (xact_id)
    where xact_id is not null;
create table routing.announcer (
    only_row boolean primary key default true check (only_row),
    position pg_catalog.pg_snapshot not null,
    announced bigint not null default 0,
    at timestamptz
);
insert into routing.announcer (position) values (pg_catalog.pg_current_snapshot());
comment on column routing.assignment_log.xact_id is 'The transaction that wrote the row, when the clock worker announces it; NULL otherwise';
comment on table routing.announcer is 'The clock worker''s announcement position: the snapshot of its last batch (one row)';
