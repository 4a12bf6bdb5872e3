-- Section 10: every row belongs to an account; routing, manual assignment,
-- access and counters never cross accounts, even with the same ids.
set client_min_messages = warning;
drop extension if exists routing cascade;
create extension routing;
\set VERBOSITY default
\set SHOW_CONTEXT never

-- Two accounts with the same agent, team, inbox and channel ids.
-- Agent 3 (account 1 only) and agent 4 (account 2 only) exist in one account.
insert into routing.agents (account_id, agent_id, name) values
    (1, 1, 'Ann'), (1, 2, 'Bob'), (1, 3, 'Cid'),
    (2, 1, 'Xia'), (2, 2, 'Yan'), (2, 4, 'Zoe');
insert into routing.seats (account_id, agent_id, hub) values
    (1, 1, 'service'), (1, 2, 'service'), (2, 1, 'sales'), (2, 2, 'sales');
select routing.set_availability(1, 'available');
select routing.set_availability(2, 'available');
select routing.set_availability(1, 'available', account_id => 2);
select routing.set_availability(2, 'available', account_id => 2);
insert into routing.teams (account_id, team_id, name) values (1, 20, 'Support'), (2, 20, 'Support');
insert into routing.inboxes (account_id, inbox_id, name, access) values
    (1, 1, 'Help', 'everyone'), (1, 2, 'VIP', 'restricted'),
    (2, 1, 'Help', 'everyone'), (2, 2, 'VIP', 'restricted');
-- Account 1's restricted inbox admits agent 1 by name; account 2's admits team 20.
insert into routing.inbox_access (account_id, inbox_id, agent_id) values (1, 2, 1);
insert into routing.inbox_access (account_id, inbox_id, team_id) values (2, 2, 20);
-- 10: chat with an enabled rule for agents 1 and 2; 11: email, no rule;
-- 12: chat on the restricted inbox, no rule.  Same in both accounts.
insert into routing.channels (account_id, channel_id, inbox_id, kind) values
    (1, 10, 1, 'chat'), (1, 11, 1, 'email'), (1, 12, 2, 'chat'),
    (2, 10, 1, 'chat'), (2, 11, 1, 'email'), (2, 12, 2, 'chat');
insert into routing.rules (account_id, channel_id, enabled) values (1, 10, true), (2, 10, true);
insert into routing.rule_targets (account_id, channel_id, agent_id) values
    (1, 10, 1), (1, 10, 2), (2, 10, 1), (2, 10, 2);
select account_id, agent_id, name from routing.agents order by account_id, agent_id;

-- section 10: a row that names no account belongs to account 1
insert into routing.conversations (conversation_id, channel_id) values (100, 11)
returning account_id, conversation_id, assignee_agent_id;

-- section 10: routing in account 1 counts only account 1's chats
insert into routing.conversations (account_id, conversation_id, channel_id)
values (1, 101, 10) returning account_id, conversation_id, assignee_agent_id;
insert into routing.conversations (account_id, conversation_id, channel_id)
values (1, 102, 10) returning account_id, conversation_id, assignee_agent_id;
insert into routing.conversations (account_id, conversation_id, channel_id)
values (1, 103, 10) returning account_id, conversation_id, assignee_agent_id;
select account_id, agent_id, open_chats from routing.agent_load order by account_id, agent_id;

-- section 10: in account 2 agents 1 and 2 are both idle, so the tie goes to
-- agent 1 (never assigned, smallest id); counted with account 1's chats,
-- agent 1 would have 2 and agent 2 only 1
insert into routing.conversations (account_id, conversation_id, channel_id)
values (2, 101, 10) returning account_id, conversation_id, assignee_agent_id;
-- then agent 2, now the least busy in account 2
insert into routing.conversations (account_id, conversation_id, channel_id)
values (2, 102, 10) returning account_id, conversation_id, assignee_agent_id;
select account_id, agent_id, open_chats from routing.agent_load order by account_id, agent_id;

-- section 10: availability never crosses: agent 2 away in account 2 only
select routing.set_availability(2, 'away', account_id => 2);
select account_id, agent_id, status from routing.availability order by account_id, agent_id;
-- account 1: agents 1 and 2 at 2 and 1 chats: agent 2 (available there)
insert into routing.conversations (account_id, conversation_id, channel_id)
values (1, 104, 10) returning account_id, conversation_id, assignee_agent_id;
-- account 2: agents 1 and 2 at 1 chat each, agent 2 away: agent 1
insert into routing.conversations (account_id, conversation_id, channel_id)
values (2, 103, 10) returning account_id, conversation_id, assignee_agent_id;

