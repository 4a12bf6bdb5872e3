-- section 6: reopening keeps the owner and counts the chat again
\set permille random(0, 999)
select routing.reopen_conversation(c.conversation_id)
from (select conversation_id from routing.conversations
      where conversation_id >= (select max(conversation_id)
                                from routing.conversations) * :permille / 1000
        and status = 'closed'
      order by conversation_id limit 1
      for no key update) c;
