-- section 5: an application that only inserts conversations; each INSERT
-- routes its row (channels 1-6 least busy, 7 random, 8 unrouted; 9 and 10
-- queue when every agent of the pool is at capacity, sections 12-14).
\set channel random(1, 10)
\set priority random(0, 2)
insert into routing.conversations (channel_id, priority) values (:channel, :priority)
returning assignee_agent_id;
