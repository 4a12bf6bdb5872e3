-- The invariants test/citus/stress checks after each round, per account
-- (21-40); every violated one prints a line starting with FAIL.  psql
-- variable phase: insert or mixed.
\pset footer off

-- section 5, 6, 12: every counter equals the true count of open chats and
-- open emails assigned to the agent in its account
with truth as (
    select c.account_id, c.assignee_agent_id as agent_id,
           count(*) filter (where ch.kind in ('chat', 'bot', 'messenger')) as chats,
           count(*) filter (where ch.kind in ('email', 'form')) as emails
    from routing.conversations c
    join routing.channels ch using (account_id, channel_id)
    where c.account_id between 21 and 40
      and c.status = 'open' and c.assignee_agent_id is not null
    group by 1, 2)
select format('FAIL counter: account %s agent %s has %s open chats and %s open emails, true counts %s and %s',
              l.account_id, l.agent_id, l.open_chats, l.open_emails,
              coalesce(t.chats, 0), coalesce(t.emails, 0))
from routing.agent_load l
left join truth t using (account_id, agent_id)
where l.account_id between 21 and 40
  and (l.open_chats <> coalesce(t.chats, 0) or l.open_emails <> coalesce(t.emails, 0))
order by 1;

-- sections 5, 13: no conversation assigned twice by the rule
select format('FAIL twice: conversation %s of account %s assigned %s times by the rule',
              conversation_id, account_id, count(*))
from routing.assignment_log
where account_id between 21 and 40 and assigned_by = 'rule'
group by account_id, conversation_id
having count(*) > 1
order by 1;

select :'phase' = 'insert' as insert_phase \gset
\if :insert_phase
-- section 5: each account's chat pool (Ann, Bob, Cy) within one chat
select format('FAIL balance: account %s open chats range from %s to %s',
              account_id, min(open_chats), max(open_chats))
from routing.agent_load
where account_id between 21 and 40 and agent_id between 1 and 3
group by account_id
having max(open_chats) - min(open_chats) > 1
order by 1;

-- sections 1, 4a: every agent is available: every conversation of a routed
-- channel is assigned, none of channel 8
select format('FAIL routing: %s conversations of account %s channel %s %s',
              count(*), account_id, channel_id,
              case when channel_id = 8 then 'have an owner, the channel has no rule'
                   else 'were left unassigned' end)
from routing.conversations
where account_id between 21 and 40 and (channel_id = 8) <> (assignee_agent_id is null)
group by account_id, channel_id
order by 1;
\endif
