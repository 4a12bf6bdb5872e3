-- Section 9: an error raised while the extension is at work, caught by the
-- application (a PL/pgSQL EXCEPTION block, or ROLLBACK TO SAVEPOINT), leaves
-- the session as it was before the statement: the same role and security
-- context, the same transaction, usable and able to commit, and nothing of
-- the failed statement left behind.  The errors that need a second session
-- (lock and statement timeouts, a cancel, a deadlock, a serialization
-- failure) are in specs/caught_error_keeps_role.spec.  Also here: the books
-- (agent_loads) change only through the extension, and the per-backend
-- eligibility cache does not outlive a DROP and CREATE EXTENSION.
set client_min_messages = warning;
drop extension if exists routing cascade;
create extension routing;
\set VERBOSITY default
\set SHOW_CONTEXT never
-- Roles are cluster-wide: clear what an interrupted run may have left.
do $$
begin
  if exists (select from pg_roles where rolname = 'routing_test_app') then
    drop owned by routing_test_app;
    drop role routing_test_app;
  end if;
  if exists (select from pg_roles where rolname = 'routing_test_caller') then
    drop owned by routing_test_caller;
    drop role routing_test_caller;
  end if;
end $$;

\i test/fixtures/bad_input_account.sql
select routing.close_conversation(102);
select routing.assign(200, 1);

-- The application role: USAGE on the schema and INSERT on conversations,
-- nothing else.  The caller role: EXECUTE on the manual functions.
create role routing_test_app nologin;
grant usage on schema routing to routing_test_app;
grant insert on routing.conversations to routing_test_app;
create role routing_test_caller nologin;
grant usage on schema routing to routing_test_caller;
grant execute on function routing.assign(bigint, bigint, bigint),
                          routing.route_conversation(bigint, bigint),
                          routing.explain_route(bigint, bigint)
  to routing_test_caller;

-- try(statement) runs the statement in a PL/pgSQL EXCEPTION block and says
-- what it caught: the SQLSTATE and, when the error names one, the column.
create function pg_temp.try(statement text) returns text
    language plpgsql as $$
declare
  column_named text;
begin
  execute statement;
  return 'no error';
exception when others then
  get stacked diagnostics column_named = column_name;
  return sqlstate || coalesce(' column ' || nullif(column_named, ''), '');
end $$;

-- Who the session runs as, after each caught error: the role that ran the
-- statement (the superuser this test connected as, who owns the extension,
-- is shown by that description: its name depends on the machine), the same
-- session user, and no superuser rights unless the caller had them.
select session_user as test_session_user \gset
\set who 'select case when current_user = :''test_session_user'' then ''(the test superuser)'' else current_user::text end as current_user, session_user = :''test_session_user'' as same_session_user, (select rolsuper from pg_roles where rolname = current_user) as superuser;'

-- Everything an error could touch, and a copy to compare with.  The
-- conversations from 400 on are the ones the statements after the errors
-- insert on purpose (they prove the transaction goes on).
create temp view state as
select (select string_agg(format('%s:%s:%s:%s:%s', conversation_id, status,
                                 assignee_agent_id, assignee_team_id, assigned_by),
                          ' ' order by conversation_id)
        from routing.conversations where conversation_id < 400) as conversations,
       (select count(*) from routing.assignment_log) as log_rows,
       (select count(*) from routing.events) as events,
       (select string_agg(format('%s:%s:%s', agent_id, open_chats, version), ' '
                          order by agent_id)
        from routing.agent_loads) as loads,
       (select string_agg(format('%s:%s:%s', channel_id, enabled, default_agent_id),
                          ' ' order by channel_id)
        from routing.rules) as rules;
create temp table baseline as select * from state;
\x on
select * from baseline;
\x off

-- section 9: the application role (SET ROLE), errors caught by an EXCEPTION
-- block.  Each statement runs the extension's triggers, at work as the
-- extension owner; the first three errors are raised by them, the last two
-- by PostgreSQL after them.
begin;
set local role routing_test_app;
:who
-- an unknown channel (23503)
select pg_temp.try($$insert into routing.conversations (conversation_id, channel_id)
                     values (300, 99)$$) as caught;
:who
-- a NULL channel (23502, naming the column)
select pg_temp.try($$insert into routing.conversations (conversation_id, channel_id)
                     values (300, null)$$) as caught;
:who
-- an owner outside the restricted inbox's teams (42501)
select pg_temp.try($$insert into routing.conversations (conversation_id, channel_id,
                                                        assignee_agent_id)
                     values (300, 12, 6)$$) as caught;
:who
-- an agent and a team at once, on a chat (23514)
select pg_temp.try($$insert into routing.conversations (conversation_id, channel_id,
                                                        assignee_agent_id, assignee_team_id)
                     values (300, 10, 1, 20)$$) as caught;
:who
-- a chat routed by channel 10's rule, then a unique violation (23505)
select pg_temp.try($$insert into routing.conversations (conversation_id, channel_id)
                     values (300, 10), (100, 10)$$) as caught;
:who
-- section 9: the transaction goes on (an e-mail of channel 11, which has
-- no rule), and commits
insert into routing.conversations (conversation_id, channel_id) values (400, 11);
commit;
:who
-- nothing of the failed statements is left: conversation 400 alone is new
select conversation_id, channel_id, assignee_agent_id
from routing.conversations where conversation_id >= 300 order by conversation_id;
select * from state except select * from baseline;

