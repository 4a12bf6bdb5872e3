-- routing 1.1 -> 1.2: the books (agent_loads) change only through the
-- extension.  A direct INSERT, UPDATE, DELETE or TRUNCATE, by anyone, the
-- extension owner included, is refused: one wrong counter would make every
-- later routing decision wrong.  A row still goes with its agent (ON DELETE
-- CASCADE), and TRUNCATE routing.agents CASCADE empties the books with the
-- agents.  A restore with session_replication_role = replica (as the README
-- says) fires no trigger and is not refused.
\echo Use "ALTER EXTENSION routing UPDATE TO '1.2'" to load this file. \quit

create function routing.books_guard() returns trigger
    language c as 'MODULE_PATHNAME', 'routing_books_guard';
create function routing.books_truncated() returns trigger
    language c as 'MODULE_PATHNAME', 'routing_books_truncated';
revoke execute on function routing.books_guard(), routing.books_truncated() from public;

create trigger books_guard before insert or update or delete on routing.agent_loads
    for each row execute function routing.books_guard();
create trigger books_truncated after truncate on routing.agent_loads
    for each statement execute function routing.books_truncated();

comment on function routing.books_guard() is 'Trigger: only the extension changes agent_loads rows (a row may go with its agent)';
comment on function routing.books_truncated() is 'Trigger: agent_loads may be truncated only together with agents';
