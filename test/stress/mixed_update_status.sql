-- section 6: a plain UPDATE of status keeps the same books as the functions
\set permille random(0, 999)
update routing.conversations
set status = case when status = 'open' then 'closed' else 'open' end
where conversation_id = (select conversation_id from routing.conversations
                         where conversation_id >= (select max(conversation_id)
                                                   from routing.conversations) * :permille / 1000
                         order by conversation_id limit 1);
