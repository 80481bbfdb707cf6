-- referrals_window: published referral rows whose period lies wholly inside a month range.
-- Parameters: $start, $end ('YYYY-MM', inclusive), $area (an area_id, 'city' for the whole area, '*' for every area).
-- Columns: period, period_type, area_id, pathway, agency, count (NULL when withheld), withheld
select period, period_type, area_id, pathway, agency, count, withheld
from referrals
where first_month >= $start and last_month <= $end and ($area = '*' or area_id = $area)
order by period_type, period, area_id, pathway, agency;
