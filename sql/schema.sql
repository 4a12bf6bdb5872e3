-- The schema of INTERFACE.md: accounts lead every key (section 10), CHECK
-- constraints on every enumerated text, comments, and pg_dump registration.
set client_min_messages = warning;
drop extension if exists routing cascade;
create extension routing;
-- Constraint violations print their failing row; conversations rows hold
-- clock times, so errors are shown by message and SQLSTATE only.
\set VERBOSITY terse

-- section 10: every table's first column is account_id bigint not null default 1
-- (but routing.announcer: the clock worker's position, the database's own,
-- section 8, which no account owns and pg_dump does not copy)
select c.relname, a.attname, format_type(a.atttypid, a.atttypmod) as type,
       a.attnotnull, pg_get_expr(d.adbin, d.adrelid) as default_value
from pg_class c
join pg_attribute a on a.attrelid = c.oid and a.attnum = 1
left join pg_attrdef d on d.adrelid = c.oid and d.adnum = a.attnum
where c.relnamespace = 'routing'::regnamespace and c.relkind = 'r'
  and c.relname <> 'announcer'
order by c.relname;

-- section 10: the views lead with account_id too
select c.relname, a.attname
from pg_class c
join pg_attribute a on a.attrelid = c.oid and a.attnum = 1
where c.relnamespace = 'routing'::regnamespace and c.relkind = 'v'
order by c.relname;

-- section 10: account_id leads every primary key
select c.relname,
       array(select a.attname from unnest(k.conkey) with ordinality u(attnum, n)
             join pg_attribute a on a.attrelid = k.conrelid and a.attnum = u.attnum
             order by u.n) as primary_key
from pg_constraint k
join pg_class c on c.oid = k.conrelid
where k.contype = 'p' and c.relnamespace = 'routing'::regnamespace
  and c.relname <> 'announcer'
order by c.relname;

-- section 10: a table with no primary key still keys its unique indexes by account
select c.relname, i.indexrelid::regclass::text as unique_index,
       (select a.attname from pg_attribute a
        where a.attrelid = c.oid and a.attnum = i.indkey[0]) as first_column
from pg_index i
join pg_class c on c.oid = i.indrelid
where i.indisunique and c.relnamespace = 'routing'::regnamespace
  and not exists (select 1 from pg_constraint k where k.conrelid = c.oid and k.contype = 'p')
order by c.relname, unique_index;

-- section 10: every foreign key carries account_id on both sides
select k.conrelid::regclass as table_name, k.conname
from pg_constraint k
where k.contype = 'f' and k.connamespace = 'routing'::regnamespace
  and not (k.conkey[1] = (select attnum from pg_attribute
                          where attrelid = k.conrelid and attname = 'account_id')
           and k.confkey[1] = (select attnum from pg_attribute
                               where attrelid = k.confrelid and attname = 'account_id'));
select count(*) > 0 as has_foreign_keys
from pg_constraint where contype = 'f' and connamespace = 'routing'::regnamespace;

-- A small account to violate constraints against.
insert into routing.agents (agent_id, name) values (1, 'Ann'), (2, 'Bob');
insert into routing.seats (agent_id, hub) values (1, 'service');
insert into routing.teams (team_id, name) values (20, 'Support'), (21, 'Sales');
insert into routing.inboxes (inbox_id, name) values (1, 'Help');
insert into routing.channels (channel_id, inbox_id, kind) values (10, 1, 'chat');
insert into routing.rules (channel_id) values (10);
insert into routing.conversations (conversation_id, channel_id) values (100, 10);
select account_id, agent_id, name, active from routing.agents order by agent_id;
select account_id, enabled, assign_to, only_available, default_agent_id from routing.rules;
select account_id, conversation_id, status, assignee_agent_id, assignee_team_id
from routing.conversations;

-- section 10 (INTERFACE): CHECK constraints reject bad enumerated texts
insert into routing.seats (agent_id, hub) values (2, 'marketing');
\echo :LAST_ERROR_SQLSTATE
insert into routing.availability (agent_id, status) values (2, 'busy');
\echo :LAST_ERROR_SQLSTATE
insert into routing.team_members (team_id, agent_id, role) values (20, 2, 'owner');
\echo :LAST_ERROR_SQLSTATE
insert into routing.inboxes (inbox_id, name, access) values (2, 'Private', 'private');
\echo :LAST_ERROR_SQLSTATE
insert into routing.channels (channel_id, inbox_id, kind) values (11, 1, 'sms');
\echo :LAST_ERROR_SQLSTATE
update routing.rules set assign_to = 'round_robin' where channel_id = 10;
\echo :LAST_ERROR_SQLSTATE
update routing.conversations set status = 'pending' where conversation_id = 100;
\echo :LAST_ERROR_SQLSTATE
update routing.conversations set assigned_by = 'robot' where conversation_id = 100;
\echo :LAST_ERROR_SQLSTATE
insert into routing.events (kind, conversation_id) values ('party', 100);
\echo :LAST_ERROR_SQLSTATE
-- the values the interface names are accepted
insert into routing.seats (agent_id, hub) values (2, 'sales');
insert into routing.availability (agent_id, status) values (1, 'available'), (2, 'away');
insert into routing.team_members (team_id, agent_id, role) values (20, 1, 'primary'), (21, 1, 'additional');
insert into routing.inboxes (inbox_id, name, access) values (2, 'Private', 'restricted');
insert into routing.channels (channel_id, inbox_id, kind)
values (11, 1, 'email'), (12, 1, 'form'), (13, 1, 'bot'), (14, 1, 'messenger');
update routing.rules set assign_to = 'contact_owner' where channel_id = 10;
select hub, count(*) from routing.seats group by hub order by hub;
select kind from routing.channels order by channel_id;
-- nothing was added by the refused statements
select count(*) as conversations from routing.conversations;
select count(*) as events from routing.events;
select status from routing.conversations where conversation_id = 100;

