-- sections 1, 3, 4 and 14 through the coordinator of a Citus cluster
-- (section 15): routing on INSERT for every rule and distribution method,
-- in accounts 1 and 2, whose shards are on different workers (citus_setup).
-- The accounts are made alike (citus_fixture); what one does never shows
-- in the other (section 10).
\set VERBOSITY terse
set client_min_messages = warning;
select public.citus_account(1);
select public.citus_account(2);

-- section 1: a channel with no rule leaves the conversation unassigned,
-- in routing.unassigned
insert into routing.conversations (account_id, conversation_id, channel_id)
values (1, 1001, 8) returning account_id, conversation_id, assignee_agent_id;
insert into routing.conversations (account_id, conversation_id, channel_id)
values (2, 1001, 8) returning account_id, conversation_id, assignee_agent_id;
select account_id, conversation_id from routing.unassigned
where account_id in (1, 2) order by 1, 2;

-- section 4a: chat (default: least busy): nobody has a chat, smallest id
-- first, then the least recently assigned
insert into routing.conversations (account_id, channel_id) values (1, 1)
returning account_id, assignee_agent_id, assigned_by, assigned_reason;
insert into routing.conversations (account_id, channel_id) values (1, 1)
returning account_id, assignee_agent_id, assigned_by, assigned_reason;
insert into routing.conversations (account_id, channel_id) values (2, 1)
returning account_id, assignee_agent_id, assigned_by, assigned_reason;
insert into routing.conversations (account_id, channel_id) values (1, 1)
returning account_id, assignee_agent_id;
insert into routing.conversations (account_id, channel_id) values (1, 1)
returning account_id, assignee_agent_id;
-- the conversation_id the coordinator gave is the row's
select count(*) = 4 as four_chats, count(distinct conversation_id) = 4 as distinct_ids
from routing.conversations where account_id = 1 and channel_id = 1;

-- section 14: round robin: never given one by the rule first, by agent id,
-- then the least recently given
with i as (insert into routing.conversations (account_id, channel_id)
           select 2, 3 from generate_series(1, 4) returning conversation_id, assignee_agent_id)
select assignee_agent_id from i order by conversation_id;

-- section 14: least busy on a form channel counts open emails
insert into routing.conversations (account_id, channel_id) values (1, 4)
returning account_id, assignee_agent_id;
insert into routing.conversations (account_id, channel_id) values (1, 4)
returning account_id, assignee_agent_id;

-- section 4b: the contact owner: Cy (tracked) gets it
insert into routing.conversations (account_id, channel_id, contact_id) values (2, 6, 1)
returning account_id, assignee_agent_id, assigned_reason;
insert into routing.conversations (account_id, channel_id, contact_id) values (2, 7, 1)
returning account_id, assignee_agent_id;
-- section 4b: owner Dee is away: unassigned, and an owner_offline event
insert into routing.conversations (account_id, conversation_id, channel_id, contact_id)
values (1, 1002, 6, 2) returning account_id, assignee_agent_id;
select account_id, kind, conversation_id, agent_id from routing.events
where account_id in (1, 2) order by 1, 3;
-- section 4b: no owner on live chat: the rule's default agent, Bob; on email
-- it stays unassigned
insert into routing.conversations (account_id, channel_id, contact_id) values (1, 6, 3)
returning account_id, assignee_agent_id;
insert into routing.conversations (account_id, channel_id, contact_id) values (1, 7, 3)
returning account_id, assignee_agent_id;

-- section 4c: with "only available" off, Dee (away) is routed to in account
-- 2; account 1 keeps the rule off and the conversation unassigned
update routing.rules set enabled = true, only_available = false
where account_id = 2 and channel_id = 9;
with i as (insert into routing.conversations (account_id, channel_id) values (1, 9), (2, 9)
           returning account_id, assignee_agent_id)
select * from i order by account_id;

-- section 3: an inactive agent is never routed to: Ann leaves account 1 only
update routing.agents set active = false where account_id = 1 and agent_id = 1;
with i as (insert into routing.conversations (account_id, channel_id)
           select a, 1 from (values (1), (2)) accounts (a), generate_series(1, 3)
           returning account_id, conversation_id, assignee_agent_id)
select account_id, assignee_agent_id from i order by account_id, conversation_id;
-- section 4a: email (default: random) among the team's primary members,
-- Ann and Bob (Cy is an additional member); random on chat likewise
with i as (insert into routing.conversations (account_id, channel_id)
           select a, c from (values (1), (2)) accounts (a), (values (2), (5)) channels (c),
                            generate_series(1, 5)
           returning account_id, channel_id, assignee_agent_id)
select account_id, channel_id, count(*) as conversations,
       bool_and(assignee_agent_id in (1, 2)) as all_ann_or_bob
from i group by 1, 2 order by 1, 2;

-- section 3: an agent without a seat is never routed to (Eve, available,
-- a target in account 2)
update routing.availability set status = 'available' where account_id = 2 and agent_id = 5;
insert into routing.rule_targets (account_id, channel_id, agent_id) values (2, 5, 5);
with i as (insert into routing.conversations (account_id, channel_id)
           select 2, 5 from generate_series(1, 10) returning assignee_agent_id)
select count(*) filter (where assignee_agent_id = 5) as to_eve, count(*) as chats from i;

-- section 6, 10: the counters are exact in each account; every change of
-- owner is logged in its account
with truth as (
    select c.account_id, c.assignee_agent_id as agent_id,
           count(*) filter (where ch.kind in ('chat', 'bot', 'messenger')) as chats,
           count(*) filter (where ch.kind in ('email', 'form')) as emails
    from routing.conversations c
    join routing.channels ch using (account_id, channel_id)
    where c.status = 'open' and c.assignee_agent_id is not null
    group by 1, 2)
select count(*) as wrong_counters
from routing.agent_load l
left join truth t using (account_id, agent_id)
where l.account_id in (1, 2)
  and (l.open_chats <> coalesce(t.chats, 0) or l.open_emails <> coalesce(t.emails, 0));
select c.account_id, count(*) as assigned, count(g.conversation_id) as logged
from routing.conversations c
left join routing.assignment_log g using (account_id, conversation_id)
where c.account_id in (1, 2) and c.assignee_agent_id is not null
group by 1 order by 1;
