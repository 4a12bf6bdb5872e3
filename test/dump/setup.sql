set client_min_messages = warning;
create extension routing;
insert into routing.agents (agent_id, name) values (1, 'Ann'), (2, 'Bob'), (3, 'Cy');
insert into routing.seats (agent_id, hub) values (1, 'sales'), (2, 'service'), (3, 'sales');
select routing.set_availability(agent_id, 'available') from routing.agents;
insert into routing.inboxes (inbox_id, name) values (1, 'Support');
insert into routing.channels (channel_id, inbox_id, kind) values (1, 1, 'chat'), (2, 1, 'email');
insert into routing.rules (channel_id, enabled) values (1, true), (2, true);
insert into routing.rule_targets (channel_id, agent_id) values (1, 1), (1, 2), (1, 3), (2, 1), (2, 2);
insert into routing.conversations (channel_id) values (1), (1), (1), (1), (2), (2);
select routing.close_conversation(1);
-- Section 16: pending offers (one lapsed already, so it has an exclusion),
-- an agent's working hours and time off are dumped with the data.
insert into routing.channels (channel_id, inbox_id, kind) values (3, 1, 'chat');
insert into routing.rules (channel_id, enabled, accept_within) values (3, true, '5 minutes');
insert into routing.rule_targets (channel_id, agent_id) values (3, 1), (3, 2);
insert into routing.conversations (channel_id) values (3);
select routing.tick(now() + interval '6 minutes');
insert into routing.conversations (channel_id) values (3);
update routing.agents set time_zone = 'Europe/Copenhagen', idle_after = '10 minutes' where agent_id = 3;
insert into routing.working_hours (agent_id, weekday, starts, ends) values (3, 1, '22:00', '06:00');
insert into routing.time_off (agent_id, starts_at, ends_at) values (3, '2026-12-24 00:00+01', '2026-12-27 00:00+01');
