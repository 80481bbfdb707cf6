-- outcomes_cells: every published outcome cell (each cohort, group, window and measure), for the Outcomes page
-- and Home's answer. The table is small (cohorts x 2 groups x 5 windows x 12 measures).
-- Parameters: none.
-- Columns: cohort, cohort_type, cohort_first_month, cohort_last_month, group, window, window_months, measure,
--          value_type, followed, count (NULL when withheld), mean_per_person (NULL when withheld), withheld,
--          data_through
select cohort, cohort_type, cohort_first_month, cohort_last_month, "group", "window", window_months, measure,
       value_type, followed, count, mean_per_person, withheld, data_through
from outcomes
order by cohort_type, cohort, "group", window_months, measure;
