-- section 6: a plain UPDATE closes the account's oldest open chat.
\set account random(21, 40)
update routing.conversations set status = 'closed'
where account_id = :account
  and conversation_id = (select min(conversation_id) from routing.conversations
                         where account_id = :account and status = 'open' and channel_id = 1);
