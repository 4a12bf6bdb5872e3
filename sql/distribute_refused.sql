-- section 15: routing.distribute() on a server without Citus raises a clear
-- error and changes nothing (make test-citus tests it with Citus).
set client_min_messages = warning;
drop extension if exists routing cascade;
create extension routing;
insert into routing.agents (agent_id, name) values (1, 'Ann');
select routing.distribute();
-- nothing changed: the tables are plain local tables, the row is there
select count(*) as agents from routing.agents;
select c.relname, c.relkind from pg_class c
where c.relnamespace = 'routing'::regnamespace and c.relname = 'agents';
