set client_min_messages = warning;
create extension routing;
insert into routing.agents (agent_id, name) values (1, 'Ann'), (2, 'Bob'), (3, 'Cy'), (4, 'Di');
insert into routing.seats (agent_id, hub) values (1, 'sales'), (2, 'service'), (3, 'sales'), (4, 'sales');
select routing.set_availability(agent_id, 'available') from routing.agents where agent_id <> 4;
select routing.set_availability(4, 'away');
-- Team 1 (Ann and Bob, primary; its members_version moves), Cy's chat
-- capacity of 2.
insert into routing.teams (team_id, name) values (1, 'Support');
insert into routing.team_members (team_id, agent_id, role) values (1, 1, 'primary'), (1, 2, 'primary');
insert into routing.capacities (agent_id, work, max_open) values (3, 'chat', 2);
insert into routing.inboxes (inbox_id, name) values (1, 'Support');
insert into routing.contacts (contact_id, owner_agent_id, tracked) values (1, 4, true);
-- Channels: 1 chat (three agents), 2 email (two agents), 3 email (team
-- 1), 4 chat queue (Cy alone), 5 email round robin (Ann and Bob), 6 email
-- by contact owner (Di, away: owner_offline).
insert into routing.channels (channel_id, inbox_id, kind)
    values (1, 1, 'chat'), (2, 1, 'email'), (3, 1, 'email'), (4, 1, 'chat'), (5, 1, 'email'), (6, 1, 'email');
insert into routing.rules (channel_id, enabled, when_nobody, distribution, assign_to)
    values (1, true, 'leave_unassigned', 'default', 'users_and_teams'),
           (2, true, 'leave_unassigned', 'default', 'users_and_teams'),
           (3, true, 'leave_unassigned', 'default', 'users_and_teams'),
           (4, true, 'queue', 'default', 'users_and_teams'),
           (5, true, 'leave_unassigned', 'round_robin', 'users_and_teams'),
           (6, true, 'leave_unassigned', 'default', 'contact_owner');
insert into routing.rule_targets (channel_id, agent_id) values (1, 1), (1, 2), (1, 3), (2, 1), (2, 2), (4, 3), (5, 1), (5, 2);
insert into routing.rule_targets (channel_id, team_id) values (3, 1);
insert into routing.conversations (channel_id) values (1), (1), (1), (1), (2), (2), (3), (5), (5), (5);
-- Cy takes two chats of channel 4 and the third waits.
insert into routing.conversations (channel_id) values (4), (4), (4);
insert into routing.conversations (channel_id, contact_id) values (6, 1);
select routing.close_conversation(1);
-- Section 16: pending offers (one lapsed already, so it has an exclusion),
-- an agent's working hours and time off are dumped with the data.
insert into routing.channels (channel_id, inbox_id, kind) values (7, 1, 'chat');
insert into routing.rules (channel_id, enabled, accept_within) values (7, true, '5 minutes');
insert into routing.rule_targets (channel_id, agent_id) values (7, 1), (7, 2);
insert into routing.conversations (channel_id) values (7);
select routing.tick(now() + interval '6 minutes');
insert into routing.conversations (channel_id) values (7);
update routing.agents set time_zone = 'Europe/Copenhagen', idle_after = '10 minutes' where agent_id = 3;
insert into routing.working_hours (agent_id, weekday, starts, ends) values (3, 1, '22:00', '06:00');
insert into routing.time_off (agent_id, starts_at, ends_at) values (3, '2026-12-24 00:00+01', '2026-12-27 00:00+01');
