-- bare INSERT (bench/bare.sql) into one of :accounts accounts (:account_base
-- + 1 on) and one of :channels channels of it, at random: what the
-- conversations table's own INSERT loses when spread (the tenants rows)
\set account :account_base + random(1, :accounts)
\set channel :channel_base + random(1, :channels)
insert into bench.conversations_bare (account_id, channel_id) values (:account, :channel);
