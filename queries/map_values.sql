-- map_values: one measure in one period for every area it is published on, plus the whole ('city') row.
-- Parameters: $kind (referrals | engagement | overdoses | property_crime), $measure (category value:
--             'all' for referrals; an engagement measure; an overdose outcome (drug 'any'); an offence or
--             'all' for property crime), $period (e.g. '2024' or '2024-Q3').
-- Columns: boundary_set, area_id, name, population, period_type, period, count (NULL when withheld),
--          withheld, rate (NULL when withheld or the kind has no rate), rate_unstable, published (false when
--          the table is not published for this area and period: no row).
with chosen as (
    select * from measure_values where kind = $kind and measure = $measure and period = $period
)
select a.boundary_set, a.area_id, a.name, a.population, c.period_type, coalesce(c.period, $period) as period,
       c.count, coalesce(c.withheld, false) as withheld, c.rate, c.rate_unstable,
       c.area_id is not null as published
from areas a
left join chosen c on c.area_id = a.area_id
where a.kind = $kind
order by a.area_id = 'city', a.area_id;
