-- doc/behaviour.md sections 4a and 14: a random pick is uniform among the
-- eligible agents of the rule's pool as it is now.  Each backend remembers
-- the pools it drew from (src/pools.c) and draws among the remembered
-- members; every change to who is in a pool must reach the next decision
-- of the same session.  A remembered pool that missed a change would never
-- give a newcomer anything.  The pools hold 10 or more agents, all
-- eligible, so that decisions draw from the remembered members (smaller
-- ones are read whole every time); each step routes 500 emails and shows
-- who got any (a member missing by chance has p < 1e-19).
set client_min_messages = warning;
drop extension if exists routing cascade;
create extension routing;

-- Agents 1-10 are team 10's primary members, 11 an additional one; 12 is
-- team 20's primary member; 13 is in no team.
insert into routing.agents (agent_id, name)
select g, 'agent ' || g from generate_series(1, 13) g;
insert into routing.seats (agent_id, hub) select agent_id, 'service' from routing.agents;
select count(routing.set_availability(agent_id, 'available')) from routing.agents;
insert into routing.teams (team_id, name) values (10, 'Support'), (20, 'Sales');
insert into routing.team_members (team_id, agent_id, role)
select 10, g, 'primary' from generate_series(1, 10) g;
insert into routing.team_members (team_id, agent_id, role) values
    (10, 11, 'additional'), (20, 12, 'primary');
insert into routing.inboxes (inbox_id, name) values (1, 'Help desk');
insert into routing.channels (channel_id, inbox_id, kind) values (1, 1, 'email');
insert into routing.rules (channel_id, enabled) values (1, true);
insert into routing.rule_targets (channel_id, team_id) values (1, 10);

create function route_emails(n int) returns void language plpgsql as $$
begin
    delete from routing.conversations;
    insert into routing.conversations (channel_id) select 1 from generate_series(1, n);
end $$;
create view got as
select array_agg(distinct assignee_agent_id order by assignee_agent_id) as agents
from routing.conversations;

-- the pool is team 10's primary members
select route_emails(500);
select * from got;

-- an additional member promoted to primary (agent 11) moves the team's
-- members_version and gets some
select members_version as v10 from routing.teams where team_id = 10 \gset
update routing.team_members set role = 'primary' where agent_id = 11;
select members_version <> :v10 as moved from routing.teams where team_id = 10;
select route_emails(500);
select * from got;

-- an additional membership leaves the version alone
select members_version as v20 from routing.teams where team_id = 20 \gset
insert into routing.team_members (team_id, agent_id, role) values (20, 1, 'additional');
select members_version = :v20 as unmoved from routing.teams where team_id = 20;

-- a named agent (agent 13) joins the targets and gets some
insert into routing.rule_targets (channel_id, agent_id) values (1, 13);
select route_emails(500);
select * from got;

-- a member who moves to team 20 (agent 2) gets none; both teams' versions move
select members_version as v10 from routing.teams where team_id = 10 \gset
update routing.team_members set team_id = 20 where agent_id = 2;
select team_id, members_version <> case team_id when 10 then :v10 else :v20 end as moved
from routing.teams order by team_id;
select route_emails(500);
select * from got;

-- team 20 becomes a target too: agents 2 and 12 get some
insert into routing.rule_targets (channel_id, team_id) values (1, 20);
select route_emails(500);
select * from got;

-- a new primary member of team 20 (agent 14) gets some
insert into routing.agents (agent_id, name) values (14, 'agent 14');
insert into routing.seats (agent_id, hub) values (14, 'service');
select routing.set_availability(14, 'available');
insert into routing.team_members (team_id, agent_id, role) values (20, 14, 'primary');
select route_emails(500);
select * from got;

-- TRUNCATE of the memberships moves every team's version; only the named
-- agent is left
select members_version as v10 from routing.teams where team_id = 10 \gset
truncate routing.team_members;
select members_version <> :v10 as moved from routing.teams where team_id = 10;
select route_emails(20);
select * from got;

