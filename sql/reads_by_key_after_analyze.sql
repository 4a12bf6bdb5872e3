-- Sections 4, 6, 12 and 13 (and issue 21): routing reads by key from the
-- first insert after VACUUM ANALYZE of empty tables.  Its plans, and the
-- foreign key checks its writes cause, are made once per backend and kept
-- until the statistics change: made while the tables were empty they chose
-- sequential scans, which read the whole of conversations for every
-- assignment_log row (3,001 scans of 4.5 million rows over 3,000 inserts).
-- One session routes 3,000 chats and emails, closes and reassigns some,
-- queues and drains, records owner_offline events, and no routing table is
-- read by sequential scan; nor after TRUNCATE and VACUUM ANALYZE.
set client_min_messages = warning;
drop extension if exists routing cascade;
create extension routing;
vacuum analyze;

-- Agents 1-10: primary members of team 1, the target of channels 1 (chat,
-- least busy) and 2 (email, random).  Agents 11 and 12 (chat capacity 1)
-- are named by channel 3 (chat, queue).  Agent 13 takes reassignments.  Channel 4 (email) routes to the
-- contact owner, agent 13, who is away: each of its conversations records
-- owner_offline.
insert into routing.agents (agent_id, name)
    select g, 'agent ' || g from generate_series(1, 13) g;
insert into routing.seats (agent_id, hub)
    select agent_id, 'service' from routing.agents;
insert into routing.availability (agent_id, status)
    select agent_id, case agent_id when 13 then 'away' else 'available' end
    from routing.agents;
insert into routing.capacities (agent_id, work, max_open) values (11, 'chat', 1), (12, 'chat', 1);
insert into routing.teams (team_id, name) values (1, 'support');
insert into routing.team_members (team_id, agent_id, role)
    select 1, g, 'primary' from generate_series(1, 10) g;
insert into routing.inboxes (inbox_id, name) values (1, 'help');
insert into routing.channels (channel_id, inbox_id, kind)
    values (1, 1, 'chat'), (2, 1, 'email'), (3, 1, 'chat'), (4, 1, 'email');
insert into routing.rules (channel_id, enabled, when_nobody, assign_to)
    values (1, true, 'leave_unassigned', 'users_and_teams'),
           (2, true, 'leave_unassigned', 'users_and_teams'),
           (3, true, 'queue', 'users_and_teams'),
           (4, true, 'leave_unassigned', 'contact_owner');
insert into routing.rule_targets (channel_id, team_id) values (1, 1), (2, 1);
insert into routing.rule_targets (channel_id, agent_id) values (3, 11), (3, 12);
insert into routing.contacts (contact_id, owner_agent_id, tracked) values (1, 13, true);

-- What one session does: n conversations, alternately chat and email; a
-- tenth closed, a fifteenth reassigned; every 100th, two chats of channel
-- 3 that wait for agents 11 and 12 (capacity 1), and closing the two before
-- them drains them in; and an email of channel 4 (owner_offline).  Each
-- chat of channel 3 that waited on insert goes to queued_on_insert.
create procedure route_for_scans(n integer)
    language plpgsql
as $$
declare
    id bigint;
    owner bigint;
    queued bigint[] := '{}';
begin
    for i in 1..n loop
        insert into routing.conversations (channel_id) values (1 + i % 2)
            returning conversation_id into id;
        if i % 10 = 0 then
            perform routing.close_conversation(id);
        elsif i % 15 = 0 then
            perform routing.assign(id, 13);
        end if;
        if i % 100 = 0 then
            for k in 1..2 loop
                insert into routing.conversations (channel_id) values (3)
                    returning conversation_id, assignee_agent_id into id, owner;
                queued := queued || id;
                if owner is null then
                    insert into queued_on_insert values (id);
                end if;
            end loop;
            if i > 100 then
                perform routing.close_conversation(queued[cardinality(queued) - 3]);
                perform routing.close_conversation(queued[cardinality(queued) - 2]);
            end if;
            insert into routing.conversations (channel_id, contact_id) values (4, 1);
        end if;
    end loop;
    perform routing.drain();
end
$$;

-- A new session: every plan is made under the empty tables' statistics.
\c
set stats_fetch_consistency = none;
create temporary table queued_on_insert (conversation_id bigint);
create temporary table scans_before as
    select relname, seq_scan from pg_stat_user_tables where schemaname = 'routing';
call route_for_scans(3000);
select pg_stat_force_next_flush();
-- Expected: no row (no routing table scanned whole).
select s.relname, s.seq_scan - b.seq_scan as scanned_whole
from pg_stat_user_tables s join scans_before b using (relname)
where s.schemaname = 'routing' and s.seq_scan <> b.seq_scan
order by s.relname;

-- What the session did: routed, closed, reassigned, queued, drained.
select c.channel_id, count(*) as conversations,
       count(*) filter (where c.status = 'closed') as closed,
       count(*) filter (where c.assigned_by = 'manual') as reassigned,
       count(*) filter (where c.status = 'open' and c.assignee_agent_id is null) as waiting
from routing.conversations c group by c.channel_id order by c.channel_id;
-- Chats of channel 3 that waited, and were assigned when room freed up.
select count(*) as waited, count(c.assignee_agent_id) as drained_to_an_agent
from queued_on_insert q join routing.conversations c using (conversation_id);
select count(*) as owner_offline_events from routing.events where kind = 'owner_offline';
-- Section 6: every counter equals the true count.
select count(*) as wrong_counters
from routing.agent_load l
where l.open_chats <> (select count(*) from routing.conversations c
                       join routing.channels ch using (account_id, channel_id)
                       where c.assignee_agent_id = l.agent_id and c.status = 'open'
                         and ch.kind = 'chat')
   or l.open_emails <> (select count(*) from routing.conversations c
                        join routing.channels ch using (account_id, channel_id)
                        where c.assignee_agent_id = l.agent_id and c.status = 'open'
                          and ch.kind = 'email');

-- The same after TRUNCATE and VACUUM ANALYZE of the loaded account: the
-- statistics now say a few agents, channels and rules, and no conversation.
set client_min_messages = warning;
truncate routing.conversations cascade;
vacuum analyze;
\c
set stats_fetch_consistency = none;
create temporary table queued_on_insert (conversation_id bigint);
create temporary table scans_before as
    select relname, seq_scan from pg_stat_user_tables where schemaname = 'routing';
call route_for_scans(1000);
select pg_stat_force_next_flush();
-- Expected: no row.
select s.relname, s.seq_scan - b.seq_scan as scanned_whole
from pg_stat_user_tables s join scans_before b using (relname)
where s.schemaname = 'routing' and s.seq_scan <> b.seq_scan
order by s.relname;
select count(*) as conversations, count(*) filter (where status = 'closed') as closed
from routing.conversations;
drop procedure route_for_scans(integer);
drop extension routing cascade;
