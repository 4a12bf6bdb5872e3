-- ALTER EXTENSION routing UPDATE from 1.0: an account created under 1.0
-- keeps its rows and routes afterwards.  (A fresh CREATE EXTENSION runs the
-- same two scripts, so the schemas cannot differ.)
set client_min_messages = warning;
drop extension if exists routing cascade;
create extension routing version '1.0';
select extversion from pg_extension where extname = 'routing';

-- An account made under 1.0.  This build's code expects the current
-- schema (as the README says of every update), so the rows are written the
-- way a restore writes them, with triggers off, agent_loads as 1.0 left it.
-- Cy (3) is away and Di (4) inactive, neither seated.
set session_replication_role = replica;
insert into routing.agents (agent_id, name, active) values
    (1, 'Ann', true), (2, 'Bob', true), (3, 'Cy', true), (4, 'Di', false);
insert into routing.agent_loads (agent_id) values (1), (2), (3), (4);
insert into routing.seats (agent_id, hub) values (1, 'service'), (2, 'service');
insert into routing.availability (agent_id, status) values
    (1, 'available'), (2, 'available'), (3, 'away'), (4, 'available');
reset session_replication_role;
insert into routing.inboxes (inbox_id, name) values (1, 'support');
insert into routing.channels (channel_id, inbox_id, kind, name) values (1, 1, 'chat', 'chat');
insert into routing.rules (channel_id, enabled) values (1, true);
insert into routing.rule_targets (channel_id, agent_id) values (1, 1), (1, 2);
insert into routing.teams (team_id, name) values (2, 'u'), (3, 'v');

alter extension routing update;
select extversion from pg_extension where extname = 'routing';
-- every load row has its own checks_version
select count(*) as load_rows, count(distinct checks_version) as distinct_versions
from routing.agent_loads;
-- the load rows hold each agent's active flag, seat and availability (1.6)
select agent_id, active, has_seat, available from routing.agent_loads order by agent_id;
-- teams start at members_version 0 (1.5); a primary member moves it
select team_id, members_version from routing.teams order by team_id;
insert into routing.team_members (team_id, agent_id, role) values (3, 1, 'primary');
select team_id, members_version > 0 as moved from routing.teams order by team_id;
-- routing works, least busy first
insert into routing.conversations (channel_id) select 1 from generate_series(1, 4);
select assignee_agent_id, count(*) from routing.conversations group by 1 order by 1;
-- an insert into an eligibility table now moves the versions (1.1)
select checks_version as before from routing.agent_loads where agent_id = 2 \gset
insert into routing.teams (team_id, name) values (1, 't');
insert into routing.team_members (team_id, agent_id, role) values (1, 2, 'primary');
select checks_version > :before as moved from routing.agent_loads where agent_id = 2;
-- agent_loads' guard refuses a change by hand after the update (1.2), and
-- the counts stay what routing made them
update routing.agent_loads set open_chats = 7 where agent_id = 1;
select agent_id, open_chats from routing.agent_loads order by agent_id;
-- agent_loads' guards are named for it (1.9), triggers and functions
select t.tgname, t.tgfoid::regproc as function_name, p.prosrc as c_function
from pg_trigger t join pg_proc p on p.oid = t.tgfoid
where t.tgrelid = 'routing.agent_loads'::regclass and not t.tgisinternal
order by t.tgname;
-- the restore steps of 1.9 exist after the update and are the database
-- owner's: a role that does not own the database is refused
create role routing_test_not_owner nologin;
grant usage on schema routing to routing_test_not_owner;
set role routing_test_not_owner;
select routing.pre_restore();
reset role;
drop owned by routing_test_not_owner;
drop role routing_test_not_owner;
-- section 16 (1.9): the rules keep their behaviour, with time's columns at
-- their defaults (no offers); an offer set after the update lapses at the
-- tick and is offered to the other target
select channel_id, accept_within, max_offers, away_after_lapses, when_owner_away, away_grace
from routing.rules;
select agent_id, time_zone, idle_after from routing.agents order by agent_id;
select count(*) as timers from routing.timers;
update routing.rules set accept_within = '1 minute' where channel_id = 1;
insert into routing.conversations (conversation_id, channel_id) values (100, 1)
returning assignee_agent_id;
select routing.tick(now() + interval '2 minutes');
select assignee_agent_id, assigned_reason from routing.conversations where conversation_id = 100;
select kind, agent_id from routing.events where conversation_id = 100;
