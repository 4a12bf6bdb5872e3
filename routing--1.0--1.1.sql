-- routing 1.0 -> 1.1: each backend caches the eligibility checks it read,
-- keyed by agent_loads.checks_version.  That version moves, to a value never
-- used before, with every change that can change an agent's eligibility:
-- the eligibility triggers of 1.0 fired on UPDATE and DELETE only (inserts
-- can only add eligibility, which needed no lock); now they fire on INSERT
-- too, so that no backend keeps a cached "not eligible".
\echo Use "ALTER EXTENSION routing UPDATE TO '1.1'" to load this file. \quit

create sequence routing.agent_checks_seq;
-- Every existing row gets its own value.
alter table routing.agent_loads
    add column checks_version bigint not null
        default pg_catalog.nextval('routing.agent_checks_seq');

-- Inserts into agents, channels, inboxes and rules still need no trigger: a
-- new agent gets a new load row, and no verdict exists yet for a new
-- channel (deleting one deletes its rule, which moves every version).
drop trigger eligibility_changed on routing.seats;
create trigger eligibility_changed after insert or update or delete on routing.seats
    for each row execute function routing.eligibility_changed('agent');
drop trigger eligibility_changed on routing.availability;
create trigger eligibility_changed after insert or update or delete on routing.availability
    for each row execute function routing.eligibility_changed('agent');
drop trigger eligibility_changed on routing.team_members;
create trigger eligibility_changed after insert or update or delete on routing.team_members
    for each row execute function routing.eligibility_changed('agent');
drop trigger eligibility_changed on routing.inbox_access;
create trigger eligibility_changed after insert or update or delete on routing.inbox_access
    for each row execute function routing.eligibility_changed('agent_or_team');
drop trigger eligibility_changed on routing.rule_targets;
create trigger eligibility_changed after insert or update or delete on routing.rule_targets
    for each row execute function routing.eligibility_changed('agent_or_team');

-- TRUNCATE fires no row trigger: a statement trigger moves every agent's
-- versions instead (rules, channels and inboxes are read afresh by every
-- decision; truncating agents or teams cascades to the tables below).
create trigger eligibility_truncated after truncate on routing.seats
    for each statement execute function routing.eligibility_changed('all');
create trigger eligibility_truncated after truncate on routing.availability
    for each statement execute function routing.eligibility_changed('all');
create trigger eligibility_truncated after truncate on routing.team_members
    for each statement execute function routing.eligibility_changed('all');
create trigger eligibility_truncated after truncate on routing.inbox_access
    for each statement execute function routing.eligibility_changed('all');
create trigger eligibility_truncated after truncate on routing.rule_targets
    for each statement execute function routing.eligibility_changed('all');

select pg_catalog.pg_extension_config_dump('routing.agent_checks_seq', '');

comment on column routing.agent_loads.checks_version is 'Internal: moves to a new routing.agent_checks_seq value with every change to the agent''s eligibility; backends keep eligibility checks while it stays';
comment on sequence routing.agent_checks_seq is 'Internal: never-reused values for agent_loads.checks_version';
