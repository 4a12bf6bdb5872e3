-- reference PL/pgSQL trigger (bench/reference.sql), email channel: random
insert into bench.conversations_ref (account_id, channel_id) values (:account, :email);
