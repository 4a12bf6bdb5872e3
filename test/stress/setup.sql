-- The account the stress run routes in (doc/behaviour.md sections 3, 4a, 5, 6,
-- 12, 13, 14).
--
-- Three families of agents, disjoint, so that each agent's load comes
-- from one family's channels only:
--
-- Family A, agents 101-106: three chat-kind channels whose rule targets
-- overlap in every way (a shared team, individual agents, an agent named
-- both directly and through a team, a second team) but whose ELIGIBLE sets
-- are all the same {101..106}.  Least busy routing only promises that each
-- pick is a minimum of its own pool, so "a pool's counts differ by at most
-- one" holds for pools that share every eligible agent: checked exactly.
--
-- Family B, agents 201-205: genuinely overlapping pools,
--   channel 4 {201,202,203}, channel 5 {201,202,203,204}, channel 6 {204,205}.
-- Here "at most one" does NOT hold by the rules: inserts into channel 4 alone
-- raise 201-203 while 204 and 205 stay at 0, so channel 5's pool can differ
-- by any amount.  What the rules do guarantee: an agent is only ever given a
-- chat while no agent of that pool has fewer, so if every pool of agent a
-- also contains agent b, then open_chats(a) <= open_chats(b) + 1 (a only rises
-- when a <= b).  That "domination" property is checked for every pair of
-- agents, and for family A it is the "at most one" property.
--
-- Distractors that must never be routed to (section 3): 108 targeted but
-- holds no seat; 109 targeted but inactive; 110 targeted on channel 3 but
-- has no access to its restricted inbox; 201 an ADDITIONAL member of team 10
-- and 104 an additional member of team 20 (never routed to through a team);
-- 102 an additional member of team 11.
--
-- Channel 7 (email, random) targets teams 10 and 20: it counts in the
-- email load only.  Channel 8 (chat) has a disabled rule: its conversations
-- stay unassigned (section 1) until a manual action in the mixed phase.
--
-- Family C, agents 301-306 (sections 12-14): the pools of two queue
-- channels, every eligible agent with a capacity, so that the queue fills
-- up and is drained by closes, capacities raised and agents coming back:
--   channel 9 (chat, when_nobody queue, round robin) {301..305},
--   channel 10 (email, when_nobody queue, least busy) {302..306}; 301 is a
--   target of channel 10 too but has email capacity 0 (never routed to).
-- Family C agents get conversations only from the rule: no mixed script
-- assigns to them by hand, and reopening gives them nothing back (reopening
-- keeps the owner past capacity, as a manual assignment may), so their
-- loads must never pass their capacities.

set client_min_messages = warning;
drop extension if exists routing cascade;
create extension routing;

insert into routing.agents (agent_id, name, active)
select id, 'agent ' || id, id <> 109
from unnest(array[101, 102, 103, 104, 105, 106, 108, 109, 110,
                  201, 202, 203, 204, 205,
                  301, 302, 303, 304, 305, 306]) as id;

insert into routing.seats (agent_id, hub)
select id, case when id % 2 = 0 then 'sales' else 'service' end
from unnest(array[101, 102, 103, 104, 105, 106, 109, 110,
                  201, 202, 203, 204, 205,
                  301, 302, 303, 304, 305, 306]) as id;
-- Some agents hold both seats: one seat is enough, two must not count twice.
insert into routing.seats (agent_id, hub) values (101, 'sales'), (204, 'service');

insert into routing.availability (agent_id, status)
select agent_id, 'available' from routing.agents;

insert into routing.teams (team_id, name) values
    (10, 'front desk'), (11, 'night shift'), (20, 'billing');
insert into routing.team_members (team_id, agent_id, role) values
    (10, 101, 'primary'), (10, 102, 'primary'), (10, 103, 'primary'),
    (10, 104, 'primary'), (10, 201, 'additional'),
    (11, 105, 'primary'), (11, 102, 'additional'),
    (20, 201, 'primary'), (20, 202, 'primary'), (20, 203, 'primary'),
    (20, 104, 'additional');

insert into routing.inboxes (inbox_id, name, access) values
    (1, 'support', 'everyone'), (2, 'vip', 'restricted');
