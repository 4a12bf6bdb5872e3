-- sections 12, 13: inserts into the queue channels, with priorities; a new
-- conversation waits behind the waiting ones unless it has a higher
-- priority.  Recorded like mixed_insert.sql, with the owner the INSERT
-- returned and the owner the row has at the end of its transaction, which
-- is the owner it commits with (section 5: RETURNING gives that owner).
\set channel random(9, 10)
\set priority random(0, 3)
begin;
insert into routing.conversations (channel_id, priority) values (:channel, :priority)
returning conversation_id as id, coalesce(assignee_agent_id, 0) as returned \gset
insert into public.stress_inserted (conversation_id, returned_agent_id, committed_agent_id)
select c.conversation_id, nullif(:returned, 0), c.assignee_agent_id
from routing.conversations c
where c.account_id = 1 and c.conversation_id = :id;
commit;
