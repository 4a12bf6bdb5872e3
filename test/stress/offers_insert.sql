-- section 16: a conversation of a channel with offers, often queued
\set channel random(20, 21)
insert into routing.conversations (channel_id) values (:channel);
