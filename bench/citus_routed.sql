-- routed INSERT through the coordinator, chat channel 1: least busy
\set account random(21, 40)
insert into routing.conversations (account_id, channel_id) values (:account, 1);
