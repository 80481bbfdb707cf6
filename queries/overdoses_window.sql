-- overdoses_window: published overdose rows whose period lies wholly inside a month range.
-- Parameters: $start, $end ('YYYY-MM', inclusive), $area (an area_id, 'city' for the whole area, '*' for every area),
--             $outcome ('fatal', 'nonfatal_ed' or 'ems_naloxone').
-- Columns: period, period_type, area_id, outcome, drug, count (NULL when withheld), withheld,
--          rate (annualised per 100,000; NULL when withheld), rate_unstable
select period, period_type, area_id, outcome, drug, count, withheld, rate, rate_unstable
from overdoses
where first_month >= $start and last_month <= $end and ($area = '*' or area_id = $area)
  and outcome = $outcome
order by period_type, period, area_id, drug;
