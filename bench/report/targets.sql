-- bench/report/targets.sql, run by bench/parts/report.sh: each result
-- against its target, if it has one.

create temporary view targets as
select r.*,
       case
       when r.clients = 1 and r.pool = 10 and r.variant in ('routed_chat', 'routed_email')
           then format('x floor >= 0.7: %s (by CPU: %s)',
                       case when x_floor >= 0.7 then 'met' else '**NOT met**' end,
                       to_char(x_floor_cpu, 'FM990.00'))
       when r.clients = 1 and r.pool = 10000 and r.variant in ('routed_chat', 'routed_email')
           then format('x pool 10 >= 0.8: %s (by CPU: %s)',
                       case when x_pool10 >= 0.8 then 'met' else '**NOT met**' end,
                       to_char(x_pool10_cpu, 'FM990.00'))
       when r.clients = 1 and r.pool = 1000 and r.variant in ('routed_chat', 'routed_email')
           then format('x reference >= 10: %s (by CPU: %s)',
                       case when x_reference >= 10 then 'met' else '**NOT met**' end,
                       to_char(x_reference_cpu, 'FM99990.0'))
       when r.clients > 1 and r.variant = 'routed_chat'
           then format('x floor >= 0.7: %s (by CPU: %s); section 5 invariants: %s',
                       case when x_floor >= 0.7 then 'met' else '**NOT met**' end,
                       to_char(x_floor_cpu, 'FM990.00'),
                       case when r.invariants_ok and r.failed = 0 then 'met' else '**NOT met**' end)
       when r.clients > 1 and r.variant in ('routed_chat_notify_off', 'reference_chat')
           then format('(section 5 invariants: %s)',
                       case when r.invariants_ok and r.failed = 0 then 'hold' else 'BROKEN' end)
       when r.variant = 'routed_chat_capacities'
           then format('x no capacities >= 0.9: %s (%s; by CPU: %s)',
                       case when x_baseline >= 0.9 then 'met' else '**NOT met**' end,
                       to_char(x_baseline, 'FM990.00'), to_char(x_baseline_cpu, 'FM990.00'))
       when r.variant = 'close_drains_one'
           then format('x close, empty queue >= 0.5: %s (%s; by CPU: %s)',
                       case when x_baseline >= 0.5 then 'met' else '**NOT met**' end,
                       to_char(x_baseline, 'FM990.00'), to_char(x_baseline_cpu, 'FM990.00'))
       when r.variant = 'available_queue_100'
           then format('set_availability(available) %s µs', statement_us)
       when r.variant = 'available_queue_10000'
           then format('set_availability(available) %s µs, x queue of 100 >= 0.8: %s (%s)',
                       statement_us,
                       case when x_baseline_statement >= 0.8 then 'met' else '**NOT met**' end,
                       to_char(x_baseline_statement, 'FM990.00'))
       when substring(r.variant from '_account_([0-9]+)$')::integer = r.pool
           then 'the pool alone'
       when r.variant ~ '_account_10000$'
           then 'x pool alone >= 0.8: ' || bench.against(x_baseline, 0.8, x_baseline_cpu)
       when r.variant ~ '_account_[0-9]+$'
           then format('x pool alone: %s (by CPU: %s)', to_char(x_baseline, 'FM990.00'),
                       to_char(x_baseline_cpu, 'FM990.00'))
       when r.variant ~ '_one_tenant$'
           then 'one account of the tenants, every insert'
       when r.variant ~ '^bare_tenants_[0-9]+$'
           then format('x one account: %s (by CPU: %s), no target: the INSERT alone',
                       to_char(x_baseline, 'FM990.00'), to_char(x_baseline_cpu, 'FM990.00'))
       when r.variant ~ '_tenants_[0-9]+$'
           then 'x one account >= 0.9: ' || bench.against(x_baseline, 0.9, x_baseline_cpu)
       when r.variant ~ '_team_alone$'
           then 'the pool of 100 alone'
       when r.variant ~ '_teams_[0-9]+$'
           then 'x pool of 100 alone >= 0.8: ' || bench.against(x_baseline, 0.8, x_baseline_cpu)
       when r.variant = 'routed_overlap'
           then format('x pool of 100 alone (routed chat): %s (by CPU: %s), no target',
                       to_char(x_baseline, 'FM990.00'), to_char(x_baseline_cpu, 'FM990.00'))
       when r.variant = 'steady_floor_close'
           then format('floor plus close; every close hit: %s',
                       case when r.invariants_ok and r.failed = 0 then 'yes' else '**NO**' end)
       when r.variant = 'steady_routed_chat'
           then format('x floor plus close >= 0.8: %s; every close hit: %s',
                       bench.against(x_baseline, 0.8, x_baseline_cpu),
                       case when r.invariants_ok and r.failed = 0 then 'yes' else '**NO**' end)
       when r.variant = 'long_floor'
           then format('tps per minute: %s; mean %s%s', minutes, round(r.tps),
                       '; CPU µs/tx per minute: ' || nullif(minute_cpus, ''))
       when r.variant = 'long_routed_chat'
           then format('tps per minute: %s; mean %s%s; mean x floor >= 0.7: %s; last minute x first >= 0.8: %s',
                       minutes, round(r.tps), '; CPU µs/tx per minute: ' || nullif(minute_cpus, ''),
                       bench.against(x_baseline, 0.7, x_baseline_cpu),
                       bench.against(x_first_minute, 0.8, x_first_minute_cpu))
       end as target
from ratios r;
