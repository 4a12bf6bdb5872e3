-- section 5, 6: agents go away and come back while chats are routed to them;
-- their open chats stay with them
\set a random(1, 11)
\set agent case when :a <= 6 then 100 + :a else 194 + :a end
\set away random(0, 2)
select routing.set_availability(:agent, case when :away = 0 then 'away' else 'available' end);
