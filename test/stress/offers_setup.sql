-- Phase 3 of the stress run (section 16), and test/clock/run: family D, agents 401-404, seated and available, the
-- pool of two chat channels whose rules make offers that lapse within the
-- run: channel 20 leaves what nobody takes unassigned, channel 21 queues it
-- (every family D agent has room for 5 chats).
insert into routing.agents (agent_id, name) select g, 'd' || g from generate_series(401, 404) g;
insert into routing.seats (agent_id, hub) select g, 'service' from generate_series(401, 404) g;
select count(routing.set_availability(g, 'available')) from generate_series(401, 404) g;
insert into routing.capacities (agent_id, work, max_open) select g, 'chat', 5 from generate_series(401, 404) g;
insert into routing.inboxes (inbox_id, name) values (40, 'offers');
insert into routing.channels (channel_id, inbox_id, kind, name) values
    (20, 40, 'chat', 'offers'), (21, 40, 'chat', 'offers queued');
-- (run turns accept_within on for each round, '20 milliseconds', and off
-- at its end)
insert into routing.rules (channel_id, enabled, max_offers) values (20, true, 2);
insert into routing.rules (channel_id, enabled, max_offers, when_nobody) values
    (21, true, 3, 'queue');
insert into routing.rule_targets (channel_id, agent_id)
    select c, g from generate_series(20, 21) c, generate_series(401, 404) g;