-- section 10 (INTERFACE): inbox_access names exactly one of agent and team
insert into routing.inbox_access (inbox_id, agent_id, team_id) values (2, 1, 20);
\echo :LAST_ERROR_SQLSTATE
insert into routing.inbox_access (inbox_id) values (2);
\echo :LAST_ERROR_SQLSTATE
insert into routing.inbox_access (inbox_id, agent_id) values (2, 1);
insert into routing.inbox_access (inbox_id, team_id) values (2, 20);
select inbox_id, agent_id, team_id from routing.inbox_access order by agent_id, team_id;

-- section 10 (INTERFACE): rule_targets names exactly one of agent and team
insert into routing.rule_targets (channel_id, agent_id, team_id) values (10, 1, 20);
\echo :LAST_ERROR_SQLSTATE
insert into routing.rule_targets (channel_id) values (10);
\echo :LAST_ERROR_SQLSTATE
insert into routing.rule_targets (channel_id, agent_id) values (10, 1);
insert into routing.rule_targets (channel_id, team_id) values (10, 20);
select channel_id, agent_id, team_id from routing.rule_targets order by agent_id, team_id;

-- section 10 (INTERFACE): at most one primary team per agent
-- (Ann is primary in Support and additional in Sales)
insert into routing.teams (team_id, name) values (22, 'Billing');
insert into routing.team_members (team_id, agent_id, role) values (22, 1, 'primary');
\echo :LAST_ERROR_SQLSTATE
update routing.team_members set role = 'primary' where team_id = 21 and agent_id = 1;
\echo :LAST_ERROR_SQLSTATE
-- any number of additional teams is fine
insert into routing.team_members (team_id, agent_id, role) values (22, 1, 'additional');
select team_id, agent_id, role from routing.team_members order by team_id, agent_id;

-- section 4b: a rule whose default agent holds no paid seat is refused
insert into routing.agents (agent_id, name) values (3, 'Cid');
insert into routing.channels (channel_id, inbox_id, kind) values (15, 1, 'chat');
insert into routing.rules (channel_id, assign_to, default_agent_id) values (15, 'contact_owner', 3);
\echo :LAST_ERROR_SQLSTATE
update routing.rules set default_agent_id = 3 where channel_id = 10;
\echo :LAST_ERROR_SQLSTATE
select channel_id, default_agent_id from routing.rules order by channel_id;
-- a seated default agent is accepted
update routing.rules set default_agent_id = 1 where channel_id = 10;
select channel_id, default_agent_id from routing.rules order by channel_id;

-- INTERFACE: every object of schema routing has a comment
select obj_description('routing'::regnamespace, 'pg_namespace') is not null as schema_has_comment;
select c.relname, c.relkind, obj_description(c.oid, 'pg_class') is not null as has_comment
from pg_class c
where c.relnamespace = 'routing'::regnamespace and c.relkind in ('r', 'v')
order by c.relkind, c.relname;
select p.oid::regprocedure as function_name,
       obj_description(p.oid, 'pg_proc') is not null as has_comment
from pg_proc p
where p.pronamespace = 'routing'::regnamespace
order by p.proname;

-- INTERFACE: every table is registered for pg_dump (pg_extension_config_dump),
-- but announcer, whose position means nothing in another cluster
select c.relname, c.oid = any (e.extconfig) as dumped
from pg_class c, pg_extension e
where e.extname = 'routing'
  and c.relnamespace = 'routing'::regnamespace and c.relkind = 'r'
order by c.relname;

-- section 4a: the least-busy scan reads index agent_loads_team_least_busy,
-- per targeted team, in its order and takes that order as "fewest open
-- chats, least recently assigned, smallest id" (merging the teams and the
-- named agents in the same order, src/decision.c); SQL_LOAD_ORDER in
-- src/eligibility.h says the same for the traced decision, and
-- test/differential.sql checks the two agree.  A change to the index must
-- change both, and this output.
select pg_catalog.pg_get_indexdef('routing.agent_loads_team_least_busy'::regclass);
