-- costs_justice_use: criminal-justice use per person in one follow-up window after referral, all cohorts
-- together, for pricing with unit costs: jail bookings and jail days (means per person) and people with a new
-- charge (a charge counted as one court case).
-- Parameters: $window (e.g. 'post_12m').
-- Columns: group, measure, value_type, followed, window_months, count (NULL when withheld), mean_per_person
--          (NULL when withheld), withheld
select "group", measure, value_type, followed, window_months, count, mean_per_person, withheld
from outcomes
where cohort_type = 'all' and "window" = $window and measure in ('jail_bookings', 'jail_days', 'new_charge')
order by "group", measure;
