-- bare INSERT through the coordinator: the copy without the routing triggers
\set account random(21, 40)
insert into bench.conversations_bare (account_id, channel_id) values (:account, 1);
