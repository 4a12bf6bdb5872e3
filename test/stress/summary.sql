-- One line per routed chat pool and the totals, for the run's summary.
\pset footer off
select format('  channel %s (%s): agents %s, open chats %s..%s', ch.channel_id, ch.kind,
              string_agg(p.agent_id::text, ',' order by p.agent_id),
              min(l.open_chats), max(l.open_chats))
from routing.channels ch
join public.stress_pool p on p.channel_id = ch.channel_id
join routing.agent_load l on l.account_id = 1 and l.agent_id = p.agent_id
where ch.kind in ('chat', 'bot', 'messenger')
  and ch.channel_id not in (select channel_id from public.stress_queue_channel)
group by ch.channel_id, ch.kind
order by ch.channel_id;
-- The queue channels (sections 12-14): who waits, and each agent's load of
-- the channel's work type against their capacity.
select format('  channel %s (%s, %s, queue): %s waiting; agent:open/capacity %s', ch.channel_id,
              ch.kind, r.distribution,
              (select count(*) from routing.queue q
               where q.account_id = 1 and q.channel_id = ch.channel_id),
              string_agg(p.agent_id || ':'
                         || case when ch.kind in ('email', 'form') then l.open_emails
                                 else l.open_chats end
                         || '/' || coalesce(k.max_open::text, '-'), ' ' order by p.agent_id))
from routing.channels ch
join routing.rules r on r.account_id = ch.account_id and r.channel_id = ch.channel_id
join public.stress_pool p on p.channel_id = ch.channel_id
join routing.agent_load l on l.account_id = 1 and l.agent_id = p.agent_id
left join routing.capacities k
       on k.account_id = 1 and k.agent_id = p.agent_id
      and k.work = case when ch.kind in ('email', 'form') then 'email' else 'chat' end
where ch.account_id = 1 and r.when_nobody = 'queue'
group by ch.channel_id, ch.kind, r.distribution
order by ch.channel_id;
select format('  conversations %s (open %s, closed %s, unassigned open %s), open chats counted %s, assignment log rows %s',
              (select count(*) from routing.conversations),
              (select count(*) from routing.conversations where status = 'open'),
              (select count(*) from routing.conversations where status = 'closed'),
              (select count(*) from routing.unassigned),
              (select sum(open_chats) from routing.agent_load),
              (select count(*) from routing.assignment_log));
