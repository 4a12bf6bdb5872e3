-- make demo: a small account, routed live.  Run by psql inside a throwaway
-- cluster (pg_virtualenv); it prints who got what and why.

\pset footer off
set client_min_messages = warning;
create extension routing;

\echo
\echo '== The account: five agents, two teams, two inboxes, one channel of each kind'
insert into routing.agents (agent_id, name, email, active) values
    (1, 'Ann', 'ann@example.com', true),
    (2, 'Bob', 'bob@example.com', true),
    (3, 'Cy',  'cy@example.com',  true),
    (4, 'Dee', 'dee@example.com', true),
    (5, 'Eve', 'eve@example.com', false);      -- deactivated
insert into routing.seats (agent_id, hub) values
    (1, 'service'), (2, 'service'), (3, 'sales'), (5, 'service');  -- Dee has no paid seat
select count(routing.set_availability(agent_id, 'available')) as available_agents from routing.agents \gset
insert into routing.teams (team_id, name) values (10, 'Support'), (20, 'Sales');
insert into routing.team_members (team_id, agent_id, role) values
    (10, 1, 'primary'), (10, 2, 'primary'), (10, 3, 'additional'), (20, 3, 'primary');
insert into routing.inboxes (inbox_id, name, access) values
    (100, 'Help desk', 'everyone'), (200, 'VIP', 'restricted');
insert into routing.inbox_access (inbox_id, team_id) values (200, 20);
insert into routing.channels (channel_id, inbox_id, kind, name) values
    (1, 100, 'chat', 'Website chat'),
    (2, 100, 'email', 'support@'),
    (3, 100, 'form', 'Contact form'),
    (4, 100, 'bot', 'Help bot'),
    (5, 100, 'messenger', 'Messenger'),
    (6, 100, 'chat', 'Account chat'),
    (7, 200, 'email', 'vip@');
insert into routing.rules (channel_id, enabled, assign_to, default_agent_id) values
    (1, true, 'users_and_teams', null),
    (2, true, 'users_and_teams', null),
    (3, true, 'users_and_teams', null),
    (4, true, 'users_and_teams', null),
    (5, false, 'users_and_teams', null),       -- not enabled: stays unassigned
    (6, true, 'contact_owner', 2),
    (7, true, 'users_and_teams', null);
insert into routing.rule_targets (channel_id, team_id) values (1, 10), (2, 10), (7, 20);
insert into routing.rule_targets (channel_id, agent_id) values (1, 3), (2, 3), (3, 1), (3, 2), (4, 4), (4, 5);
insert into routing.contacts (contact_id, owner_agent_id, tracked) values
    (500, 1, true), (501, null, false);

select a.agent_id, a.name, a.active,
       coalesce(string_agg(distinct s.hub, ','), '-') as seats,
       coalesce(string_agg(distinct t.name || ' (' || m.role || ')', ', '), '-') as teams
from routing.agents a
left join routing.seats s using (account_id, agent_id)
left join routing.team_members m using (account_id, agent_id)
left join routing.teams t on t.account_id = m.account_id and t.team_id = m.team_id
group by a.agent_id, a.name, a.active order by a.agent_id;

\echo '== Six website chats: least busy first (Ann, Bob and Cy are the pool)'
insert into routing.conversations (channel_id)
select 1 from generate_series(1, 6);
select conversation_id, assignee_agent_id as agent, assigned_reason
from routing.conversations where channel_id = 1 order by conversation_id;

\echo '== Bob goes away; three more chats skip him'
select routing.set_availability(2, 'away') \gset
insert into routing.conversations (channel_id) select 1 from generate_series(1, 3);
select conversation_id, assignee_agent_id as agent, assigned_reason
from routing.conversations where channel_id = 1 and conversation_id > 6 order by conversation_id;

\echo '== Twelve emails: a uniformly random pick among Ann and Cy (Bob is away)'
insert into routing.conversations (channel_id) select 2 from generate_series(1, 12);
select assignee_agent_id as agent, count(*) as emails
from routing.conversations where channel_id = 2 group by 1 order by 1;

\echo '== A bot chat: Dee has no seat and Eve is deactivated, so nobody is eligible'
insert into routing.conversations (channel_id) values (4)
returning conversation_id, assignee_agent_id as agent;

\echo '== Contact owner: Ann owns contact 500; contact 501 is untracked, so the'
\echo '   default agent Bob would take it, but he is away: it waits in Unassigned'
insert into routing.conversations (channel_id, contact_id) values (6, 500), (6, 501)
returning conversation_id, contact_id, assignee_agent_id as agent, assigned_reason;
\echo '   Bob is back; route_conversation() routes what was left unassigned'
select routing.set_availability(2, 'available') \gset
select routing.route_conversation(conversation_id) as routed_later_to
from routing.unassigned where channel_id = 6;

