-- The invariants the stress run checks after each phase; every violated one
-- prints a line starting with "FAIL".  psql variable "phase": insert or mixed.
\pset footer off

-- section 5, 6: every counter equals the true count of open chat, bot and
-- Messenger conversations assigned to the agent
with truth as (
    select c.account_id, c.assignee_agent_id as agent_id, count(*) as open_chats
    from routing.conversations c
    join routing.channels ch on ch.account_id = c.account_id
                            and ch.channel_id = c.channel_id
    where c.status = 'open' and c.assignee_agent_id is not null
      and ch.kind in ('chat', 'bot', 'messenger')
    group by 1, 2)
select format('FAIL counter: agent %s has open_chats %s in routing.agent_load, true count %s',
              a.agent_id, coalesce(l.open_chats::text, 'no row'), coalesce(t.open_chats, 0))
from routing.agents a
left join routing.agent_load l on l.account_id = a.account_id and l.agent_id = a.agent_id
left join truth t on t.account_id = a.account_id and t.agent_id = a.agent_id
where l.open_chats is distinct from coalesce(t.open_chats, 0)
order by a.agent_id;

-- section 12: every open_emails counter equals the true count of open email
-- and form conversations assigned to the agent
with truth as (
    select c.account_id, c.assignee_agent_id as agent_id, count(*) as open_emails
    from routing.conversations c
    join routing.channels ch on ch.account_id = c.account_id
                            and ch.channel_id = c.channel_id
    where c.status = 'open' and c.assignee_agent_id is not null
      and ch.kind in ('email', 'form')
    group by 1, 2)
select format('FAIL counter: agent %s has open_emails %s in routing.agent_load, true count %s',
              a.agent_id, coalesce(l.open_emails::text, 'no row'), coalesce(t.open_emails, 0))
from routing.agents a
left join routing.agent_load l on l.account_id = a.account_id and l.agent_id = a.agent_id
left join truth t on t.account_id = a.account_id and t.agent_id = a.agent_id
where l.open_emails is distinct from coalesce(t.open_emails, 0)
order by a.agent_id;

-- section 12: routing never gives an agent more than their capacity.  Only
-- a person may go past it (section 12), so the check covers the agents the
-- log shows never given a conversation by hand or by reply (family C: no
-- mixed script assigns to them by hand, none reopens their conversations)
with truth as (
    select c.account_id, c.assignee_agent_id as agent_id,
           case when ch.kind in ('email', 'form') then 'email' else 'chat' end as work,
           count(*) as open
    from routing.conversations c
    join routing.channels ch on ch.account_id = c.account_id
                            and ch.channel_id = c.channel_id
    where c.status = 'open' and c.assignee_agent_id is not null
    group by 1, 2, 3)
select format('FAIL capacity: agent %s has %s open %s conversations, capacity %s, all given by the rule',
              k.agent_id, t.open, k.work, k.max_open)
from routing.capacities k
join truth t on t.account_id = k.account_id and t.agent_id = k.agent_id and t.work = k.work
where t.open > k.max_open
  and not exists (select 1 from routing.assignment_log g
                  where g.account_id = k.account_id and g.to_agent_id = k.agent_id
                    and g.assigned_by <> 'rule')
order by k.agent_id, k.work;

