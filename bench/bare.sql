-- bare INSERT: a copy of routing.conversations without the routing triggers
insert into bench.conversations_bare (account_id, channel_id) values (:account, :chat);
