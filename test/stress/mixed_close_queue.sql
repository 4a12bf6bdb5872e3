-- section 13: closing a conversation of a queue channel's agent frees room,
-- and the closing transaction drains the queue into it; by function, or
-- (one time in three) by a plain UPDATE of status: the same books
\set permille random(0, 999)
\set by_update random(0, 2)
select routing.close_conversation(c.conversation_id)
from (select conversation_id from routing.conversations
      where conversation_id >= (select max(conversation_id)
                                from routing.conversations) * :permille / 1000
        and status = 'open' and channel_id in (9, 10) and assignee_agent_id is not null
        and :by_update <> 0
      order by conversation_id limit 1
      for no key update) c;
update routing.conversations
set status = 'closed'
where conversation_id = (select conversation_id from routing.conversations
                         where conversation_id >= (select max(conversation_id)
                                                   from routing.conversations) * :permille / 1000
                           and status = 'open' and channel_id in (9, 10)
                           and assignee_agent_id is not null
                           and :by_update = 0
                         order by conversation_id limit 1)
  and status = 'open';
