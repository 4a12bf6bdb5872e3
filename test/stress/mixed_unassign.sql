-- section 6: unassigning keeps every counter exact
\set permille random(0, 999)
select routing.unassign(c.conversation_id)
from (select conversation_id from routing.conversations
      where conversation_id >= (select max(conversation_id)
                                from routing.conversations) * :permille / 1000
        and status = 'open' and (assignee_agent_id is not null or assignee_team_id is not null)
      order by conversation_id limit 1
      for no key update) c;
