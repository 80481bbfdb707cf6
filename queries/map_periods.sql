-- map_periods: the years and quarters in which a measure is published by area (newest first).
-- Parameters: $kind (referrals | engagement | overdoses | property_crime), $measure (see map_values).
-- Columns: period_type ('year' | 'quarter'), period, areas (how many areas have a row, withheld or not).
with measures as (
    select 'referrals' as kind, 'all' as measure, period_type, period, area_id
    from referrals where pathway = 'all' and agency = 'all'
    union all
    select 'engagement', measure, period_type, period, area_id from engagement
    union all
    select 'overdoses', outcome, period_type, period, area_id from overdoses where drug = 'any'
    union all
    select 'property_crime', offense, period_type, period, area_id from property_crime
)
select period_type, period, count(distinct area_id) as areas
from measures
where kind = $kind and measure = $measure and area_id <> 'city' and period_type in ('year', 'quarter')
group by all
order by period desc;
