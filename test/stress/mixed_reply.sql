-- section 2, 6: a reply takes an unassigned conversation for the agent
\set permille random(0, 999)
\set a random(1, 11)
\set agent case when :a <= 6 then 100 + :a else 194 + :a end
select routing.reply(c.conversation_id, :agent)
from (select conversation_id from routing.conversations
      where conversation_id >= (select max(conversation_id)
                                from routing.conversations) * :permille / 1000
        and status = 'open' and (channel_id <> 3 or :agent between 101 and 106 or :agent = 201)
      order by conversation_id limit 1
      for no key update) c;
