-- Section 9 (and issue 21): routing.pre_restore() and routing.post_restore()
-- let the database owner restore a dump without superuser; bad input and
-- bad restores are clear errors that change nothing.  (test/dump/run
-- restores real dumps with psql, pg_restore and pg_restore -j 2.)
set client_min_messages = warning;
drop extension if exists routing cascade;
create extension routing;
drop role if exists routing_test_stranger;
create role routing_test_stranger nologin;
grant usage on schema routing to routing_test_stranger;

-- Only the database owner (or a superuser) may start or end a restore.
set role routing_test_stranger;
select routing.pre_restore();
select routing.post_restore();
reset role;
-- They switch the foreign keys as the extension's owner (the owner of
-- schema routing), who must be a superuser.
alter schema routing owner to routing_test_stranger;
select routing.pre_restore();
alter schema routing owner to current_user;
select count(*) filter (where t.tgenabled = 'D') as disabled_triggers
from pg_trigger t join pg_class c on c.oid = t.tgrelid
where c.relnamespace = 'routing'::regnamespace;

-- A restore with the triggers on: the first row only a restore writes
-- (a load row) is refused, and the hint says what to run.
insert into routing.agents (agent_id, name) values (1, 'Ann');
insert into routing.agent_loads (agent_id, active) values (2, true);
-- pre_restore refuses tables that hold rows already, and changes nothing.
select routing.pre_restore();
select count(*) filter (where t.tgenabled = 'D') as disabled_triggers
from pg_trigger t join pg_class c on c.oid = t.tgrelid
where c.relnamespace = 'routing'::regnamespace;
delete from routing.agents;

-- pre_restore turns every trigger of the routing tables off, the foreign
-- keys' included, as pg_restore --disable-triggers would.
select routing.pre_restore();
select count(*) filter (where t.tgenabled <> 'D') as enabled_triggers,
       count(*) filter (where t.tgisinternal) > 0 as foreign_keys_off_too
from pg_trigger t join pg_class c on c.oid = t.tgrelid
where c.relnamespace = 'routing'::regnamespace;

-- A restore that leaves a log row without its conversation: post_restore
-- names the foreign key, and the triggers stay off.
insert into routing.assignment_log (conversation_id, to_agent_id, assigned_by) values (7, 1, 'rule');
select routing.post_restore();
select count(*) filter (where t.tgenabled <> 'D') as enabled_triggers
from pg_trigger t join pg_class c on c.oid = t.tgrelid
where c.relnamespace = 'routing'::regnamespace;
delete from routing.assignment_log;

-- Rows as a dump holds them, but books that do not count the
-- conversations (Bob's load row says no chat, conversation 2 is his open
-- chat): post_restore names the first wrong one.
insert into routing.agents (agent_id, name) values (1, 'Ann'), (2, 'Bob');
insert into routing.seats (agent_id, hub) values (1, 'sales'), (2, 'sales');
insert into routing.availability (agent_id, status) values (1, 'available'), (2, 'available');
insert into routing.inboxes (inbox_id, name) values (1, 'help');
insert into routing.channels (channel_id, inbox_id, kind) values (1, 1, 'chat');
insert into routing.rules (channel_id, enabled, when_nobody) values (1, true, 'queue');
insert into routing.rule_targets (channel_id, agent_id) values (1, 1), (1, 2);
insert into routing.capacities (agent_id, work, max_open) values (1, 'chat', 1), (2, 'chat', 1);
insert into routing.agent_loads (agent_id, open_chats, chat_capacity, active, has_seat, available)
    values (1, 1, 1, true, true, true), (2, 0, 1, true, true, true);
insert into routing.conversations
    (conversation_id, channel_id, assignee_agent_id, assigned_by, assigned_at, load_agent_id)
    values (1, 1, 1, 'rule', now(), 1), (2, 1, 2, 'rule', now(), 2);
-- and a chat waiting in channel 1's queue
insert into routing.conversations (conversation_id, channel_id) values (3, 1);
select routing.post_restore();
-- An agent without a load row, and an open conversation not counted.
delete from routing.agent_loads where agent_id = 2;
select routing.post_restore();
insert into routing.agent_loads (agent_id, open_chats, chat_capacity, active, has_seat, available)
    values (2, 1, 1, true, true, true);
update routing.conversations set load_agent_id = null where conversation_id = 2;
select routing.post_restore();
update routing.conversations set load_agent_id = 2 where conversation_id = 2;

-- A log row dumped where a clock worker announced (section 8) carries that
-- cluster's transaction id: post_restore forgets it, so that this
-- database's worker does not announce history.
insert into routing.assignment_log (conversation_id, to_agent_id, assigned_by, xact_id)
    values (1, 1, 'manual', '4000000000');

-- Books that count the conversations: post_restore turns the triggers on,
-- drains (nobody has room: 0 assigned) and routing goes on: closing Ann's
-- chat gives her the waiting one.
select routing.post_restore() as assigned;
select count(*) as stamped_log_rows from routing.assignment_log where xact_id is not null;
select count(*) filter (where t.tgenabled = 'D') as disabled_triggers
from pg_trigger t join pg_class c on c.oid = t.tgrelid
where c.relnamespace = 'routing'::regnamespace;
select routing.close_conversation(1);
select conversation_id, assignee_agent_id, status from routing.conversations order by conversation_id;
select agent_id, open_chats from routing.agent_load order by agent_id;
drop extension routing cascade;
drop owned by routing_test_stranger;
drop role routing_test_stranger;
