-- A small account routed by the packaged extension: two available agents
-- with seats, one chat channel whose enabled rule targets both.
create extension routing;
insert into routing.agents (agent_id, name) values (1, 'Ann'), (2, 'Bob');
insert into routing.seats (agent_id, hub) values (1, 'service'), (2, 'sales');
select routing.set_availability(1, 'available'), routing.set_availability(2, 'available') \g /dev/null
insert into routing.inboxes (inbox_id, name) values (1, 'Help desk');
insert into routing.channels (channel_id, inbox_id, kind) values (1, 1, 'chat');
insert into routing.rules (channel_id, enabled) values (1, true);
insert into routing.rule_targets (channel_id, agent_id) values (1, 1), (1, 2);
insert into routing.conversations (channel_id) values (1), (1);
-- One line for run to check: the extension's version, then how many of the
-- two conversations were assigned and to how many agents.
select 'routed: ' || extversion || ' ' || count(c.assignee_agent_id) || ' ' || count(distinct c.assignee_agent_id)
from routing.conversations c, pg_extension e
where e.extname = 'routing'
group by extversion;
