-- profile_series: one measure's yearly and quarterly series for one area and for the whole, for the
--                 area profile (headline figures, small trends).
-- Parameters: $kind, $measure (see map_values), $area (an area id of the boundary set the kind uses).
-- Columns: where_ ('area' | 'city'), period_type ('year' | 'quarter'), period, count (NULL when withheld),
--          withheld, rate (NULL when withheld or no rate for the kind), rate_unstable.
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
)
select case when area_id = 'city' then 'city' else 'area' end as where_, period_type, period, count,
       withheld, rate, rate_unstable
from measures
where kind = $kind and measure = $measure and area_id in ($area, 'city') and period_type in ('year', 'quarter')
order by where_, period_type, period;
