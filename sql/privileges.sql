-- Section 11: a role that may only INSERT into routing.conversations gets
-- routed rows; routing reads the other tables with the extension owner's
-- rights, schema-qualified, immune to the caller's search_path.
set client_min_messages = warning;
drop extension if exists routing cascade;
create extension routing;
\set VERBOSITY default
\set SHOW_CONTEXT never
-- Roles are cluster-wide: clear what an interrupted run may have left.
drop role if exists routing_test_app;
drop role if exists routing_test_admin;

insert into routing.agents (agent_id, name) values (1, 'Ann'), (2, 'Bob');
insert into routing.seats (agent_id, hub) values (1, 'service'), (2, 'service');
select routing.set_availability(1, 'available');
select routing.set_availability(2, 'available');
insert into routing.teams (team_id, name) values (20, 'Support');
insert into routing.team_members (team_id, agent_id, role) values (20, 2, 'primary');
insert into routing.inboxes (inbox_id, name) values (1, 'Help');
-- 10: chat, least busy among agents 1 and 2; 11: email, team 20 (only Bob)
insert into routing.channels (channel_id, inbox_id, kind) values (10, 1, 'chat'), (11, 1, 'email');
insert into routing.rules (channel_id, enabled) values (10, true), (11, true);
insert into routing.rule_targets (channel_id, agent_id) values (10, 1), (10, 2);
insert into routing.rule_targets (channel_id, team_id) values (11, 20);

-- The application role: USAGE on the schema, INSERT and SELECT on conversations.
create role routing_test_app nologin;
grant usage on schema routing to routing_test_app;
grant insert, select on routing.conversations to routing_test_app;
-- section 11: it holds nothing on the tables routing reads
select t.table_name,
       has_table_privilege('routing_test_app', 'routing.' || t.table_name, 'select') as can_select
from (values ('agents'), ('seats'), ('availability'), ('teams'), ('team_members'),
             ('inboxes'), ('inbox_access'), ('channels'), ('rules'), ('rule_targets'),
             ('contacts'), ('agent_loads'), ('assignment_log'), ('conversations')) t(table_name)
order by t.table_name;

-- A hostile schema, made by the application role itself: an `=` for
-- bigint that fails loudly whoever calls it, and fake agents and loads.
create schema evil authorization routing_test_app;
set role routing_test_app;
create function evil.bigint_eq(bigint, bigint) returns boolean
    language plpgsql as $$ begin raise exception 'evil = called as %', current_user; end $$;
create operator evil.= (leftarg = bigint, rightarg = bigint, function = evil.bigint_eq);
create table evil.agents (account_id bigint default 1, agent_id bigint, name text,
                          active boolean default true);
insert into evil.agents (agent_id, name) values (666, 'Mallory');
create table evil.agent_loads (account_id bigint default 1, agent_id bigint,
                               open_chats integer default 0, last_chat_at timestamptz,
                               version bigint default 0);
insert into evil.agent_loads (agent_id) values (666);
reset role;

-- A new session, so that routing prepares its statements for the first time
-- under the hostile search_path.
\c
set client_min_messages = warning;
set role routing_test_app;
set search_path = evil, pg_catalog;
-- the trap is armed: a bigint comparison in this session calls evil.=
select 1::bigint = 1::bigint;
\echo :LAST_ERROR_SQLSTATE

-- section 11: INSERT as the application role routes the row, hostile search_path or not
insert into routing.conversations (channel_id) values (10)
returning conversation_id, assignee_agent_id, assigned_by;
insert into routing.conversations (channel_id) values (10)
returning conversation_id, assignee_agent_id, assigned_by;
-- (routed through team 20's primary member)
insert into routing.conversations (channel_id) values (11)
returning conversation_id, assignee_agent_id, assigned_by;

-- section 11: the same with an ordinary search_path: the least recently assigned of
-- the two agents with one chat each
reset search_path;
insert into routing.conversations (channel_id) values (10)
returning conversation_id, assignee_agent_id, assigned_by;
-- and hostile again: the kept plans are checked again, not trusted
set search_path = evil, pg_catalog;
insert into routing.conversations (channel_id) values (10)
returning conversation_id, assignee_agent_id, assigned_by;
reset search_path;

-- section 11: the role cannot read what routing read for it
select agent_id, name from routing.agents;
\echo :LAST_ERROR_SQLSTATE
select agent_id from routing.seats;
\echo :LAST_ERROR_SQLSTATE
select agent_id, status from routing.availability;
\echo :LAST_ERROR_SQLSTATE
select agent_id from routing.team_members;
\echo :LAST_ERROR_SQLSTATE
select agent_id, open_chats from routing.agent_load;
\echo :LAST_ERROR_SQLSTATE
-- nor change an owner by hand: it holds no UPDATE
update routing.conversations set assignee_agent_id = 2 where conversation_id = 1;
\echo :LAST_ERROR_SQLSTATE
-- it reads its own rows
select conversation_id, channel_id, assignee_agent_id, assigned_by, assigned_reason
from routing.conversations order by conversation_id;
reset role;

-- section 11: the books the role could not see are exact
select agent_id, open_chats, last_assigned_at is not null as was_assigned
from routing.agent_load order by agent_id;
select conversation_id, to_agent_id, assigned_by, reason
from routing.assignment_log order by log_id;
-- the fake agent was never seen
select agent_id, name from evil.agents;
select count(*) as owned_by_fake_agent from routing.conversations where assignee_agent_id = 666;

-- section 11: a superuser with the hostile search_path runs every function
-- without ever calling evil.= with superuser rights
set search_path = evil, pg_catalog;
select routing.assign(1, 2);
select routing.unassign(2);
select routing.reply(2, 1) as owner;
select routing.assign_team(3, 20);
select routing.unassign(3);
select routing.route_conversation(3) as owner;
select routing.close_conversation(4);
select routing.reopen_conversation(4);
select routing.set_availability(1, 'away');
select routing.explain_route(5) ->> 'method' as method;
insert into routing.conversations (channel_id) values (10)
returning conversation_id, assignee_agent_id, assigned_by;
reset search_path;
select conversation_id, status, assignee_agent_id, assignee_team_id, assigned_by
from routing.conversations order by conversation_id;
select agent_id, open_chats from routing.agent_load order by agent_id;

-- section 11: a role with only INSERT on teams and team_members makes a
-- team and its primary member; the team's members_version (1.5) moves with
-- sequence values only the extension owner takes, so it needs no grant
create role routing_test_admin nologin;
grant usage on schema routing to routing_test_admin;
grant insert on routing.teams, routing.team_members to routing_test_admin;
set role routing_test_admin;
insert into routing.teams (team_id, name) values (99, 'Night shift');
insert into routing.team_members (team_id, agent_id, role) values (99, 1, 'primary');
reset role;
select team_id, members_version > 0 as moved from routing.teams where team_id = 99;

-- Roles are cluster-wide: leave none behind.
drop schema evil cascade;
drop owned by routing_test_app;
drop role routing_test_app;
drop owned by routing_test_admin;
drop role routing_test_admin;
select count(*) as leftover_roles from pg_roles where rolname like 'routing\_test\_%';