-- a re-created extension starts its sequence over, so a team can have the
-- same id and members_version as before with other members (forced here,
-- with the triggers off as a restore would):
-- the session must not reuse what it remembered of the dropped extension.
-- Team 10 is the only target, of agents 1-10, then of agents 1-11.
delete from routing.rule_targets where agent_id is not null or team_id <> 10;
insert into routing.team_members (team_id, agent_id, role)
select 10, g, 'primary' from generate_series(1, 10) g;
select route_emails(500);
select * from got;
select members_version as v10 from routing.teams where team_id = 10 \gset
drop extension routing cascade;
create extension routing;
insert into routing.agents (agent_id, name)
select g, 'agent ' || g from generate_series(1, 11) g;
insert into routing.seats (agent_id, hub) select agent_id, 'service' from routing.agents;
select count(routing.set_availability(agent_id, 'available')) from routing.agents;
insert into routing.teams (team_id, name) values (10, 'Support');
insert into routing.team_members (team_id, agent_id, role)
select 10, agent_id, 'primary' from routing.agents;
set session_replication_role = replica;
update routing.teams set members_version = :v10 where team_id = 10;
reset session_replication_role;
insert into routing.inboxes (inbox_id, name) values (1, 'Help desk');
insert into routing.channels (channel_id, inbox_id, kind) values (1, 1, 'email');
insert into routing.rules (channel_id, enabled) values (1, true);
insert into routing.rule_targets (channel_id, team_id) values (1, 10);
insert into routing.conversations (channel_id) select 1 from generate_series(1, 500);
select array_agg(distinct assignee_agent_id order by assignee_agent_id) as agents
from routing.conversations;

-- a reset of the sequence (ALTER SEQUENCE ... RESTART) can repeat a version
-- too: the session forgets what it remembered.  Team 10 loses agent 11 (the
-- pool of 10 is remembered), then, after the reset, takes agent 11 back
-- under the version its pool of 10 had (forced here, triggers off).
delete from routing.team_members where agent_id = 11;
delete from routing.conversations;
insert into routing.conversations (channel_id) select 1 from generate_series(1, 500);
select array_agg(distinct assignee_agent_id order by assignee_agent_id) as agents
from routing.conversations;
select members_version as v10 from routing.teams where team_id = 10 \gset
alter sequence routing.agent_checks_seq restart;
insert into routing.team_members (team_id, agent_id, role) values (10, 11, 'primary');
set session_replication_role = replica;
update routing.teams set members_version = :v10 where team_id = 10;
reset session_replication_role;
delete from routing.conversations;
insert into routing.conversations (channel_id) select 1 from generate_series(1, 500);
select array_agg(distinct assignee_agent_id order by assignee_agent_id) as agents
from routing.conversations;

-- vacuum and analyze of the routing tables keep the remembered pools and
-- verdicts (they are keyed on versions, which vacuum does not move), and
-- routing goes on right
vacuum analyze routing.agent_loads, routing.conversations, routing.teams;
delete from routing.conversations;
insert into routing.conversations (channel_id) select 1 from generate_series(1, 500);
select array_agg(distinct assignee_agent_id order by assignee_agent_id) as agents
from routing.conversations;
drop extension routing cascade;

-- A data-only restore empties the tables (TRUNCATE routing.agents CASCADE)
-- and sets the sequence back, so checks_version values repeat: the session
-- must not reuse a verdict it cached before.  Agent 1 is eligible and
-- routed to (the verdict is cached); the restored load row has the same
-- checks_version but no paid seat.
create extension routing;
insert into routing.agents (agent_id, name) values (1, 'Ann');
insert into routing.seats (agent_id, hub) values (1, 'service');
select routing.set_availability(1, 'available');
insert into routing.inboxes (inbox_id, name) values (1, 'Help desk');
insert into routing.channels (channel_id, inbox_id, kind) values (1, 1, 'chat');
insert into routing.rules (channel_id, enabled) values (1, true);
insert into routing.rule_targets (channel_id, agent_id) values (1, 1);
insert into routing.conversations (channel_id) values (1) returning assignee_agent_id;
select checks_version as v1 from routing.agent_loads where agent_id = 1 \gset
select last_value as s1 from routing.agent_checks_seq \gset
truncate routing.agents cascade;
set session_replication_role = replica;
insert into routing.agents (agent_id, name) values (1, 'Ann');
insert into routing.availability (agent_id, status) values (1, 'available');
insert into routing.agent_loads (agent_id, checks_version, active, has_seat, available)
values (1, :v1, true, false, true);
insert into routing.rules (channel_id, enabled) values (1, true);
insert into routing.rule_targets (channel_id, agent_id) values (1, 1);
select setval('routing.agent_checks_seq', :s1);
reset session_replication_role;
insert into routing.conversations (channel_id) values (1)
returning assignee_agent_id, assigned_reason;
drop extension routing cascade;

