-- bench/report/functions.sql, run by bench/parts/report.sh: the functions
-- the views use.

-- how many times cheaper in server CPU per transaction r is than base
create function bench.cpu_ratio(base bench.results, r bench.results) returns float8
    language sql immutable
    return (base.cpu_ticks::float8 / nullif(base.transactions, 0))
           / nullif(r.cpu_ticks::float8 / nullif(r.transactions, 0), 0);

-- which part of the benchmark a variant belongs to, in the table's order
create function bench.shape(variant text) returns text
    language sql immutable
    return case
           when variant ~ '_account_[0-9]+$' then 'accounts'
           when variant ~ '_(one_tenant|tenants_[0-9]+)$' then 'tenants'
           when variant ~ '_(team_alone|teams_[0-9]+)$' then 'teams'
           when variant = 'routed_overlap' then 'overlap'
           when variant like 'steady\_%' then 'steady'
           when variant like 'long\_%' then 'long'
           when variant in ('routed_chat_no_capacities', 'routed_chat_capacities',
                            'close_empty_queue', 'close_drains_one',
                            'available_queue_100', 'available_queue_10000') then 'sections'
           else 'issue4' end;

-- a ratio against its target, for the target column
create function bench.against(ratio float8, target float8, cpu float8) returns text
    language sql immutable
    return format('%s (%s; by CPU: %s)',
                  case when ratio >= target then 'met' else '**NOT met**' end,
                  coalesce(to_char(ratio, 'FM990.00'), '?'), coalesce(to_char(cpu, 'FM990.00'), '?'));
