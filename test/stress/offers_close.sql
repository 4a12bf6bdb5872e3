-- section 16: closing a conversation of family D ends its offer and frees
-- room (the function takes the queue locks, then the conversation)
\set permille random(0, 999)
select routing.close_conversation(c.conversation_id)
from (select conversation_id from routing.conversations
      where channel_id in (20, 21) and status = 'open'
        and conversation_id >= (select max(conversation_id)
                                from routing.conversations) * :permille / 1000
      order by conversation_id limit 1) c;
