-- section 6: an insert that names its owner counts in that owner's load
-- (channels of the unrestricted inbox 1 only).
\set c random(1, 7)
\set channel case when :c = 3 then 8 else :c end
\set a random(1, 11)
\set agent case when :a <= 6 then 100 + :a else 194 + :a end
with inserted as (
    insert into routing.conversations (channel_id, assignee_agent_id)
    values (:channel, :agent)
    returning conversation_id)
insert into public.stress_inserted select conversation_id from inserted;