-- section 10: manual assignment with account_id acts on that account's row only
-- (conversation 100 exists in both accounts)
insert into routing.conversations (account_id, conversation_id, channel_id) values (2, 100, 11);
select routing.assign(100, 4, account_id => 2);
select routing.reply(100, 3) as owner;
select account_id, conversation_id, assignee_agent_id, assigned_by
from routing.conversations where conversation_id = 100 order by account_id;
-- reassigning account 2's chat 101 from agent 1 to agent 2 moves account 2's counters only
select routing.assign(101, 2, account_id => 2);
select routing.close_conversation(102, account_id => 2);
select account_id, conversation_id, status, assignee_agent_id
from routing.conversations where conversation_id in (101, 102) order by account_id, conversation_id;
select account_id, agent_id, open_chats from routing.agent_load order by account_id, agent_id;
-- unassign in account 2 leaves account 1's conversation 100 with its owner
select routing.unassign(100, account_id => 2);
select account_id, conversation_id from routing.unassigned order by account_id, conversation_id;

-- section 10: an agent of account 2 never owns a conversation of account 1,
-- by function (agent 4 is unknown in account 1) ...
select routing.assign(103, 4);
\echo :LAST_ERROR_SQLSTATE
select routing.reply(100, 4);
\echo :LAST_ERROR_SQLSTATE
-- ... nor by a plain UPDATE or INSERT (the foreign keys carry account_id)
update routing.conversations set assignee_agent_id = 4
where account_id = 1 and conversation_id = 103;
\echo :LAST_ERROR_SQLSTATE
update routing.conversations set assignee_agent_id = 4
where account_id = 1 and conversation_id = 100;
\echo :LAST_ERROR_SQLSTATE
insert into routing.conversations (account_id, conversation_id, channel_id, assignee_agent_id)
values (1, 105, 10, 4);
\echo :LAST_ERROR_SQLSTATE
-- ... nor through a rule of account 1
insert into routing.rule_targets (account_id, channel_id, agent_id) values (1, 10, 4);
\echo :LAST_ERROR_SQLSTATE
-- ... nor by moving the conversation to the other account
update routing.conversations set account_id = 2
where account_id = 1 and conversation_id = 103;
\echo :LAST_ERROR_SQLSTATE
select account_id, conversation_id, assignee_agent_id, assignee_team_id
from routing.conversations where account_id = 1 and conversation_id in (100, 103)
order by conversation_id;

-- section 10: access never crosses: agent 1 is admitted to account 1's VIP
-- inbox by name, not to account 2's; team 20 only to account 2's
insert into routing.conversations (account_id, conversation_id, channel_id)
values (1, 200, 12), (2, 200, 12);
select routing.assign(200, 1);
select routing.assign(200, 1, account_id => 2);
\echo :LAST_ERROR_SQLSTATE
select routing.assign_team(200, 20);
\echo :LAST_ERROR_SQLSTATE
select routing.assign_team(200, 20, account_id => 2);
select account_id, conversation_id, assignee_agent_id, assignee_team_id
from routing.conversations where conversation_id = 200 order by account_id;

-- section 10: route_conversation with account_id routes that account's row
insert into routing.conversations (account_id, conversation_id, channel_id, assignee_agent_id)
values (2, 104, 10, 1);
select routing.unassign(104, account_id => 2);
select routing.route_conversation(104, account_id => 2) as owner;

-- section 10: every counter equals the true count of its own account's open chats
select l.account_id, l.agent_id, l.open_chats,
       (select count(*) from routing.conversations c
        join routing.channels ch on ch.account_id = c.account_id and ch.channel_id = c.channel_id
        where c.account_id = l.account_id and c.assignee_agent_id = l.agent_id
          and c.status = 'open' and ch.kind in ('chat', 'bot', 'messenger')) as true_count
from routing.agent_load l order by l.account_id, l.agent_id;

-- section 10: the log keeps each account's changes apart
select account_id, conversation_id, from_agent_id, to_agent_id, to_team_id, assigned_by
from routing.assignment_log order by log_id;
