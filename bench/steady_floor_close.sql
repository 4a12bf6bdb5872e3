-- steady state, the floor: bench/floor.sql's statement (the INSERT, given a
-- random agent, one UPDATE of that agent's counter row and one log INSERT),
-- then the close of the bare chat inserted 100 transactions before, which
-- takes one off the counter of the agent it was given; one transaction, as
-- bench/steady_routed_chat.sql
\set agent random(1, :pool)
BEGIN;
with conversation as (
    insert into bench.conversations_bare (account_id, channel_id, assignee_agent_id,
                                          assigned_by, assigned_at)
    values (:account, :chat, :agent, 'rule', now())
    returning account_id, conversation_id
), counted as (
    update bench.floor_loads l
    set open_chats = l.open_chats + 1, last_chat_at = now(), version = l.version + 1
    where l.account_id = :account and l.agent_id = :agent
    returning l.agent_id
)
insert into bench.floor_log (account_id, conversation_id, to_agent_id, assigned_by, reason)
select c.account_id, c.conversation_id, counted.agent_id, 'rule', 'least busy'
from conversation c, counted
returning conversation_id \gset
\set close :conversation_id - 100
with closed as (
    update bench.conversations_bare set status = 'closed'
    where account_id = :account and conversation_id = :close and status = 'open'
    returning account_id, assignee_agent_id
)
update bench.floor_loads l
set open_chats = l.open_chats - 1, version = l.version + 1
from closed
where l.account_id = closed.account_id and l.agent_id = closed.assignee_agent_id;
COMMIT;
