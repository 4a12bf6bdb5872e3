-- reference PL/pgSQL trigger (bench/reference.sql), chat channel: least busy
insert into bench.conversations_ref (account_id, channel_id) values (:account, :chat);
