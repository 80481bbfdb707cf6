-- costs_justice_use: criminal-justice use per cohort before and after referral, for pricing with unit costs:
-- jail bookings and jail days (totals) and people with a new charge (a charge counted as one court case), in
-- one window before referral and the window after it of the same length. Every cohort and the pooled 'all'
-- row: the cost model keeps the same cohorts on both sides (leadsf.stats.outcome_stats.same_cohorts).
-- Parameters: $before (e.g. 'pre_12m'), $after (e.g. 'post_12m').
-- Columns: cohort, cohort_type, cohort_first_month, cohort_last_month, group, window, window_months, measure,
--          value_type, followed, count (NULL when withheld), withheld
select cohort, cohort_type, cohort_first_month, cohort_last_month, "group", "window", window_months, measure,
       value_type, followed, count, withheld
from outcomes
where "window" in ($before, $after) and measure in ('jail_bookings', 'jail_days', 'new_charge')
order by cohort_type, cohort, "group", window_months, measure;
