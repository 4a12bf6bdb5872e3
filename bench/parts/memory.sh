# bench/parts/memory.sh, sourced by bench/run: the part memory: one backend's
# memory contexts after routing many conversations.

if part memory; then
echo "== memory: one backend routes $memory_rows conversations"
psql_q -c "select bench.reset()" -c "vacuum analyze routing.agent_loads" >/dev/null
memory=$(psql -X -q -At -F ' ' -v ON_ERROR_STOP=1 -v rows="$memory_rows" <<'SQL'
create temporary table contexts (stage text, name text, ident text, total_bytes bigint);
insert into contexts select 'start', name, ident, total_bytes from pg_backend_memory_contexts;
-- the first 1,000 (10 transactions of 100)
call bench.route_batches(10, 100);
insert into contexts select 'first', name, ident, total_bytes from pg_backend_memory_contexts;
select (:rows - 1000) / 100 as batches \gset
call bench.route_batches(:batches, 100);
insert into contexts select 'last', name, ident, total_bytes from pg_backend_memory_contexts;
select (select sum(total_bytes) from contexts where stage = 'first'),
       (select sum(total_bytes) from contexts where stage = 'last'),
       (select count(*) from routing.conversations);
select format('largest after %s: %s', stage,
              string_agg(format('%s%s %s', name, coalesce(' (' || ident || ')', ''), total_bytes),
                         ', ' order by total_bytes desc))
from (select stage, name, left(ident, 40) as ident, total_bytes,
             row_number() over (partition by stage order by total_bytes desc) as n
      from contexts where stage in ('first', 'last')) c
where n <= 5
group by stage
order by stage;
select format('changed: %s%s %s -> %s bytes', coalesce(l.name, f.name),
              coalesce(' (' || left(coalesce(l.ident, f.ident), 40) || ')', ''),
              coalesce(f.total_bytes, 0), coalesce(l.total_bytes, 0))
from (select name, ident, sum(total_bytes) as total_bytes from contexts
      where stage = 'last' group by 1, 2) l
full join (select name, ident, sum(total_bytes) as total_bytes from contexts
           where stage = 'first' group by 1, 2) f
  on f.name = l.name and f.ident is not distinct from l.ident
where l.total_bytes is distinct from f.total_bytes
order by abs(coalesce(l.total_bytes, 0) - coalesce(f.total_bytes, 0)) desc
limit 5;
SQL
)
read -r memory_first memory_last memory_routed <<<"$(head -1 <<<"$memory")"
memory_notes=$(tail -n +2 <<<"$memory")
fi
