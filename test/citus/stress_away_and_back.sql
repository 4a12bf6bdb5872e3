-- sections 5, 13: an agent goes away and comes back (delegated calls); the
-- last call of every client leaves every agent available.
\set account random(21, 40)
\set agent random(1, 3)
select routing.set_availability(:agent, 'away', account_id => :account);
select routing.set_availability(:agent, 'available', account_id => :account);
