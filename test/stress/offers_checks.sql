-- The invariants of phase 3 (section 16); each violated one prints a line
-- starting with "FAIL".
\pset footer off

-- an offer is its conversation's: open, owned by the offered agent
select format('FAIL offer: conversation %s is offered to agent %s but is %s, owned by %s',
              o.conversation_id, o.agent_id, c.status, coalesce(c.assignee_agent_id::text, 'nobody'))
from routing.offers o
join routing.conversations c using (account_id, conversation_id)
where o.agent_id is not null
  and (c.status <> 'open' or c.assignee_agent_id is distinct from o.agent_id);

-- no offer lapsed twice: on channel 20 an agent's offer of a conversation
-- lapses once (it excludes them, and once Unassigned nothing routes it
-- again); on channel 21 the queue may offer it to them again after its wait
select format('FAIL lapse: the offer of conversation %s to agent %s lapsed %s times',
              e.conversation_id, e.agent_id, count(*))
from routing.events e join routing.conversations c using (account_id, conversation_id)
where e.kind = 'offer_lapsed' and c.channel_id = 20
group by e.conversation_id, e.agent_id having count(*) > 1;

-- each lapse changed the owner once, logged with its reason
select format('FAIL lapse: %s offer_lapsed events, %s changes of owner logged "offer lapsed"',
              (select count(*) from routing.events where kind = 'offer_lapsed'),
              (select count(*) from routing.assignment_log where reason = 'offer lapsed'))
where (select count(*) from routing.events where kind = 'offer_lapsed')
      <> (select count(*) from routing.assignment_log where reason = 'offer lapsed');

-- section 12: nobody of family D past their capacity
select format('FAIL capacity: agent %s has %s open chats, capacity 5', agent_id, open_chats)
from routing.agent_load where agent_id between 401 and 404 and open_chats > 5;

-- at quiescence, once a tick has done what was due, nothing is due
select format('FAIL tick: %s offers still due after a tick', count(*))
from routing.offers o where o.due_at <= now() - interval '1 second'
having count(*) > 0;
