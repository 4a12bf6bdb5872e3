-- sections 12, 13: raising a capacity by plain SQL frees room, drained in
-- the same transaction.  Only raised, never lowered, and at most to 8:
-- lowering may legitimately leave an agent past capacity (it never
-- unassigns), which the capacity check could not tell from a race.
\set agent random(301, 306)
\set email random(0, 1)
update routing.capacities
set max_open = max_open + 1
where account_id = 1 and agent_id = :agent
  and work = case when :email = 1 then 'email' else 'chat' end
  and max_open between 1 and 7;
