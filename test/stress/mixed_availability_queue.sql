-- section 13: an agent of the queue channels coming back (available) drains
-- the queue into their room; going away stops their share
\set agent random(301, 306)
\set away random(0, 2)
select routing.set_availability(:agent, case when :away = 0 then 'away' else 'available' end);