\echo '== VIP email: restricted to the Sales team, so only Cy'
insert into routing.conversations (channel_id) values (7) returning conversation_id, assignee_agent_id;

\echo '== Messenger has no enabled rule: Unassigned until someone replies'
insert into routing.conversations (channel_id) values (5);
select conversation_id, channel_id from routing.unassigned order by conversation_id;
select routing.reply(conversation_id, 4) as replied_and_took
from routing.unassigned where channel_id = 5;

\echo '== Why did the last website chat go where it went?'
select jsonb_pretty(jsonb_build_object(
    'method', e->'method', 'pick', e->'pick', 'reason', e->'reason',
    'candidates', (select jsonb_agg(jsonb_build_object('agent', c->'agent_id', 'name', c->'name',
        'eligible', c->'eligible', 'open_chats', c->'open_chats', 'checks', c->'checks'))
        from jsonb_array_elements(e->'candidates') c)))
from (select routing.explain_route(max(conversation_id)) as e
      from routing.conversations where channel_id = 1) x;

\echo '== Who owns what'
select a.name, l.open_chats,
       (select count(*) from routing.conversations c
        where c.assignee_agent_id = a.agent_id) as conversations
from routing.agents a join routing.agent_load l using (account_id, agent_id)
order by a.agent_id;
select c.conversation_id, ch.name as channel, ch.kind, a.name as owner, c.assigned_by
from routing.conversations c
join routing.channels ch using (account_id, channel_id)
left join routing.agents a on a.account_id = c.account_id and a.agent_id = c.assignee_agent_id
order by c.conversation_id;

\echo
\echo '== Version 1.3: capacity, the queue and round robin'
\echo '   Three more agents on the Night shift team, seated and available, with chat'
\echo '   capacities: Fay 2, Gus 1, Hal 2.  Night chat (channel 8) routes to the team'
\echo '   and queues what nobody has room for (when_nobody = queue).'
insert into routing.agents (agent_id, name, email) values
    (6, 'Fay', 'fay@example.com'), (7, 'Gus', 'gus@example.com'), (8, 'Hal', 'hal@example.com');
insert into routing.seats (agent_id, hub) values (6, 'service'), (7, 'service'), (8, 'service');
select count(routing.set_availability(agent_id, 'available')) as available_agents
from routing.agents where agent_id in (6, 7, 8) \gset
insert into routing.teams (team_id, name) values (30, 'Night shift');
insert into routing.team_members (team_id, agent_id, role) values
    (30, 6, 'primary'), (30, 7, 'primary'), (30, 8, 'primary');
insert into routing.channels (channel_id, inbox_id, kind, name) values
    (8, 100, 'chat', 'Night chat'), (9, 100, 'email', 'orders@');
insert into routing.rules (channel_id, enabled, when_nobody) values (8, true, 'queue');
insert into routing.rule_targets (channel_id, team_id) values (8, 30);
insert into routing.capacities (agent_id, work, max_open) values
    (6, 'chat', 2), (7, 'chat', 1), (8, 'chat', 2);
select a.name, c.work, c.max_open
from routing.capacities c join routing.agents a using (account_id, agent_id)
order by a.agent_id;

\echo '== Capacity respected: five night chats fill the five places'
\echo '   (the fifth would go to Gus, least recently assigned, but he is at his capacity'
\echo '   of 1, so Hal gets it)'
insert into routing.conversations (channel_id) select 8 from generate_series(1, 5);
select c.conversation_id, a.name as agent, c.assigned_reason
from routing.conversations c join routing.agents a
  on a.account_id = c.account_id and a.agent_id = c.assignee_agent_id
where c.channel_id = 8 order by c.conversation_id;
select a.name, l.open_chats, cap.max_open as chat_capacity
from routing.agents a
join routing.agent_load l using (account_id, agent_id)
join routing.capacities cap on cap.account_id = a.account_id and cap.agent_id = a.agent_id
                           and cap.work = 'chat'
order by a.agent_id;

\echo '== Everyone is full: four more night chats wait in the queue; the last one,'
\echo '   priority 5, jumps ahead of the three before it'
insert into routing.conversations (channel_id) select 8 from generate_series(1, 3);
insert into routing.conversations (channel_id, priority) values (8, 5);
select position, conversation_id, priority
from routing.queue where channel_id = 8 order by position;

