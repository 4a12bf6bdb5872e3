-- close the next open assigned chat of a queue channel (bench.to_close, in
-- routing order); when chats wait in the channel's queue, the close assigns
-- the first of them in the same transaction
select routing.close_conversation(t.conversation_id, t.account_id)
from bench.to_close t where t.n = (select nextval('bench.close_seq'));
