-- Section 9 in pgTAP: every bad input is an ERROR with its SQLSTATE and
-- message, and nothing changes.
begin;
set local client_min_messages = warning;
create extension routing;
select plan(63);

\ir fixtures/bad_input_account.sql
do $$
begin
    perform routing.close_conversation(102);
    perform routing.assign(200, 1);
end
$$;

-- Everything an error could touch, as one text, and its value now.
create temp view state (snapshot) as
select concat_ws(' | ',
    (select string_agg(format('%s:%s:%s:%s:%s', conversation_id, status,
                              assignee_agent_id, assignee_team_id, assigned_by),
                       ' ' order by conversation_id) from routing.conversations),
    (select count(*) from routing.assignment_log),
    (select count(*) from routing.events),
    (select string_agg(format('%s:%s', agent_id, open_chats), ' ' order by agent_id)
     from routing.agent_load),
    (select string_agg(format('%s:%s', agent_id, status), ' ' order by agent_id)
     from routing.availability),
    (select string_agg(format('%s:%s', channel_id, kind), ' ' order by channel_id)
     from routing.channels),
    (select string_agg(format('%s:%s:%s', channel_id, enabled, default_agent_id),
                       ' ' order by channel_id) from routing.rules),
    (select string_agg(format('%s:%s', agent_id, hub), ' ' order by agent_id, hub)
     from routing.seats),
    (select count(*) from routing.rule_targets));
create temp table baseline as select snapshot from state;

select is((select snapshot from baseline),
          '100:open:1::rule 101:open::: 102:closed:1::rule 200:open:1::manual | 3 | 0'
          ' | 1:2 2:0 3:0 6:0 | 1:available | 10:chat 11:email 12:chat 13:chat 14:chat'
          ' | 10:t: 13:t:1 | 1:service 2:service | 1',
          'section 9: the starting state');

-- section 9: unknown conversation id (P0002)
select throws_ok('select routing.assign(999, 1)', 'P0002',
    'conversation 999 does not exist in account 1', 'section 9: assign, unknown conversation');
select throws_ok('select routing.assign_team(999, 20)', 'P0002',
    'conversation 999 does not exist in account 1', 'section 9: assign_team, unknown conversation');
select throws_ok('select routing.unassign(999)', 'P0002',
    'conversation 999 does not exist in account 1', 'section 9: unassign, unknown conversation');
select throws_ok('select routing.reply(999, 1)', 'P0002',
    'conversation 999 does not exist in account 1', 'section 9: reply, unknown conversation');
select throws_ok('select routing.route_conversation(999)', 'P0002',
    'conversation 999 does not exist in account 1', 'section 9: route_conversation, unknown conversation');
select throws_ok('select routing.close_conversation(999)', 'P0002',
    'conversation 999 does not exist in account 1', 'section 9: close_conversation, unknown conversation');
select throws_ok('select routing.reopen_conversation(999)', 'P0002',
    'conversation 999 does not exist in account 1', 'section 9: reopen_conversation, unknown conversation');
select throws_ok('select routing.explain_route(999)', 'P0002',
    'conversation 999 does not exist in account 1', 'section 9: explain_route, unknown conversation');
select throws_ok('select routing.assign(101, 1, account_id => 2)', 'P0002',
    'conversation 101 does not exist in account 2', 'section 9: a conversation of account 1 is unknown in account 2');
select is((select snapshot from state), (select snapshot from baseline),
    'section 9: unknown conversations change nothing');

-- section 9: unknown agent and team ids (P0002)
select throws_ok('select routing.assign(101, 99)', 'P0002',
    'agent 99 does not exist in account 1', 'section 9: assign, unknown agent');
select throws_ok('select routing.reply(101, 99)', 'P0002',
    'agent 99 does not exist in account 1', 'section 9: reply, unknown agent');
select throws_ok($$select routing.set_availability(99, 'away')$$, 'P0002',
    'agent 99 does not exist in account 1', 'section 9: set_availability, unknown agent');
