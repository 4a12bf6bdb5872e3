-- routed INSERT, chat channel: least busy
insert into routing.conversations (account_id, channel_id) values (:account, :chat);
