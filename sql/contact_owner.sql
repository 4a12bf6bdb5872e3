-- doc/behaviour.md section 4b: a "contact owner" rule routes to the tracked
-- contact's owner when eligible (3.1-3.3 and 3.5, no target listing needed);
-- an away owner leaves the conversation unassigned and records owner_offline;
-- an unowned or untracked contact goes to the default agent on live chat only.
set client_min_messages = warning;
drop extension if exists routing cascade;
create extension routing;

-- Ann (1) owns contacts 500 and 505; Bob (2) is the default agent.  Owners
-- failing one check each: Cy (3) has no seat, Dee (4) is inactive, Eve (5)
-- has no access to the restricted inbox 200.  Fay (6) has no seat either.
-- Everybody is available.  No channel has rule targets: owners need none.
insert into routing.agents (agent_id, name, active) values
    (1, 'Ann', true), (2, 'Bob', true), (3, 'Cy', true), (4, 'Dee', false),
    (5, 'Eve', true), (6, 'Fay', true);
insert into routing.seats (agent_id, hub) values
    (1, 'service'), (2, 'service'), (4, 'service'), (5, 'sales');
select count(routing.set_availability(agent_id, 'available')) as available from routing.agents;
insert into routing.inboxes (inbox_id, name, access) values
    (100, 'Help desk', 'everyone'), (200, 'VIP', 'restricted');
insert into routing.inbox_access (inbox_id, agent_id) values (200, 1), (200, 2);
insert into routing.channels (channel_id, inbox_id, kind, name) values
    (1, 100, 'chat', 'Website chat'),
    (2, 100, 'email', 'help@'),
    (3, 100, 'bot', 'Help bot'),
    (4, 200, 'chat', 'VIP chat'),
    (5, 100, 'messenger', 'Messenger');
insert into routing.rules (channel_id, enabled, assign_to, default_agent_id) values
    (1, true, 'contact_owner', 2),
    (2, true, 'contact_owner', 2),
    (3, true, 'contact_owner', 2),
    (4, true, 'contact_owner', 2);
insert into routing.contacts (contact_id, owner_agent_id, tracked) values
    (500, 1, true), (501, 3, true), (502, 4, true), (503, 5, true),
    (504, null, true), (505, 1, false);

-- section 4b: an eligible owner of a tracked contact gets the conversation, on
-- every kind of channel (chat, email, bot, chat in a restricted inbox)
insert into routing.conversations (channel_id, contact_id) values (1, 500), (2, 500), (3, 500), (4, 500)
returning conversation_id, channel_id, assignee_agent_id, assigned_by, assigned_reason;

-- section 4b: the owner is away and the rule assigns only to available users:
-- unassigned, one owner_offline event for the owner, and no default agent
select routing.set_availability(1, 'away');
insert into routing.conversations (channel_id, contact_id) values (1, 500)
returning conversation_id, assignee_agent_id, assigned_by;
select kind, conversation_id, agent_id from routing.events order by event_id;

-- section 4b/4c: with "only assign to available users" off, the away owner
-- gets it, and no event is recorded
update routing.rules set only_available = false where channel_id = 1;
insert into routing.conversations (channel_id, contact_id) values (1, 500)
returning conversation_id, assignee_agent_id, assigned_by, assigned_reason;
select count(*) as events from routing.events;
update routing.rules set only_available = true where channel_id = 1;
select routing.set_availability(1, 'available');

-- section 4b: an owner without a seat: unassigned, no event, no default agent
insert into routing.conversations (channel_id, contact_id) values (1, 501)
returning conversation_id, assignee_agent_id, assigned_by;
-- section 4b: an inactive owner: unassigned, no event, no default agent
insert into routing.conversations (channel_id, contact_id) values (1, 502)
returning conversation_id, assignee_agent_id, assigned_by;
-- section 4b: an owner without access to the restricted inbox: unassigned, no
-- event; the same owner gets a conversation of an open inbox
insert into routing.conversations (channel_id, contact_id) values (4, 503)
returning conversation_id, assignee_agent_id, assigned_by;
insert into routing.conversations (channel_id, contact_id) values (1, 503)
returning conversation_id, assignee_agent_id, assigned_reason;
select count(*) as events from routing.events;

-- section 4b: on a live chat channel a contact without owner, an untracked
-- contact (although it has an owner) and no contact at all go to the
-- default agent
insert into routing.conversations (channel_id, contact_id) values (1, 504), (1, 505), (1, null)
returning conversation_id, contact_id, assignee_agent_id, assigned_by, assigned_reason;
-- section 4b: on an email or bot channel they stay unassigned
insert into routing.conversations (channel_id, contact_id) values
    (2, 504), (2, 505), (2, null), (3, 504), (3, 505), (3, null)
returning conversation_id, channel_id, contact_id, assignee_agent_id;

-- section 4b: the default agent must be eligible too: away, the conversation
-- stays unassigned, and owner_offline is only for contact owners
select routing.set_availability(2, 'away');
insert into routing.conversations (channel_id, contact_id) values (1, 504)
returning conversation_id, assignee_agent_id;
select count(*) as events from routing.events;
select routing.set_availability(2, 'available');

-- section 4b: a rule naming a default agent without a paid seat is refused,
-- on insert and on update, and nothing changes
insert into routing.rules (channel_id, enabled, assign_to, default_agent_id)
values (5, true, 'contact_owner', 6);
\echo :LAST_ERROR_SQLSTATE
update routing.rules set default_agent_id = 6 where channel_id = 1;
\echo :LAST_ERROR_SQLSTATE
select channel_id, default_agent_id from routing.rules order by channel_id;
-- section 4b: with a seat (sales counts too) the same default agent is accepted
insert into routing.seats (agent_id, hub) values (6, 'sales');
insert into routing.rules (channel_id, enabled, assign_to, default_agent_id)
values (5, true, 'contact_owner', 6);
select channel_id, default_agent_id from routing.rules where channel_id = 5;

-- section 4b: what stayed unassigned
select conversation_id, channel_id, contact_id from routing.unassigned order by conversation_id;
