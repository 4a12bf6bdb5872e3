-- doc/behaviour.md section 4a: on email and form channels the pick is uniformly
-- random among the eligible agents.  5 eligible and 3 ineligible targets of
-- one email channel; 5,000 emails.  Each eligible agent's share is
-- Binomial(5000, 1/5): mean 1000, standard deviation 28.3.
--  * Each eligible agent must get 850..1150 (5.3 standard deviations):
--    a uniform pick fails one of the five with probability < 6e-7.
--  * Pearson's chi-square over the five counts (4 degrees of freedom) must
--    be below 35: a uniform pick fails with probability
--    exp(-17.5) * (1 + 17.5) < 5e-7.
-- So a correct implementation fails this file less than once in 900,000 runs.
--
-- The same in a pool that is a small part of its account (account 2: 46
-- eligible and 14 ineligible targets among 400 agents), where a decision
-- draws members of the pool its backend remembers as many times as the
-- last read of the pool says a hit takes, then falls back to reading the
-- pool: 5,000 emails, each eligible agent's share Binomial(5000, 1/46),
-- mean 108.7; Pearson's chi-square over the 46 counts (45 degrees of
-- freedom) must be below 110: a uniform pick fails with probability
-- 2.3e-7.  (This once counted 50 eligible agents and took 100 for the
-- mean, which lifted the statistic by about 35 and failed one run in a few
-- dozen.)
--
-- And in a pool too sparse to draw from (account 3: 5 eligible among 100
-- targets), read whole by every decision, which draws 8 of its members and
-- judges them all (reservoir sampling) when none of those is eligible:
-- 5,000 emails, each eligible agent 850..1150 and chi-square below 35, as
-- above.
begin;
set local client_min_messages = warning;
create extension routing;
select plan(22);

-- Eligible: 1, 3, 4, 6, 8 (the smallest and the largest id among them).
-- Ineligible targets: 2 inactive, 5 without a seat, 7 away.
insert into routing.agents (agent_id, name, active)
select i, 'agent ' || i, i <> 2 from generate_series(1, 8) i;
insert into routing.seats (agent_id, hub)
select agent_id, 'service' from routing.agents where agent_id <> 5;
do $$
begin
    perform routing.set_availability(agent_id, case when agent_id = 7 then 'away' else 'available' end)
    from routing.agents;
end
$$;
insert into routing.inboxes (inbox_id, name) values (100, 'Help desk');
insert into routing.channels (channel_id, inbox_id, kind, name) values (1, 100, 'email', 'help@');
insert into routing.rules (channel_id, enabled) values (1, true);
insert into routing.rule_targets (channel_id, agent_id) select 1, agent_id from routing.agents;

insert into routing.conversations (channel_id) select 1 from generate_series(1, 5000);

create temp table picks as
select a.agent_id, count(c.conversation_id) as n
from routing.agents a
left join routing.conversations c on c.account_id = a.account_id
    and c.assignee_agent_id = a.agent_id
group by a.agent_id;

select is((select count(*) from routing.conversations
           where assignee_agent_id is not null and assigned_by = 'rule'
             and assigned_reason = 'random among eligible agents'),
          5000::bigint,
          'section 4a: each of the 5,000 emails is routed by the rule at random');

select is((select count(*) from routing.conversations
           where assignee_agent_id not in (1, 3, 4, 6, 8)),
          0::bigint,
          'section 4a: every pick is an eligible agent');

select ok(n between 850 and 1150,
          format('section 4a: eligible agent %s got %s of 5,000 emails (850..1150)', agent_id, n))
from picks where agent_id in (1, 3, 4, 6, 8) order by agent_id;

select is(n, 0::bigint,
          format('section 4a: ineligible agent %s (%s) got no email', agent_id,
                 case agent_id when 2 then 'inactive' when 5 then 'no seat' else 'away' end))
from picks where agent_id in (2, 5, 7) order by agent_id;

select cmp_ok((select sum((n - 1000.0) ^ 2 / 1000.0) from picks
               where agent_id in (1, 3, 4, 6, 8))::numeric,
              '<', 35::numeric,
              'section 4a: chi-square of the five counts is below 35 (4 degrees of freedom)');

select is((select sum(open_chats) from routing.agent_load), 0::bigint,
          'section 4a: emails are not counted as open chats');

