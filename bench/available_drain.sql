-- agent 1 of the drain pool becomes available and, in the same transaction,
-- takes the head of his three queues (his chat capacity is 1); then he goes
-- away, his chat is closed and a new chat waits in one of his channels, so
-- that every loop starts alike.  bench/run reports the first statement's
-- latency (pgbench -r).
\set channel random(1, 3)
select routing.set_availability(1, 'available', :account);
select routing.set_availability(1, 'away', :account);
select routing.close_conversation(conversation_id, account_id) from routing.conversations
where account_id = :account and assignee_agent_id = 1 and status = 'open';
insert into routing.conversations (account_id, channel_id) values (:account, :channel);