select throws_ok('select routing.assign_team(101, 99)', 'P0002',
    'team 99 does not exist in account 1', 'section 9: assign_team, unknown team');
select is((select snapshot from state), (select snapshot from baseline),
    'section 9: unknown agents and teams change nothing');

-- section 9: unknown ids given to the tables: foreign keys (23503)
select throws_ok('insert into routing.conversations (conversation_id, channel_id) values (300, 99)',
    '23503', 'channel 99 does not exist in account 1', 'section 9: a conversation on an unknown channel');
select throws_ok('update routing.conversations set assignee_agent_id = 99 where conversation_id = 101',
    '23503', NULL, 'section 9: a plain UPDATE to an unknown agent (email conversation)');
select throws_ok('update routing.conversations set assignee_agent_id = 99 where conversation_id = 100',
    '23503', NULL, 'section 9: a plain UPDATE to an unknown agent (chat conversation)');
select throws_ok('insert into routing.rule_targets (channel_id, agent_id) values (10, 99)',
    '23503', NULL, 'section 9: a rule target that is no agent');
select is((select snapshot from state), (select snapshot from baseline),
    'section 9: foreign key violations change nothing');

-- section 9: NULL arguments (22004)
select throws_ok('select routing.assign(null, 1)', '22004',
    'conversation_id must not be null', 'section 9: assign, NULL conversation');
select throws_ok('select routing.assign(101, null)', '22004',
    'agent_id must not be null', 'section 9: assign, NULL agent');
select throws_ok('select routing.assign(101, 1, account_id => null)', '22004',
    'account_id must not be null', 'section 9: assign, NULL account');
select throws_ok('select routing.assign_team(101, null)', '22004',
    'team_id must not be null', 'section 9: assign_team, NULL team');
select throws_ok('select routing.unassign(null)', '22004',
    'conversation_id must not be null', 'section 9: unassign, NULL conversation');
select throws_ok('select routing.reply(101, null)', '22004',
    'agent_id must not be null', 'section 9: reply, NULL agent');
select throws_ok('select routing.route_conversation(null)', '22004',
    'conversation_id must not be null', 'section 9: route_conversation, NULL conversation');
select throws_ok('select routing.close_conversation(null)', '22004',
    'conversation_id must not be null', 'section 9: close_conversation, NULL conversation');
select throws_ok('select routing.explain_route(null)', '22004',
    NULL, 'section 9: explain_route, NULL conversation');
select throws_ok($$select routing.set_availability(null, 'away')$$, '22004',
    'agent_id must not be null', 'section 9: set_availability, NULL agent');
select throws_ok('select routing.set_availability(1, null)', '22004',
    'status must not be null', 'section 9: set_availability, NULL status');
select is((select snapshot from state), (select snapshot from baseline),
    'section 9: NULL arguments change nothing');

-- section 9: a closed conversation (55000)
select throws_ok('select routing.assign(102, 1)', '55000',
    'cannot assign conversation 102: it is closed', 'section 9: assign, closed conversation');
select throws_ok('select routing.assign_team(102, 20)', '55000',
    'cannot assign conversation 102: it is closed', 'section 9: assign_team, closed conversation');
select throws_ok('select routing.unassign(102)', '55000',
    'cannot unassign conversation 102: it is closed', 'section 9: unassign, closed conversation');
select throws_ok('select routing.reply(102, 1)', '55000',
    'cannot reply to conversation 102: it is closed', 'section 9: reply, closed conversation');
select is((select snapshot from state), (select snapshot from baseline),
    'section 9: closed conversations change nothing');

-- section 9: an inactive agent (55000)
select throws_ok('select routing.assign(101, 2)', '55000',
    'agent 2 of account 1 is inactive', 'section 9: assign, inactive agent');
select throws_ok('select routing.reply(101, 2)', '55000',
    'agent 2 of account 1 is inactive', 'section 9: reply, inactive agent');
select is((select snapshot from state), (select snapshot from baseline),
    'section 9: inactive agents change nothing');

