-- section 5: a routed insert rolled back leaves no trace in any counter.
\set account random(21, 40)
begin;
insert into routing.conversations (account_id, channel_id) values (:account, 1)
returning assignee_agent_id;
rollback;
