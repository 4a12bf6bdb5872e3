-- section 5: inserts that commit; the statement records the new id so that
-- the run can account for every row.
\set channel random(1, 8)
with inserted as (
    insert into routing.conversations (channel_id) values (:channel)
    returning conversation_id)
insert into public.stress_inserted select conversation_id from inserted;
