-- doc/behaviour.md section 7: routing.route_conversation(id) routes one open,
-- unassigned conversation by its channel's rule and returns the new owner or
-- NULL; an owned or closed conversation is left unchanged and its current
-- owner returned; an unknown id is an error.
set client_min_messages = warning;
drop extension if exists routing cascade;
create extension routing;

-- Ann (1) and Bob (2) are seated targets of channel 1 (chat) and channel 2
-- (email), both away for now.  Channel 3 (chat) has no rule.  Channel 4
-- (chat) routes to the contact owner: Cy (3) owns contact 500 but has no
-- seat yet.
insert into routing.agents (agent_id, name) values (1, 'Ann'), (2, 'Bob'), (3, 'Cy');
insert into routing.seats (agent_id, hub) values (1, 'service'), (2, 'service');
select routing.set_availability(1, 'away'), routing.set_availability(2, 'away');
select routing.set_availability(3, 'available');
insert into routing.teams (team_id, name) values (10, 'Support');
insert into routing.inboxes (inbox_id, name) values (100, 'Help desk');
insert into routing.channels (channel_id, inbox_id, kind, name) values
    (1, 100, 'chat', 'Website chat'), (2, 100, 'email', 'help@'),
    (3, 100, 'chat', 'Unrouted chat'), (4, 100, 'chat', 'Account chat');
insert into routing.rules (channel_id, enabled) values (1, true), (2, true);
insert into routing.rules (channel_id, enabled, assign_to) values (4, true, 'contact_owner');
insert into routing.rule_targets (channel_id, agent_id) values (1, 1), (1, 2), (2, 1), (2, 2);
insert into routing.contacts (contact_id, owner_agent_id, tracked) values (500, 3, true);

-- Nobody is eligible: all four stay unassigned.
insert into routing.conversations (channel_id, contact_id) values (1, null), (1, null), (2, null), (4, 500)
returning conversation_id, channel_id, assignee_agent_id;

-- section 7: still nobody eligible: route_conversation returns NULL and
-- leaves the conversation unassigned
select routing.route_conversation(1);
select conversation_id from routing.unassigned order by conversation_id;

-- section 7: Bob becomes available: the unassigned chat is routed to him by
-- the rule and the function returns him
select routing.set_availability(2, 'available');
select routing.route_conversation(1);
select conversation_id, assignee_agent_id, assigned_by, assigned_reason, assigned_at is not null as has_assigned_at
from routing.conversations where conversation_id = 1;
-- section 7/6: the routed chat counts in Bob's load and moves his last chat assignment
select agent_id, open_chats, last_assigned_at is not null as assigned_a_chat
from routing.agent_load order by agent_id;
select routing.route_conversation(2);
select agent_id, open_chats from routing.agent_load order by agent_id;

-- section 7: an owned conversation is unchanged and its owner returned, even
-- when the rule would now pick somebody else (Ann, available, has no chat)
select routing.set_availability(1, 'available');
select routing.route_conversation(1);
select conversation_id, assignee_agent_id, assigned_by from routing.conversations where conversation_id = 1;
select agent_id, open_chats from routing.agent_load order by agent_id;

-- section 7: an email routed later follows the email rule (Bob away again:
-- the random pick has Ann alone to choose from)
select routing.set_availability(2, 'away');
select routing.route_conversation(3);
select conversation_id, assignee_agent_id, assigned_by, assigned_reason
from routing.conversations where conversation_id = 3;

-- section 7: a contact-owner conversation is routed once the owner is eligible
select routing.route_conversation(4);
insert into routing.seats (agent_id, hub) values (3, 'sales');
select routing.route_conversation(4);
select conversation_id, assignee_agent_id, assigned_by, assigned_reason
from routing.conversations where conversation_id = 4;

-- section 7: a conversation owned by a team: unchanged, NULL returned
insert into routing.conversations (channel_id) values (3) returning conversation_id;
select routing.assign_team(5, 10);
select routing.route_conversation(5);
select conversation_id, assignee_agent_id, assignee_team_id from routing.conversations where conversation_id = 5;

-- section 7: a closed unassigned conversation is not routed: NULL returned
insert into routing.conversations (channel_id, status) values (1, 'closed')
returning conversation_id, assignee_agent_id;
select routing.route_conversation(6);
select conversation_id, status, assignee_agent_id from routing.conversations where conversation_id = 6;

-- section 7: a closed owned conversation is unchanged and its owner returned
select routing.close_conversation(2);
select routing.route_conversation(2);
select conversation_id, status, assignee_agent_id from routing.conversations where conversation_id = 2;

-- section 7: a channel without a rule routes nothing: NULL, still unassigned
insert into routing.conversations (channel_id) values (3) returning conversation_id, assignee_agent_id;
select routing.route_conversation(7);
select conversation_id from routing.unassigned order by conversation_id;

-- section 7: after a manual unassign the rule routes it again (least busy:
-- Ann, with no open chat, rather than Bob, although Bob had it)
select routing.set_availability(2, 'available');
select routing.unassign(1);
select routing.route_conversation(1);
select agent_id, open_chats from routing.agent_load order by agent_id;

-- section 7/8: each change of owner is logged, the routed ones as the rule's
-- with their reason
select conversation_id, from_agent_id, to_agent_id, to_team_id, assigned_by, reason
from routing.assignment_log order by log_id;

-- section 7: an unknown conversation is an error
select routing.route_conversation(999);
\echo :LAST_ERROR_SQLSTATE
select routing.route_conversation(1, account_id => 2);
\echo :LAST_ERROR_SQLSTATE
select routing.route_conversation(null);
\echo :LAST_ERROR_SQLSTATE
