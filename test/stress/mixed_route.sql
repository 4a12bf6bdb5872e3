-- section 7: routing an existing unassigned conversation (left unassigned
-- while its pool was away)
\set permille random(0, 999)
select routing.route_conversation(c.conversation_id)
from (select conversation_id from routing.conversations
      where conversation_id >= (select max(conversation_id)
                                from routing.conversations) * :permille / 1000
        and status = 'open' and assignee_agent_id is null and assignee_team_id is null
      order by conversation_id limit 1
      for no key update) c;
