-- section 6: a plain DELETE keeps every counter exact; the run counts the
-- rows deleted to account for every committed insert
\set permille random(0, 999)
with deleted as (
    delete from routing.conversations
    where conversation_id = (select conversation_id from routing.conversations
                             where conversation_id >= (select max(conversation_id)
                                                       from routing.conversations) * :permille / 1000
                             order by conversation_id limit 1)
    returning conversation_id)
insert into public.stress_deleted select conversation_id from deleted;
