-- headline: the four headline measures, last four published quarters against the four before.
-- Parameters: none.
-- Columns: measure, recent_start, recent_end, recent, previous. A window's total is the sum of its
--          quarters, or the published year when the window is a calendar year; NULL when neither is
--          published (a sum over withheld counts is never shown).
with measures as (
    select 'referrals' as measure, period_type, period, count, withheld
    from referrals where area_id = 'city' and pathway = 'all' and agency = 'all'
    union all
    select 'engaged', period_type, period, count, withheld
    from engagement where area_id = 'city' and measure = 'engaged_case_management'
    union all
    select 'overdose_deaths', period_type, period, count, withheld
    from overdoses where area_id = 'city' and outcome = 'fatal' and drug = 'any'
    union all
    select 'residential_burglary', period_type, period, count, withheld
    from property_crime where area_id = 'city' and offense = 'residential_burglary'
),
quarters as (
    select measure, period, count, withheld,
           cast(substr(period, 1, 4) as integer) * 4 + cast(substr(period, 7, 1) as integer) - 1 as q
    from measures where period_type = 'quarter'
),
bounds as (
    select measure, max(q) as last_q from quarters group by all
),
windows as (
    select b.measure, w.which, b.last_q - 4 * w.which - 3 as first_q, b.last_q - 4 * w.which as end_q
    from bounds b cross join (values (0), (1)) w(which)
),
sums as (
    select w.measure, w.which, w.first_q, w.end_q,
           case when count(q.q) = 4 and not bool_or(q.withheld) then sum(q.count) end as quarter_sum
    from windows w left join quarters q on q.measure = w.measure and q.q between w.first_q and w.end_q
    group by all
),
totals as (
    select s.*, coalesce(s.quarter_sum, y.count) as total
    from sums s
    left join measures y
      on y.measure = s.measure and y.period_type = 'year' and s.first_q % 4 = 0
     and y.period = cast(s.first_q // 4 as varchar)
)
select measure,
       max(case when which = 0 then printf('%d-Q%d', first_q // 4, first_q % 4 + 1) end) as recent_start,
       max(case when which = 0 then printf('%d-Q%d', end_q // 4, end_q % 4 + 1) end) as recent_end,
       max(case when which = 0 then total end) as recent,
       max(case when which = 1 then total end) as previous
from totals
group by all
order by measure;