\echo '== The queue drains as chats close: Gus closes his chat, and in the same'
\echo '   transaction, before COMMIT, the head of the queue (the priority chat) is his'
begin;
select routing.close_conversation(min(conversation_id))
from routing.conversations where channel_id = 8 and assignee_agent_id = 7 \gset
select c.conversation_id, c.priority, a.name as agent, c.assigned_reason
from routing.conversations c join routing.agents a
  on a.account_id = c.account_id and a.agent_id = c.assignee_agent_id
where c.channel_id = 8 and c.status = 'open' and c.assignee_agent_id = 7;
commit;
\echo '   Fay closes both of hers: the next two in line go to her'
select count(routing.close_conversation(conversation_id)) as closed
from routing.conversations where channel_id = 8 and assignee_agent_id = 6 and status = 'open' \gset
select c.conversation_id, a.name as agent, c.assigned_reason
from routing.conversations c join routing.agents a
  on a.account_id = c.account_id and a.agent_id = c.assignee_agent_id
where c.channel_id = 8 and c.status = 'open' and c.assignee_agent_id = 6
order by c.conversation_id;
\echo '   One chat is still waiting:'
select position, conversation_id, priority from routing.queue where channel_id = 8 order by position;

\echo '== Round robin: orders@ (email) gives Fay, Gus and Hal turns, whatever their loads'
insert into routing.rules (channel_id, enabled, distribution) values (9, true, 'round_robin');
insert into routing.rule_targets (channel_id, agent_id) values (9, 6), (9, 7), (9, 8);
insert into routing.conversations (channel_id) select 9 from generate_series(1, 7);
select c.conversation_id, a.name as agent, c.assigned_reason
from routing.conversations c join routing.agents a
  on a.account_id = c.account_id and a.agent_id = c.assignee_agent_id
where c.channel_id = 9 order by c.conversation_id;
select a.name, l.open_chats, l.open_emails
from routing.agents a join routing.agent_load l using (account_id, agent_id)
where a.agent_id in (6, 7, 8) order by a.agent_id;

\echo
\echo '== Version 1.9: routing that acts on the clock (section 16).  Time moves by'
\echo '   the "at" passed to routing.tick(); in production the background worker,'
\echo '   pg_cron or the application calls it.'
set timezone = 'UTC';
\echo '   Sales chat (channel 10) offers each chat to Ann or Bob in turn, for 30 seconds'
insert into routing.channels (channel_id, inbox_id, kind, name) values (10, 100, 'chat', 'Sales chat');
insert into routing.rules (channel_id, enabled, distribution, accept_within, max_offers)
    values (10, true, 'round_robin', '30 seconds', 2);
insert into routing.rule_targets (channel_id, agent_id) values (10, 1), (10, 2);
insert into routing.conversations (conversation_id, channel_id) values (1000, 10), (1001, 10);
select t.kind, t.conversation_id, a.name as offered_to, t.due_at - now() < interval '31 seconds' as due_in_30s
from routing.timers t join routing.agents a using (account_id, agent_id)
where t.kind = 'offer' order by t.conversation_id;
\echo '   Bob accepts his; Ann lets hers lapse: a minute later the tick offers it to Bob'
select routing.accept(c.conversation_id, c.assignee_agent_id)
from routing.conversations c where c.conversation_id in (1000, 1001) and c.assignee_agent_id = 2;
select routing.tick(now() + interval '1 minute') as pieces_done;
select l.conversation_id, f.name as from_agent, t.name as to_agent, l.reason
from routing.assignment_log l
left join routing.agents f on f.account_id = l.account_id and f.agent_id = l.from_agent_id
left join routing.agents t on t.account_id = l.account_id and t.agent_id = l.to_agent_id
where l.conversation_id in (1000, 1001) order by l.log_id;
select e.kind, e.conversation_id, a.name, e.reason
from routing.events e join routing.agents a using (account_id, agent_id)
where e.kind = 'offer_lapsed';

\echo '== Working hours: Hal works Monday 09:00-17:00, Copenhagen time.  A tick on'
\echo '   Monday 2027-01-04 at 10:00 there sets him available; one at 17:00 away.'
update routing.agents set time_zone = 'Europe/Copenhagen' where agent_id = 8;
insert into routing.working_hours (agent_id, weekday, starts, ends) values (8, 1, '09:00', '17:00');
select routing.set_availability(8, 'away');
select routing.tick('2027-01-04 09:00+00') as pieces_done;
select v.status, v.changed_at, t.due_at as next_boundary
from routing.availability v join routing.agent_timers t using (account_id, agent_id)
where v.agent_id = 8 and t.kind = 'hours';
select routing.tick('2027-01-04 16:00+00') as pieces_done;
select e.kind, e.at, e.reason from routing.events e
where e.agent_id = 8 and e.kind in ('hours_start', 'hours_end') order by e.event_id;
