-- map_values: one measure in one period for every area it is published on, plus the whole ('city') row.
-- Parameters: $kind (referrals | engagement | overdoses | property_crime), $measure (category value:
--             'all' for referrals; an engagement measure; an overdose outcome (drug 'any'); an offence or
--             'all' for property crime), $period (e.g. '2024' or '2024-Q3').
-- Columns: boundary_set, area_id, name, population, period_type, period, count (NULL when withheld),
--          withheld, rate (NULL when withheld or the kind has no rate), rate_unstable, published (false when
--          the table is not published for this area and period: no row).
with measures as (
    select 'referrals' as kind, 'all' as measure, period_type, period, area_id, count, withheld,
           cast(null as double) as rate, cast(null as boolean) as rate_unstable
    from referrals where pathway = 'all' and agency = 'all'
    union all
    select 'engagement', measure, period_type, period, area_id, count, withheld, null, null
    from engagement
    union all
    select 'overdoses', outcome, period_type, period, area_id, count, withheld, rate, rate_unstable
    from overdoses where drug = 'any'
    union all
    select 'property_crime', offense, period_type, period, area_id, count, withheld, rate, rate_unstable
    from property_crime
),
chosen as (
    select * from measures where kind = $kind and measure = $measure and period = $period
)
select a.boundary_set, a.area_id, a.name, a.population, c.period_type, coalesce(c.period, $period) as period,
       c.count, coalesce(c.withheld, false) as withheld, c.rate, c.rate_unstable,
       c.area_id is not null as published
from areas a
left join chosen c on c.area_id = a.area_id
where a.kind = $kind
order by a.area_id = 'city', a.area_id;
