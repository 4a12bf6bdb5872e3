-- routing 1.8 -> 1.9
\echo Use "ALTER EXTENSION routing UPDATE TO '1.9'" to load this file. \quit

-- issue 21: restores as DBAs run them.  The database owner runs
-- routing.pre_restore() before restoring a dump into empty routing tables
-- (pg_dump | psql, pg_restore, pg_restore -j) and routing.post_restore()
-- after it, without superuser and without session_replication_role: in
-- between every trigger of the routing tables is off, foreign keys
-- included; after, the foreign keys and the books are checked and every
-- account drained.  Each checks that its caller owns the database, so
-- EXECUTE stays with PUBLIC.
create function routing.pre_restore() returns void
    language c as 'MODULE_PATHNAME', 'routing_pre_restore';
create function routing.post_restore() returns bigint
    language c as 'MODULE_PATHNAME', 'routing_post_restore';
comment on function routing.pre_restore() is 'For the database owner, before restoring a dump into empty routing tables: turns their triggers off until routing.post_restore()';
comment on function routing.post_restore() is 'For the database owner, after restoring a dump: turns the triggers on, checks the foreign keys and the books, drains every account; returns how many conversations it assigned';