-- Many pools in one session: 5,000 email channels, channel c targeting team
-- (c % 10) + 1 of 10 teams of 10 primary members, more pools than the
-- cache has sets, so that pools share sets and evict each other.  Every
-- email goes to a member of its channel's team; then agent 1 leaves team 1
-- and none of team 1's 500 channels gives him anything, whether its pool
-- was still remembered or not.  The channels are loaded with triggers off
-- (each rule would move every agent's versions) and routing.drain()
-- afterwards, as the README says for bulk loads.
create extension routing;
insert into routing.agents (agent_id, name)
select g, 'agent ' || g from generate_series(1, 100) g;
insert into routing.seats (agent_id, hub) select agent_id, 'service' from routing.agents;
select count(routing.set_availability(agent_id, 'available')) from routing.agents;
insert into routing.teams (team_id, name) select t, 'team ' || t from generate_series(1, 10) t;
insert into routing.team_members (team_id, agent_id, role)
select (g - 1) / 10 + 1, g, 'primary' from generate_series(1, 100) g;
insert into routing.inboxes (inbox_id, name) values (1, 'Help desk');
set session_replication_role = replica;
insert into routing.channels (channel_id, inbox_id, kind)
select c, 1, 'email' from generate_series(1, 5000) c;
insert into routing.rules (channel_id, enabled) select c, true from generate_series(1, 5000) c;
insert into routing.rule_targets (channel_id, team_id)
select c, c % 10 + 1 from generate_series(1, 5000) c;
reset session_replication_role;
select routing.drain(1);
create temp table round (after_id bigint);
insert into round values (0);
create view routed as
select count(*) as emails,
       count(*) filter (where c.assignee_agent_id is null) as unassigned,
       count(*) filter (where not exists (
           select from routing.team_members m
           where m.team_id = c.channel_id % 10 + 1 and m.agent_id = c.assignee_agent_id
             and m.role = 'primary')) as outside_team,
       count(*) filter (where c.assignee_agent_id = 1) > 0 as agent_1_got_any
from routing.conversations c where c.conversation_id > (select after_id from round);
insert into routing.conversations (channel_id)
select c from generate_series(1, 5000) c, generate_series(1, 2);
select * from routed;
delete from routing.team_members where agent_id = 1;
update round set after_id = (select max(conversation_id) from routing.conversations);
insert into routing.conversations (channel_id)
select c from generate_series(1, 5000) c, generate_series(1, 2) where c % 10 = 0;
select * from routed;
drop extension routing cascade;

-- Section 4a: backends remember pools by their teams' members_version, so
-- only the extension sets it (1.8).  A value set by hand could bring back
-- one that stood for other primary members, and a pool remembered under it
-- would give work to an agent who left.  By hand it is refused, on insert
-- and on update, to the owner too; a new team starts at 0; other columns
-- change freely; a membership change still moves it; a restore with the
-- triggers off (the README's way) keeps the dumped value.
create extension routing;
insert into routing.agents (agent_id, name) values (1, 'Ann'), (2, 'Bo');
insert into routing.teams (team_id, name) values (1, 'Support');
insert into routing.teams (team_id, name, members_version) values (2, 'Sales', 7);
insert into routing.team_members (team_id, agent_id, role) values (1, 1, 'primary');
create temp table seen as select members_version from routing.teams where team_id = 1;
update routing.teams set members_version = 0 where team_id = 1;
update routing.teams set members_version = members_version + 1;
update routing.teams set name = 'Help desk', members_version = members_version where team_id = 1;
insert into routing.team_members (team_id, agent_id, role) values (1, 2, 'primary');
set session_replication_role = replica;
insert into routing.teams (team_id, name, members_version) values (3, 'Restored', 42);
reset session_replication_role;
select t.team_id, t.name, t.members_version = 0 as at_zero,
       t.members_version = s.members_version as as_first_seen
from routing.teams t, seen s order by t.team_id;
drop extension routing cascade;
