-- doc/behaviour.md section 3: who can be routed to automatically.
-- Each eligibility condition is shown alone: one agent is the only target of
-- a channel and passes every other check, so the outcome changes only with
-- the condition under test.
set client_min_messages = warning;
drop extension if exists routing cascade;
create extension routing;

-- Ann (1) passes every check but is never a target of channel 1 or 2: she
-- shows that a non-target is not routed to when the target is ineligible.
-- Bob (2) is the only target of channel 1 (chat, inbox open to everyone).
-- Cy (3) is the only target of channel 2 (chat, restricted inbox 200).
-- Dee (4) and Eve (5) are additional members of team 30, the only target of
-- channel 3; Eve is also the only primary member of team 40.
insert into routing.agents (agent_id, name) values
    (1, 'Ann'), (2, 'Bob'), (3, 'Cy'), (4, 'Dee'), (5, 'Eve');
insert into routing.seats (agent_id, hub) values
    (1, 'service'), (2, 'service'), (3, 'service'), (4, 'service'), (5, 'service');
select count(routing.set_availability(agent_id, 'available')) as available from routing.agents;
insert into routing.teams (team_id, name) values (10, 'VIP desk'), (30, 'Helpers'), (40, 'Night shift');
insert into routing.team_members (team_id, agent_id, role) values
    (30, 4, 'additional'), (30, 5, 'additional'), (40, 5, 'primary');
insert into routing.inboxes (inbox_id, name, access) values
    (100, 'Help desk', 'everyone'), (200, 'VIP', 'restricted');
insert into routing.inbox_access (inbox_id, agent_id) values (200, 1);
insert into routing.channels (channel_id, inbox_id, kind, name) values
    (1, 100, 'chat', 'Website chat'),
    (2, 200, 'chat', 'VIP chat'),
    (3, 100, 'email', 'help@');
insert into routing.rules (channel_id, enabled) values (1, true), (2, true), (3, true);
insert into routing.rule_targets (channel_id, agent_id) values (1, 2), (2, 3);
insert into routing.rule_targets (channel_id, team_id) values (3, 30);

-- section 3: an agent passing every check is routed to (the control case)
insert into routing.conversations (channel_id) values (1)
returning conversation_id, assignee_agent_id, assigned_by;

-- section 3.1: an inactive agent is not eligible
update routing.agents set active = false where agent_id = 2;
insert into routing.conversations (channel_id) values (1)
returning conversation_id, assignee_agent_id, assigned_by;
update routing.agents set active = true where agent_id = 2;
insert into routing.conversations (channel_id) values (1)
returning conversation_id, assignee_agent_id;

-- section 3.2: an agent without a paid seat is not eligible
delete from routing.seats where agent_id = 2;
insert into routing.conversations (channel_id) values (1)
returning conversation_id, assignee_agent_id, assigned_by;
-- section 3.2: a Sales Hub seat counts as much as a Service Hub seat
insert into routing.seats (agent_id, hub) values (2, 'sales');
insert into routing.conversations (channel_id) values (1)
returning conversation_id, assignee_agent_id;

-- section 3.5: an away agent is not eligible (only_available is on by default)
select routing.set_availability(2, 'away');
insert into routing.conversations (channel_id) values (1)
returning conversation_id, assignee_agent_id, assigned_by;
-- section 3.5: an agent with no availability row counts as away
delete from routing.availability where agent_id = 2;
insert into routing.conversations (channel_id) values (1)
returning conversation_id, assignee_agent_id, assigned_by;
select routing.set_availability(2, 'available');
insert into routing.conversations (channel_id) values (1)
returning conversation_id, assignee_agent_id;

-- section 3.4: an agent who is not a target of the rule is not eligible
delete from routing.rule_targets where channel_id = 1;
insert into routing.conversations (channel_id) values (1)
returning conversation_id, assignee_agent_id, assigned_by;
insert into routing.rule_targets (channel_id, agent_id) values (1, 2);
insert into routing.conversations (channel_id) values (1)
returning conversation_id, assignee_agent_id;

