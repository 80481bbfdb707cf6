-- property_crime_window: published property-crime rows whose period lies wholly inside a month range.
-- Parameters: $start, $end ('YYYY-MM', inclusive), $area (an area_id, 'city' for the whole area, '*' for every area).
-- Columns: period, period_type, area_id, offense, count (NULL when withheld), withheld,
--          rate (annualised per 1,000 residents; NULL when withheld), rate_unstable
select period, period_type, area_id, offense, count, withheld, rate, rate_unstable
from property_crime
where first_month >= $start and last_month <= $end and ($area = '*' or area_id = $area)
order by period_type, period, area_id, offense;
