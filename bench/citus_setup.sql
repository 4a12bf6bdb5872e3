-- bench/citus: accounts 21-40 (public.citus_account, test/citus), and the
-- unrouted copy of routing.conversations, distributed like it on a cluster
-- (on a single server without Citus, BENCH_CITUS_WORKERS=0, a plain table).
\set ON_ERROR_STOP 1
set client_min_messages = warning;
select count(public.citus_account(a)) from generate_series(21, 40) a;
create schema bench;
create table bench.conversations_bare (like routing.conversations including all);
alter table bench.conversations_bare
    add foreign key (account_id, channel_id) references routing.channels,
    add foreign key (account_id, contact_id) references routing.contacts,
    add foreign key (account_id, assignee_agent_id) references routing.agents,
    add foreign key (account_id, assignee_team_id) references routing.teams;
select exists (select from pg_extension where extname = 'citus') as citus \gset
\if :citus
select create_distributed_table('bench.conversations_bare', 'account_id',
                                colocate_with := 'routing.conversations');
\endif
