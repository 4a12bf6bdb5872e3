-- section 6: a plain UPDATE of status keeps the same books as the functions
-- (it reopens no conversation of a family C agent: see mixed_reopen.sql)
\set permille random(0, 999)
update routing.conversations
set status = case when status = 'open' then 'closed' else 'open' end
where conversation_id = (select conversation_id from routing.conversations
                         where conversation_id >= (select max(conversation_id)
                                                   from routing.conversations) * :permille / 1000
                         order by conversation_id limit 1)
  and (status = 'open' or coalesce(assignee_agent_id, 0) < 300);
