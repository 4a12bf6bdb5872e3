-- section 6: a plain UPDATE of the owner keeps every counter exact
\set permille random(0, 999)
\set a random(1, 11)
\set agent case when :a <= 6 then 100 + :a else 194 + :a end
update routing.conversations
set assignee_agent_id = :agent, assignee_team_id = null
where conversation_id = (select conversation_id from routing.conversations
                         where conversation_id >= (select max(conversation_id)
                                                   from routing.conversations) * :permille / 1000
                         order by conversation_id limit 1)
  and status = 'open'
  and (channel_id <> 3 or :agent between 101 and 106 or :agent = 201);
