-- profile_series: one measure's yearly and quarterly series for one area and for the whole, for the
--                 area profile (headline figures, small trends).
-- Parameters: $kind, $measure (see map_values), $area (an area id of the boundary set the kind uses).
-- Columns: where_ ('area' | 'city'), period_type ('year' | 'quarter'), period, count (NULL when withheld),
--          withheld, rate (NULL when withheld or no rate for the kind), rate_unstable.
select case when area_id = 'city' then 'city' else 'area' end as where_, period_type, period, count,
       withheld, rate, rate_unstable
from measure_values
where kind = $kind and measure = $measure and area_id in ($area, 'city') and period_type in ('year', 'quarter')
order by where_, period_type, period;