-- section 9: the same errors, caught by ROLLBACK TO SAVEPOINT
begin;
set local role routing_test_app;
savepoint s;
insert into routing.conversations (conversation_id, channel_id) values (300, 99);
rollback to savepoint s;
:who
insert into routing.conversations (conversation_id, channel_id) values (300, null);
\echo :LAST_ERROR_SQLSTATE
rollback to savepoint s;
:who
insert into routing.conversations (conversation_id, channel_id, assignee_agent_id)
values (300, 12, 6);
rollback to savepoint s;
:who
\set VERBOSITY terse
insert into routing.conversations (conversation_id, channel_id, assignee_agent_id,
                                   assignee_team_id)
values (300, 10, 1, 20);
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
rollback to savepoint s;
:who
insert into routing.conversations (conversation_id, channel_id) values (300, 10), (100, 10);
rollback to savepoint s;
:who
insert into routing.conversations (conversation_id, channel_id) values (401, 11);
commit;
:who
select conversation_id, channel_id, assignee_agent_id
from routing.conversations where conversation_id >= 300 order by conversation_id;
select * from state except select * from baseline;

-- section 9: a role with EXECUTE on the functions, errors raised inside
-- them, caught by an EXCEPTION block and by ROLLBACK TO SAVEPOINT
begin;
set local role routing_test_caller;
-- an unknown conversation (P0002)
select pg_temp.try($$select routing.assign(999, 1)$$) as caught;
:who
-- an agent outside the restricted inbox's teams (42501)
select pg_temp.try($$select routing.assign(200, 6)$$) as caught;
:who
-- a closed conversation (55000)
select pg_temp.try($$select routing.assign(102, 1)$$) as caught;
:who
-- NULL arguments (22004)
select pg_temp.try($$select routing.route_conversation(null)$$) as caught;
:who
savepoint s;
select routing.assign(999, 1);
rollback to savepoint s;
:who
select routing.assign(200, 6);
rollback to savepoint s;
:who
select routing.assign(102, 1);
rollback to savepoint s;
:who
-- section 9: the transaction goes on, and commits
select routing.explain_route(101) ->> 'method' as method;
commit;
:who
select * from state except select * from baseline;

-- section 9: the extension owner itself (a superuser): the same session
-- afterwards, and nothing changed.  A rule naming a default agent without
-- a paid seat (23514), from the extension's trigger on rules:
begin;
select pg_temp.try($$update routing.rules set default_agent_id = 3
                     where channel_id = 13$$) as caught;
:who
savepoint s;
update routing.rules set default_agent_id = 3 where channel_id = 13;
rollback to savepoint s;
:who
commit;
select * from state except select * from baseline;

-- section 9: the books.  Nobody changes agent_loads by hand, not even the
-- superuser who owns the extension (42501); the counters stay as they were.
update routing.agent_loads set open_chats = 7;
\echo :LAST_ERROR_SQLSTATE
delete from routing.agent_loads;
\echo :LAST_ERROR_SQLSTATE
delete from routing.agent_loads where agent_id = 6;
\echo :LAST_ERROR_SQLSTATE
insert into routing.agent_loads (agent_id) values (7);
\echo :LAST_ERROR_SQLSTATE
truncate routing.agent_loads;
\echo :LAST_ERROR_SQLSTATE
-- (also when caught: the guard leaves the session as it was)
select pg_temp.try($$update routing.agent_loads set open_chats = 7$$) as caught;
:who
select * from state except select * from baseline;
select agent_id, open_chats from routing.agent_loads order by agent_id;
-- section 9: a load row still goes with its agent (an agent without
-- conversations), and TRUNCATE of agents CASCADE still empties the books
delete from routing.agents where agent_id = 6;
select agent_id, open_chats from routing.agent_loads order by agent_id;
truncate routing.agents cascade;
select count(*) as agents, (select count(*) from routing.agent_loads) as loads
from routing.agents;

-- section 9 (issue 8): the eligibility checks this backend cached do not
-- outlive DROP and CREATE EXTENSION in the same session.  Route in an account
-- where agents 1 and 2 are both available; then build the same account again
-- with agent 1 away: every chat goes to agent 2.
drop extension routing cascade;
create extension routing;
insert into routing.agents (agent_id, name) values (1, 'Ann'), (2, 'Bob');
insert into routing.seats (agent_id, hub) values (1, 'service'), (2, 'service');
insert into routing.availability (agent_id, status) values (1, 'available'), (2, 'available');
insert into routing.inboxes (inbox_id, name) values (1, 'Help');
insert into routing.channels (channel_id, inbox_id, kind) values (1, 1, 'chat');
insert into routing.rules (channel_id, enabled) values (1, true);
insert into routing.rule_targets (channel_id, agent_id) values (1, 1), (1, 2);
insert into routing.conversations (channel_id) select 1 from generate_series(1, 4);
select assignee_agent_id, count(*) from routing.conversations group by 1 order by 1;
drop extension routing cascade;
create extension routing;
insert into routing.agents (agent_id, name) values (1, 'Ann'), (2, 'Bob');
insert into routing.seats (agent_id, hub) values (1, 'service'), (2, 'service');
insert into routing.availability (agent_id, status) values (1, 'away'), (2, 'available');
insert into routing.inboxes (inbox_id, name) values (1, 'Help');
insert into routing.channels (channel_id, inbox_id, kind) values (1, 1, 'chat');
insert into routing.rules (channel_id, enabled) values (1, true);
insert into routing.rule_targets (channel_id, agent_id) values (1, 1), (1, 2);
insert into routing.conversations (channel_id) select 1 from generate_series(1, 12);
select assignee_agent_id, count(*) from routing.conversations group by 1 order by 1;

-- Roles are cluster-wide: leave none behind.
drop owned by routing_test_app, routing_test_caller;
drop role routing_test_app;
drop role routing_test_caller;
select count(*) as leftover_roles from pg_roles where rolname like 'routing\_test\_%';
