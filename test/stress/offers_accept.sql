-- section 16: an agent accepts an offer of theirs, unless it lapsed first
-- (55000, caught: exactly one of accept and lapse wins)
\set permille random(0, 999)
do $$
declare
    offer record;
begin
    select o.conversation_id, o.agent_id into offer
    from routing.offers o
    where o.agent_id is not null and o.conversation_id >= (select max(conversation_id)
          from routing.conversations) * :permille / 1000
    order by o.conversation_id limit 1;
    if found then
        perform routing.accept(offer.conversation_id, offer.agent_id);
    end if;
exception when object_not_in_prerequisite_state then
    null;
end $$;
