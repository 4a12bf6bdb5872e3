-- section 5: an application that only inserts conversations; each INSERT
-- routes its row (channels 1-6 least busy, 7 random, 8 unrouted).
\set channel random(1, 8)
insert into routing.conversations (channel_id) values (:channel)
returning assignee_agent_id;
