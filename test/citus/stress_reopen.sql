-- section 6: a plain UPDATE reopens the account's last closed chat.
\set account random(21, 40)
update routing.conversations set status = 'open'
where account_id = :account
  and conversation_id = (select max(conversation_id) from routing.conversations
                         where account_id = :account and status = 'closed');