-- Account 2: agents 1..400; targets 5, 10, ..., 300 (60), of which those
-- with an id divisible by 25 (12) have no seat; 2 more away: 46 eligible.
insert into routing.agents (account_id, agent_id, name)
select 2, i, 'agent ' || i from generate_series(1, 400) i;
insert into routing.seats (account_id, agent_id, hub)
select 2, agent_id, 'service' from routing.agents
where account_id = 2 and agent_id % 25 <> 0;
insert into routing.availability (account_id, agent_id, status)
select 2, agent_id, case when agent_id in (5, 10) then 'away' else 'available' end
from routing.agents where account_id = 2;
insert into routing.inboxes (account_id, inbox_id, name) values (2, 100, 'Help desk');
insert into routing.channels (account_id, channel_id, inbox_id, kind, name)
values (2, 1, 100, 'email', 'help@');
insert into routing.rules (account_id, channel_id, enabled) values (2, 1, true);
insert into routing.rule_targets (account_id, channel_id, agent_id)
select 2, 1, i from generate_series(5, 300, 5) i;

insert into routing.conversations (account_id, channel_id)
select 2, 1 from generate_series(1, 5000);

create temp table sparse_picks as
select t.agent_id, count(c.conversation_id) as n
from routing.rule_targets t
left join routing.conversations c on c.account_id = t.account_id
    and c.assignee_agent_id = t.agent_id
where t.account_id = 2 and t.agent_id % 25 <> 0 and t.agent_id not in (5, 10)
group by t.agent_id;

select is((select count(*) from routing.conversations c
           where c.account_id = 2
             and not exists (select 1 from sparse_picks p where p.agent_id = c.assignee_agent_id)),
          0::bigint,
          'section 4a: in a pool small beside its account, every pick is one of the 46 eligible agents');

select is((select count(*) from sparse_picks), 46::bigint,
          'section 4a: in a pool small beside its account, 46 agents are eligible');
select cmp_ok((select sum((n - 5000.0 / 46) ^ 2 / (5000.0 / 46)) from sparse_picks)::numeric,
              '<', 110::numeric,
              'section 4a: in a pool small beside its account, chi-square of the 46 counts is below 110 (45 degrees of freedom)');

-- Account 3: agents 1..400; targets 4, 8, ..., 400 (100), of which only
-- 80, 160, 240, 320 and 400 are eligible: 4 has no seat, 8 is inactive and
-- the other 93 are away.
insert into routing.agents (account_id, agent_id, name, active)
select 3, i, 'agent ' || i, i <> 8 from generate_series(1, 400) i;
insert into routing.seats (account_id, agent_id, hub)
select 3, agent_id, 'service' from routing.agents where account_id = 3 and agent_id <> 4;
insert into routing.availability (account_id, agent_id, status)
select 3, agent_id, case when agent_id % 4 = 0 and agent_id % 80 <> 0 then 'away' else 'available' end
from routing.agents where account_id = 3;
insert into routing.inboxes (account_id, inbox_id, name) values (3, 100, 'Help desk');
insert into routing.channels (account_id, channel_id, inbox_id, kind, name)
values (3, 1, 100, 'email', 'help@');
insert into routing.rules (account_id, channel_id, enabled) values (3, 1, true);
insert into routing.rule_targets (account_id, channel_id, agent_id)
select 3, 1, i from generate_series(4, 400, 4) i;

insert into routing.conversations (account_id, channel_id)
select 3, 1 from generate_series(1, 5000);

create temp table drawn_picks as
select t.agent_id, count(c.conversation_id) as n
from routing.rule_targets t
left join routing.conversations c on c.account_id = t.account_id
    and c.assignee_agent_id = t.agent_id
where t.account_id = 3
group by t.agent_id;

select is((select sum(n) from drawn_picks where agent_id % 80 <> 0), 0::numeric,
          'section 4a: in a pool too sparse to draw from, no ineligible target is picked');

select ok(n between 850 and 1150,
          format('section 4a: in a pool too sparse to draw from, agent %s got %s of 5,000 emails (850..1150)',
                 agent_id, n))
from drawn_picks where agent_id % 80 = 0 order by agent_id;

select cmp_ok((select sum((n - 1000.0) ^ 2 / 1000.0) from drawn_picks
               where agent_id % 80 = 0)::numeric,
              '<', 35::numeric,
              'section 4a: in a pool too sparse to draw from, chi-square of the five counts is below 35');

select * from finish();
rollback;
