-- section 5: a rolled-back insert leaves no trace in any counter; the load
-- row stays locked a moment longer so that other routing decisions meet it.
\set channel random(1, 8)
begin;
insert into routing.conversations (channel_id) values (:channel)
returning assignee_agent_id;
\sleep 2 ms
rollback;
