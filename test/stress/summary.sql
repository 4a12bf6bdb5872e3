-- One line per routed chat pool and the totals, for the run's summary.
\pset footer off
select format('  channel %s (%s): agents %s, open chats %s..%s', ch.channel_id, ch.kind,
              string_agg(p.agent_id::text, ',' order by p.agent_id),
              min(l.open_chats), max(l.open_chats))
from routing.channels ch
join public.stress_pool p on p.channel_id = ch.channel_id
join routing.agent_load l on l.account_id = 1 and l.agent_id = p.agent_id
where ch.kind in ('chat', 'bot', 'messenger')
group by ch.channel_id, ch.kind
order by ch.channel_id;
select format('  conversations %s (open %s, closed %s, unassigned open %s), open chats counted %s, assignment log rows %s',
              (select count(*) from routing.conversations),
              (select count(*) from routing.conversations where status = 'open'),
              (select count(*) from routing.conversations where status = 'closed'),
              (select count(*) from routing.unassigned),
              (select sum(open_chats) from routing.agent_load),
              (select count(*) from routing.assignment_log));
