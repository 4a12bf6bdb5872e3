-- section 5: one routed INSERT in a random account: channel 1 (least busy
-- chat) mostly, 2 (random email), 4 (least busy form), 8 (no rule).
\set account random(21, 40)
\set pick random(1, 10)
\set channel case when :pick <= 6 then 1 when :pick <= 8 then 2 when :pick = 9 then 4 else 8 end
insert into routing.conversations (account_id, channel_id) values (:account, :channel)
returning assignee_agent_id;
