-- section 6: reopening keeps the owner and counts the chat again; section
-- 13: reopening an unassigned conversation of a queue channel puts it back
-- in the queue.  Not a conversation of a family C agent (301-306): reopening
-- keeps the owner past capacity, which the capacity check must not see.
\set permille random(0, 999)
select routing.reopen_conversation(c.conversation_id)
from (select conversation_id from routing.conversations
      where conversation_id >= (select max(conversation_id)
                                from routing.conversations) * :permille / 1000
        and status = 'closed' and coalesce(assignee_agent_id, 0) < 300
      order by conversation_id limit 1
      for no key update) c;
