-- Section 10 (and issue 10): a decision reads its account's rows by key.
-- With 2,000 accounts in the database, routing chats (least busy, by team
-- and by named agent), emails (random) and round-robin chats in one of
-- them scans none of the routing tables whole: the sequential scan count
-- of each stays where it was.  The rule's targets are read through their
-- partial indexes (an earlier build scanned every account's targets).
set client_min_messages = warning;
drop extension if exists routing cascade;
create extension routing;

-- 2,000 accounts of 10 agents: one team of primary members (and four
-- empty ones), a restricted inbox open to the five teams; channel 1 chat
-- (the team), 2 email (the team), 3 chat (agents 1 and 2 named, round
-- robin).
insert into routing.agents (account_id, agent_id, name)
    select a, g, 'agent ' || g from generate_series(1, 2000) a, generate_series(1, 10) g;
insert into routing.seats (account_id, agent_id, hub)
    select account_id, agent_id, 'service' from routing.agents;
insert into routing.availability (account_id, agent_id, status)
    select account_id, agent_id, 'available' from routing.agents;
insert into routing.teams (account_id, team_id, name)
    select a, t, 'team ' || t from generate_series(1, 2000) a, generate_series(1, 5) t;
insert into routing.team_members (account_id, team_id, agent_id, role)
    select account_id, 1, agent_id, 'primary' from routing.agents;
insert into routing.inboxes (account_id, inbox_id, name, access)
    select a, 1, 'support', 'restricted' from generate_series(1, 2000) a;
insert into routing.inbox_access (account_id, inbox_id, team_id)
    select a, 1, t from generate_series(1, 2000) a, generate_series(1, 5) t;
insert into routing.channels (account_id, channel_id, inbox_id, kind, name)
    select a, c, 1, case c when 2 then 'email' else 'chat' end, 'channel ' || c
    from generate_series(1, 2000) a, generate_series(1, 3) c;
insert into routing.rules (account_id, channel_id, enabled, distribution)
    select a, c, true, case c when 3 then 'round_robin' else 'default' end
    from generate_series(1, 2000) a, generate_series(1, 3) c;
insert into routing.rule_targets (account_id, channel_id, team_id)
    select a, c, 1 from generate_series(1, 2000) a, generate_series(1, 2) c;
insert into routing.rule_targets (account_id, channel_id, agent_id)
    select a, 3, g from generate_series(1, 2000) a, generate_series(1, 2) g;
-- A conversation per channel everywhere, so that conversations and the
-- round-robin turns are not empty either.
insert into routing.conversations (account_id, channel_id)
    select a, c from generate_series(1, 2000) a, generate_series(1, 3) c;
analyze;

-- A new session: the routing plans are prepared under these statistics.
\c
set stats_fetch_consistency = none;
create temporary table scans_before as
    select relname, seq_scan from pg_stat_user_tables where schemaname = 'routing';
insert into routing.conversations (account_id, channel_id)
    select 1500, c from generate_series(1, 3) c, generate_series(1, 4) n;
select count(*) filter (where assignee_agent_id is not null) as routed, count(*) as inserted
from routing.conversations where account_id = 1500;
select pg_stat_force_next_flush();
-- Expected: no row (no routing table scanned whole by the inserts).
select s.relname, s.seq_scan - b.seq_scan as scanned_whole
from pg_stat_user_tables s join scans_before b using (relname)
where s.schemaname = 'routing' and s.seq_scan <> b.seq_scan
order by s.relname;

-- A close reads the queue channels its agent's room can serve, through the
-- index of queue channels (1.7), not every rule of the account: with 200
-- more channels in account 1500, none of them queueing, closing its 12
-- conversations reads a few rules rows per close, not 200.
insert into routing.channels (account_id, channel_id, inbox_id, kind, name)
    select 1500, c, 1, 'email', 'channel ' || c from generate_series(4, 203) c;
insert into routing.rules (account_id, channel_id, enabled)
    select 1500, c, true from generate_series(4, 203) c;
select pg_stat_force_next_flush();
create temporary table rules_before as
    select idx_tup_fetch + seq_tup_read as read from pg_stat_user_tables
    where schemaname = 'routing' and relname = 'rules';
update routing.conversations set status = 'closed'
where account_id = 1500 and assignee_agent_id is not null;
select pg_stat_force_next_flush();
select (s.idx_tup_fetch + s.seq_tup_read - b.read) / 12 < 10 as few_rules_per_close
from pg_stat_user_tables s, rules_before b
where s.schemaname = 'routing' and s.relname = 'rules';
drop extension routing cascade;
