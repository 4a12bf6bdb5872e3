-- section 13: drain() finds nothing to do (no queue channel in use) and
-- takes the account's locks.
\set account random(21, 40)
select routing.drain(account_id => :account);