-- sections 5, 13: the rule assigns only an unassigned conversation, so no
-- conversation is assigned twice by the rule: in the log (one row per
-- change of owner, in log_id order for each conversation, since each change
-- holds the conversation's row lock) a 'rule' row comes from nobody, and the
-- row before it, if any, left the conversation with nobody; section 16's
-- reroutes (an offer lapsed, an owner away) are the rule taking it from its
-- owner on purpose
with log as (
    select g.*,
           lag(g.to_agent_id) over w as before_agent_id,
           lag(g.to_team_id) over w as before_team_id,
           lag(g.log_id) over w as before_log_id
    from routing.assignment_log g
    window w as (partition by g.account_id, g.conversation_id order by g.log_id))
select format('FAIL twice: conversation %s assigned by the rule to agent %s (log %s) while it was owned by %s (%s)',
              conversation_id, to_agent_id, log_id,
              coalesce('agent ' || coalesce(from_agent_id, before_agent_id),
                       'team ' || coalesce(from_team_id, before_team_id)),
              coalesce('log ' || before_log_id, 'its from column'))
from log
where assigned_by = 'rule'
  and reason is distinct from 'offer lapsed' and reason is distinct from 'owner away'
  and (from_agent_id is not null or from_team_id is not null
       or before_agent_id is not null or before_team_id is not null)
order by conversation_id, log_id
limit 20;

-- section 5 and INTERFACE.md: INSERT ... RETURNING assignee_agent_id returns
-- the owner the row is committed with (mixed_insert_queue.sql reads it again
-- at the end of the inserting transaction)
select format('FAIL returning: the INSERT of conversation %s returned owner %s, but its transaction committed it with owner %s',
              conversation_id, coalesce(returned_agent_id::text, 'none'),
              coalesce(committed_agent_id::text, 'none'))
from public.stress_inserted
where returned_agent_id is distinct from committed_agent_id
order by conversation_id
limit 20;

-- section 13: routing.queue holds exactly the open, unassigned conversations
-- of the queue channels, in order: priority, created_at, conversation_id
with waiting as (
    select c.conversation_id, c.channel_id,
           row_number() over (partition by c.channel_id
                              order by c.priority desc, c.created_at, c.conversation_id) as position
    from routing.conversations c
    where c.account_id = 1 and c.status = 'open'
      and c.assignee_agent_id is null and c.assignee_team_id is null
      and c.channel_id in (select channel_id from public.stress_queue_channel))
select format('FAIL queue view: conversation %s of channel %s at position %s in routing.queue, expected %s of channel %s',
              coalesce(q.conversation_id, w.conversation_id), q.channel_id,
              coalesce(q.position::text, 'none'), coalesce(w.position::text, 'none'), w.channel_id)
from waiting w
full join (select * from routing.queue where account_id = 1) q
       on q.conversation_id = w.conversation_id
where q.position is distinct from w.position or q.channel_id is distinct from w.channel_id
order by 1
limit 20;

-- section 13: at quiescence no waiting conversation has an eligible agent
-- with room (eligibility by the test's own pool and availability; room by
-- the true count and the capacity)
with load as (
    select c.assignee_agent_id as agent_id,
           case when ch.kind in ('email', 'form') then 'email' else 'chat' end as work,
           count(*) as open
    from routing.conversations c
    join routing.channels ch on ch.account_id = c.account_id
                            and ch.channel_id = c.channel_id
    where c.account_id = 1 and c.status = 'open' and c.assignee_agent_id is not null
    group by 1, 2),
head as (
    select q.channel_id, min(q.conversation_id) filter (where q.position = 1) as conversation_id,
           count(*) as waiting
    from routing.queue q where q.account_id = 1
    group by q.channel_id)
select format('FAIL queue: %s conversations wait in channel %s (head %s) while agent %s is eligible with %s open of capacity %s',
              h.waiting, h.channel_id, h.conversation_id, p.agent_id,
              coalesce(l.open, 0), coalesce(k.max_open::text, 'unlimited'))
from head h
join routing.channels ch on ch.account_id = 1 and ch.channel_id = h.channel_id
join public.stress_pool p on p.channel_id = h.channel_id
join routing.availability av on av.account_id = 1 and av.agent_id = p.agent_id
                            and av.status = 'available'
left join routing.capacities k
       on k.account_id = 1 and k.agent_id = p.agent_id
      and k.work = case when ch.kind in ('email', 'form') then 'email' else 'chat' end
left join load l on l.agent_id = p.agent_id and l.work = k.work
where k.max_open is null or coalesce(l.open, 0) < k.max_open
order by h.channel_id, p.agent_id;

-- section 13: the same through the extension: at quiescence routing.drain()
-- finds nothing it can assign
select format('FAIL drain: routing.drain() assigned %s waiting conversations at quiescence', n)
from (select routing.drain() as n) d
where n <> 0;

-- section 3: a conversation the rule assigned went to an eligible agent of
-- its channel (availability aside: it changes in the mixed phase)
select format('FAIL eligibility: conversation %s of channel %s assigned by rule to %s, not in the pool',
              c.conversation_id, c.channel_id, coalesce(c.assignee_agent_id::text, 'nobody'))
from routing.conversations c
where c.assigned_by = 'rule'
  and not exists (select 1 from public.stress_pool p
                  where p.channel_id = c.channel_id and p.agent_id = c.assignee_agent_id)
order by c.conversation_id
limit 20;

\if :{?phase}
\else
\set phase mixed
\endif
select :'phase' = 'insert' as insert_phase \gset
\if :insert_phase
-- sections 1, 4a: with every agent available, every conversation of a routed
-- channel was assigned and every conversation of the unrouted one was not
-- (those of the queue channels may wait: checked above)
select format('FAIL routing: conversation %s of channel %s %s', conversation_id, channel_id,
              case when channel_id = 8 then 'has an owner, its rule is disabled'
                   else 'was left unassigned with every agent available' end)
from routing.conversations
where (channel_id = 8) <> (assignee_agent_id is null)
  and channel_id not in (select channel_id from public.stress_queue_channel)
order by conversation_id
limit 20;

-- section 5: in a pool whose agents share all their pools, open chats differ
-- by at most one
select format('FAIL balance: channel %s pool open chats range from %s to %s', p.channel_id,
              min(l.open_chats), max(l.open_chats))
from public.stress_balanced_pool b
join public.stress_pool p on p.channel_id = b.channel_id
join routing.agent_load l on l.account_id = 1 and l.agent_id = p.agent_id
group by p.channel_id
having max(l.open_chats) - min(l.open_chats) > 1
order by p.channel_id;

-- section 4a, 5: an agent is only given a chat while nobody in that pool has
-- fewer, so when every chat pool of agent a also holds agent b,
-- open_chats(a) <= open_chats(b) + 1
-- (least busy pools only: not the round-robin, capacity-bound queue channel)
with chat_pool as (
    select p.* from public.stress_pool p
    join routing.channels ch on ch.account_id = 1 and ch.channel_id = p.channel_id
    where ch.kind in ('chat', 'bot', 'messenger')
      and p.channel_id not in (select channel_id from public.stress_queue_channel)),
agent as (select distinct agent_id from chat_pool)
select format('FAIL balance: agent %s has %s open chats, agent %s in all its pools has %s',
              a.agent_id, la.open_chats, b.agent_id, lb.open_chats)
from agent a
join agent b on b.agent_id <> a.agent_id
join routing.agent_load la on la.account_id = 1 and la.agent_id = a.agent_id
join routing.agent_load lb on lb.account_id = 1 and lb.agent_id = b.agent_id
where not exists (select 1 from chat_pool pa
                  where pa.agent_id = a.agent_id
                    and not exists (select 1 from chat_pool pb
                                    where pb.channel_id = pa.channel_id
                                      and pb.agent_id = b.agent_id))
  and la.open_chats > lb.open_chats + 1
order by a.agent_id, b.agent_id;
\endif
