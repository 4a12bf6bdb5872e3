-- steady state: a routed chat comes in and the one that came in 100
-- transactions before is closed, in one transaction.  One client takes
-- consecutive conversation ids (bench.prepare routes the first 100 just
-- before the run); bench.check_steady() checks afterwards that every close
-- hit an open chat.
BEGIN;
insert into routing.conversations (account_id, channel_id) values (:account, :chat)
returning conversation_id \gset
\set close :conversation_id - 100
update routing.conversations set status = 'closed'
where account_id = :account and conversation_id = :close;
COMMIT;
