-- section 16: clients tick concurrently, as the worker, pg_cron and an
-- application might at once
select routing.tick();
