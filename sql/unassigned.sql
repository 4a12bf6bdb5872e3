-- Section 1: a conversation whose channel has no enabled rule is stored with
-- no owner and shows in routing.unassigned until someone takes it.
set client_min_messages = warning;
drop extension if exists routing cascade;
create extension routing;

-- Two agents who would be eligible for any rule: active, seated, available.
insert into routing.agents (agent_id, name) values (1, 'Ann'), (2, 'Bob');
insert into routing.seats (agent_id, hub) values (1, 'service'), (2, 'sales');
select routing.set_availability(1, 'available');
select routing.set_availability(2, 'available');
insert into routing.teams (team_id, name) values (20, 'Support');
insert into routing.team_members (team_id, agent_id, role) values (20, 1, 'primary');
insert into routing.inboxes (inbox_id, name) values (1, 'Help');
-- 10: chat, no rule; 11: email, no rule;
-- 12: chat, rule targeting both agents but never enabled (off by default);
-- 13: email, rule targeting both agents, enabled and then disabled;
-- 14: chat, enabled rule (the control: its conversations are routed).
insert into routing.channels (channel_id, inbox_id, kind)
values (10, 1, 'chat'), (11, 1, 'email'), (12, 1, 'chat'), (13, 1, 'email'), (14, 1, 'chat');
insert into routing.rules (channel_id) values (12);
insert into routing.rules (channel_id, enabled) values (13, true), (14, true);
insert into routing.rule_targets (channel_id, agent_id)
values (12, 1), (12, 2), (13, 1), (13, 2), (14, 1), (14, 2);
update routing.rules set enabled = false where channel_id = 13;
select channel_id, enabled from routing.rules order by channel_id;

-- section 1: no rule: stored with no owner
insert into routing.conversations (conversation_id, channel_id)
values (100, 10), (101, 11)
returning conversation_id, assignee_agent_id, assignee_team_id, assigned_by;

-- section 1: a rule that is not enabled: stored with no owner
insert into routing.conversations (conversation_id, channel_id)
values (102, 12), (103, 13)
returning conversation_id, assignee_agent_id, assignee_team_id, assigned_by;

-- section 1 (control): an enabled rule routes the conversation
insert into routing.conversations (conversation_id, channel_id)
values (104, 14)
returning conversation_id, assignee_agent_id, assigned_by;

-- section 1: the unrouted ones, and only they, show in the Unassigned view
select account_id, conversation_id, channel_id, contact_id from routing.unassigned
order by conversation_id;
-- nobody was given them: only the routed 104 has a log row and counts in a load
select conversation_id, to_agent_id, assigned_by from routing.assignment_log order by log_id;
select agent_id, open_chats from routing.agent_load order by agent_id;

-- section 1: a conversation taken by an agent leaves the view
select routing.assign(100, 2);
-- section 1: a conversation taken by a reply leaves the view
select routing.reply(101, 1);
-- section 1: a conversation given to a team leaves the view
select routing.assign_team(102, 20);
select conversation_id, assignee_agent_id, assignee_team_id, assigned_by
from routing.conversations order by conversation_id;
select conversation_id from routing.unassigned order by conversation_id;

-- section 1: a closed conversation is not in the view, even with no owner
select routing.close_conversation(103);
select conversation_id from routing.unassigned order by conversation_id;
-- a plain UPDATE closes it just the same
insert into routing.conversations (conversation_id, channel_id) values (105, 10);
select conversation_id from routing.unassigned order by conversation_id;
update routing.conversations set status = 'closed' where conversation_id = 105;
select conversation_id from routing.unassigned order by conversation_id;

-- section 1: reopened with no owner, it is unassigned again
select routing.reopen_conversation(103);
select conversation_id from routing.unassigned order by conversation_id;

-- section 1: a conversation given back (unassigned) returns to the view
select routing.unassign(100);
select conversation_id from routing.unassigned order by conversation_id;

-- section 1: the view holds exactly the open conversations with no owner
select count(*) filter (where status = 'open' and assignee_agent_id is null
                        and assignee_team_id is null) as open_unowned,
       (select count(*) from routing.unassigned) as in_view
from routing.conversations;
