-- section 6: closing by function keeps every counter exact
\set permille random(0, 999)
select routing.close_conversation(c.conversation_id)
from (select conversation_id from routing.conversations
      where conversation_id >= (select max(conversation_id)
                                from routing.conversations) * :permille / 1000
        and status = 'open'
      order by conversation_id limit 1
      for no key update) c;
