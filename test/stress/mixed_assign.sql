-- section 6: reassigning to an agent moves the chat between two loads
-- (agent 108 holds no seat: manual assignment needs none, section 2; only
-- agents with access to restricted inbox 2 get channel 3's conversations)
\set permille random(0, 999)
\set a random(1, 12)
\set agent case when :a <= 6 then 100 + :a when :a <= 11 then 194 + :a else 108 end
select routing.assign(c.conversation_id, :agent)
from (select conversation_id from routing.conversations
      where conversation_id >= (select max(conversation_id)
                                from routing.conversations) * :permille / 1000
        and status = 'open' and (channel_id <> 3 or :agent between 101 and 106 or :agent = 201)
      order by conversation_id limit 1
      for no key update) c;
