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
select format('FAIL routing: conversation %s of channel %s %s', conversation_id, channel_id,
              case when channel_id = 8 then 'has an owner, its rule is disabled'
                   else 'was left unassigned with every agent available' end)
from routing.conversations
where (channel_id = 8) <> (assignee_agent_id is null)
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
with chat_pool as (
    select p.* from public.stress_pool p
    join routing.channels ch on ch.account_id = 1 and ch.channel_id = p.channel_id
    where ch.kind in ('chat', 'bot', 'messenger')),
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
