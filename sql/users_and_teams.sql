-- doc/behaviour.md section 4a: a "specific users and teams" rule routes to the
-- agents it names and to the PRIMARY members of the teams it names, never to
-- additional members through a team; a rule that is not enabled routes nothing.
set client_min_messages = warning;
drop extension if exists routing cascade;
create extension routing;

-- Everybody is active, seated and available: only the targets differ.
-- Team 10: Ann (1) and Bob (2) primary, Cy (3) and Dee (4) additional.
-- Team 20: Cy (3) primary.  Eve (5) is in no team.
insert into routing.agents (agent_id, name) values
    (1, 'Ann'), (2, 'Bob'), (3, 'Cy'), (4, 'Dee'), (5, 'Eve');
insert into routing.seats (agent_id, hub)
select agent_id, 'service' from routing.agents;
select count(routing.set_availability(agent_id, 'available')) as available from routing.agents;
insert into routing.teams (team_id, name) values (10, 'Support'), (20, 'Sales');
insert into routing.team_members (team_id, agent_id, role) values
    (10, 1, 'primary'), (10, 2, 'primary'), (10, 3, 'additional'), (10, 4, 'additional'),
    (20, 3, 'primary');
insert into routing.inboxes (inbox_id, name) values (100, 'Help desk');
insert into routing.channels (channel_id, inbox_id, kind, name) values
    (1, 100, 'chat', 'Website chat'),
    (2, 100, 'email', 'help@'),
    (3, 100, 'chat', 'Sales chat'),
    (4, 100, 'chat', 'Disabled chat'),
    (5, 100, 'chat', 'Chat without a rule'),
    (6, 100, 'form', 'Default rule');
-- Channels 1 and 2 name team 10 and, directly, Dee; channel 3 names team 20.
insert into routing.rules (channel_id, enabled) values (1, true), (2, true), (3, true);
insert into routing.rule_targets (channel_id, team_id) values (1, 10), (2, 10), (3, 20);
insert into routing.rule_targets (channel_id, agent_id) values (1, 4), (2, 4);

-- section 4a: chats go to the primary members of the named team and to the
-- agent named directly (Dee, although only an additional member of team 10);
-- Cy, an additional member, never gets one although she has the fewest chats,
-- and Eve, named nowhere, never gets one either
insert into routing.conversations (channel_id) select 1 from generate_series(1, 9);
select conversation_id, assignee_agent_id, assigned_by
from routing.conversations where channel_id = 1 order by conversation_id;
select agent_id, open_chats from routing.agent_load order by agent_id;

-- section 4a: the same pool on an email channel: sixty random picks, each one
-- among Ann, Bob and Dee, and each of them picked at least once (a false
-- failure needs one of the three missed sixty times: p < 1e-10)
insert into routing.conversations (channel_id) select 2 from generate_series(1, 60);
select count(*) filter (where assignee_agent_id in (1, 2, 4)) as to_targets,
       count(*) filter (where assignee_agent_id is null or assignee_agent_id not in (1, 2, 4)) as elsewhere,
       count(distinct assignee_agent_id) as distinct_owners
from routing.conversations where channel_id = 2;

-- section 4a: Cy is routed to through team 20, where she is a primary member
insert into routing.conversations (channel_id) values (3), (3)
returning conversation_id, assignee_agent_id;

-- section 4a: once Bob is only an additional member of team 10, the team no
-- longer routes to him
update routing.team_members set role = 'additional' where team_id = 10 and agent_id = 2;
insert into routing.conversations (channel_id) select 1 from generate_series(1, 4);
select conversation_id, assignee_agent_id
from routing.conversations where channel_id = 1 and conversation_id > 9 + 60 + 2
order by conversation_id;

-- section 4a: Dee, no longer named directly, is only an additional member:
-- team 10 now routes to Ann alone
delete from routing.rule_targets where channel_id = 1 and agent_id = 4;
insert into routing.conversations (channel_id) select 1 from generate_series(1, 3);
select conversation_id, assignee_agent_id
from routing.conversations where channel_id = 1 and conversation_id > 9 + 60 + 2 + 4
order by conversation_id;

-- section 4a: a rule that is not enabled routes nothing, even to eligible targets
insert into routing.rules (channel_id, enabled) values (4, false);
insert into routing.rule_targets (channel_id, agent_id) values (4, 5);
insert into routing.conversations (channel_id) values (4)
returning conversation_id, assignee_agent_id, assigned_by;
-- section 4a: a rule is off until enabled (enabled defaults to false)
insert into routing.rules (channel_id) values (6);
insert into routing.rule_targets (channel_id, agent_id) values (6, 5);
select channel_id, enabled from routing.rules where channel_id = 6;
insert into routing.conversations (channel_id) values (6)
returning conversation_id, assignee_agent_id, assigned_by;
-- section 1: a channel without a rule routes nothing
insert into routing.conversations (channel_id) values (5)
returning conversation_id, assignee_agent_id, assigned_by;
-- section 4a: enabled, the same rules route to Eve; disabled again, nothing
update routing.rules set enabled = true where channel_id in (4, 6);
insert into routing.conversations (channel_id) values (4), (6)
returning conversation_id, channel_id, assignee_agent_id;
update routing.rules set enabled = false where channel_id in (4, 6);
insert into routing.conversations (channel_id) values (4), (6)
returning conversation_id, channel_id, assignee_agent_id;
select conversation_id, channel_id from routing.unassigned order by conversation_id;
