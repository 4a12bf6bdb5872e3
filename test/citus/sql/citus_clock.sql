-- section 16 through the coordinator of a Citus cluster (section 15): each
-- worker's tick() does the due work of the shard groups placed on it, in
-- accounts 19 and 20, whose shards are on different workers (citus_setup).
-- Time moves by passing "at" to the workers' ticks; none sleeps.
\set VERBOSITY terse
set client_min_messages = warning;
select public.citus_account(19);
select public.citus_account(20);
-- nothing else in the cluster has timed work: the workers' counts below are
-- these two accounts'
select count(*) as other_timers from routing.timers where account_id not in (19, 20);

-- section 16: channel 1 (chat, least busy: Ann, Bob, Cy) makes offers that
-- must be accepted within a minute; two chats in each account go to Ann and
-- Bob, counted in their load at once
update routing.rules set accept_within = '1 minute'
where account_id in (19, 20) and channel_id = 1;
insert into routing.conversations (account_id, conversation_id, channel_id)
values (19, 1901, 1), (19, 1902, 1), (20, 2001, 1), (20, 2002, 1);
select account_id, conversation_id, assignee_agent_id from routing.conversations
where account_id in (19, 20) order by 1, 2;
select account_id, kind, conversation_id, agent_id from routing.timers
where account_id in (19, 20) order by 1, 3;

-- section 16: a tick a minute early on every worker does nothing
select success, result from run_command_on_workers($$
    select routing.tick(pg_catalog.now() + interval '30 seconds')
$$) order by result;

-- section 16: concurrent ticks never do the same piece twice: a piece whose
-- conversation another transaction holds is left due (SKIP LOCKED), the rest
-- lapse, each worker doing its own account's
begin;
select conversation_id from routing.conversations
where account_id = 19 and conversation_id = 1902 for update;
select success, result from run_command_on_workers($$
    select routing.tick(pg_catalog.now() + interval '2 minutes')
$$) order by result;
commit;
-- then the next tick does the piece left, and only it
select success, result from run_command_on_workers($$
    select routing.tick(pg_catalog.now() + interval '2 minutes')
$$) order by result;
-- and a tick at the same time again finds nothing due: the new offers'
-- deadlines are a minute after the lapse
select success, result from run_command_on_workers($$
    select routing.tick(pg_catalog.now() + interval '2 minutes')
$$) order by result;

-- section 16: each lapsed offer is logged and its agent named, and each
-- conversation was offered to another agent (Ann and Bob are excluded from
-- their own): Cy, the least busy, then Ann or Bob
select account_id, kind, conversation_id, agent_id from routing.events
where account_id in (19, 20) order by 1, 3;
select account_id, conversation_id, assignee_agent_id, assigned_reason
from routing.conversations where account_id in (19, 20) order by 1, 2;
select account_id, conversation_id, from_agent_id, to_agent_id, reason
from routing.assignment_log
where account_id in (19, 20) and reason = 'offer lapsed' order by 1, 2;
select account_id, kind, conversation_id, agent_id from routing.timers
where account_id in (19, 20) order by 1, 3;

-- section 16: every counter stays exact per account: each agent's open
-- chats are the open chats they own
select l.account_id, l.agent_id, l.open_chats,
       count(c.conversation_id) as owned_open_chats
from routing.agent_load l
left join routing.conversations c
  on c.account_id = l.account_id and c.assignee_agent_id = l.agent_id
 and c.status = 'open' and c.channel_id in (1, 3, 5, 6, 8, 9, 10)
where l.account_id in (19, 20)
group by 1, 2, 3 order by 1, 2;
