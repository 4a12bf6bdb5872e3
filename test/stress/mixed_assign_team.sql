-- section 2, 6: assigning to a team clears the agent and their load
\set permille random(0, 999)
\set t random(0, 2)
\set team case when :t = 0 then 10 when :t = 1 then 11 else 20 end
select routing.assign_team(c.conversation_id, :team)
from (select conversation_id from routing.conversations
      where conversation_id >= (select max(conversation_id)
                                from routing.conversations) * :permille / 1000
        and status = 'open' and (channel_id <> 3 or :team <> 20)
      order by conversation_id limit 1
      for no key update) c;
