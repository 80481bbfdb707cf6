-- survival_life_table: the published time-to-re-arrest intervals of each group (months since referral pooled
-- until every count is 0 or more than 10), for the Outcomes page's Kaplan-Meier curves and Home's answer.
-- Parameters: none.
-- Columns: cohort, cohort_first_month, cohort_last_month, group, interval_from, interval_to (months since
--          referral; the interval is after interval_from up to and including interval_to), at_risk,
--          re_arrested, censored, data_through
select cohort, cohort_first_month, cohort_last_month, "group", interval_from, interval_to, at_risk, re_arrested,
       censored, data_through
from life_table
order by "group", interval_to;
