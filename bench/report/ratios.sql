-- bench/report/ratios.sql, run by bench/parts/report.sh: each result
-- against its baselines (bench.results: one row per measurement, the median
-- tps of its runs).

create temporary view ratios as
select r.*,
       round(1e6 / nullif(r.tps, 0)::numeric, 1) as us_per_insert,
       round(r.cpu_ticks * 1e6 / :ticks / nullif(r.transactions, 0), 1) as cpu_us,
       -- the steady and long rows have their own floor
       case when bench.shape(r.variant) not in ('steady', 'long')
            then r.tps / nullif(b.tps, 0) end as x_bare,
       case when bench.shape(r.variant) not in ('steady', 'long')
            then r.tps / nullif(f.tps, 0) end as x_floor,
       case when bench.shape(r.variant) not in ('steady', 'long')
            then bench.cpu_ratio(f, r) end as x_floor_cpu,
       case when bench.shape(r.variant) not in ('issue4', 'sections') then null
            when r.variant like 'routed_chat%' then r.tps / nullif(rc.tps, 0)
            when r.variant = 'routed_email' then r.tps / nullif(re.tps, 0) end as x_reference,
       case when bench.shape(r.variant) not in ('issue4', 'sections') then null
            when r.variant like 'routed_chat%' then bench.cpu_ratio(rc, r)
            when r.variant = 'routed_email' then bench.cpu_ratio(re, r) end as x_reference_cpu,
       case when r.clients = 1 then r.tps / nullif(p10.tps, 0) end as x_pool10,
       case when r.clients = 1 then bench.cpu_ratio(p10, r) end as x_pool10_cpu,
       -- the capacity and queue rows against their baseline: tps and CPU,
       -- and for the available_queue rows the set_availability latency;
       -- the accounts rows against the pool alone; tenants against one
       -- account, teams and overlap against one pool of 100 alone, steady
       -- against the floor plus close, long against the long floor
       r.tps / nullif(q.tps, 0) as x_baseline,
       bench.cpu_ratio(q, r) as x_baseline_cpu,
       round(r.statement_ms::numeric * 1000, 1) as statement_us,
       q.statement_ms / nullif(r.statement_ms, 0) as x_baseline_statement,
       -- the long rows (their mean is the run's tps, against the floor's in
       -- x_baseline): each minute's tps and CPU per transaction, and the last
       -- minute against the first
       array_to_string(array(select round(m) from unnest(r.minute_tps) m), ' / ') as minutes,
       r.minute_tps[cardinality(r.minute_tps)] / nullif(r.minute_tps[1], 0) as x_first_minute,
       array_to_string(array(select round(m) from unnest(r.minute_cpu_us) m), ' / ') as minute_cpus,
       r.minute_cpu_us[1] / nullif(r.minute_cpu_us[cardinality(r.minute_cpu_us)], 0)
           as x_first_minute_cpu
from bench.results r
left join bench.results b on (b.clients, b.pool, b.variant) = (r.clients, r.pool, 'bare')
left join bench.results f on (f.clients, f.pool, f.variant) = (r.clients, r.pool, 'floor')
left join bench.results rc on (rc.clients, rc.pool, rc.variant) = (r.clients, r.pool, 'reference_chat')
left join bench.results re on (re.clients, re.pool, re.variant) = (r.clients, r.pool, 'reference_email')
left join bench.results p10 on (p10.clients, p10.pool, p10.variant)
                               = (r.clients, (select min(pool) from bench.results
                                              where variant = 'routed_chat' and clients = 1),
                                  r.variant)
                              and r.variant in ('bare', 'floor', 'routed_chat', 'routed_email',
                                                'reference_chat', 'reference_email')
left join bench.results q on (q.clients, q.pool, q.variant)
                             = (r.clients, r.pool, case r.variant
                                when 'routed_chat_capacities' then 'routed_chat_no_capacities'
                                when 'close_drains_one' then 'close_empty_queue'
                                when 'available_queue_10000' then 'available_queue_100'
                                when 'routed_overlap' then 'routed_chat_team_alone'
                                when 'steady_routed_chat' then 'steady_floor_close'
                                when 'long_routed_chat' then 'long_floor'
                                else case when r.variant ~ '^routed_(chat|email)_account_[0-9]+$'
                                          then regexp_replace(r.variant, '[0-9]+$', r.pool::text)
                                          when r.variant ~ '^(routed_chat|routed_email|bare)_tenants_[0-9]+$'
                                          then regexp_replace(r.variant, 'tenants_[0-9]+$', 'one_tenant')
                                          when r.variant ~ '^routed_(chat|email)_teams_[0-9]+$'
                                          then regexp_replace(r.variant, 'teams_[0-9]+$', 'team_alone')
                                          end end);