-- section 9: a bad availability status (22023)
select throws_ok($$select routing.set_availability(1, 'busy')$$, '22023',
    NULL, 'section 9: set_availability, unknown status');
select throws_ok($$select routing.set_availability(1, 'Away')$$, '22023',
    NULL, 'section 9: set_availability, status in the wrong case');
select is((select snapshot from state), (select snapshot from baseline),
    'section 9: bad availability statuses change nothing');

-- section 9: manual assignment outside a restricted inbox's teams (42501)
select throws_ok('select routing.assign(200, 6)', '42501',
    'agent 6 has no access to restricted inbox 2 of conversation 200',
    'section 9: assign, agent without access');
select throws_ok('select routing.assign_team(200, 21)', '42501',
    'team 21 has no access to restricted inbox 2 of conversation 200',
    'section 9: assign_team, team without access');
select throws_ok('update routing.conversations set assignee_agent_id = 6 where conversation_id = 200',
    '42501', 'agent 6 has no access to restricted inbox 2 of conversation 200',
    'section 9: plain UPDATE, agent without access');
select throws_ok('insert into routing.conversations (conversation_id, channel_id, assignee_agent_id)'
                 ' values (301, 12, 6)',
    '42501', 'agent 6 has no access to restricted inbox 2 of conversation 301',
    'section 9: INSERT with an owner without access');
select is((select snapshot from state), (select snapshot from baseline),
    'section 9: refused restricted-inbox assignments change nothing');

-- section 9: a rule naming a default agent without a paid seat (23514)
select throws_ok($$insert into routing.rules (channel_id, enabled, assign_to, default_agent_id)
                   values (14, true, 'contact_owner', 3)$$, '23514',
    NULL, 'section 9: new rule, default agent without a seat');
select throws_ok('update routing.rules set default_agent_id = 3 where channel_id = 13', '23514',
    NULL, 'section 9: changed rule, default agent without a seat');
select is((select snapshot from state), (select snapshot from baseline),
    'section 9: refused default agents change nothing');

-- section 9: wrong kinds
select throws_ok($$insert into routing.channels (channel_id, inbox_id, kind) values (15, 1, 'sms')$$,
    '23514', NULL, 'section 9: unknown channel kind');
select throws_ok($$update routing.channels set kind = 'email' where channel_id = 10$$,
    '55000', NULL, 'section 9: a chat channel cannot become an email channel');
select throws_ok($$update routing.channels set kind = 'chat' where channel_id = 11$$,
    '55000', NULL, 'section 9: an email channel cannot become a chat channel');
select is((select snapshot from state), (select snapshot from baseline),
    'section 9: wrong kinds change nothing');

-- section 9: CHECK violations (23514)
select throws_ok($$insert into routing.seats (agent_id, hub) values (3, 'marketing')$$,
    '23514', NULL, 'section 9: unknown hub');
select throws_ok($$update routing.conversations set status = 'archived' where conversation_id = 101$$,
    '23514', NULL, 'section 9: unknown conversation status');
select throws_ok('update routing.conversations set assignee_agent_id = 1, assignee_team_id = 20'
                 ' where conversation_id = 101',
    '23514', NULL, 'section 9: an agent and a team at once');
select throws_ok('insert into routing.rule_targets (channel_id, agent_id, team_id) values (10, 1, 20)',
    '23514', NULL, 'section 9: a rule target that is both an agent and a team');
select is((select snapshot from state), (select snapshot from baseline),
    'section 9: CHECK violations change nothing');

-- section 9: a plain UPDATE that claims the rule chose an agent without access
-- is still manual assignment outside the inbox (42501); last, because were it
-- let through it would change the state
select throws_ok($$update routing.conversations set assignee_agent_id = 6, assigned_by = 'rule'
                   where conversation_id = 200$$,
    '42501', 'agent 6 has no access to restricted inbox 2 of conversation 200',
    'section 9: plain UPDATE claiming assigned_by rule, agent without access');
select is((select snapshot from state), (select snapshot from baseline),
    'section 9: a refused UPDATE claiming the rule changes nothing');

select * from finish();
rollback;
