-- section 6: a plain UPDATE gives the account's newest open chat to another
-- of Ann, Bob and Cy (two loads change, every counter stays exact).
\set account random(21, 40)
\set agent random(1, 3)
update routing.conversations set assignee_agent_id = :agent
where account_id = :account
  and conversation_id = (select max(conversation_id) from routing.conversations
                         where account_id = :account and status = 'open' and channel_id = 1);