insert into routing.inbox_access (inbox_id, team_id) values (2, 10), (2, 11);
insert into routing.inbox_access (inbox_id, agent_id) values (2, 106);

insert into routing.channels (channel_id, inbox_id, kind, name) values
    (1, 1, 'chat', 'web chat'),
    (2, 1, 'bot', 'bot'),
    (3, 2, 'messenger', 'vip messenger'),
    (4, 1, 'chat', 'billing chat'),
    (5, 1, 'chat', 'billing chat, overflow'),
    (6, 1, 'bot', 'billing bot'),
    (7, 1, 'email', 'mail'),
    (8, 1, 'chat', 'unrouted chat'),
    (9, 1, 'chat', 'queued chat'),
    (10, 1, 'email', 'queued mail');

insert into routing.rules (channel_id, enabled, assign_to) values
    (1, true, 'users_and_teams'), (2, true, 'users_and_teams'),
    (3, true, 'users_and_teams'), (4, true, 'users_and_teams'),
    (5, true, 'users_and_teams'), (6, true, 'users_and_teams'),
    (7, true, 'users_and_teams'), (8, false, 'users_and_teams');
-- sections 13, 14: the queue channels
insert into routing.rules (channel_id, enabled, when_nobody, distribution) values
    (9, true, 'queue', 'round_robin'), (10, true, 'queue', 'least_busy');

insert into routing.rule_targets (channel_id, team_id) values
    (1, 10), (3, 10), (3, 11), (4, 20), (5, 20), (7, 10), (7, 20);
insert into routing.rule_targets (channel_id, agent_id) values
    (1, 105), (1, 106), (1, 108), (1, 109),
    (2, 101), (2, 102), (2, 103), (2, 104), (2, 105), (2, 106),
    (3, 106), (3, 102), (3, 110),
    (5, 204),
    (6, 204), (6, 205),
    (9, 301), (9, 302), (9, 303), (9, 304), (9, 305),
    (10, 301), (10, 302), (10, 303), (10, 304), (10, 305), (10, 306);

-- section 12: capacities of family C (raised, never lowered, by
-- mixed_capacity.sql)
insert into routing.capacities (agent_id, work, max_open) values
    (301, 'chat', 3), (302, 'chat', 4), (303, 'chat', 5), (304, 'chat', 3),
    (305, 'chat', 4),
    (301, 'email', 0), (302, 'email', 3), (303, 'email', 4), (304, 'email', 5),
    (305, 'email', 3), (306, 'email', 4);

-- The test's own expectation (section 3), written out by hand rather than
-- derived from the tables: the eligible agents of each routed channel while
-- everyone is available.
create table public.stress_pool (
    channel_id bigint not null,
    agent_id bigint not null,
    primary key (channel_id, agent_id)
);
insert into public.stress_pool
select 1, unnest(array[101, 102, 103, 104, 105, 106]) union all
select 2, unnest(array[101, 102, 103, 104, 105, 106]) union all
select 3, unnest(array[101, 102, 103, 104, 105, 106]) union all
select 4, unnest(array[201, 202, 203]) union all
select 5, unnest(array[201, 202, 203, 204]) union all
select 6, unnest(array[204, 205]) union all
select 7, unnest(array[101, 102, 103, 104, 201, 202, 203]) union all
select 9, unnest(array[301, 302, 303, 304, 305]) union all
select 10, unnest(array[302, 303, 304, 305, 306]);

-- Pools whose agents all share the same pools: "at most one" holds for them.
create table public.stress_balanced_pool (channel_id bigint primary key);
insert into public.stress_balanced_pool values (1), (2), (3);

-- Channels whose rule queues (section 13): their conversations may wait.
create table public.stress_queue_channel (channel_id bigint primary key);
insert into public.stress_queue_channel values (9), (10);

-- Conversations the mixed phase inserted (and committed) and deleted (a
-- plain DELETE), recorded in the same transaction, to account for every
-- row; mixed_insert_queue.sql also records the owner its INSERT returned
-- and the owner the row commits with (section 5: the same).
create table public.stress_inserted (conversation_id bigint not null,
                                     returned_agent_id bigint,
                                     committed_agent_id bigint);
create table public.stress_deleted (conversation_id bigint not null);
