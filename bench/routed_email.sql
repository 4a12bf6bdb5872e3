-- routed INSERT, email channel: random among the eligible
insert into routing.conversations (account_id, channel_id) values (:account, :email);
