-- routing 1.4 -> 1.5: random routing draws among the rule's pool, which
-- each backend remembers (src/pools.c).  A team's members_version stands
-- for its primary members: every change of them moves it, in the same
-- transaction, to a value never used before, so a backend checks a pool it
-- remembers by reading the versions of the teams the rule names.
\echo Use "ALTER EXTENSION routing UPDATE TO '1.5'" to load this file. \quit

alter table routing.teams add column members_version bigint not null
    default pg_catalog.nextval('routing.agent_checks_seq'::pg_catalog.regclass);

comment on column routing.teams.members_version is 'Internal: moves to a new value whenever the team''s primary members change, kept by the triggers';
