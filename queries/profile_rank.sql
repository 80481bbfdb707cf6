-- profile_rank: where each area stands among the areas of its boundary set for one measure and year,
--               ranked by rate where the kind has one, else by count (1 = highest); withheld areas unranked.
-- Parameters: $kind, $measure (see map_values), $period (a year).
-- Columns: area_id, value, rank, ranked (how many areas have a published value).
with measures as (
    select 'referrals' as kind, 'all' as measure, period, area_id, count, withheld, cast(null as double) as rate
    from referrals where pathway = 'all' and agency = 'all' and period_type = 'year'
    union all
    select 'engagement', measure, period, area_id, count, withheld, null
    from engagement where period_type = 'year'
    union all
    select 'overdoses', outcome, period, area_id, count, withheld, rate
    from overdoses where drug = 'any' and period_type = 'year'
    union all
    select 'property_crime', offense, period, area_id, count, withheld, rate
    from property_crime where period_type = 'year'
),
chosen as (
    select area_id, coalesce(rate, count) as value from measures
    where kind = $kind and measure = $measure and period = $period and area_id <> 'city' and not withheld
)
select area_id, value, rank() over (order by value desc) as rank, count(*) over () as ranked
from chosen
order by rank;
