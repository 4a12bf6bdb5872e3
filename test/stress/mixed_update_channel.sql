-- section 6: a plain UPDATE moving a conversation between a chat channel and
-- the email channel moves it in or out of its owner's load (inbox 1 only;
-- not a conversation the rule assigned, whose owner must stay in its pool)
\set permille random(0, 999)
\set c random(1, 7)
\set channel case when :c = 3 then 8 else :c end
update routing.conversations
set channel_id = :channel
where conversation_id = (select conversation_id from routing.conversations
                         where conversation_id >= (select max(conversation_id)
                                                   from routing.conversations) * :permille / 1000
                         order by conversation_id limit 1)
  and channel_id <> 3 and assigned_by is distinct from 'rule';
