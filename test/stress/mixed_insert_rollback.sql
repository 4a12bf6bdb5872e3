-- section 5: a rolled-back insert leaves no trace in any counter; the load
-- row stays locked a moment longer so that other routing decisions meet it
-- (channels 9 and 10: a rolled-back queued insert leaves no trace either).
\set channel random(1, 10)
begin;
insert into routing.conversations (channel_id) values (:channel)
returning assignee_agent_id;
\sleep 2 ms
rollback;
