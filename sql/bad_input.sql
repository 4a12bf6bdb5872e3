-- Section 9: bad input is an ERROR with a clear message and a specific
-- SQLSTATE, and nothing changes.
set client_min_messages = warning;
drop extension if exists routing cascade;
create extension routing;
\set VERBOSITY default
\set SHOW_CONTEXT never

\i test/fixtures/bad_input_account.sql
select routing.close_conversation(102);
select routing.assign(200, 1);

-- Everything an error could touch, and a copy to compare with after each one.
create temp view state as
select (select string_agg(format('%s:%s:%s:%s:%s', conversation_id, status,
                                 assignee_agent_id, assignee_team_id, assigned_by),
                          ' ' order by conversation_id)
        from routing.conversations) as conversations,
       (select count(*) from routing.assignment_log) as log_rows,
       (select count(*) from routing.events) as events,
       (select string_agg(format('%s:%s', agent_id, open_chats), ' ' order by agent_id)
        from routing.agent_load) as loads,
       (select string_agg(format('%s:%s', agent_id, status), ' ' order by agent_id)
        from routing.availability) as availability,
       (select string_agg(format('%s:%s:%s', channel_id, kind, name), ' ' order by channel_id)
        from routing.channels) as channels,
       (select string_agg(format('%s:%s:%s', channel_id, enabled, default_agent_id),
                          ' ' order by channel_id)
        from routing.rules) as rules,
       (select string_agg(format('%s:%s', agent_id, hub), ' ' order by agent_id, hub)
        from routing.seats) as seats;
create temp table baseline as select * from state;
\x on
select * from baseline;
\x off
-- After each failing statement: its SQLSTATE, and whether everything is as before.
\set error_and_unchanged 'select :''LAST_ERROR_SQLSTATE'' as sqlstate, not exists (table state except table baseline) as unchanged;'

-- section 9: unknown conversation id (P0002)
select routing.assign(999, 1);
:error_and_unchanged
select routing.assign_team(999, 20);
:error_and_unchanged
select routing.unassign(999);
:error_and_unchanged
select routing.reply(999, 1);
:error_and_unchanged
select routing.route_conversation(999);
:error_and_unchanged
select routing.close_conversation(999);
:error_and_unchanged
select routing.reopen_conversation(999);
:error_and_unchanged
select routing.explain_route(999);
:error_and_unchanged
-- section 9: a conversation id of account 1 is unknown in account 2 (P0002)
select routing.assign(101, 1, account_id => 2);
:error_and_unchanged

-- section 9: unknown agent id (P0002)
select routing.assign(101, 99);
:error_and_unchanged
select routing.reply(101, 99);
:error_and_unchanged
select routing.set_availability(99, 'away');
:error_and_unchanged

-- section 9: unknown team id (P0002)
select routing.assign_team(101, 99);
:error_and_unchanged

-- section 9: unknown ids given to the tables: foreign keys (23503)
insert into routing.conversations (conversation_id, channel_id) values (300, 99);
:error_and_unchanged
update routing.conversations set assignee_agent_id = 99 where conversation_id = 101;
:error_and_unchanged
-- (the same on a chat conversation, whose owner counts in a load)
update routing.conversations set assignee_agent_id = 99 where conversation_id = 100;
:error_and_unchanged
insert into routing.conversations (conversation_id, channel_id, assignee_agent_id)
values (301, 10, 99);
:error_and_unchanged
insert into routing.rule_targets (channel_id, agent_id) values (10, 99);
:error_and_unchanged

-- section 9: NULL arguments (22004)
select routing.assign(null, 1);
:error_and_unchanged
select routing.assign(101, null);
:error_and_unchanged
select routing.assign(101, 1, account_id => null);
:error_and_unchanged
select routing.assign_team(101, null);
:error_and_unchanged
select routing.unassign(null);
:error_and_unchanged
select routing.reply(101, null);
:error_and_unchanged
select routing.route_conversation(null);
:error_and_unchanged
select routing.close_conversation(null);
:error_and_unchanged
select routing.explain_route(null);
:error_and_unchanged
select routing.set_availability(null, 'away');
:error_and_unchanged
select routing.set_availability(1, null);
:error_and_unchanged

-- section 9: a closed conversation cannot be assigned, unassigned or replied to (55000)
select routing.assign(102, 1);
:error_and_unchanged
select routing.assign_team(102, 20);
:error_and_unchanged
select routing.unassign(102);
:error_and_unchanged
select routing.reply(102, 1);
:error_and_unchanged

-- section 9: an inactive agent takes no conversation (55000)
select routing.assign(101, 2);
:error_and_unchanged
select routing.reply(101, 2);
:error_and_unchanged

-- section 9: a bad availability status (22023)
select routing.set_availability(1, 'busy');
:error_and_unchanged
select routing.set_availability(1, 'Away');
:error_and_unchanged

-- section 9: manual assignment outside a restricted inbox's teams (42501)
select routing.assign(200, 6);
:error_and_unchanged
select routing.assign_team(200, 21);
:error_and_unchanged
select routing.reply(200, 6) as owner;  -- owned: a reply changes nothing, no error
update routing.conversations set assignee_agent_id = 6 where conversation_id = 200;
:error_and_unchanged
update routing.conversations set assignee_team_id = 21, assignee_agent_id = null
where conversation_id = 200;
:error_and_unchanged
insert into routing.conversations (conversation_id, channel_id, assignee_agent_id)
values (301, 12, 6);
:error_and_unchanged

-- section 9: a rule naming a default agent without a paid seat (23514)
insert into routing.rules (channel_id, enabled, assign_to, default_agent_id)
values (14, true, 'contact_owner', 3);
:error_and_unchanged
update routing.rules set default_agent_id = 3 where channel_id = 13;
:error_and_unchanged

-- section 9: wrong kinds: an unknown channel kind (23514), and a chat channel
-- turned into an email one (55000)
insert into routing.channels (channel_id, inbox_id, kind) values (15, 1, 'sms');
:error_and_unchanged
update routing.channels set kind = 'email' where channel_id = 10;
:error_and_unchanged

-- section 9: CHECK violations (23514)
insert into routing.seats (agent_id, hub) values (3, 'marketing');
:error_and_unchanged
-- (conversations rows hold clock times: no DETAIL for them)
\set VERBOSITY terse
update routing.conversations set status = 'archived' where conversation_id = 101;
:error_and_unchanged
update routing.conversations set assignee_agent_id = 1, assignee_team_id = 20
where conversation_id = 101;
:error_and_unchanged
\set VERBOSITY default

-- section 9: after all of it, every row is as it was
\x on
select * from state;
\x off