-- section 3.3: no access to a restricted inbox: not eligible
insert into routing.conversations (channel_id) values (2)
returning conversation_id, assignee_agent_id, assigned_by;
-- section 3.3: access granted by name
insert into routing.inbox_access (inbox_id, agent_id) values (200, 3);
insert into routing.conversations (channel_id) values (2)
returning conversation_id, assignee_agent_id;
delete from routing.inbox_access where inbox_id = 200 and agent_id = 3;
insert into routing.conversations (channel_id) values (2)
returning conversation_id, assignee_agent_id;
-- section 3.3: access through a team granted the inbox, as a primary member
insert into routing.inbox_access (inbox_id, team_id) values (200, 10);
insert into routing.team_members (team_id, agent_id, role) values (10, 3, 'primary');
insert into routing.conversations (channel_id) values (2)
returning conversation_id, assignee_agent_id;
-- section 3.3: access through a team granted the inbox, as an additional member
update routing.team_members set role = 'additional' where team_id = 10 and agent_id = 3;
insert into routing.conversations (channel_id) values (2)
returning conversation_id, assignee_agent_id;
-- section 3.3: leaving the team takes the access away again
delete from routing.team_members where team_id = 10 and agent_id = 3;
insert into routing.conversations (channel_id) values (2)
returning conversation_id, assignee_agent_id;
-- section 3.3: an inbox open to everyone needs no grant
update routing.inboxes set access = 'everyone' where inbox_id = 200;
insert into routing.conversations (channel_id) values (2)
returning conversation_id, assignee_agent_id;
update routing.inboxes set access = 'restricted' where inbox_id = 200;

-- section 3.4: a named team with only additional members routes to nobody
-- (twenty emails: a random pick would reach Dee or Eve if they counted)
insert into routing.conversations (channel_id) select 3 from generate_series(1, 20);
select count(*) as emails, count(assignee_agent_id) as assigned
from routing.conversations where channel_id = 3;
-- section 3.4: a primary member of a named team is a target
insert into routing.rule_targets (channel_id, team_id) values (3, 40);
insert into routing.conversations (channel_id) values (3)
returning conversation_id, assignee_agent_id;

-- section 3 / 4a: with nobody eligible the conversations stay unassigned and
-- show in the Unassigned view (exactly the ones without an owner above)
select conversation_id, channel_id from routing.unassigned
where channel_id in (1, 2) order by conversation_id;
select count(*) as unassigned_emails from routing.unassigned where channel_id = 3;
select count(*) as never_to_ann from routing.conversations where assignee_agent_id = 1;

-- section 3: each decision judges eligibility as it stands at that moment,
-- whatever an earlier decision of the same session saw (the extension keeps
-- per-session verdicts; these cases would show a stale one).
-- A change rolled back after a decision saw it:
begin;
delete from routing.seats where agent_id = 2;
insert into routing.conversations (channel_id) values (1)
returning conversation_id, assignee_agent_id;
rollback;
insert into routing.conversations (channel_id) values (1)
returning conversation_id, assignee_agent_id;
-- An agent deleted and created again with the same id, without a seat:
-- Fay (6) is the only target of channel 4 and is routed to first.
insert into routing.agents (agent_id, name) values (6, 'Fay');
insert into routing.seats (agent_id, hub) values (6, 'service');
select routing.set_availability(6, 'available');
insert into routing.channels (channel_id, inbox_id, kind, name) values (4, 100, 'chat', 'Fay chat');
insert into routing.rules (channel_id, enabled) values (4, true);
insert into routing.rule_targets (channel_id, agent_id) values (4, 6);
insert into routing.conversations (channel_id) values (4)
returning conversation_id, assignee_agent_id;
delete from routing.conversations where channel_id = 4;
delete from routing.agents where agent_id = 6;
insert into routing.agents (agent_id, name) values (6, 'Fay again');
select routing.set_availability(6, 'available');
insert into routing.rule_targets (channel_id, agent_id) values (4, 6);
insert into routing.conversations (channel_id) values (4)
returning conversation_id, assignee_agent_id, assigned_reason;

-- section 3.2: TRUNCATE takes every seat away at once (no row trigger fires;
-- a decision right before had Bob's checks)
insert into routing.conversations (channel_id) values (1)
returning conversation_id, assignee_agent_id;
truncate routing.seats;
insert into routing.conversations (channel_id) values (1)
returning conversation_id, assignee_agent_id, assigned_reason;
