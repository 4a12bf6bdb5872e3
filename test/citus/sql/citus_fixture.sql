-- The accounts the behaviour tests through the coordinator use (run after
-- citus_setup on the cluster; also alone on one server, where the same
-- files give the same output: sections 1-14 hold per account, section 15).
-- public.citus_account(a) makes account a:
--   agents Ann (1), Bob (2), Cy (3), Dee (4), all seated, and Eve (5),
--   active but with no seat; Ann, Bob and Cy available, Dee and Eve away;
--   team Support (10): Ann and Bob primary, Cy additional;
--   inbox Help (100) open to everyone; inbox VIP (200) restricted to team
--   Support and to Dee by name;
--   channel 1 chat, default (least busy): Ann, Bob, Cy
--   channel 2 email, default (random): team Support (Ann, Bob)
--   channel 3 chat, round robin: Ann, Bob, Cy
--   channel 4 form, least busy: Ann, Bob, Cy
--   channel 5 chat, random: Ann, Bob
--   channel 6 chat, contact owner, default agent Bob
--   channel 7 email, contact owner
--   channel 8 chat, no rule (unassigned)
--   channel 9 chat in VIP, rule off
--   channel 10 chat, queue, least busy: Cy
--   contacts 1 (owner Cy, tracked), 2 (owner Dee, tracked), 3 (no owner)
set client_min_messages = warning;
drop function if exists public.citus_account(bigint);
-- (PL/pgSQL: Citus cannot plan an INSERT ... SELECT with the parameters of
-- an SQL function)
create function public.citus_account(a bigint) returns void
language plpgsql as $$
begin
insert into routing.agents (account_id, agent_id, name) values
    (a, 1, 'Ann'), (a, 2, 'Bob'), (a, 3, 'Cy'), (a, 4, 'Dee'), (a, 5, 'Eve');
insert into routing.seats (account_id, agent_id, hub)
select a, agent_id, 'service' from generate_series(1, 4) agent_id;
insert into routing.availability (account_id, agent_id, status)
select a, agent_id, case when agent_id <= 3 then 'available' else 'away' end
from generate_series(1, 5) agent_id;
insert into routing.teams (account_id, team_id, name) values (a, 10, 'Support');
insert into routing.team_members (account_id, team_id, agent_id, role) values
    (a, 10, 1, 'primary'), (a, 10, 2, 'primary'), (a, 10, 3, 'additional');
insert into routing.inboxes (account_id, inbox_id, name, access) values
    (a, 100, 'Help', 'everyone'), (a, 200, 'VIP', 'restricted');
insert into routing.inbox_access (account_id, inbox_id, team_id, agent_id) values
    (a, 200, 10, null), (a, 200, null, 4);
insert into routing.channels (account_id, channel_id, inbox_id, kind, name) values
    (a, 1, 100, 'chat', 'chat'), (a, 2, 100, 'email', 'email'),
    (a, 3, 100, 'chat', 'round robin'), (a, 4, 100, 'form', 'form'),
    (a, 5, 100, 'chat', 'random'), (a, 6, 100, 'chat', 'owner chat'),
    (a, 7, 100, 'email', 'owner email'), (a, 8, 100, 'chat', 'unrouted'),
    (a, 9, 200, 'chat', 'vip'), (a, 10, 100, 'chat', 'queue');
insert into routing.rules (account_id, channel_id, enabled, assign_to,
                           default_agent_id, distribution, when_nobody) values
    (a, 1, true, 'users_and_teams', null, 'default', 'leave_unassigned'),
    (a, 2, true, 'users_and_teams', null, 'default', 'leave_unassigned'),
    (a, 3, true, 'users_and_teams', null, 'round_robin', 'leave_unassigned'),
    (a, 4, true, 'users_and_teams', null, 'least_busy', 'leave_unassigned'),
    (a, 5, true, 'users_and_teams', null, 'random', 'leave_unassigned'),
    (a, 6, true, 'contact_owner', 2, 'default', 'leave_unassigned'),
    (a, 7, true, 'contact_owner', null, 'default', 'leave_unassigned'),
    (a, 9, false, 'users_and_teams', null, 'default', 'leave_unassigned'),
    (a, 10, true, 'users_and_teams', null, 'least_busy', 'queue');
insert into routing.rule_targets (account_id, channel_id, agent_id, team_id) values
    (a, 1, 1, null), (a, 1, 2, null), (a, 1, 3, null),
    (a, 2, null, 10),
    (a, 3, 1, null), (a, 3, 2, null), (a, 3, 3, null),
    (a, 4, 1, null), (a, 4, 2, null), (a, 4, 3, null),
    (a, 5, 1, null), (a, 5, 2, null),
    (a, 9, 4, null),
    (a, 10, 3, null);
insert into routing.contacts (account_id, contact_id, owner_agent_id, tracked) values
    (a, 1, 3, true), (a, 2, 4, true), (a, 3, null, false);
end
$$;
