-- the floor: the INSERT, one UPDATE of one agent's counter row by primary key
-- and one log INSERT, in one transaction (one statement, one round trip)
\set agent random(1, :pool)
with conversation as (
    insert into bench.conversations_bare (account_id, channel_id)
    values (:account, :chat)
    returning account_id, conversation_id
), counted as (
    update bench.floor_loads l
    set open_chats = l.open_chats + 1, last_chat_at = now(), version = l.version + 1
    where l.account_id = :account and l.agent_id = :agent
    returning l.agent_id
)
insert into bench.floor_log (account_id, conversation_id, to_agent_id, assigned_by, reason)
select c.account_id, c.conversation_id, counted.agent_id, 'rule', 'least busy'
from conversation c, counted;
