-- routing 1.4 -> 1.5: random routing draws among the rule's pool, which
-- each backend remembers (src/pools.c).  A team's members_version stands
-- for its primary members: every change of them moves it, in the same
-- transaction, to a value of agent_checks_seq never used before, so a
-- backend checks a pool it remembers by reading the versions of the teams
-- the rule names.  Only the triggers take sequence values (as the
-- extension's owner): a new team starts at 0, which no team with a
-- primary member ever has.
\echo Use "ALTER EXTENSION routing UPDATE TO '1.5'" to load this file. \quit

alter table routing.teams add column members_version bigint not null default 0;

comment on column routing.teams.members_version is 'Internal: moves to a new value whenever the team''s primary members change, kept by the triggers';
