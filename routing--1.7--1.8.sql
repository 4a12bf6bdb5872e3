-- routing 1.7 -> 1.8: only the extension sets a team's members_version.
-- Backends remember the pools of random routing by it (1.5), so a value set
-- by hand could bring back one that stood for other primary members, and
-- a pool remembered under it would give work to agents who left the team.
-- A new team starts at 0; the triggers move it, as the extension's owner.
\echo Use "ALTER EXTENSION routing UPDATE TO '1.8'" to load this file. \quit

create function routing.members_version_guard() returns trigger
    language c as 'MODULE_PATHNAME', 'routing_members_version_guard';
revoke execute on function routing.members_version_guard() from public;

create trigger members_version_guard before insert or update of members_version
    on routing.teams
    for each row execute function routing.members_version_guard();

comment on function routing.members_version_guard() is 'Trigger: only the extension sets teams.members_version';
